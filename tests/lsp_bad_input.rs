//! Bad input never takes the server down: malformed JSON-RPC, wrong params,
//! unknown documents, edits outside the document, huge or binary files, and
//! panics inside handlers all get an answer (or a log line) and the server
//! keeps serving.

mod support;

use serde_json::{json, Value};
use support::{capabilities, TestClient};
use tower_lsp_server::jsonrpc::Result;

async fn alive(client: &mut TestClient) {
    let status = client.request("margin/status", json!({})).await;
    assert!(status.is_ok(), "server stopped answering: {status:?}");
}

#[tokio::test]
async fn malformed_json_and_wrong_params_get_errors() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-8"]), Value::Null)
        .await;
    client
        .send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ")
        .await;
    let error = client.response(Value::Null).await.unwrap_err();
    assert_eq!(error["code"], -32700, "parse error: {error}");
    alive(&mut client).await;
    client
        .send_raw(br#"{"jsonrpc": "2.0", "id": 77, "params": {}}"#)
        .await;
    let error = client.response(json!(77)).await.unwrap_err();
    assert_eq!(error["code"], -32600, "invalid request: {error}");
    client.send_raw(b"Content-Type: text/plain\r\n\r\n").await;
    alive(&mut client).await;

    let error = client
        .request("margin/documentText", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error["code"], -32602, "invalid params: {error}");
    let error = client
        .request("margin/documentText", json!({"uri": 42}))
        .await
        .unwrap_err();
    assert_eq!(error["code"], -32602);
    let error = client
        .request("margin/noSuchMethod", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error["code"], -32601);
    alive(&mut client).await;
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn unknown_documents_are_errors_for_requests_and_ignored_for_notifications() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-8"]), Value::Null)
        .await;
    let change = json!({"textDocument": {"uri": "file:///never/opened.md", "version": 2},
        "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]});
    client.notify("textDocument/didChange", change).await;
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": "file:///never/opened.md"}}),
        )
        .await;
    let error = client
        .document_text("file:///never/opened.md")
        .await
        .unwrap_err();
    assert_eq!(error["code"], -32602);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("unknown document"),
        "{error}"
    );
    alive(&mut client).await;
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn an_edit_outside_the_document_marks_it_for_resync() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-16"]), Value::Null)
        .await;
    let uri = "file:///w/notes.md";
    client.open(uri, "markdown", "one line\n").await;
    let bad = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 7, "character": 0}, "end": {"line": 9, "character": 3}}, "text": "x"}]});
    client.notify("textDocument/didChange", bad).await;
    let error = client.document_text(uri).await.unwrap_err();
    assert_eq!(error["code"], -32801, "content modified: {error}");
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["documents"][0]["inSync"], false);
    // Later incremental edits are not applied on top of a wrong text…
    let later = json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "y"}]});
    client.notify("textDocument/didChange", later).await;
    assert!(client.document_text(uri).await.is_err());
    // …and a full-text change brings the document back.
    let full = json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": "fresh text\n"}]});
    client.notify("textDocument/didChange", full).await;
    let reply = client.document_text(uri).await.unwrap();
    assert_eq!(
        (reply["text"].as_str(), reply["version"].as_i64()),
        (Some("fresh text\n"), Some(4))
    );
    let logs = client.received("window/logMessage");
    assert!(
        logs.iter().any(|m| m["params"]["message"]
            .as_str()
            .unwrap()
            .contains("lost sync")),
        "{logs:?}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn large_and_binary_files_are_not_analysed() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-8"]), json!({"maxFileBytes": 1000}))
        .await;
    client
        .open(
            "file:///w/big.md",
            "markdown",
            &"All work and no play. ".repeat(100),
        )
        .await;
    client
        .open("file:///w/blob.md", "markdown", "PK\u{0}\u{0}binary")
        .await;
    client.open("file:///w/ok.md", "markdown", "Fine.\n").await;
    let status = client.request("margin/status", json!({})).await.unwrap();
    let skipped: Vec<&Value> = status["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["skipped"])
        .collect();
    assert!(
        skipped[0]
            .as_str()
            .unwrap()
            .contains("over maxFileBytes (1000)"),
        "{skipped:?}"
    );
    assert!(skipped[1].as_str().unwrap().contains("NUL"), "{skipped:?}");
    assert!(skipped[2].is_null());
    client.shutdown_and_exit().await;
}

async fn explode(_: &margin::lsp::Server, _: Value) -> Result<Value> {
    panic!("boom in a handler")
}

#[tokio::test]
async fn a_panic_in_a_handler_is_an_error_response() {
    let mut client = TestClient::start_with(|b| b.custom_method("test/explode", explode));
    client
        .initialize(capabilities(&["utf-8"]), Value::Null)
        .await;
    for _ in 0..2 {
        let error = client.request("test/explode", json!({})).await.unwrap_err();
        assert_eq!(error["code"], -32603);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("boom in a handler"),
            "{error}"
        );
    }
    client
        .open("file:///w/a.md", "markdown", "still here\n")
        .await;
    assert_eq!(
        client.document_text("file:///w/a.md").await.unwrap()["text"],
        "still here\n"
    );
    client.shutdown_and_exit().await;
}
