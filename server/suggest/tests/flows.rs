//! The whole pipeline as the server runs it, with replies a small chat
//! model really gives: context → prompt → (reply) → clean → verify.

use margin_suggest::{
    build_context, clean_output, function_at, instruction, verify, ContextRequest, Language, Task,
    VerifyOptions,
};

fn chars(s: &str) -> usize {
    s.len().div_ceil(4)
}

/// Runs the pipeline with `reply` standing in for the model; `splice` is
/// (range replaced, text before the cursor, text after) like the server's
/// task slots. Returns the verified insertion.
fn run(
    lang: Language,
    text: &str,
    task: Task,
    reply: &str,
    at: usize,
    slot: (std::ops::Range<usize>, &str, &str),
) -> String {
    let req = ContextRequest {
        text,
        lang,
        tree: None,
        cursor: at,
        budget_tokens: 512,
        count: &chars,
        task,
    };
    let ctx = build_context(&req);
    let prompt = instruction(&ctx, task, lang, ctx.enclosing.as_ref());
    assert!(!prompt.user_tail.is_empty());
    let cleaned = clean_output(reply, task, &ctx);
    let (range, before, after) = slot;
    let spliced = format!(
        "{}{before}{after}{}",
        &text[..range.start],
        &text[range.end..]
    );
    let v = verify(
        &spliced,
        lang,
        range.start + before.len(),
        &cleaned,
        &VerifyOptions { max_lines: 12 },
    );
    v.unwrap_or_else(|e| panic!("{e}: {cleaned:?}")).insert_text
}

#[test]
fn implement_rust_method_from_whole_function_echo() {
    let text = "impl Grid {\n    /// Doubles every cell.\n    pub fn double(&mut self) {\n        todo!()\n    }\n}\n";
    let f = function_at(text, Language::Rust, None, text.find("todo").unwrap()).unwrap();
    assert!(f.body_is_empty_or_todo);
    let body = f.body_range.clone().unwrap();
    let inside = body.start + 1..body.end - 1;
    let reply = "Here is the implementation:\n```rust\npub fn double(&mut self) {\n    for c in self.cells.iter_mut() {\n        *c *= 2;\n    }\n}\n```";
    let before = format!("\n{}", f.body_indent);
    let after = format!("\n{}", f.indent);
    let got = run(
        Language::Rust,
        text,
        Task::ImplementFunction,
        reply,
        inside.start,
        (inside, &before, &after),
    );
    assert_eq!(
        got,
        "for c in self.cells.iter_mut() {\n            *c *= 2;\n        }"
    );
}

#[test]
fn doc_comment_for_indented_method() {
    let text = "impl Grid {\n    pub fn double(&mut self) {\n        self.scale(2);\n    }\n}\n";
    let line = text.find("    pub fn").unwrap();
    let f = function_at(text, Language::Rust, None, line).unwrap();
    assert_eq!(f.name, "double");
    let reply = "Doubles every cell of the grid.";
    let got = run(
        Language::Rust,
        text,
        Task::DocComment,
        reply,
        line,
        (line..line, &f.indent, "\n"),
    );
    assert_eq!(got, "/// Doubles every cell of the grid.");
}

#[test]
fn python_docstring_and_body() {
    let text = "class Grid:\n    def double(self):\n        pass\n";
    let f = function_at(text, Language::Python, None, text.find("pass").unwrap()).unwrap();
    let body = f.body_range.clone().unwrap();
    let after = format!("\n{}", f.body_indent);
    let got = run(
        Language::Python,
        text,
        Task::DocComment,
        "\"\"\"Doubles every cell.\"\"\"",
        body.start,
        (body.start..body.start, "", &after),
    );
    assert_eq!(got, "\"\"\"Doubles every cell.\"\"\"");
    let reply = "def double(self):\n    for row in self.rows:\n        row.scale(2)";
    let got = run(
        Language::Python,
        text,
        Task::ImplementFunction,
        reply,
        body.start,
        (body, "", ""),
    );
    assert_eq!(got, "for row in self.rows:\n            row.scale(2)");
}

#[test]
fn completion_with_chatter_and_echo() {
    let text = "def total(prices):\n    s = 0\n    for p in prices:\n        \n    return s\n";
    let at = text.find("        \n").unwrap() + 8;
    let reply = "Sure! Here's the next line:\n```python\n    for p in prices:\n        s += p\n```";
    assert_eq!(
        run(
            Language::Python,
            text,
            Task::Complete,
            reply,
            at,
            (at..at, "", "")
        ),
        "s += p"
    );
    // The model repeats the line after the cursor: nothing is left.
    let req = ContextRequest {
        text,
        lang: Language::Python,
        tree: None,
        cursor: at,
        budget_tokens: 512,
        count: &chars,
        task: Task::Complete,
    };
    let ctx = build_context(&req);
    assert_eq!(clean_output("return s", Task::Complete, &ctx), "return s");
    assert!(verify(
        text,
        Language::Python,
        at,
        "return s",
        &VerifyOptions::default()
    )
    .is_err());
}
