//! Context builder snapshots per language (fixtures under `fixtures/`,
//! cursor marked `<|>`), for a generous and a tight budget, plus the budget
//! and signature invariants checked in code over many budgets.

use std::fmt::Write as _;

use margin_suggest::{build_context, Context, ContextRequest, Language, Role, Task};

/// Test token counter: whitespace-separated words.
fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Test token counter: about four bytes per token.
fn quarter(s: &str) -> usize {
    s.len().div_ceil(4)
}

fn fixture(src: &str) -> (String, usize) {
    let cursor = src.find("<|>").expect("cursor marker");
    (src.replacen("<|>", "", 1), cursor)
}

fn build(
    lang: Language,
    text: &str,
    cursor: usize,
    budget: usize,
    count: &dyn Fn(&str) -> usize,
    task: Task,
) -> Context {
    build_context(&ContextRequest {
        text,
        lang,
        tree: None,
        cursor,
        budget_tokens: budget,
        count,
        task,
    })
}

/// The invariants every context must keep.
fn check_invariants(
    lang: Language,
    text: &str,
    ctx: &Context,
    budget: usize,
    count: &dyn Fn(&str) -> usize,
) {
    assert_eq!(
        ctx.tokens,
        count(&ctx.header) + count(&ctx.prefix) + count(&ctx.suffix)
    );
    let Some(f) = &ctx.enclosing else {
        assert!(
            ctx.tokens <= budget,
            "{lang:?} budget {budget}: {} tokens",
            ctx.tokens
        );
        return;
    };
    let sig = &text[f.signature_range.clone()];
    let shown = format!("{}{}", ctx.prefix, ctx.suffix);
    for line in sig.lines() {
        assert!(
            shown.contains(line),
            "{lang:?} budget {budget}: signature line {line:?} missing from\n{shown}"
        );
    }
    if ctx.tokens > budget {
        // Only when even the smallest context (the signatures) is larger.
        let least = build(lang, text, ctx.cursor, 0, count, Task::Complete);
        assert!(
            ctx.header.is_empty(),
            "{lang:?} budget {budget}: header kept over budget"
        );
        assert!(
            ctx.tokens <= least.tokens.max(budget),
            "{lang:?} budget {budget}: {} tokens, least {}",
            ctx.tokens,
            least.tokens
        );
    }
}

fn render(ctx: &Context, budget: usize) -> String {
    let mut s = format!("budget {budget}, tokens {}\n", ctx.tokens);
    for c in &ctx.chosen {
        let _ = writeln!(
            s,
            "{:?} {} {:?} refs={}",
            c.role, c.kind, c.name, c.references
        );
    }
    if let Some(f) = &ctx.enclosing {
        let _ = writeln!(
            s,
            "enclosing {} {:?} todo={} indent={:?}",
            f.name, f.kind, f.body_is_empty_or_todo, f.indent
        );
    }
    let _ = write!(
        s,
        "===== header\n{}===== prefix<|>suffix\n{}<|>{}",
        ctx.header, ctx.prefix, ctx.suffix
    );
    s
}

/// Snapshots for a generous budget, a tight one (the header is cut) and a
/// cramped one (the window is cut too), then the invariants for every
/// budget up to 400, both test counters and every task.
fn snapshot(name: &str, lang: Language, src: &str, tight: usize, cramped: usize) {
    let (text, cursor) = fixture(src);
    for (label, budget) in [("generous", 400), ("tight", tight), ("cramped", cramped)] {
        let ctx = build(lang, &text, cursor, budget, &words, Task::Complete);
        check_invariants(lang, &text, &ctx, budget, &words);
        insta::assert_snapshot!(format!("{name}_{label}"), render(&ctx, budget));
    }
    for budget in (0..400).step_by(7) {
        for count in [&words as &dyn Fn(&str) -> usize, &quarter] {
            for task in [Task::Complete, Task::ImplementFunction, Task::DocComment] {
                let ctx = build(lang, &text, cursor, budget, count, task);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    check_invariants(lang, &text, &ctx, budget, count)
                }));
                assert!(
                    r.is_ok(),
                    "{task:?} words={}\n{}",
                    count("a b") == 2,
                    render(&ctx, budget)
                );
            }
        }
    }
}

#[test]
fn rust() {
    snapshot(
        "rust",
        Language::Rust,
        include_str!("fixtures/ledger.rs"),
        60,
        25,
    );
}

