//! Prompts (FIM and chat) built from contexts, their stability across
//! keystrokes, and cleaning of real-looking model replies.

use margin_suggest::{
    build_context, clean_output, fim, instruction, Context, ContextRequest, Language, Task,
};

const LEDGER: &str = include_str!("fixtures/ledger.rs");
const TASKS: &str = include_str!("fixtures/tasks.py");

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Context at the `<|>` marker, optionally after typing `typed` there.
fn ctx_typed(lang: Language, src: &str, typed: &str, task: Task) -> Context {
    let at = src.find("<|>").unwrap();
    let text = format!("{}{typed}{}", &src[..at], &src[at + 3..]);
    let req = ContextRequest {
        text: &text,
        lang,
        tree: None,
        cursor: at + typed.len(),
        budget_tokens: 400,
        count: &words,
        task,
    };
    build_context(&req)
}

fn ctx(lang: Language, src: &str, task: Task) -> Context {
    ctx_typed(lang, src, "", task)
}

#[test]
fn fim_puts_the_header_first() {
    let c = ctx(Language::Rust, LEDGER, Task::Complete);
    let (prefix, suffix) = fim(&c);
    assert!(
        prefix.starts_with("use std::collections::HashMap;\n"),
        "{prefix}"
    );
    assert!(
        prefix.ends_with("e.to_string()))?;\n            "),
        "{prefix}"
    );
    assert!(
        prefix.contains("impl Ledger {\n    /// Reads every entry"),
        "{prefix}"
    );
    assert_eq!(suffix, c.suffix);
    assert!(
        suffix.starts_with("\n        }\n        Ok(Ledger { totals })"),
        "{suffix}"
    );
}

#[test]
fn stable_parts_survive_keystrokes() {
    let a = ctx(Language::Rust, LEDGER, Task::Complete);
    let b = ctx_typed(
        Language::Rust,
        LEDGER,
        "*totals.entry(entry.acc",
        Task::Complete,
    );
    assert_eq!(a.header, b.header);
    let (pa, pb) = (
        instruction(&a, Task::Complete, Language::Rust, None),
        instruction(&b, Task::Complete, Language::Rust, None),
    );
    assert_eq!(pa.system, pb.system);
    assert_eq!(pa.user_stable, pb.user_stable);
    assert_ne!(pa.user_tail, pb.user_tail);
    assert!(fim(&b).0.starts_with(&a.header));
    // Moving the cursor to another line of the same function keeps it too.
    let moved =
        LEDGER
            .replacen("<|>", "", 1)
            .replacen("let line = line?;", "let line = line?;<|>", 1);
    assert_eq!(ctx(Language::Rust, &moved, Task::Complete).header, a.header);
}

#[test]
fn complete_prompt_is_short_and_concrete() {
    let c = ctx(Language::Rust, LEDGER, Task::Complete);
    let p = instruction(&c, Task::Complete, Language::Rust, None);
    assert!(p.system.contains("Rust"), "{}", p.system);
    assert!(
        p.user_stable
            .starts_with("```rust\nuse std::collections::HashMap;"),
        "{}",
        p.user_stable
    );
    assert!(
        p.user_tail.contains("?;\n            <CURSOR>\n        }"),
        "{}",
        p.user_tail
    );
    assert!(
        p.user_tail
            .ends_with("```\nWrite the next line of code at <CURSOR>. Reply with code only."),
        "{}",
        p.user_tail
    );
    assert!(p.stop.contains(&"\n```".to_string()));
    assert!(p.max_tokens <= 64);
    // Mid-line, the ask is to complete the line.
    let c = ctx_typed(Language::Rust, LEDGER, "*totals.entry(", Task::Complete);
    assert!(instruction(&c, Task::Complete, Language::Rust, None)
        .user_tail
        .ends_with("Complete the line at <CURSOR>. Reply with code only."));
}

#[test]
fn whole_function_prompts() {
    let c = ctx(Language::Rust, LEDGER, Task::ImplementFunction);
    let p = instruction(
        &c,
        Task::ImplementFunction,
        Language::Rust,
        c.enclosing.as_ref(),
    );
    assert!(
        p.user_stable.contains("pub fn read(input: impl BufRead)"),
        "{}",
        p.user_stable
    );
    assert_eq!(
        p.user_tail,
        "Write the body of `read`. Reply with the code of the body only."
    );
    let c = ctx(Language::Python, TASKS, Task::DocComment);
    let p = instruction(&c, Task::DocComment, Language::Python, None);
    assert!(
        p.user_tail.contains("`complete`") && p.user_tail.contains("docstring"),
        "{}",
        p.user_tail
    );
    let p = instruction(&c, Task::DocComment, Language::Rust, None);
    assert!(p.user_tail.contains("`///` lines"), "{}", p.user_tail);
}

