//! The connection under hostile input and load, over real Content-Length
//! framing: absurd or wrong lengths and garbage never crash the server or make
//! it deaf; slow requests never stop it from reading edits and cancellations;
//! the request limit holds at its edge; the end of input ends the session;
//! protocol details (`$/` requests, omitted params, huge ids, `rootUri`).

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{capabilities, TestClient};
use tower_lsp_server::jsonrpc::Result;

use margin::lsp::transport::slots::{MAX_QUEUED, MAX_RUNNING};

/// Long enough for a loaded machine, short enough that a deaf server fails fast.
const ANSWER: Duration = Duration::from_secs(10);

async fn hang(_: &margin::lsp::Server, _: Value) -> Result<Value> {
    std::future::pending().await
}

async fn start() -> TestClient {
    let mut client = TestClient::start_with(|b| b.custom_method("test/hang", hang));
    client
        .initialize(capabilities(&["utf-8"]), Value::Null)
        .await;
    client
}

/// `margin/status` is answered within [`ANSWER`].
async fn answers(client: &mut TestClient) -> bool {
    let id = client.send_request("margin/status", json!({})).await;
    matches!(client.response_within(id, ANSWER).await, Some(Ok(_)))
}

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[tokio::test]
async fn a_huge_content_length_is_not_a_crash() {
    let mut client = start().await;
    for length in [
        "18446744073709551615",
        "18446744073709551616",
        "9999999999999999999999",
    ] {
        client
            .write_bytes(format!("Content-Length: {length}\r\n\r\n{{}}").as_bytes())
            .await;
        assert!(
            answers(&mut client).await,
            "no answer after Content-Length: {length}"
        );
    }
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn after_any_bad_frame_the_next_message_is_answered() {
    let mut client = start().await;
    let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "too small",
            format!("Content-Length: 10\r\n\r\n{body}").into_bytes(),
        ),
        (
            "too large",
            format!("Content-Length: 100000\r\n\r\n{body}").into_bytes(),
        ),
        (
            "missing",
            format!("Content-Type: application/json\r\n\r\n{body}").into_bytes(),
        ),
        (
            "negative",
            format!("Content-Length: -5\r\n\r\n{body}").into_bytes(),
        ),
        (
            "not a number",
            format!("Content-Length: lots\r\n\r\n{body}").into_bytes(),
        ),
        (
            "2^64",
            format!("Content-Length: 18446744073709551616\r\n\r\n{body}").into_bytes(),
        ),
        ("garbage", b"\x00\xff garbage \r\n\r\n more".to_vec()),
    ];
    for (what, bytes) in bad {
        client.write_bytes(&bytes).await;
        assert!(
            answers(&mut client).await,
            "deaf after a frame whose Content-Length is {what}"
        );
    }
    let dropped = client.received("window/logMessage");
    assert!(
        dropped.iter().any(|m| m["params"]["message"]
            .as_str()
            .unwrap()
            .contains("dropped input")),
        "{dropped:?}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn fifty_megabytes_of_garbage_then_a_request() {
    let mut client = start().await;
    let garbage: Vec<u8> = (0..1 << 20)
        .map(|i| b"no header here; just bytes {}\r\n"[i % 31])
        .collect();
    for _ in 0..50 {
        client.write_bytes(&garbage).await;
    }
    assert!(answers(&mut client).await, "deaf after 50 MB of garbage");
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn slow_requests_never_stop_edits_or_cancellations() {
    let mut client = start().await;
    let uri = "file:///w/notes.md";
    client.open(uri, "markdown", "one\n").await;
    let mut hanging = Vec::new();
    for _ in 0..MAX_RUNNING {
        hanging.push(client.send_request("test/hang", json!({})).await);
    }
    let change =
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "two\n"}]});
    client.notify("textDocument/didChange", change).await;
    for id in &hanging {
        client.notify("$/cancelRequest", json!({"id": id})).await;
    }
    for id in &hanging {
        let answer = client.response_within(id.clone(), ANSWER).await;
        assert_eq!(
            answer.map(|r| r.unwrap_err()["code"].clone()),
            Some(json!(-32800)),
            "request {id}"
        );
    }
    let text = client.document_text(uri).await.unwrap();
    assert_eq!(
        (text["text"].as_str(), text["version"].as_i64()),
        (Some("two\n"), Some(2))
    );
    client.drain(Duration::from_millis(200)).await;
    for id in &hanging {
        assert_eq!(client.responses_seen(id), 0, "request {id} answered twice");
    }
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn the_request_limit_holds_at_its_edge() {
    let mut client = start().await;
    let mut hanging = Vec::new();
    for _ in 0..MAX_RUNNING - 1 {
        hanging.push(client.send_request("test/hang", json!({})).await);
    }
    // One slot left: a request runs at once.
    assert!(
        answers(&mut client).await,
        "a free slot must serve a request at once"
    );
    hanging.push(client.send_request("test/hang", json!({})).await);
    // All slots taken: the next request waits…
    let waiting = client.send_request("margin/status", json!({})).await;
    assert!(client
        .response_within(waiting.clone(), Duration::from_millis(300))
        .await
        .is_none());
    // …until a slot frees up.
    client
        .notify("$/cancelRequest", json!({"id": hanging.pop().unwrap()}))
        .await;
    assert!(matches!(
        client.response_within(waiting, ANSWER).await,
        Some(Ok(_))
    ));
    // Fill the queue: one more is refused at once, a queued one can be cancelled.
    hanging.push(client.send_request("test/hang", json!({})).await);
    let mut queued = Vec::new();
    for _ in 0..MAX_QUEUED {
        queued.push(client.send_request("test/hang", json!({})).await);
    }
    let refused = client.send_request("margin/status", json!({})).await;
    let error = client
        .response_within(refused, ANSWER)
        .await
        .expect("answered at once")
        .unwrap_err();
    assert_eq!(error["code"], -32803, "{error}");
    client
        .notify("$/cancelRequest", json!({"id": queued[7]}))
        .await;
    let error = client
        .response_within(queued[7].clone(), ANSWER)
        .await
        .expect("cancelled at once")
        .unwrap_err();
    assert_eq!(error["code"], -32800);
    client.close_input().await;
    assert!(client.server_stops_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn the_end_of_input_ends_the_session_at_once() {
    let mut client = start().await;
    client
        .open("file:///w/a.md", "markdown", "Some text.\n")
        .await;
    for _ in 0..4 {
        client.send_request("test/hang", json!({})).await;
        client
            .send_request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": "file:///w/a.md"}}),
            )
            .await;
    }
    client.close_input().await;
    assert!(
        client.server_stops_within(Duration::from_secs(2)).await,
        "the server outlived its client"
    );
}

#[tokio::test]
async fn dollar_requests_get_method_not_found_and_notifications_nothing() {
    let mut client = start().await;
    let error = client.request("$/something", json!({})).await.unwrap_err();
    assert_eq!(error["code"], -32601, "{error}");
    client.notify("$/somethingElse", json!({})).await;
    assert!(answers(&mut client).await);
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn requests_without_params_and_with_huge_ids_are_answered_exactly() {
    let mut client = start().await;
    client
        .write_bytes(&framed(
            r#"{"jsonrpc":"2.0","id":"no-params","method":"margin/status"}"#,
        ))
        .await;
    let status = client
        .response_within(json!("no-params"), ANSWER)
        .await
        .expect("answered");
    assert!(status.is_ok(), "{status:?}");
    for id in ["1180591620717411303424", "1.5", "-12345678901234567890"] {
        client
            .write_bytes(&framed(&format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"margin/status"}}"#
            )))
            .await;
        assert!(answers(&mut client).await);
        let raw = client.raw.lock().unwrap().clone();
        assert!(
            raw.iter()
                .any(|body| body.contains(&format!(r#""id":{id},"#))),
            "id {id} not echoed exactly: {raw:?}"
        );
    }
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn root_uri_alone_is_the_workspace() {
    let root = tempfile::tempdir().unwrap();
    let root_uri = format!("file://{}", root.path().display());
    let mut client = TestClient::start();
    let params =
        json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities(&["utf-8"])});
    client.request("initialize", params).await.unwrap();
    client.notify("initialized", json!({})).await;
    let add =
        json!({"command": "margin.addToDictionary", "arguments": ["frobnicate", "workspace"]});
    client
        .request("workspace/executeCommand", add)
        .await
        .expect("a workspace dictionary");
    let words = std::fs::read_to_string(root.path().join(".margin/dictionary.txt")).unwrap();
    assert_eq!(words, "frobnicate\n");
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn a_cancel_storm_answers_every_request_exactly_once() {
    let mut client = start().await;
    let uri = "file:///w/storm.md";
    client.open(uri, "markdown", "Some text.\n").await;
    let mut ids = Vec::new();
    for i in 0..300 {
        let id = match i % 3 {
            0 => client.send_request("test/hang", json!({})).await,
            1 => client.send_request("margin/status", json!({})).await,
            _ => {
                client
                    .send_request("margin/documentText", json!({"uri": uri}))
                    .await
            }
        };
        ids.push(id);
        // Cancel earlier requests while later ones arrive: some are done, some run, some wait.
        if i % 2 == 0 {
            client
                .notify("$/cancelRequest", json!({"id": ids[i / 2]}))
                .await;
        }
    }
    for id in ids.iter().step_by(3) {
        client.notify("$/cancelRequest", json!({"id": id})).await;
    }
    for id in &ids {
        assert!(
            client.response_within(id.clone(), ANSWER).await.is_some(),
            "request {id} never answered"
        );
    }
    client.drain(Duration::from_millis(300)).await;
    for id in &ids {
        assert_eq!(client.responses_seen(id), 0, "request {id} answered twice");
    }
    client.shutdown_and_exit().await;
}
