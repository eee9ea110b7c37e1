//! `verify`: parse breaks, length, repeats and emptiness are rejected; good
//! suggestions pass and are re-indented to the surrounding code.

use margin_suggest::{verify, Language, Rejection, Verified, VerifyOptions};

fn check(lang: Language, src: &str, suggestion: &str) -> Result<Verified, Rejection> {
    let cursor = src.find("<|>").expect("cursor marker");
    let text = src.replacen("<|>", "", 1);
    verify(&text, lang, cursor, suggestion, &VerifyOptions::default())
}

const RUST: &str = "fn total(items: &[u32]) -> u32 {
    let mut sum = 0;
    <|>
    sum
}

fn other() -> u32 {
    1
}
";

#[test]
fn rust_good_suggestion_is_reindented() {
    let v = check(Language::Rust, RUST, "for i in items {\n  sum += i;\n}").unwrap();
    assert_eq!(v.insert_text, "for i in items {\n        sum += i;\n    }");
    assert_eq!(v.lines, 3);
}

#[test]
fn rust_unbalanced_brace_breaks_parse() {
    let err = check(Language::Rust, RUST, "for i in items {").unwrap_err();
    assert!(
        matches!(err, Rejection::BreaksParse { errors_after, .. } if errors_after > 0),
        "{err:?}"
    );
    let err = check(Language::Rust, RUST, "sum += items[0;").unwrap_err();
    assert!(matches!(err, Rejection::BreaksParse { .. }), "{err:?}");
}

#[test]
fn only_new_errors_count() {
    // The document is mid-typing: the line above the cursor is unfinished
    // and another function is broken too. A good line still passes.
    let src = "fn a() {\n    let x = ;\n}\n\nfn total(items: &[u32]) -> u32 {\n    let mut sum = items.\n    <|>\n    sum\n}\n";
    let v = check(Language::Rust, src, "let n = items.len();").unwrap();
    assert_eq!(v.insert_text, "let n = items.len();");
    assert!(matches!(
        check(Language::Rust, src, "let n = (items.len();"),
        Err(Rejection::BreaksParse { .. })
    ));
}

#[test]
fn too_long_and_empty() {
    let long = "let a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\nlet e = 5;\nlet f = 6;\nlet g = 7;";
    assert_eq!(
        check(Language::Rust, RUST, long),
        Err(Rejection::TooLong { lines: 7 })
    );
    let opts = VerifyOptions { max_lines: 7 };
    let text = RUST.replacen("<|>", "", 1);
    assert!(verify(
        &text,
        Language::Rust,
        RUST.find("<|>").unwrap(),
        long,
        &opts
    )
    .is_ok());
    assert_eq!(check(Language::Rust, RUST, ""), Err(Rejection::Empty));
    assert_eq!(
        check(Language::Rust, RUST, "  \n\t\n"),
        Err(Rejection::Empty)
    );
}

#[test]
fn duplicates_and_repeats() {
    // The next line after the cursor.
    assert_eq!(
        check(Language::Rust, RUST, "sum"),
        Err(Rejection::DuplicatesFollowing)
    );
    // A prefix of what follows ("sum\n}").
    assert_eq!(
        check(Language::Rust, RUST, "sum\n}"),
        Err(Rejection::DuplicatesFollowing)
    );
    // The rest of the cursor line.
    let src = "fn f(a: u32) -> u32 {\n    g(<|>a)\n}\n";
    assert_eq!(
        check(Language::Rust, src, "a)"),
        Err(Rejection::DuplicatesFollowing)
    );
    // The line before the cursor.
    assert_eq!(
        check(Language::Rust, RUST, "let mut sum = 0;"),
        Err(Rejection::RepeatsPrefix)
    );
    // The start of the cursor line, echoed.
    let src = "fn f(a: u32) -> u32 {\n    let b = <|>\n}\n";
    assert_eq!(
        check(Language::Rust, src, "let b = a + 1;"),
        Err(Rejection::RepeatsPrefix)
    );
    assert_eq!(
        check(Language::Rust, src, "a + 1;").unwrap().insert_text,
        "a + 1;"
    );
}

const PYTHON: &str = "class Cart:
    def total(self):
        s = 0
        <|>
        return s
";

#[test]
fn python_inside_method() {
    let v = check(
        Language::Python,
        PYTHON,
        "for p in self.prices:\n    s += p",
    )
    .unwrap();
    assert_eq!(v.insert_text, "for p in self.prices:\n            s += p");
    // The model often answers with 2-space indentation.
    let v = check(
        Language::Python,
        PYTHON,
        "for p in self.prices:\n  if p > 0:\n    s += p",
    )
    .unwrap();
    assert_eq!(
        v.insert_text,
        "for p in self.prices:\n            if p > 0:\n                s += p"
    );
}

#[test]
fn python_bad_indentation_breaks_parse() {
    let err = check(Language::Python, PYTHON, "for p in self.prices:\ns += p").unwrap_err();
    assert!(matches!(err, Rejection::BreaksParse { .. }), "{err:?}");
    let err = check(Language::Python, PYTHON, "if s:\n        s += 1\n    t = 2").unwrap_err();
    assert!(matches!(err, Rejection::BreaksParse { .. }), "{err:?}");
}

#[test]
fn go_uses_tabs() {
    let src = "package p\n\nfunc sum(xs []int) int {\n\ttotal := 0\n\t<|>\n\treturn total\n}\n";
    let v = check(
        Language::Go,
        src,
        "for _, x := range xs {\n    total += x\n}",
    )
    .unwrap();
    assert_eq!(v.insert_text, "for _, x := range xs {\n\t\ttotal += x\n\t}");
}

#[test]
fn javascript_and_cpp_parse_checks() {
    let js = "function f(xs) {\n  let n = 0;\n  <|>\n  return n;\n}\n";
    assert!(matches!(
        check(Language::JavaScript, js, "if (xs.length) {"),
        Err(Rejection::BreaksParse { .. })
    ));
    assert_eq!(
        check(Language::JavaScript, js, "n = xs.length;")
            .unwrap()
            .insert_text,
        "n = xs.length;"
    );
    let cpp = "int f(int x) {\n    int y = 0;\n    <|>\n    return y;\n}\n";
    assert!(matches!(
        check(Language::Cpp, cpp, "y = x *;"),
        Err(Rejection::BreaksParse { .. })
    ));
    assert!(check(Language::Cpp, cpp, "y = x * 2;").is_ok());
}

#[test]
fn languages_without_grammar_skip_the_parse() {
    let v = check(
        Language::PlainText,
        "Dear team,\n<|>\n",
        "thanks for ((( the notes",
    )
    .unwrap();
    assert_eq!(v.insert_text, "thanks for ((( the notes");
    let v = check(Language::Markdown, "# Title\n\n<|>", "Some *unclosed text").unwrap();
    assert_eq!(v.lines, 1);
}

#[test]
fn rejections_explain_themselves() {
    let e = Rejection::BreaksParse {
        errors_before: 1,
        errors_after: 3,
    };
    assert!(
        e.to_string()
            .contains("1 errors around the edit before, 3 after"),
        "{e}"
    );
    assert!(Rejection::TooLong { lines: 9 }.to_string().contains('9'));
}