#[test]
fn clean_fences_chatter_and_marker() {
    let c = ctx(Language::Rust, LEDGER, Task::Complete);
    let raw = "Here is the next line:\n```rust\n*totals.entry(entry.account).or_insert(0) += entry.amount;\n```\nThis adds the amount.";
    assert_eq!(
        clean_output(raw, Task::Complete, &c),
        "*totals.entry(entry.account).or_insert(0) += entry.amount;"
    );
    assert_eq!(
        clean_output("<CURSOR>totals.clear();", Task::Complete, &c),
        "totals.clear();"
    );
    assert_eq!(
        clean_output("totals.clear();\n```", Task::Complete, &c),
        "totals.clear();"
    );
    assert_eq!(clean_output("Sure!", Task::Complete, &c), "");
    assert_eq!(clean_output("", Task::Complete, &c), "");
}

#[test]
fn clean_echoes() {
    let c = ctx(Language::Rust, LEDGER, Task::Complete);
    // The line before the cursor, repeated.
    let raw = "let entry = parse_line(n + 1, &line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;\n*totals.entry(entry.account).or_insert(0) += entry.amount;";
    assert_eq!(
        clean_output(raw, Task::Complete, &c),
        "*totals.entry(entry.account).or_insert(0) += entry.amount;"
    );
    // The start of the cursor line, repeated.
    let c2 = ctx_typed(Language::Rust, LEDGER, "let total = ", Task::Complete);
    assert_eq!(
        clean_output("let total = totals.len();", Task::Complete, &c2),
        "totals.len();"
    );
    // Then the code after the cursor, repeated: cut there.
    let raw = "totals.insert(entry.account, entry.amount);\n}\nOk(Ledger { totals })";
    assert_eq!(
        clean_output(raw, Task::Complete, &c),
        "totals.insert(entry.account, entry.amount);"
    );
    // A nested block keeps its own closing brace.
    let raw = "if entry.amount != 0 {\n    totals.insert(entry.account, entry.amount);\n}";
    assert_eq!(clean_output(raw, Task::Complete, &c), raw);
}

#[test]
fn clean_whole_function_echo() {
    let src = "fn double(x: u32) -> u32 {\n    <|>todo!()\n}\n";
    let c = ctx(Language::Rust, src, Task::ImplementFunction);
    let raw = "```rust\nfn double(x: u32) -> u32 {\n    x * 2\n}\n```";
    assert_eq!(clean_output(raw, Task::ImplementFunction, &c), "    x * 2");
    let src = "def double(x):\n    <|>pass\n";
    let c = ctx(Language::Python, src, Task::ImplementFunction);
    assert_eq!(
        clean_output(
            "def double(x):\n    return x * 2\n",
            Task::ImplementFunction,
            &c
        ),
        "    return x * 2"
    );
}

#[test]
fn clean_doc_comments() {
    let src = "<|>pub fn read(input: &str) -> usize {\n    input.len()\n}\n";
    let c = ctx(Language::Rust, src, Task::DocComment);
    let raw = "Here's a doc comment:\n/// Reads the input.\n/// Returns its length.\npub fn read(input: &str) -> usize {";
    assert_eq!(
        clean_output(raw, Task::DocComment, &c),
        "/// Reads the input.\n/// Returns its length."
    );
    assert_eq!(
        clean_output("Reads the input.", Task::DocComment, &c),
        "/// Reads the input."
    );
    let c = ctx(
        Language::Python,
        "def f():\n    <|>return 1\n",
        Task::DocComment,
    );
    assert_eq!(
        clean_output("Returns one.", Task::DocComment, &c),
        "\"\"\"Returns one.\"\"\""
    );
    assert_eq!(
        clean_output("\"\"\"Returns one.\"\"\"\nreturn 1", Task::DocComment, &c),
        "\"\"\"Returns one.\"\"\""
    );
    let c = ctx(
        Language::TypeScript,
        "function f() {\n  <|>return 1;\n}\n",
        Task::DocComment,
    );
    assert_eq!(
        clean_output("Returns one.", Task::DocComment, &c),
        "/**\n * Returns one.\n */"
    );
    assert_eq!(
        clean_output("/** Returns one. */\nfunction f() {", Task::DocComment, &c),
        "/** Returns one. */"
    );
}

#[test]
fn clean_keeps_lines_that_merely_occur_earlier() {
    let src = "fn f(xs: &[i32]) -> i32 {\n    let mut n = 0;\n    for x in xs {\n        if *x < 0 {\n            continue;\n        }\n        if *x > 9 {\n            <|>\n        }\n    }\n    n\n}\n";
    let c = ctx(Language::Rust, src, Task::Complete);
    assert_eq!(clean_output("continue;", Task::Complete, &c), "continue;");
    // Code that starts like a chatter word is still code.
    assert_eq!(
        clean_output("sure_count += 1;", Task::Complete, &c),
        "sure_count += 1;"
    );
}
