//! The code actions that change margin's own state, through the protocol
//! with the real SmolLM2 model (`MARGIN_TEST_MODEL`; required under CI):
//! ignoring a finding (kept in the workspace, survives a restart), adding a
//! word to the workspace dictionary, disabling margin for a file.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{capabilities, test_model, TestClient};

const DOC: &str = "I has a question about the homework.\n";

async fn start(model: &str, root: &std::path::Path) -> TestClient {
    let mut client = TestClient::start();
    let root_uri = format!("file://{}", root.display());
    let params = json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": [{"uri": root_uri, "name": "w"}],
        "capabilities": capabilities(&["utf-16"]),
        "initializationOptions": {"model": model, "debounceMs": 0, "threads": 1},
    });
    client.request("initialize", params).await.unwrap();
    client.notify("initialized", json!({})).await;
    client
}

/// Diagnostics published after the `n`-th publish for `uri`.
async fn publish_after(client: &mut TestClient, uri: &str, n: usize) -> Vec<Value> {
    loop {
        let found: Vec<Value> = client
            .received("textDocument/publishDiagnostics")
            .into_iter()
            .filter(|p| p["params"]["uri"] == uri)
            .collect();
        if found.len() > n {
            return found[n]["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .clone();
        }
        client.drain(Duration::from_millis(100)).await;
    }
}

async fn action(client: &mut TestClient, uri: &str, d: &Value, prefix: &str) -> Value {
    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}))
        .await
        .unwrap();
    let found = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
        .cloned();
    found.unwrap_or_else(|| panic!("no action {prefix:?} in {actions:#}"))
}

fn originals(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["data"]["original"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn ignore_dictionary_and_disable() {
    let Some(model) = test_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.md");
    std::fs::write(&path, DOC).unwrap();
    let uri = format!("file://{}", path.display());

    let mut client = start(&model, dir.path()).await;
    client.open(&uri, "markdown", DOC).await;
    let first = publish_after(&mut client, &uri, 0).await;
    assert!(originals(&first).contains(&"has"), "{first:#?}");

    // Ignore the 'has' finding: gone after the re-check, stored in the workspace.
    let has = first
        .iter()
        .find(|d| d["data"]["original"] == "has")
        .unwrap()
        .clone();
    let ignore = action(&mut client, &uri, &has, "Ignore this finding").await;
    client
        .request("workspace/executeCommand", ignore["command"].clone())
        .await
        .unwrap();
    let second = publish_after(&mut client, &uri, 1).await;
    assert!(!originals(&second).contains(&"has"), "{second:#?}");
    assert!(dir.path().join(".margin/ignored.json").is_file());

    // Add the other flagged word to the workspace dictionary.
    if let Some(other) = second.first().cloned() {
        let word = other["data"]["original"].as_str().unwrap().to_string();
        let add = action(
            &mut client,
            &uri,
            &other,
            &format!("Add '{word}' to the workspace dictionary"),
        )
        .await;
        client
            .request("workspace/executeCommand", add["command"].clone())
            .await
            .unwrap();
        let third = publish_after(&mut client, &uri, 2).await;
        assert!(!originals(&third).contains(&word.as_str()), "{third:#?}");
        let dictionary =
            std::fs::read_to_string(dir.path().join(".margin/dictionary.txt")).unwrap();
        assert!(dictionary.lines().any(|l| l == word), "{dictionary}");
    }
    client.shutdown_and_exit().await;

    // After a restart the ignore still holds; then disable the file entirely.
    let mut client = start(&model, dir.path()).await;
    client
        .open(
            &uri,
            "markdown",
            &format!("{DOC}\nWe recieve the letters every morning.\n"),
        )
        .await;
    let after = publish_after(&mut client, &uri, 0).await;
    let ignored_sentence = |d: &&Value| d["range"]["start"]["line"] == 0;
    assert!(
        !after
            .iter()
            .filter(ignored_sentence)
            .any(|d| d["data"]["original"] == "has"),
        "{after:#?}"
    );
    if let Some(d) = after.first().cloned() {
        let disable = action(&mut client, &uri, &d, "Disable margin for this file").await;
        client
            .request("workspace/executeCommand", disable["command"].clone())
            .await
            .unwrap();
        let cleared = publish_after(&mut client, &uri, 1).await;
        assert!(cleared.is_empty(), "{cleared:#?}");
    }
    let bad = client
        .request(
            "workspace/executeCommand",
            json!({"command": "margin.nope", "arguments": []}),
        )
        .await;
    assert!(bad.is_err());
    client.shutdown_and_exit().await;
}
