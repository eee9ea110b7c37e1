//! The server's life cycle through the in-process harness: handshake and
//! encoding negotiation, incremental sync, settings from every client source,
//! shutdown and exit.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{capabilities, TestClient};

fn redact_version(mut v: Value) -> Value {
    v["serverInfo"]["version"] = json!("[version]");
    v
}

#[tokio::test]
async fn initialize_prefers_utf8_and_advertises_incremental_sync() {
    let mut client = TestClient::start();
    let result = client
        .initialize(capabilities(&["utf-16", "utf-8"]), Value::Null)
        .await;
    insta::assert_json_snapshot!("initialize_result", redact_version(result));
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn encoding_falls_back_to_utf16_then_utf32() {
    for (offered, expected) in [
        (vec!["utf-16"], "utf-16"),
        (vec!["utf-32"], "utf-32"),
        (vec![], "utf-16"),
        (vec!["latin-1", "utf-32", "utf-16"], "utf-16"),
    ] {
        let mut client = TestClient::start();
        let result = client.initialize(capabilities(&offered), Value::Null).await;
        assert_eq!(
            result["capabilities"]["positionEncoding"], expected,
            "offered {offered:?}"
        );
        client.shutdown_and_exit().await;
    }
}

/// An edit: line, start column, end column, new text.
type Edit = (u32, u32, u32, &'static str);

/// Incremental edits near CJK, emoji and CRLF, in each encoding, end in the
/// same text the client has.
#[tokio::test]
async fn incremental_changes_in_each_encoding() {
    let original = "# 見出し\r\nHello 👋 wrld.\r\n\r\nZweite Zeile 日本語\n";
    let expected = "# 見出し!\r\nHello 👋🏽 world.\r\n\r\nZweite Zeile 日本語 ok\n";
    // (line, start col, end col, new text) per encoding, applied in order.
    let edits: [(&str, [Edit; 4]); 3] = [
        (
            "utf-8",
            [
                (0, 11, 11, "!"),
                (1, 10, 10, "🏽"),
                (1, 15, 19, "world"),
                (3, 22, 22, " ok"),
            ],
        ),
        (
            "utf-16",
            [
                (0, 5, 5, "!"),
                (1, 8, 8, "🏽"),
                (1, 11, 15, "world"),
                (3, 16, 16, " ok"),
            ],
        ),
        (
            "utf-32",
            [
                (0, 5, 5, "!"),
                (1, 7, 7, "🏽"),
                (1, 9, 13, "world"),
                (3, 16, 16, " ok"),
            ],
        ),
    ];
    for (encoding, changes) in edits {
        let mut client = TestClient::start();
        let result = client
            .initialize(capabilities(&[encoding]), Value::Null)
            .await;
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        let uri = "file:///tmp/notes.md";
        client.open(uri, "markdown", original).await;
        for (version, (line, start, end, text)) in changes.into_iter().enumerate() {
            let change = json!({
                "range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}},
                "text": text
            });
            let params = json!({"textDocument": {"uri": uri, "version": version + 2}, "contentChanges": [change]});
            client.notify("textDocument/didChange", params).await;
        }
        let reply = client.document_text(uri).await.unwrap();
        assert_eq!(reply["text"], expected, "{encoding}");
        assert_eq!(reply["version"], 5);
        client.shutdown_and_exit().await;
    }
}

#[tokio::test]
async fn settings_from_every_client_source_and_problems_shown_once() {
    let mut client = TestClient::start();
    client.config_answer = json!({"debounceMs": "soon", "language": "de"});
    client
        .initialize(
            capabilities(&["utf-8"]),
            json!({"threads": 0, "severity": "hint"}),
        )
        .await;
    // The server pulls workspace/configuration after `initialized`.
    let pull = client.wait_for("workspace/configuration").await;
    assert_eq!(pull["params"]["items"][0]["section"], "margin");
    client.drain(Duration::from_millis(300)).await;
    // A pushed change and a re-pull with the same bad value: still one message per problem.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"margin": {"debounceMs": "soon"}}}),
        )
        .await;
    client.drain(Duration::from_millis(300)).await;
    let messages: Vec<String> = client
        .received("window/showMessage")
        .iter()
        .map(|m| m["params"]["message"].as_str().unwrap().to_string())
        .collect();
    let about = |key: &str| {
        messages
            .iter()
            .filter(|m| m.contains(&format!("`{key}`")))
            .count()
    };
    assert_eq!(about("threads"), 1, "{messages:#?}");
    assert_eq!(
        about("debounceMs"),
        2,
        "one per source (pull and push): {messages:#?}"
    );
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(client
        .received("window/showMessage")
        .iter()
        .all(|m| m["params"]["type"] == 2));
    // The server asked to be told about configuration changes.
    assert!(!client.received("client/registerCapability").is_empty());
    // And it still works.
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["positionEncoding"], "utf-8");
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn open_change_close_lifecycle_in_status() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-16"]), Value::Null)
        .await;
    client
        .open("file:///w/a.rs", "rust", "// Teh comment\nfn main() {}\n")
        .await;
    client
        .open("file:///w/b.txt", "plaintext", "Plain words.\n")
        .await;
    client
        .open("file:///w/c.xyz", "cobol", "unknown language\n")
        .await;
    let change = json!({"textDocument": {"uri": "file:///w/a.rs", "version": 7},
        "contentChanges": [{"text": "// The comment\n"}]});
    client.notify("textDocument/didChange", change).await;
    client
        .notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": "file:///w/a.rs"}}),
        )
        .await;
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": "file:///w/b.txt"}}),
        )
        .await;
    // Without a model, checking the open documents fails once, with one message.
    let shown = client.wait_for("window/showMessage").await;
    assert_eq!(shown["params"]["type"], 1, "{shown}");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("margin models pull smollm2-135m"),
        "{shown}"
    );
    client.drain(std::time::Duration::from_millis(300)).await;
    assert_eq!(client.received("window/showMessage").len(), 1);
    let mut status = client.request("margin/status", json!({})).await.unwrap();
    status["version"] = json!("[version]");
    // Without a model, checking fails once with a message saying how to get one.
    assert_eq!(status["model"]["state"], "failed");
    assert!(status["model"]["error"]
        .as_str()
        .unwrap()
        .contains("margin models pull smollm2-135m"));
    status["model"]["error"] = json!("[no model]");
    insta::assert_json_snapshot!("status_after_lifecycle", status);
    client.shutdown_and_exit().await;
}
