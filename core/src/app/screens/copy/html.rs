//! A self-contained HTML page for the customer's copies: every value escaped, CSS inline,
//! pictures inside as `data:` URIs, no external resource (the phone prints or shares the one
//! file; the shell's fonts draw the Chinese text).

use std::fmt::Write;

/// `text` safe inside an element or a quoted attribute: `& < > " '` escaped.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A picture inside the page: `data:<mime>;base64,…`.
pub fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64(bytes))
}

/// The paper a page is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// An A4 page (the visit report, the rectification notice).
    A4,
    /// An 80 mm receipt roll (the fee receipt), which also prints well on A4.
    Receipt,
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;padding:12px;color:#000;background:#fff;\
font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif;\
font-size:14px;line-height:1.5}\
h1{font-size:20px;text-align:center;margin:4px 0 8px}\
h2{font-size:16px;margin:14px 0 6px;border-bottom:1px solid #000}\
.no{text-align:center;font-size:12px}\
table{width:100%;border-collapse:collapse;margin:4px 0}\
th,td{border:1px solid #555;padding:3px 5px;text-align:left;vertical-align:top}\
th{background:#eee;font-weight:600}\
td.num,th.num{text-align:right;white-space:nowrap}\
.fields td:first-child{width:28%;background:#f6f6f6}\
.photos img{width:120px;height:auto;margin:2px;border:1px solid #999}\
.photos figure{display:inline-block;margin:0 4px;text-align:center}\
.sig{display:inline-block;margin:6px 12px 0 0;vertical-align:top;text-align:center}\
.sig img{height:60px;width:auto;border-bottom:1px solid #000}\
.digest{font-family:ui-monospace,monospace;font-size:11px;word-break:break-all}\
.fail{font-weight:700}\
.note{font-size:13px}\
.en{color:#444;font-size:0.9em}\
@media print{body{padding:0}h2{break-after:avoid}tr,.sig{break-inside:avoid}}";

/// A page under construction: `push` appends HTML the caller built with [`esc`]ed values.
pub struct Page {
    body: String,
}

impl Page {
    pub fn new() -> Self {
        Self {
            body: String::new(),
        }
    }

    /// Appends raw HTML (every value in it already escaped).
    pub fn push(&mut self, html: &str) {
        self.body.push_str(html);
    }

    /// A heading of a part of the page.
    pub fn heading(&mut self, text: &str) {
        let _ = write!(self.body, "<h2>{}</h2>", esc(text));
    }

    /// A paragraph of text.
    pub fn para(&mut self, class: &str, text: &str) {
        let _ = write!(self.body, "<p class=\"{class}\">{}</p>", esc(text));
    }

    /// A table of labelled values.
    pub fn fields(&mut self, rows: &[(String, String)]) {
        self.body.push_str("<table class=\"fields\">");
        for (label, value) in rows {
            let _ = write!(
                self.body,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(label),
                esc(value)
            );
        }
        self.body.push_str("</table>");
    }

    /// A table: its head, then rows of cells (a cell starting with `\u{1}` is a number,
    /// right-aligned).
    pub fn table(&mut self, head: &[String], rows: &[Vec<String>]) {
        let cell = |tag: &str, text: &str| match text.strip_prefix('\u{1}') {
            Some(n) => format!("<{tag} class=\"num\">{}</{tag}>", esc(n)),
            None => format!("<{tag}>{}</{tag}>", esc(text)),
        };
        self.body.push_str("<table><thead><tr>");
        for h in head {
            self.body.push_str(&cell("th", h));
        }
        self.body.push_str("</tr></thead><tbody>");
        for row in rows {
            self.body.push_str("<tr>");
            for c in row {
                self.body.push_str(&cell("td", c));
            }
            self.body.push_str("</tr>");
        }
        self.body.push_str("</tbody></table>");
    }

    /// The whole document.
    pub fn finish(self, title: &str, lang: &str, sheet: Sheet) -> String {
        let page = match sheet {
            Sheet::A4 => "@page{size:A4;margin:15mm}body{max-width:180mm;margin:0 auto}",
            Sheet::Receipt => {
                "@page{size:80mm auto;margin:4mm}body{max-width:80mm;margin:0 auto;font-size:12px}\
                 h1{font-size:16px}"
            }
        };
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\
             <title>{}</title><style>{STYLE}{page}</style></head><body>{}</body></html>\n",
            esc(title),
            self.body
        )
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_that_could_open_markup_is_escaped() {
        assert_eq!(
            esc(r#"何<b>刚 & "李" 's"#),
            "何&lt;b&gt;刚 &amp; &quot;李&quot; &#39;s"
        );
    }

    #[test]
    fn base64_matches_the_rfc_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }
}
