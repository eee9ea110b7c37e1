//! Tests of [`super`] on real sentences.

use super::*;
use crate::align::align;

struct Ctx {
    protected: Vec<Range<usize>>,
    identifiers: HashSet<String>,
    dictionary: Dictionary,
    config: FilterConfig,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            protected: Vec::new(),
            identifiers: HashSet::new(),
            dictionary: Dictionary::default(),
            config: FilterConfig::default(),
        }
    }

    fn run(&self, input: &str, output: &str) -> Filtered {
        let ctx = FilterContext {
            protected: &self.protected,
            identifiers: &self.identifiers,
            dictionary: &self.dictionary,
            config: &self.config,
        };
        filter(input, align(input, output), &ctx)
    }
}

fn kept(f: &Filtered) -> Vec<(&str, &str)> {
    f.kept
        .iter()
        .map(|e| (e.original.as_str(), e.replacement.as_str()))
        .collect()
}

fn dropped(f: &Filtered) -> Vec<(&str, DropReason)> {
    f.dropped
        .iter()
        .map(|(e, r)| (e.original.as_str(), *r))
        .collect()
}

#[test]
fn real_fixes_are_kept() {
    let f = Ctx::new().run(
        "She dont like apples, but she eat them anyway.",
        "She doesn't like apples, but she eats them anyway.",
    );
    assert_eq!(kept(&f), vec![("dont", "doesn't"), ("eat", "eats")]);
    assert!(f.dropped.is_empty());
}

#[test]
fn protected_spans_are_untouchable() {
    // Plain text of "Run `cargo build` before teh release." with the
    // inline code protected.
    let input = "Run cargo build before teh release.";
    let mut c = Ctx::new();
    c.protected = vec![Range { start: 4, end: 15 }];
    let f = c.run(input, "Run Cargo build before the release.");
    assert_eq!(kept(&f), vec![("teh", "the")]);
    assert_eq!(dropped(&f), vec![("cargo", DropReason::Protected)]);
    // Punctuation right after the code is fine; inside it is not.
    let f = c.run(input, "Run cargo build, before teh release.");
    assert_eq!(kept(&f), vec![("", ",")]);
    let f = c.run(input, "Run cargo, build before teh release.");
    assert_eq!(dropped(&f), vec![("", DropReason::Protected)]);
}

#[test]
fn urls_and_paths_in_text_are_untouchable() {
    let f = Ctx::new().run(
        "See https://exmaple.com/docs for teh details.",
        "See https://example.com/docs for the details.",
    );
    assert_eq!(kept(&f), vec![("teh", "the")]);
    assert_eq!(dropped(&f), vec![("exmaple.com", DropReason::UrlOrPath)]);

    let f = Ctx::new().run(
        "Edit src/utills.rs and ~/.confg/margin befor running.",
        "Edit src/utils.rs and ~/.config/margin before running.",
    );
    assert_eq!(kept(&f), vec![("befor", "before")]);
    assert_eq!(f.dropped.len(), 2);
    assert!(f.dropped.iter().all(|(_, r)| *r == DropReason::UrlOrPath));
}

#[test]
fn identifiers_are_untouchable() {
    let f = Ctx::new().run(
        "The parse_args function reads teh maxLen setting.",
        "The parseArgs function reads the max length setting.",
    );
    assert_eq!(kept(&f), vec![("teh", "the")]);
    assert_eq!(
        dropped(&f),
        vec![
            ("parse_args", DropReason::Identifier),
            ("maxLen", DropReason::Identifier)
        ]
    );

    let mut c = Ctx::new();
    c.identifiers = ["tokenize".to_string(), "x".to_string()].into();
    let f = c.run(
        "Call tokenize on teh input.",
        "Call tokenizes on the input.",
    );
    assert_eq!(dropped(&f), vec![("tokenize", DropReason::Identifier)]);
    assert_eq!(kept(&f), vec![("teh", "the")]);
    // One-letter identifiers do not block prose words.
    let f = c.run("Set x to a integer.", "Set X to an integer.");
    assert_eq!(kept(&f), vec![("x", "X"), ("a", "an")]);
}

#[test]
fn dictionary_words_are_kept_as_written() {
    let mut c = Ctx::new();
    c.dictionary = Dictionary::from_words(["ropey", "GitHub"]);
    let f = c.run(
        "We use ropey for teh buffer and push to GitHub.",
        "We use rope for the buffer and push to Github.",
    );
    assert_eq!(kept(&f), vec![("teh", "the")]);
    assert_eq!(
        dropped(&f),
        vec![
            ("ropey", DropReason::Dictionary),
            ("GitHub", DropReason::Dictionary)
        ]
    );
}

