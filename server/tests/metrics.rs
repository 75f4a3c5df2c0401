//! The server's `/metrics`: what the operator (and `doorstep demo`'s summary) reads.

use crate::common::{Backend, TestServer};

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
}

#[test]
fn the_operator_sees_the_bytes_each_way_and_answers_keep_their_length() {
    let server = TestServer::start(Backend::Sqlite);
    let client = reqwest::blocking::Client::new();
    let before = client
        .get(format!("{}/metrics", server.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let refused = client
        .post(format!("{}/v1/enroll", server.url))
        .header("content-type", "application/json")
        .body(r#"{"code":"not-a-code","device_model":"x"}"#)
        .send()
        .unwrap();
    // Counting the bytes does not turn a body of known length into a chunked one.
    assert!(
        refused.headers().get("content-length").is_some(),
        "{:?}",
        refused.headers()
    );
    assert!(refused.headers().get("transfer-encoding").is_none());
    let answer_len = refused.bytes().unwrap().len() as u64;
    let after = client
        .get(format!("{}/metrics", server.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let received = metric(&after, "doorstep_bytes_received_total")
        - metric(&before, "doorstep_bytes_received_total");
    let sent =
        metric(&after, "doorstep_bytes_sent_total") - metric(&before, "doorstep_bytes_sent_total");
    assert_eq!(
        received,
        r#"{"code":"not-a-code","device_model":"x"}"#.len() as u64
    );
    // The enrollment's answer and the first /metrics page.
    assert_eq!(sent, answer_len + before.len() as u64);
}