#[test]
fn python() {
    snapshot(
        "python",
        Language::Python,
        include_str!("fixtures/tasks.py"),
        45,
        25,
    );
}

#[test]
fn typescript() {
    snapshot(
        "typescript",
        Language::TypeScript,
        include_str!("fixtures/users.ts"),
        40,
        25,
    );
}

#[test]
fn tsx() {
    snapshot(
        "tsx",
        Language::Tsx,
        include_str!("fixtures/counter.tsx"),
        30,
        25,
    );
}

#[test]
fn javascript() {
    snapshot(
        "javascript",
        Language::JavaScript,
        include_str!("fixtures/config.js"),
        40,
        25,
    );
}

#[test]
fn go() {
    snapshot(
        "go",
        Language::Go,
        include_str!("fixtures/store.go"),
        40,
        25,
    );
}

#[test]
fn c() {
    snapshot("c", Language::C, include_str!("fixtures/buffer.c"), 45, 25);
}

#[test]
fn cpp() {
    snapshot(
        "cpp",
        Language::Cpp,
        include_str!("fixtures/cart.cpp"),
        40,
        25,
    );
}

const ALL: &[(Language, &str)] = &[
    (Language::Rust, include_str!("fixtures/ledger.rs")),
    (Language::Python, include_str!("fixtures/tasks.py")),
    (Language::TypeScript, include_str!("fixtures/users.ts")),
    (Language::Tsx, include_str!("fixtures/counter.tsx")),
    (Language::JavaScript, include_str!("fixtures/config.js")),
    (Language::Go, include_str!("fixtures/store.go")),
    (Language::C, include_str!("fixtures/buffer.c")),
    (Language::Cpp, include_str!("fixtures/cart.cpp")),
];

fn names(ctx: &Context, role: Role) -> Vec<String> {
    ctx.chosen
        .iter()
        .filter(|c| c.role == role)
        .map(|c| c.name.clone())
        .collect()
}

/// As the budget shrinks: referenced signatures go first (worst ranked
/// first), then imports, and only then does the window lose lines.
#[test]
fn budget_drops_in_order() {
    for &(lang, src) in ALL {
        let (text, cursor) = fixture(src);
        let full = build(lang, &text, cursor, 10_000, &words, Task::Complete);
        let (sigs, imports) = (
            names(&full, Role::ReferencedSignature),
            names(&full, Role::Import),
        );
        assert!(!imports.is_empty() && !sigs.is_empty(), "{lang:?}");
        for budget in 0..full.tokens {
            let ctx = build(lang, &text, cursor, budget, &words, Task::Complete);
            let (s, i) = (
                names(&ctx, Role::ReferencedSignature),
                names(&ctx, Role::Import),
            );
            assert_eq!(
                s[..],
                sigs[..s.len()],
                "{lang:?} {budget}: signatures kept out of rank order"
            );
            assert_eq!(
                i[..],
                imports[..i.len()],
                "{lang:?} {budget}: imports kept out of rank order"
            );
            if i.len() < imports.len() {
                assert!(
                    s.is_empty(),
                    "{lang:?} {budget}: an import went before a signature"
                );
            }
            if (ctx.prefix.as_str(), ctx.suffix.as_str())
                != (full.prefix.as_str(), full.suffix.as_str())
            {
                assert_eq!(
                    ctx.header, "",
                    "{lang:?} {budget}: window cut while the header has items"
                );
            }
        }
    }
}

/// In a nested function the window still shows the outer one, and both
/// signatures are pinned.
#[test]
fn nested_function_keeps_outer_window() {
    let src = include_str!("fixtures/counter.tsx").replacen("<|>", "", 1);
    let cursor = src.find("setCount(clamp").unwrap();
    let ctx = build(Language::Tsx, &src, cursor, 400, &words, Task::Complete);
    assert_eq!(ctx.enclosing.as_ref().unwrap().name, "bump");
    assert_eq!(names(&ctx, Role::EnclosingFunction), ["Counter", "bump"]);
    assert!(
        ctx.prefix.starts_with("export function Counter("),
        "{}",
        ctx.prefix
    );
    assert!(ctx.suffix.contains("</button>"), "{}", ctx.suffix);
    let tight = build(Language::Tsx, &src, cursor, 0, &words, Task::Complete);
    assert!(
        tight.prefix.starts_with("export function Counter(")
            && tight.prefix.ends_with("const bump = () => "),
        "{}",
        tight.prefix
    );
}
