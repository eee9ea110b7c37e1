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
    (
        "file:///w/doc.rs",
        "rust",
        "/// She dont like apples, but she eat them anyway.\r\nfn f() {}\r\n",
    ),
    (
        "file:///w/line.rs",
        "rust",
        "fn g() {}\r\n// She dont like apples,\r\n// but she eat them anyway.\r\nfn h() {}\r\n",
    ),
    (
        "file:///w/block.c",
        "c",
        "char *s = \"日本語 👋\"; /* She dont like apples, but\r\n * she eat them anyway. */\r\n",
    ),
    (
        "file:///w/x.py",
        "python",
        "s = \"日本語 👋\"  # She dont like apples, but she eat them anyway.\nx = 1\n",
    ),
];

async fn wait_diagnostics(client: &mut TestClient, uri: &str) -> Vec<Value> {
    client.checked_diagnostics(uri, None).await
}

#[tokio::test]
async fn comment_findings_map_to_exact_characters_in_each_encoding() {
    let Some(model) = test_model() else { return };
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let mut client = TestClient::start();
        client
            .initialize(
                capabilities(&[encoding]),
                json!({"model": model, "threads": 1}),
            )
            .await;
        for (uri, lang, text) in FILES {
            client.open(uri, lang, text).await;
            let diagnostics = wait_diagnostics(&mut client, uri).await;
            assert!(
                diagnostics.iter().any(|d| d["data"]["original"] == "eat"),
                "{encoding} {uri}: {diagnostics:#?}"
            );
            for d in &diagnostics {
                let original = d["data"]["original"].as_str().unwrap();
                assert_eq!(
                    text_at(text, &d["range"], encoding),
                    original,
                    "{encoding} {uri}: {d:#}"
                );
            }
        }
        client.shutdown_and_exit().await;
    }
}

fn big_document() -> String {
    (0..24)
        .map(|i| format!("Paragraph {i} says that she eat apples every day.\n\n"))
        .collect()
}

#[tokio::test]
async fn a_large_first_check_reports_progress_and_can_be_cancelled() {
    let Some(model) = test_model() else { return };
    let mut caps = capabilities(&["utf-16"]);
    caps["window"] = json!({"workDoneProgress": true});

    // Reported: created, begun, reported per region, ended.
    let mut client = TestClient::start();
    client
        .initialize(caps.clone(), json!({"model": model, "threads": 1}))
        .await;
    client
        .open("file:///w/big.md", "markdown", &big_document())
        .await;
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
    assert!(
        kinds.iter().filter(|k| *k == "report").count() >= 20,
        "{kinds:?}"
    );
    client.shutdown_and_exit().await;

    // Cancelled: the check stops; its findings are never complete (at most the regions it
    // finished were published).
    let mut client = TestClient::start();
    client
        .initialize(caps, json!({"model": model, "threads": 1}))
        .await;
    client
        .open("file:///w/big.md", "markdown", &big_document())
        .await;
    let create = client.wait_for("window/workDoneProgress/create").await;
    let token = create["params"]["token"].clone();
    client.wait_for("$/progress").await;
    client
        .notify("window/workDoneProgress/cancel", json!({"token": token}))
        .await;
    client.drain(Duration::from_secs(3)).await;
    let kinds: Vec<Value> = client
        .received("$/progress")
        .iter()
        .map(|p| p["params"]["value"]["kind"].clone())
        .collect();
    assert_eq!(kinds.last(), Some(&json!("end")), "{kinds:?}");
    assert!(kinds.len() < 24, "stopped early: {kinds:?}");
    let published = client.received("textDocument/publishDiagnostics");
    assert!(
        published
            .iter()
            .all(|p| p["params"]["diagnostics"].as_array().unwrap().len() < 24),
        "{published:?}"
    );
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["documents"][0]["findings"], Value::Null);
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn a_broken_dictionary_is_reported_once_and_checking_goes_on() {
    let Some(model) = test_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    // An English dictionary whose .dic is missing: found first, unusable.
    std::fs::write(dir.path().join("en.aff"), "SET UTF-8\n").unwrap();
    let mut client = TestClient::start();
    let options = json!({"model": model, "threads": 1, "dictionaryPaths": [dir.path()]});
    client.initialize(capabilities(&["utf-16"]), options).await;
    for (uri, text) in [
        (
            "file:///w/a.md",
            "She dont like apples, but she eat them anyway.\n",
        ),
        ("file:///w/b.md", "He eat too much.\n"),
    ] {
        client.open(uri, "markdown", text).await;
        let diagnostics = wait_diagnostics(&mut client, uri).await;
        assert!(
            diagnostics.iter().any(|d| d["data"]["original"] == "eat"),
            "{uri}: {diagnostics:#?}"
        );
    }
    let shown: Vec<Value> = client
        .received("window/showMessage")
        .into_iter()
        .filter(|m| {
            m["params"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("spelling dictionary")
        })
        .collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("en.dic"),
        "{shown:#?}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn base64_and_hashes_in_markdown_are_not_prose_and_cost_no_model_call() {
    let Some(model) = test_model() else { return };
    let mut client = TestClient::start();
    client
        .initialize(
            capabilities(&["utf-16"]),
            json!({"model": model, "threads": 1}),
        )
        .await;
    let text = "Release notes.\n\n\
                SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCB0aGF0IGdvZXMgb24gYW5kIG9u\n\n\
                3f786850e387550fdab836ed7e6dc881de23001b 9a0364b9e99bb480dd25e1f0284c8555a1b2c3d4\n";
    client.open("file:///w/notes.md", "markdown", text).await;
    let diagnostics = wait_diagnostics(&mut client, "file:///w/notes.md").await;
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["checks"]["notProse"], 2, "{status:#}");
    assert_eq!(
        status["checks"]["modelCalls"], 1,
        "only the prose paragraph is scored: {status:#}"
    );
    client.shutdown_and_exit().await;
}
