//! The core's top-level modules form layers: a module may use the ones below it, never one that
//! uses it back. A cycle means two modules cannot be read, changed or tested apart; this test
//! reads `core/src`, collects every `crate::X` path of each top-level module (comments, string
//! literals, `#[cfg(test)]` items and `tests.rs` files aside: a test may use any module, as a
//! dev-dependency may) and fails naming the cycle, with where each of its imports is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where one module uses another: the first place, for the failure message.
type Edges = BTreeMap<(String, String), String>;

#[test]
fn no_module_of_the_core_uses_one_that_uses_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = ModuleGraph::read(&src);
    assert!(
        graph.modules.len() > 10,
        "the crate's modules were not found in lib.rs: {:?}",
        graph.modules
    );
    if let Some(cycle) = graph.cycle() {
        let mut message = format!("import cycle: {}\n", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            let at = &graph.edges[&(pair[0].clone(), pair[1].clone())];
            message.push_str(&format!("  {} -> {}: {at}\n", pair[0], pair[1]));
        }
        panic!("{message}");
    }
}

/// The module list of lib.rs's doc comment names every module, each below the ones it uses:
/// read top to bottom, it is the order to learn the crate in.
#[test]
fn the_crate_doc_lists_every_module_below_the_ones_it_uses() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = ModuleGraph::read(&src);
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut listed: Vec<String> = Vec::new();
    for line in lib.lines().filter(|l| l.starts_with("//! - ")) {
        for (at, _) in line.match_indices("[`") {
            let name = &line[at + 2..];
            let name = &name[..name.find('`').unwrap_or(0)];
            if graph.modules.contains(name) && !listed.iter().any(|m| m == name) {
                listed.push(name.to_owned());
            }
        }
    }
    let unlisted: Vec<&String> = graph
        .modules
        .iter()
        .filter(|m| !listed.contains(m))
        .collect();
    assert!(
        unlisted.is_empty(),
        "modules missing from lib.rs's list: {unlisted:?}"
    );
    let place = |m: &str| listed.iter().position(|l| l == m).unwrap();
    for ((from, to), at) in &graph.edges {
        assert!(
            place(to) < place(from),
            "lib.rs lists {from} above {to}, which it uses ({at})"
        );
    }
}

#[test]
fn the_reader_finds_a_cycle_and_skips_comments_strings_and_tests() {
    let code = strip_comments_and_literals(
        "use crate::a::X; // crate::b\n/* crate::c */ let s = \"crate::d\"; let c = '\"';\n\
         #[cfg(test)]\nmod tests { use crate::e; }\nfn f<'a>(x: &'a str) { crate::{f::Y, g}; }",
    );
    let code = without_test_items(&code);
    let used: BTreeSet<String> = crate_paths(&code).into_iter().map(|(m, _)| m).collect();
    assert_eq!(used, ["a", "f", "g"].map(String::from).into());

    let mut graph = ModuleGraph::default();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph.modules.insert(from.into());
        graph.modules.insert(to.into());
        graph.edges.insert((from.into(), to.into()), String::new());
    }
    assert_eq!(graph.cycle().unwrap(), ["a", "b", "c", "a"]);
    graph.edges.remove(&("c".into(), "a".into()));
    assert_eq!(graph.cycle(), None);
}

#[derive(Default)]
struct ModuleGraph {
    modules: BTreeSet<String>,
    edges: Edges,
}