#[test]
fn whitespace_only_edits_need_opt_in() {
    let mut c = Ctx::new();
    let f = c.run("This is  fine.", "This is fine.");
    assert_eq!(dropped(&f), vec![("  ", DropReason::WhitespaceOnly)]);
    c.config.allow_whitespace_only = true;
    assert_eq!(
        kept(&c.run("This is  fine.", "This is fine.")),
        vec![("  ", " ")]
    );
    // A space before a comma is a punctuation fix, not whitespace-only.
    let f = Ctx::new().run(
        "I like apples , pears and plums.",
        "I like apples, pears and plums.",
    );
    assert_eq!(kept(&f), vec![(" ,", ",")]);
}

#[test]
fn quote_style_edits_need_opt_in() {
    let input = "It's called \"margin\" and it's fast.";
    let output = "It’s called “margin” and it’s fast.";
    let mut c = Ctx::new();
    let f = c.run(input, output);
    assert!(f.kept.is_empty(), "{:?}", f.kept);
    assert!(f.dropped.len() >= 3 && f.dropped.iter().all(|(_, r)| *r == DropReason::QuoteStyle));
    c.config.allow_quote_style = true;
    assert_eq!(c.run(input, output).kept.len(), f.dropped.len());
}

#[test]
fn hallucinated_rewrite_drops_everything() {
    let f = Ctx::new().run(
        "The cache is cleared when teh file changes.",
        "Whenever a document is modified, its cached results get invalidated.",
    );
    assert!(f.kept.is_empty());
    assert!(!f.dropped.is_empty());
    assert!(f
        .dropped
        .iter()
        .all(|(_, r)| *r == DropReason::RewriteTooLarge));
    // A single fix in a very short region is not a rewrite.
    assert_eq!(
        kept(&Ctx::new().run("Teh end.", "The end.")),
        vec![("Teh", "The")]
    );
    // Two changed words of three is.
    assert!(Ctx::new()
        .run("Teh ned now.", "The end now.")
        .kept
        .is_empty());
}

#[test]
fn line_breaks_are_structure() {
    let f = Ctx::new().run(
        "The parser reads the whole\nfile before it returns.",
        "The parser reads the whole file before it returns.",
    );
    assert!(f.kept.is_empty());
    assert_eq!(dropped(&f), vec![("\n", DropReason::LineBreak)]);
}

#[test]
fn share_is_configurable() {
    let mut c = Ctx::new();
    c.config.max_changed_share = 1.0;
    assert_eq!(c.run("Teh ned now.", "The end now.").kept.len(), 2);
}

#[test]
fn identifiers_from_a_rust_tree() {
    let code = "fn parse_args(config_path: &str) -> Config { let maxLen = config_path.len(); }";
    let mut tree = margin_syntax::SyntaxTree::new(margin_syntax::Language::Rust).unwrap();
    tree.parse(code);
    let ids = identifiers_from_tree(code, tree.tree().unwrap());
    for want in ["parse_args", "config_path", "Config", "maxLen", "len"] {
        assert!(ids.contains(want), "{want} missing from {ids:?}");
    }
    assert!(!ids.contains("fn") && !ids.contains("let"));
}

proptest::proptest! {
    #[test]
    fn filter_never_panics_and_partitions(
        input in "(teh|the|https://x.io/a|src/a.rs|foo_bar|maxLen| |,|\\.|\n|日本|'|’){0,14}",
        output in "(teh|the|https://x.io/a|src/a.rs|foo_bar|maxLen| |,|\\.|\n|日本|'|’){0,14}",
        lo in 0usize..40,
        len in 0usize..10,
    ) {
        let mut c = Ctx::new();
        c.protected = vec![Range { start: lo, end: lo + len }];
        let n = align(&input, &output).len();
        let f = c.run(&input, &output);
        proptest::prop_assert_eq!(f.kept.len() + f.dropped.len(), n);
    }
}

#[test]
fn filtered_words_are_the_identifiers_and_dictionary_words_of_a_text() {
    let text =
        "Call parse_config before the parser reads Kubernetes manifests, then parse_config again.";
    let identifiers: HashSet<String> = ["parse_config", "x", "unused"]
        .into_iter()
        .map(String::from)
        .collect();
    let dictionary = Dictionary::from_words(["kubernetes"]);
    assert_eq!(
        filtered_words(text, &identifiers, &dictionary),
        ["Kubernetes", "parse_config"]
    );
    assert!(filtered_words(text, &HashSet::new(), &Dictionary::default()).is_empty());
}
