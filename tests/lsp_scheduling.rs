//! Fair scheduling of document checks under load, with the real model
//! (`MARGIN_TEST_MODEL`): many documents edited faster than they can be
//! checked still get diagnostics while the edits go on (no document waits
//! forever for its debounce), and every document's final version is published
//! soon after the edits stop. How many checks fit in the editing time depends
//! on the machine, so the edits go on until `DOCS` publishes have arrived (at
//! least `EDITING`, at most `MAX_EDITING`): the test is about how checks are
//! shared between documents, not about speed (`margin bench load` measures that).

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{capabilities, test_model, TestClient};

const DOCS: usize = 10;
/// Edits per second over all documents: each document is edited every half second.
const EDITS_PER_SECOND: u64 = 20;
const EDITING: Duration = Duration::from_secs(12);
/// Edits stop here even if fewer than `DOCS` publishes arrived (a very slow machine).
const MAX_EDITING: Duration = Duration::from_secs(60);

fn uri(i: usize) -> String {
    format!("file:///w/doc{i}.md")
}

fn paragraph(n: usize) -> String {
    format!("She bought {n} apples at the market and eat them all.")
}

/// Versions published so far, per document.
fn published(client: &TestClient) -> HashMap<String, Vec<i64>> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for p in client.received("textDocument/publishDiagnostics") {
        let uri = p["params"]["uri"].as_str().unwrap().to_string();
        out.entry(uri)
            .or_default()
            .push(p["params"]["version"].as_i64().unwrap_or(-1));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_edited_documents_all_get_diagnostics_during_and_after_the_edits() {
    let Some(model) = test_model() else { return };
    let mut client = TestClient::start();
    client
        .initialize(
            capabilities(&["utf-8"]),
            json!({"model": model, "debounceMs": 150, "threads": 1}),
        )
        .await;
    for i in 0..DOCS {
        let text = format!(
            "# Doc {i}\n\nThe weather is nice today.\n\n{}\n",
            paragraph(0)
        );
        client.open(&uri(i), "markdown", &text).await;
    }
    // Every document's first check, before the load starts.
    let deadline = Instant::now() + Duration::from_secs(120);
    while published(&client).len() < DOCS {
        assert!(
            Instant::now() < deadline,
            "opened documents not all checked: {:?}",
            published(&client)
        );
        client.drain(Duration::from_millis(100)).await;
    }
    let before = client.received("textDocument/publishDiagnostics").len();

    // Edit the last paragraph of each document in turn, faster than they can be checked.
    let line = 4;
    let mut versions = [1i64; DOCS];
    let edits = (EDITS_PER_SECOND * EDITING.as_secs()) as usize;
    let started = Instant::now();
    let mut n = 0;
    while n < edits
        || (client.received("textDocument/publishDiagnostics").len() - before < DOCS
            && started.elapsed() < MAX_EDITING)
    {
        let i = n % DOCS;
        versions[i] += 1;
        let change = json!({"textDocument": {"uri": uri(i), "version": versions[i]}, "contentChanges": [{
            "range": {"start": {"line": line, "character": 11}, "end": {"line": line, "character": 11}},
            "text": "1"}]});
        client.notify("textDocument/didChange", change).await;
        let next = started + Duration::from_millis(1000 * (n as u64 + 1) / EDITS_PER_SECOND);
        client
            .drain(next.saturating_duration_since(Instant::now()))
            .await;
        n += 1;
    }
    let editing = started.elapsed();
    let during: Vec<Value> = client.received("textDocument/publishDiagnostics")[before..].to_vec();
    let docs_during = during
        .iter()
        .filter(|p| p["params"]["version"].as_i64() > Some(1))
        .map(|p| p["params"]["uri"].clone());
    let docs_during: std::collections::HashSet<String> = docs_during
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    assert!(
        docs_during.len() >= DOCS / 2,
        "only {} of {DOCS} documents got diagnostics during {editing:?} of edits ({} publishes)",
        docs_during.len(),
        during.len()
    );

    // After the edits stop, every document's final version is published.
    let stopped = Instant::now();
    loop {
        let got = published(&client);
        let missing: Vec<usize> = (0..DOCS)
            .filter(|&i| !got.get(&uri(i)).is_some_and(|v| v.contains(&versions[i])))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(90),
            "final versions of {missing:?} not published"
        );
        client.drain(Duration::from_millis(100)).await;
    }
    eprintln!(
        "final diagnostics of {DOCS} documents {:?} after the last edit",
        stopped.elapsed()
    );
    client.shutdown_and_exit().await;
}
