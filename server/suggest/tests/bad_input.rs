//! Bad input never panics: cursors past the end or inside a character,
//! files that do not parse, languages without a context query, empty and
//! CRLF files, stale trees; plus a property test over truncated fixtures.

use margin_suggest::{
    build_context, function_at, verify, Context, ContextRequest, Language, Role, Task,
    VerifyOptions,
};
use proptest::prelude::*;

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn build(lang: Language, text: &str, cursor: usize, budget: usize) -> Context {
    build_context(&ContextRequest {
        text,
        lang,
        tree: None,
        cursor,
        budget_tokens: budget,
        count: &words,
        task: Task::Complete,
    })
}

const FIXTURES: &[(Language, &str)] = &[
    (Language::Rust, include_str!("fixtures/ledger.rs")),
    (Language::Python, include_str!("fixtures/tasks.py")),
    (Language::TypeScript, include_str!("fixtures/users.ts")),
    (Language::Tsx, include_str!("fixtures/counter.tsx")),
    (Language::JavaScript, include_str!("fixtures/config.js")),
    (Language::Go, include_str!("fixtures/store.go")),
    (Language::C, include_str!("fixtures/buffer.c")),
    (Language::Cpp, include_str!("fixtures/cart.cpp")),
];

#[test]
fn cursor_past_the_end_is_clamped() {
    let text = "fn f() {\n    let x = 1;\n}\n";
    let c = build(Language::Rust, text, text.len() + 100, 100);
    assert_eq!(c.cursor, text.len());
    assert_eq!(c.suffix, "");
    assert!(function_at(text, Language::Rust, None, 9999).is_none());
    assert!(verify(
        text,
        Language::Rust,
        9999,
        "fn g() {}",
        &VerifyOptions::default()
    )
    .is_ok());
}

#[test]
fn cursor_inside_a_character_snaps_back() {
    let text = "fn f() {\n    let s = \"héllo 😀\";\n}\n";
    let e = text.find('é').unwrap();
    let c = build(Language::Rust, text, e + 1, 100);
    assert_eq!(c.cursor, e);
    assert!(c.prefix.ends_with("let s = \"h"), "{:?}", c.prefix);
    let emoji = text.find('😀').unwrap();
    for off in 1..4 {
        assert_eq!(build(Language::Rust, text, emoji + off, 100).cursor, emoji);
        assert_eq!(
            function_at(text, Language::Rust, None, emoji + off)
                .unwrap()
                .name,
            "f"
        );
        let v = verify(
            text,
            Language::Rust,
            emoji + off,
            "x",
            &VerifyOptions::default(),
        );
        assert!(v.is_ok(), "{v:?}");
    }
}

#[test]
fn files_that_do_not_parse() {
    let text = "fn ((( {{ ]] let = ;; impl }} <<< \n\t\u{0} garbage ))) fn\n";
    for &lang in &[
        Language::Rust,
        Language::Python,
        Language::Go,
        Language::Cpp,
        Language::Tsx,
    ] {
        for cursor in 0..=text.len() {
            let c = build(lang, text, cursor, 20);
            assert!(c.tokens <= 20, "{lang:?} {cursor}");
            let _ = function_at(text, lang, None, cursor);
            let _ = verify(text, lang, cursor, "x = 1", &VerifyOptions::default());
        }
    }
}

#[test]
fn languages_without_context_query_use_line_windows() {
    let md = "# Notes\n\nSome text here.\n\n- a list item\n- another\n";
    let cursor = md.find("another").unwrap();
    for lang in [
        Language::Markdown,
        Language::PlainText,
        Language::Lua,
        Language::Yaml,
    ] {
        let c = build(lang, md, cursor, 100);
        assert_eq!(c.header, "");
        assert!(c.enclosing.is_none());
        assert_eq!(c.prefix, &md[..cursor]);
        assert_eq!(c.suffix, &md[cursor..]);
        assert_eq!(c.chosen.len(), 1);
        assert_eq!(c.chosen[0].role, Role::Window);
    }
    // A long plain file: only lines around the cursor, cut to the budget.
    let long: String = (0..500)
        .map(|i| format!("line {i} of the notes\n"))
        .collect();
    let cursor = long.find("line 250 ").unwrap();
    let c = build(Language::PlainText, &long, cursor, 60);
    assert!(c.tokens <= 60);
    assert!(
        c.prefix.ends_with("line 249 of the notes\n"),
        "{:?}",
        c.prefix
    );
    assert!(
        c.suffix.starts_with("line 250 of the notes\nline 251"),
        "{:?}",
        c.suffix
    );
}