impl ModuleGraph {
    fn read(src: &Path) -> Self {
        let lib = std::fs::read_to_string(src.join("lib.rs")).expect("core/src/lib.rs");
        let lib = strip_comments_and_literals(&lib);
        let mut modules = BTreeSet::new();
        // What the crate root re-exports (`pub use error::{Error, Result}`): `crate::Error` is
        // a use of `error`.
        let mut reexports = BTreeMap::new();
        for line in lib.lines().map(str::trim) {
            if let Some(name) = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))
            {
                modules.insert(name.trim_end_matches(';').trim().to_owned());
            } else if let Some(path) = line.strip_prefix("pub use ") {
                let (module, names) = path.split_once("::").expect("a re-export names its module");
                for name in names.trim_matches(|c| "{};".contains(c)).split(',') {
                    let name = name.trim();
                    let name = name.rsplit(" as ").next().unwrap_or(name);
                    reexports.insert(name.trim().to_owned(), module.to_owned());
                }
            }
        }

        let mut edges = Edges::new();
        for file in rust_files(src) {
            let relative = file.strip_prefix(src).unwrap();
            let Some(from) = top_level_module(relative) else {
                continue;
            };
            let text = std::fs::read_to_string(&file).unwrap();
            let code = without_test_items(&strip_comments_and_literals(&text));
            for (used, offset) in crate_paths(&code) {
                let to = if modules.contains(&used) {
                    used
                } else if let Some(module) = reexports.get(&used) {
                    module.clone()
                } else {
                    panic!(
                        "{}: `crate::{used}` is neither a module nor a re-export of lib.rs",
                        relative.display()
                    )
                };
                if to != from {
                    let line = code[..offset].matches('\n').count() + 1;
                    edges
                        .entry((from.clone(), to))
                        .or_insert_with(|| format!("{}:{line}", relative.display()));
                }
            }
        }
        ModuleGraph { modules, edges }
    }

    /// One cycle, as the modules along it with the first repeated at the end, if any.
    fn cycle(&self) -> Option<Vec<String>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Unseen,
            OnPath,
            Done,
        }
        fn visit(
            graph: &ModuleGraph,
            module: &str,
            marks: &mut BTreeMap<String, Mark>,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            marks.insert(module.to_owned(), Mark::OnPath);
            path.push(module.to_owned());
            for (_, to) in graph.edges.keys().filter(|(from, _)| from == module) {
                match marks.get(to).copied().unwrap_or(Mark::Unseen) {
                    Mark::OnPath => {
                        let start = path.iter().position(|m| m == to).unwrap();
                        let mut cycle = path[start..].to_vec();
                        cycle.push(to.clone());
                        return Some(cycle);
                    }
                    Mark::Unseen => {
                        if let Some(cycle) = visit(graph, to, marks, path) {
                            return Some(cycle);
                        }
                    }
                    Mark::Done => {}
                }
            }
            path.pop();
            marks.insert(module.to_owned(), Mark::Done);
            None
        }
        let mut marks = BTreeMap::new();
        for module in &self.modules {
            if !marks.contains_key(module)
                && let Some(cycle) = visit(self, module, &mut marks, &mut Vec::new())
            {
                return Some(cycle);
            }
        }
        None
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.file_name().is_some_and(|n| n == "tests.rs") {
            // A module's tests in a file of their own (`#[cfg(test)] mod tests;`): test code,
            // which may use any module, as the `#[cfg(test)]` items skipped inside a file do.
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// `household/import.rs` is in `household`, `ids.rs` in `ids`; `lib.rs` is the root.
fn top_level_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs") {
        Some("lib") => None,
        Some(stem) => Some(stem.to_owned()),
        None => Some(first.to_owned()),
    }
}

/// The code with comments and the insides of string and char literals blanked out (newlines
/// kept, so that offsets still give lines).
fn strip_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&chars, i) {
            // A raw string: r"…" or r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            out.push_str("\"\"");
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&h| h == '#') {
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push_str("\"\"");
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\u{..}'), not a lifetime.
            out.push_str("''");
            i += 1;
            if chars[i] == '\\' {
                i += 1;
            }
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The code without the items marked `#[cfg(test)]` (blanked, newlines kept).
fn without_test_items(code: &str) -> String {
    let mut out = code.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find("#[cfg(test)]").map(|p| p + from) {
        let bytes = out.as_bytes();
        let mut end = at;
        let mut depth = 0usize;
        // The item ends at its first `;` outside brackets, or at the brace closing its body.
        while end < bytes.len() {
            match bytes[end] {
                b'[' | b'(' => depth += 1,
                b']' | b')' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    let mut braces = 0usize;
                    while end < bytes.len() {
                        match bytes[end] {
                            b'{' => braces += 1,
                            b'}' => {
                                braces -= 1;
                                if braces == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        end += 1;
                    }
                    break;
                }
                _ => {}
            }
            end += 1;
        }
        let end = (end + 1).min(out.len());
        let blanked: String = out[at..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(at..end, &blanked);
        from = end;
    }
    out
}

/// The first name after every `crate::` (each name of a `crate::{a, b::c}` group), with the
/// offset where it is written.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push((ident(group[start..i].trim_start()), at));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push((ident(group[start..i].trim_start()), at));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((ident(rest), at));
        }
    }
    found.retain(|(name, _)| !name.is_empty());
    found
}
