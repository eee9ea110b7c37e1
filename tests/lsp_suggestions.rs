//! Code suggestions through the protocol with the real SmolLM2-135M model
//! (`MARGIN_TEST_MODEL`; required under CI): completion in a Rust and a
//! Python file returns nothing or only items that keep the file parsing as
//! well as before; a superseded request is answered exactly once (empty);
//! code actions offer "Implement" and "Write a doc comment" where they
//! apply; bad positions, unsupported languages and broken files answer an
//! empty list.

mod support;

use std::time::Duration;

use margin_syntax::{Language, SyntaxTree};
use serde_json::{json, Value};
use support::{offset_of, start_resolving_client, test_model, TestClient};

async fn start(model: &str) -> TestClient {
    start_resolving_client(
        json!({"model": model, "threads": 1, "debounceMs": 60000, "suggestDebounceMs": 20}),
    )
    .await
}

fn errors(text: &str, lang: Language) -> usize {
    let mut tree = SyntaxTree::new(lang).unwrap();
    tree.parse(text);
    let root = tree.tree().unwrap().root_node();
    let mut cursor = root.walk();
    let mut count = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        stack.extend(node.children(&mut cursor));
    }
    count
}

fn at(text: &str, marker: &str) -> (String, Value) {
    let i = text.find(marker).unwrap();
    let doc = text.replacen(marker, "", 1);
    let line = doc[..i].matches('\n').count();
    let col = doc[doc[..i].rfind('\n').map_or(0, |j| j + 1)..i]
        .encode_utf16()
        .count();
    (doc, json!({"line": line, "character": col}))
}

async fn complete(client: &mut TestClient, uri: &str, position: &Value) -> Result<Value, Value> {
    client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await
}

fn check_items(doc: &str, lang: Language, result: &Value) {
    let before = errors(doc, lang);
    for item in result["items"].as_array().unwrap() {
        let edit = &item["textEdit"];
        let (s, e) = (
            offset_of(doc, &edit["range"]["start"], "utf-16"),
            offset_of(doc, &edit["range"]["end"], "utf-16"),
        );
        let mut out = doc.to_string();
        out.replace_range(s..e, edit["newText"].as_str().unwrap());
        assert!(
            errors(&out, lang) <= before,
            "item breaks the parse:\n{out}"
        );
        assert_eq!(item["detail"], "margin · AI suggestion (local model)");
        assert!(edit["newText"].as_str().unwrap().lines().count() <= 6);
    }
}

const RUST: &str = "/// Sum of the squares of `values`.\nfn sum_of_squares(values: &[i64]) -> i64 {\n    let mut total = 0;\n    for v in values {\n        <|>\n    }\n    total\n}\n";
const PYTHON: &str = "def average(values):\n    \"\"\"Mean of a non-empty list of numbers.\"\"\"\n    total = sum(values)\n    <|>\n";

#[tokio::test]
async fn completion_items_are_parse_valid_in_rust_and_python() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model).await;
    for (uri, id, lang, fixture) in [
        ("file:///w/a.rs", "rust", Language::Rust, RUST),
        ("file:///w/a.py", "python", Language::Python, PYTHON),
    ] {
        let (doc, pos) = at(fixture, "<|>");
        client.open(uri, id, &doc).await;
        let result = complete(&mut client, uri, &pos)
            .await
            .expect("completion never errors");
        assert_eq!(result["isIncomplete"], true);
        check_items(&doc, lang, &result);
    }
    let status = client.request("margin/status", json!({})).await.unwrap();
    let s = &status["suggestions"];
    assert_eq!(
        s["modelCalls"].as_u64().unwrap(),
        s["shown"].as_u64().unwrap() + s["dropped"].as_u64().unwrap(),
        "{status:#}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn a_superseded_request_is_answered_once_with_nothing() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model).await;
    let uri = "file:///w/b.rs";
    let (doc, pos) = at(RUST, "<|>");
    client.open(uri, "rust", &doc).await;
    let params = json!({"textDocument": {"uri": uri}, "position": pos});
    let first = client
        .send_request("textDocument/completion", params.clone())
        .await;
    let second = client.send_request("textDocument/completion", params).await;
    let second_result = client.response(second.clone()).await.expect("answered");
    let first_result = client.response(first.clone()).await.expect("answered");
    assert_eq!(
        first_result["items"],
        json!([]),
        "the superseded request gets an empty list"
    );
    check_items(&doc, Language::Rust, &second_result);
    client.drain(Duration::from_millis(200)).await;
    assert_eq!(
        client.responses_seen(&first) + client.responses_seen(&second),
        0,
        "no second answer"
    );
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert_eq!(status["supersededSuggestions"], 1, "{status:#}");
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn code_actions_implement_and_document_functions() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model).await;
    let uri = "file:///w/c.rs";
    let (doc, pos) = at(
        "fn add(a: i32, b: i32) -> i32 {\n    todo!()<|>\n}\n",
        "<|>",
    );
    client.open(uri, "rust", &doc).await;
    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}))
        .await
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Implement `add`"), "{titles:?}");
    assert!(
        titles.contains(&"Write a doc comment for `add`"),
        "{titles:?}"
    );
    let implement = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Implement `add`")
        .unwrap()
        .clone();
    let resolved = client
        .request("codeAction/resolve", implement)
        .await
        .unwrap();
    // Either a verified edit that keeps the file parsing, or no edit and a message why.
    match resolved.get("edit").filter(|e| !e.is_null()) {
        Some(edit) => {
            let e = &edit["changes"][uri][0];
            let (s, t) = (
                offset_of(&doc, &e["range"]["start"], "utf-16"),
                offset_of(&doc, &e["range"]["end"], "utf-16"),
            );
            let mut out = doc.clone();
            out.replace_range(s..t, e["newText"].as_str().unwrap());
            assert_eq!(errors(&out, Language::Rust), 0, "{out}");
            assert!(!out.contains("todo!()"), "{out}");
        }
        None => assert!(
            resolved["disabled"]["reason"].as_str().is_some(),
            "{resolved:#}"
        ),
    }
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn bad_positions_languages_and_files_answer_an_empty_list() {
    let Some(model) = test_model() else { return };
    let mut client = start(&model).await;
    let empty = json!([]);
    client
        .open("file:///w/n.md", "markdown", "# Notes\n\nSome text.\n")
        .await;
    let r = complete(
        &mut client,
        "file:///w/n.md",
        &json!({"line": 2, "character": 4}),
    )
    .await
    .unwrap();
    assert_eq!(r["items"], empty, "no code suggestions in prose");
    client
        .open("file:///w/d.rs", "rust", "fn main() {\n}\n")
        .await;
    let r = complete(
        &mut client,
        "file:///w/d.rs",
        &json!({"line": 40, "character": 2}),
    )
    .await
    .unwrap();
    assert_eq!(r["items"], empty, "cursor outside the document");
    let r = complete(
        &mut client,
        "file:///w/unknown.rs",
        &json!({"line": 0, "character": 0}),
    )
    .await
    .unwrap();
    assert_eq!(r["items"], empty, "unknown document");
    let broken = "fn main( {\n    let x = [1, 2;\n    \n";
    client.open("file:///w/e.rs", "rust", broken).await;
    let r = complete(
        &mut client,
        "file:///w/e.rs",
        &json!({"line": 2, "character": 4}),
    )
    .await
    .unwrap();
    check_items(broken, Language::Rust, &r);
    client.shutdown_and_exit().await;
}
