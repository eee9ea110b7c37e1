//! End-to-end properties of the driver with a stand-in model that
//! "translates into Greek" (ASCII letters outside protected spans become
//! Greek letters): any text, any chunk budget, never a panic, never a lost
//! span; and chunks always cover their text without cutting a span.

use margin_translate::{
    chunks, mask, parse_language, translate_text, MaskOptions, TranslateError, TranslateOptions,
    TranslatePrompt,
};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "the",
    "server",
    "keeps",
    "every",
    "file",
    "open.",
    "Hello",
    "welcome",
    "back!",
    "settings",
    "click",
    "to",
    "save",
    "your",
    "changes",
    "now.",
    "{name}",
    "%s",
    "%1$d",
    "{{var}}",
    "${x}",
    ":name",
    "**bold words**",
    "*slanted*",
    "`code x`",
    "[the guide](https://example.com/p?q=1)",
    "<b>bold</b>",
    "&amp;",
    "<1>tag</1>",
    "\n",
    "\n\n",
    "\n- ",
    "\n1. ",
    "\n# ",
    "\n> ",
    "  \n",
    "\n```\nlet x = 1;\n```\n",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.join(" "))
}

/// The stand-in model: the prose words of [`PIECES`] spelled in Greek
/// letters; everything else (tokens, placeholders, code, URLs) copied.
fn greek(text: &str) -> String {
    let words = regex::Regex::new(
        r"\b(the|server|keeps|every|file|open|Hello|welcome|back|settings|click|to|save|your|changes|now|bold|words|slanted|guide|tag)\b",
    )
    .unwrap();
    words
        .replace_all(text, |c: &regex::Captures| {
            c[0].chars()
                .map(|ch| {
                    char::from_u32('α' as u32 + (ch.to_ascii_lowercase() as u32 - 'a' as u32) % 24)
                        .unwrap_or(ch)
                })
                .collect::<String>()
        })
        .into_owned()
}

/// Byte ranges that no chunk may cut: placeholders, code, URLs, tags.
fn spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let re = regex::Regex::new(
        r"</?\d+/?>|\{\{[^}]*\}\}|\$\{[^}]*\}|\{[^}]*\}|%1\$d|%s|:name|`[^`\n]*`|https?://[^\s)]+|</?b>|&amp;",
    )
    .unwrap();
    re.find_iter(text).map(|m| m.range()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn translation_keeps_every_span_or_says_why(t in text(), budget in 3usize..60, markdown in any::<bool>()) {
        let opts = TranslateOptions { from: None, to: parse_language("el").unwrap(), markdown, max_chunk_tokens: budget };
        let words = |s: &str| s.split_whitespace().count();
        let r = translate_text(&t, &opts, words, |p: &TranslatePrompt| Ok::<_, ()>(greek(&p.user_tail)));
        match r {
            Ok(tr) => {
                for span in ["{name}", "%s", "%1$d", "{{var}}", "${x}", ":name", "`code x`", "https://example.com/p?q=1", "&amp;", "let x = 1;"] {
                    prop_assert_eq!(tr.text.matches(span).count(), t.matches(span).count(), "{} in {:?} -> {:?}", span, t, tr.text);
                }
                prop_assert_eq!(tr.text.matches('\n').count() >= t.trim().matches("\n\n").count(), true);
                prop_assert!(tr.model_calls >= tr.chunks);
            }
            Err(TranslateError::Empty) => {
                let trivial = mask(&t, MaskOptions { markdown, html: true }).is_trivial();
                prop_assert!(trivial, "Empty for {:?}", t);
            }
            Err(e) => prop_assert!(false, "{:?} for {:?}", e, t),
        }
    }

    #[test]
    fn chunks_cover_and_never_cut_a_span(t in text(), budget in 1usize..40) {
        let words = |s: &str| s.split_whitespace().count();
        let ranges = chunks(&t, budget, words);
        let joined: String = ranges.iter().map(|r| &t[r.clone()]).collect();
        prop_assert_eq!(joined, t.clone());
        for span in spans(&t) {
            prop_assert!(ranges.iter().all(|r| r.end <= span.start || r.end >= span.end), "{:?} cut in {:?}", &t[span.clone()], t);
        }
    }
}
