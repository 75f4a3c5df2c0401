//! docs/sync-protocol.md checked against the real messages: every JSON example of the document
//! names the message it shows (an HTML comment `<!-- message: NAME -->` on the line before its
//! block, invisible once rendered) and must read as that message and write back to the same
//! JSON, so an example that drifts from the types (a field renamed, a stamp written as text)
//! fails here. Examples are whole: none is deliberately partial.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ErrorBody, PullResponse, PushRequest, PushResponse};

const DOCUMENT: &str = include_str!("../../../../docs/sync-protocol.md");

/// Each JSON block of the document, with the message its marker names (`None`: no marker).
fn examples() -> Vec<(Option<&'static str>, String)> {
    let mut out = Vec::new();
    let mut lines = DOCUMENT.lines().peekable();
    let mut previous = "";
    while let Some(line) = lines.next() {
        if line.trim() == "```json" {
            let name = previous
                .trim()
                .strip_prefix("<!-- message:")
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(str::trim);
            let mut block = String::new();
            for inner in lines.by_ref() {
                if inner.trim() == "```" {
                    break;
                }
                block.push_str(inner);
                block.push('\n');
            }
            out.push((name, block));
        }
        previous = line;
    }
    out
}

/// The example read as `T` and written back: the same JSON, or why not.
fn reads_back<T: Serialize + DeserializeOwned>(example: &str) -> Result<(), String> {
    let written: Value = serde_json::from_str(example).map_err(|e| format!("not JSON: {e}"))?;
    let message: T = serde_json::from_value(written.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&message).map_err(|e| e.to_string())?;
    if back == written {
        Ok(())
    } else {
        Err(format!("writes back as {back}"))
    }
}

#[test]
fn every_json_example_of_the_protocol_document_reads_as_the_message_it_shows() {
    let examples = examples();
    assert!(
        examples.len() >= 4,
        "the document's JSON examples: {examples:?}"
    );
    for (name, example) in examples {
        let read = match name {
            Some("error_body") => reads_back::<ErrorBody>(&example),
            Some("push_request") => reads_back::<PushRequest>(&example),
            Some("push_response") => reads_back::<PushResponse>(&example),
            Some("pull_response") => reads_back::<PullResponse>(&example),
            Some(other) => Err(format!("no message called {other:?} (add it to this test)")),
            None => Err("no `<!-- message: NAME -->` line before the block".into()),
        };
        if let Err(e) = read {
            panic!("docs/sync-protocol.md, the example\n{example}\n{e}");
        }
    }
}
