//! Proofreading findings in code comments land on the exact document
//! characters in every position encoding, and a first check of a large
//! document reports progress and can be cancelled. Real SmolLM2 model
//! (`MARGIN_TEST_MODEL`; required under CI).

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{capabilities, test_model, text_at, TestClient};

/// One file per comment style; CJK and emoji sit before the mistakes on the
/// same line (in code, so the prose the model sees stays the same), and the
/// line endings are CRLF in the Rust and C files.
const FILES: &[(&str, &str, &str)] = &[
    ("file:///w/doc.rs", "rust", "/// She dont like apples, but she eat them anyway.\r\nfn f() {}\r\n"),
    ("file:///w/line.rs", "rust", "fn g() {}\r\n// She dont like apples,\r\n// but she eat them anyway.\r\nfn h() {}\r\n"),
    ("file:///w/block.c", "c", "char *s = \"日本語 👋\"; /* She dont like apples, but\r\n * she eat them anyway. */\r\n"),
    ("file:///w/x.py", "python", "s = \"日本語 👋\"  # She dont like apples, but she eat them anyway.\nx = 1\n"),
];

async fn wait_diagnostics(client: &mut TestClient, uri: &str) -> Vec<Value> {
    client.checked_diagnostics(uri, None).await
}

#[tokio::test]
async fn comment_findings_map_to_exact_characters_in_each_encoding() {
    let Some(model) = test_model() else { return };
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let mut client = TestClient::start();
        client.initialize(capabilities(&[encoding]), json!({"model": model, "threads": 1})).await;
        for (uri, lang, text) in FILES {
            client.open(uri, lang, text).await;
            let diagnostics = wait_diagnostics(&mut client, uri).await;
            assert!(diagnostics.iter().any(|d| d["data"]["original"] == "eat"), "{encoding} {uri}: {diagnostics:#?}");
            for d in &diagnostics {
                let original = d["data"]["original"].as_str().unwrap();
                assert_eq!(text_at(text, &d["range"], encoding), original, "{encoding} {uri}: {d:#}");
            }
        }
        client.shutdown_and_exit().await;
    }
}

fn big_document() -> String {
    (0..24).map(|i| format!("Paragraph {i} says that she eat apples every day.\n\n")).collect()
}

#[tokio::test]
async fn a_large_first_check_reports_progress_and_can_be_cancelled() {
    let Some(model) = test_model() else { return };
    let mut caps = capabilities(&["utf-16"]);
    caps["window"] = json!({"workDoneProgress": true});

    // Reported: created, begun, reported per region, ended.
    let mut client = TestClient::start();
    client.initialize(caps.clone(), json!({"model": model, "threads": 1})).await;
    client.open("file:///w/big.md", "markdown", &big_document()).await;
    wait_diagnostics(&mut client, "file:///w/big.md").await;
    client.drain(Duration::from_millis(200)).await;
    assert_eq!(client.received("window/workDoneProgress/create").len(), 1);
    let kinds: Vec<String> = client
        .received("$/progress")
        .iter()
        .map(|p| p["params"]["value"]["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.first().map(String::as_str), Some("begin"));
    assert_eq!(kinds.last().map(String::as_str), Some("end"));
    assert!(kinds.iter().filter(|k| *k == "report").count() >= 20, "{kinds:?}");
    client.shutdown_and_exit().await;

    // Cancelled: the check stops; its findings are never complete (at most the regions it
    // finished were published).
    let mut client = TestClient::start();
    client.initialize(caps, json!({"model": model, "threads": 1})).await;
    client.open("file:///w/big.md", "markdown", &big_document()).await;
    let create = client.wait_for("window/workDoneProgress/create").await;
    let token = create["params"]["token"].clone();
    client.wait_for("$/progress").await;
    client.notify("window/workDoneProgress/cancel", json!({"token": token})).await;
    client.drain(Duration::from_secs(3)).await;
    let kinds: Vec<Value> = client.received("$/progress").iter().map(|p| p["params"]["value"]["kind"].clone()).collect();
    assert_eq!(kinds.last(), Some(&json!("end")), "{kinds:?}");
    assert!(kinds.len() < 24, "stopped early: {kinds:?}");
    let published = client.received("textDocument/publishDiagnostics");
    assert!(published.iter().all(|p| p["params"]["diagnostics"].as_array().unwrap().len() < 24), "{published:?}");
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["documents"][0]["findings"], Value::Null);
    client.shutdown_and_exit().await;
}
