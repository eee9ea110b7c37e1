//! Prose regions through the protocol: every word of a region's plain text
//! maps back to exactly those characters of the document, in each position
//! encoding, for line, doc and block comments and Markdown; `queriesDir`
//! overrides work and a broken override is reported once.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{capabilities, text_at, TestClient};

const RUST: &str = "/// Dokumentation für 日本語 👋 here.\r\n/// Zweite Zeile.\r\nfn main() {\r\n    // A line comment with émoji 🎉 and\r\n    // a second line, joined.\r\n    /* A block\r\n     * comment with 漢字 inside.\r\n     */\r\n    let s = \"strings stay out\";\r\n}\r\n";

const MARKDOWN: &str = "# Überschrift 🎯\n\n- A list item with `code` and [a link](https://example.com).\n\n> Quoted 中文 text\n> over two lines.\n\n```rust\nlet not_prose = 1;\n```\n";

/// For each region, every whitespace-separated word of its text (outside
/// protected spans) is found at the mapped place in the document.
async fn check_words_map_back(
    client: &mut TestClient,
    uri: &str,
    text: &str,
    encoding: &str,
) -> Vec<Value> {
    let reply = client
        .request("margin/regions", json!({"uri": uri}))
        .await
        .unwrap();
    let regions = reply["regions"].as_array().unwrap().clone();
    for region in &regions {
        let covered = text_at(text, &region["range"], encoding);
        // Markup can sit between a word and its punctuation ("[a link](url)."), so compare bare words.
        for word in region["text"].as_str().unwrap().split_whitespace() {
            let word = word.trim_matches(|c: char| c.is_ascii_punctuation());
            assert!(
                covered.contains(word),
                "{encoding}: {word:?} not in {covered:?}"
            );
        }
        assert!(
            !covered.starts_with("//") && !covered.starts_with('*'),
            "{encoding}: marker in {covered:?}"
        );
    }
    regions
}

#[tokio::test]
async fn regions_map_back_exactly_in_each_encoding() {
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let mut client = TestClient::start();
        client
            .initialize(capabilities(&[encoding]), Value::Null)
            .await;
        client.open("file:///w/main.rs", "rust", RUST).await;
        client
            .open("file:///w/notes.md", "markdown", MARKDOWN)
            .await;
        let rust = check_words_map_back(&mut client, "file:///w/main.rs", RUST, encoding).await;
        let texts: Vec<&str> = rust.iter().map(|r| r["text"].as_str().unwrap()).collect();
        assert_eq!(texts.len(), 3, "{texts:#?}");
        assert!(
            texts[0].contains("日本語 👋") && texts[0].contains("Zweite Zeile."),
            "{texts:#?}"
        );
        assert!(
            texts[1].contains("émoji 🎉") && texts[1].contains("second line, joined."),
            "{texts:#?}"
        );
        assert!(texts[2].contains("漢字 inside."), "{texts:#?}");
        assert!(!texts.iter().any(|t| t.contains("strings stay out")));
        // The first word after the doc-comment marker starts exactly where the document has it.
        let first = &rust[0]["range"]["start"];
        let at = support::offset_of(RUST, first, encoding);
        assert!(RUST[at..].starts_with("Dokumentation"), "{encoding}");

        let md = check_words_map_back(&mut client, "file:///w/notes.md", MARKDOWN, encoding).await;
        let texts: Vec<&str> = md.iter().map(|r| r["text"].as_str().unwrap()).collect();
        assert!(
            texts.iter().any(|t| t.contains("Überschrift 🎯")),
            "{texts:#?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("Quoted 中文 text")),
            "{texts:#?}"
        );
        assert!(!texts.iter().any(|t| t.contains("not_prose")), "{texts:#?}");
        // Inline code is protected: its range covers the code span in the document.
        let item = md
            .iter()
            .find(|r| r["text"].as_str().unwrap().contains("list item"))
            .unwrap();
        let protected: Vec<&str> = item["protected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| text_at(MARKDOWN, p, encoding))
            .collect();
        assert!(
            protected.iter().any(|p| p.contains("code")),
            "{encoding}: {protected:?}"
        );
        client.shutdown_and_exit().await;
    }
}

#[tokio::test]
async fn string_literals_only_when_enabled() {
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-8"]), json!({"checkStrings": true}))
        .await;
    client.open("file:///w/main.rs", "rust", RUST).await;
    let reply = client
        .request("margin/regions", json!({"uri": "file:///w/main.rs"}))
        .await
        .unwrap();
    let strings: Vec<&Value> = reply["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "string")
        .collect();
    assert_eq!(strings.len(), 1, "{reply:#}");
    assert_eq!(
        text_at(RUST, &strings[0]["range"], "utf-8"),
        "strings stay out"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn queries_dir_overrides_one_language_and_reports_a_broken_file_once() {
    let dir = std::env::temp_dir().join(format!("margin-queries-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("rust")).unwrap();
    std::fs::create_dir_all(dir.join("markdown")).unwrap();
    // Rust: only block comments count. Markdown: a broken query.
    std::fs::write(dir.join("rust/prose.scm"), "((block_comment) @comment)\n").unwrap();
    std::fs::write(dir.join("markdown/prose.scm"), "((paragraph @paragraph)\n").unwrap();
    let mut client = TestClient::start();
    client
        .initialize(capabilities(&["utf-8"]), json!({"queriesDir": dir}))
        .await;
    client.open("file:///w/main.rs", "rust", RUST).await;
    client
        .open("file:///w/notes.md", "markdown", MARKDOWN)
        .await;
    let rust = client
        .request("margin/regions", json!({"uri": "file:///w/main.rs"}))
        .await
        .unwrap();
    let kinds: Vec<&Value> = rust["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["text"])
        .collect();
    assert_eq!(kinds.len(), 1, "{rust:#}");
    for _ in 0..2 {
        let md = client
            .request("margin/regions", json!({"uri": "file:///w/notes.md"}))
            .await
            .unwrap();
        assert!(
            md["regions"].as_array().unwrap().len() >= 3,
            "built-in query used: {md:#}"
        );
    }
    client.drain(Duration::from_millis(200)).await;
    // (Without a model, checking also says so once; only the query problem counts here.)
    let shown: Vec<Value> = client
        .received("window/showMessage")
        .into_iter()
        .filter(|m| {
            m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("queriesDir")
        })
        .collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    let message = shown[0]["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("queriesDir") && message.contains("markdown"),
        "{message}"
    );
    client.shutdown_and_exit().await;
    std::fs::remove_dir_all(&dir).ok();
}