#[test]
fn empty_file() {
    for &lang in Language::ALL {
        let c = build(lang, "", 0, 100);
        assert_eq!(
            (
                c.header.as_str(),
                c.prefix.as_str(),
                c.suffix.as_str(),
                c.tokens
            ),
            ("", "", "", 0)
        );
        assert!(function_at("", lang, None, 0).is_none());
        // "x" alone is not valid everywhere (Go needs a package clause): no panic is the point.
        let _ = verify("", lang, 0, "x", &VerifyOptions::default());
        assert!(verify("", Language::Python, 0, "x = 1", &VerifyOptions::default()).is_ok());
    }
}

#[test]
fn crlf_file() {
    let text = "use std::fmt;\r\n\r\nfn helper() -> u32 {\r\n    1\r\n}\r\n\r\nfn f() -> u32 {\r\n    let a = helper();\r\n    \r\n}\r\n";
    let cursor = text.find("    \r\n}").unwrap() + 4;
    let c = build(Language::Rust, text, cursor, 200);
    assert_eq!(c.enclosing.as_ref().unwrap().name, "f");
    assert!(
        c.header.contains("fn helper() -> u32 { ... }"),
        "{:?}",
        c.header
    );
    let v = verify(
        text,
        Language::Rust,
        cursor,
        "a + 1",
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(v.insert_text, "a + 1");
}

#[test]
fn stale_tree_is_replaced() {
    let old = "fn f() {\n    let x = 1;\n    let y = 2;\n}\nfn g() {}\n";
    let tree = {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&Language::Rust.grammar().unwrap()).unwrap();
        p.parse(old, None).unwrap()
    };
    let text = "fn f() {}\n";
    let req = ContextRequest {
        text,
        lang: Language::Rust,
        tree: Some(&tree),
        cursor: 8,
        budget_tokens: 50,
        count: &words,
        task: Task::Complete,
    };
    assert_eq!(build_context(&req).enclosing.unwrap().name, "f");
    assert_eq!(
        function_at(text, Language::Rust, Some(&tree), 8)
            .unwrap()
            .name,
        "f"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A fixture cut anywhere (as while typing), any cursor, any budget:
    /// no panic, budget kept unless only the signature is left.
    #[test]
    fn truncated_fixtures(which in 0..FIXTURES.len(), cut in 0.0..1.0f64, at in 0.0..1.0f64, budget in 0..300usize) {
        let (lang, src) = FIXTURES[which];
        let src = src.replacen("<|>", "", 1);
        let mut cut = (src.len() as f64 * cut) as usize;
        while !src.is_char_boundary(cut) { cut -= 1; }
        let text = &src[..cut];
        let cursor = (text.len() as f64 * at) as usize;
        for task in [Task::Complete, Task::ImplementFunction, Task::DocComment] {
            let req = ContextRequest { text, lang, tree: None, cursor, budget_tokens: budget, count: &words, task };
            let c = build_context(&req);
            prop_assert_eq!(c.tokens, words(&c.header) + words(&c.prefix) + words(&c.suffix));
            if c.tokens > budget {
                // Only when even the smallest context (the signatures) is larger.
                let least = build_context(&ContextRequest { budget_tokens: 0, ..req });
                prop_assert_eq!(c.tokens, least.tokens);
                prop_assert!(c.header.is_empty() && c.enclosing.is_some());
            }
            if let Some(f) = &c.enclosing {
                let sig = &text[f.signature_range.clone()];
                let shown = format!("{}{}", c.prefix, c.suffix);
                for line in sig.lines() {
                    prop_assert!(shown.contains(line), "{:?} missing", line);
                }
            }
        }
        let _ = verify(text, lang, cursor, "let x = 1;\n}", &VerifyOptions::default());
    }
}
