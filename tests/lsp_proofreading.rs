//! Proofreading through the protocol with the real SmolLM2-135M model
//! (`MARGIN_TEST_MODEL`; required under CI): diagnostics on the right words,
//! the quick fix yields the corrected sentence, unchanged text costs no model
//! call, an edit re-checks only its paragraph, pull diagnostics work, and a
//! superseded version is never published.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{apply_edits, capabilities, test_model, text_at, TestClient};

const URI: &str = "file:///w/notes.md";
const DOC: &str = "# Notes\n\nI has a question about the homework.\n\nThe weather is nice today.\n";

async fn start(model: &str, pull: bool) -> TestClient {
    start_with(model, pull, pull).await
}

async fn start_with(model: &str, pull: bool, refresh: bool) -> TestClient {
    let mut client = TestClient::start();
    let mut caps = capabilities(&["utf-16"]);
    if pull {
        caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    }
    if refresh {
        caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    }
    client
        .initialize(
            caps,
            json!({"model": model, "debounceMs": 50, "threads": 1}),
        )
        .await;
    client
}

/// The diagnostics of `version` once its check is complete.
async fn diagnostics_for(client: &mut TestClient, version: i64) -> Vec<Value> {
    client.checked_diagnostics(URI, Some(version)).await
}

/// One pull of the document's diagnostics.
async fn pull(client: &mut TestClient) -> Value {
    let params = json!({"textDocument": {"uri": URI}});
    client
        .request("textDocument/diagnostic", params)
        .await
        .unwrap()
}

/// Pull diagnostics until `done` holds for the items: a pull answers at once with what is
/// known, and the server asks for a new pull (`workspace/diagnostic/refresh`) when it knows more.
async fn pull_until(client: &mut TestClient, done: impl Fn(&[Value]) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let refreshes = client.received("workspace/diagnostic/refresh").len();
        let report = pull(client).await;
        assert_eq!(report["kind"], "full");
        assert!(report["resultId"].is_string(), "{report}");
        if done(report["items"].as_array().unwrap()) {
            return report;
        }
        while client.received("workspace/diagnostic/refresh").len() == refreshes {
            assert!(
                std::time::Instant::now() < deadline,
                "no report came that passes the test: {report:#}"
            );
            client.drain(Duration::from_millis(50)).await;
        }
    }
}

async fn status(client: &mut TestClient) -> Value {
    client.request("margin/status", json!({})).await.unwrap()
}

#[tokio::test]
async fn diagnostics_quick_fix_cache_and_incremental_recheck() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model, false).await;
    client.open(URI, "markdown", DOC).await;
    let diagnostics = diagnostics_for(&mut client, 1).await;
    assert!(
        !diagnostics.is_empty(),
        "SmolLM2 fixes 'I has': {diagnostics:#?}"
    );
    for d in &diagnostics {
        let original = d["data"]["original"].as_str().unwrap();
        assert_eq!(text_at(DOC, &d["range"], "utf-16"), original, "{d:#}");
        assert_eq!(d["source"], "margin");
        assert_eq!(d["severity"], 3);
    }
    let has = diagnostics
        .iter()
        .find(|d| d["data"]["original"] == "has")
        .expect("a finding on 'has'");
    assert_eq!(has["code"], "grammar");
    assert_eq!(has["message"], "Possible grammar mistake: 'has' → 'have'");

    // The preferred quick fix gives the corrected sentence.
    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": has["range"], "context": {"diagnostics": [has]}}))
        .await
        .unwrap();
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("preferred fix");
    let fixed = apply_edits(DOC, fix["edit"]["changes"][URI].as_array().unwrap());
    assert!(
        fixed.contains("I have a question about the homework."),
        "{fixed}"
    );
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Ignore this finding in this file"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Add 'has' to")),
        "{titles:?}"
    );

    // Re-checking unchanged text costs no model call.
    let before = status(&mut client).await["checks"].clone();
    let same =
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": DOC}]});
    client.notify("textDocument/didChange", same).await;
    diagnostics_for(&mut client, 2).await;
    let after = status(&mut client).await["checks"].clone();
    assert_eq!(
        after["modelCalls"], before["modelCalls"],
        "{before} → {after}"
    );
    assert!(after["cacheHits"].as_u64() > before["cacheHits"].as_u64());

    // Editing one paragraph re-checks that paragraph only.
    let edit = json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{
        "range": {"start": {"line": 4, "character": 12}, "end": {"line": 4, "character": 16}}, "text": "lovely"}]});
    client.notify("textDocument/didChange", edit).await;
    diagnostics_for(&mut client, 3).await;
    let last = status(&mut client).await["checks"].clone();
    assert_eq!(
        last["modelCalls"].as_u64().unwrap(),
        after["modelCalls"].as_u64().unwrap() + 1,
        "{after} → {last}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn pull_diagnostics_and_no_stale_versions() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model, true).await;
    client.open(URI, "markdown", DOC).await;
    let started = std::time::Instant::now();
    let report = pull_until(&mut client, |items| {
        items.iter().any(|d| d["data"]["original"] == "has")
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(60), "{report:#}");
    // Asking again with the result id: nothing changed.
    let params = json!({"textDocument": {"uri": URI}, "previousResultId": report["resultId"]});
    let again = client
        .request("textDocument/diagnostic", params)
        .await
        .unwrap();
    assert_eq!(
        (again["kind"].as_str(), &again["resultId"]),
        (Some("unchanged"), &report["resultId"])
    );
    // A pulling client gets no pushed diagnostics (no duplicates).
    assert!(client
        .received("textDocument/publishDiagnostics")
        .is_empty());

    // Two quick edits: the pull answers for the newest version only.
    for (version, text) in [
        (2, "She dont like pears.\n"),
        (3, "He go to school every day.\n"),
    ] {
        let change = json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]});
        client.notify("textDocument/didChange", change).await;
    }
    let report = pull(&mut client).await;
    for d in report["items"].as_array().unwrap() {
        let original = d["data"]["original"].as_str().unwrap();
        assert_eq!(
            text_at("He go to school every day.\n", &d["range"], "utf-16"),
            original,
            "{d:#}"
        );
    }
    let status = status(&mut client).await;
    assert_eq!(status["documents"][0]["version"], 3);
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn a_pull_from_a_client_that_cannot_be_asked_again_waits_for_the_check() {
    let Some(model) = test_model() else { return };
    // Like Neovim 0.11: pulls, but has no workspace/diagnostic/refresh.
    let mut client = start_with(&model, true, false).await;
    client.open(URI, "markdown", DOC).await;
    let report = pull(&mut client).await;
    assert!(
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["data"]["original"] == "has"),
        "{report:#}"
    );
    assert!(client.received("workspace/diagnostic/refresh").is_empty());
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn pushed_diagnostics_never_carry_a_superseded_version() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model, false).await;
    client.open(URI, "markdown", "Short note.\n").await;
    diagnostics_for(&mut client, 1).await;
    for version in 2..=6 {
        let text = format!("I has a question number {version} about the homework.\n");
        let change = json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]});
        client.notify("textDocument/didChange", change).await;
    }
    diagnostics_for(&mut client, 6).await;
    client.drain(Duration::from_millis(300)).await;
    let versions: Vec<i64> = client
        .received("textDocument/publishDiagnostics")
        .iter()
        .map(|p| p["params"]["version"].as_i64().unwrap())
        .collect();
    assert_eq!(
        versions,
        [1, 6],
        "only the opened and the newest version are published"
    );
    client.shutdown_and_exit().await;
}
