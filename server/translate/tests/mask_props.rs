//! Property tests for masking: the identity translation restores the input
//! exactly; losing or duplicating any one protected token is an error that
//! names that span; changed words with every token kept restore with every
//! span intact.

use margin_translate::{mask, MaskOptions, Masked, RestoreError};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "the",
    "server",
    "keeps",
    "every",
    "file",
    "open",
    "Hello",
    "welcome",
    "back",
    "über",
    "café",
    "naïve",
    "日本語",
    "Привет",
    "settings",
    "click",
    "to",
    "save",
    "your",
    "changes",
    "now",
    "it's",
    "e-mail",
    "42",
];

const PLACEHOLDERS: &[&str] = &[
    "{name}",
    "{0}",
    "{}",
    "%s",
    "%1$d",
    "%(count)d",
    "{{var}}",
    "${x}",
    ":name",
    "%%",
    "$HOME",
    ":smile:",
    "%.2f",
    "{count, number}",
];

const MARKUP: &[&str] = &[
    "**bold words**",
    "*slanted*",
    "_under_",
    "~~gone~~",
    "`code x`",
    "[the guide](https://example.com/p?q=1)",
    "![a logo](img/logo.png)",
    "<https://example.org/x>",
    "***both***",
    "[**strong** link](docs.md \"Title\")",
];

const HTML: &[&str] = &[
    "<b>bold</b>",
    "<br/>",
    "&amp;",
    "&#8212;",
    "<kbd>Ctrl</kbd>",
    "<a href=\"x.html\">here</a>",
    "&nbsp;",
];

const BREAKS: &[&str] = &["\n", "\n\n", "\r\n", "  \n"];

const LINE_STARTS: &[&str] = &["", "", "- ", "1. ", "# ", "> ", "  ", "* [ ] "];

/// Rarer texts: react-i18next tags, long URLs, multi-line code spans.
const ODD: &[&str] = &[
    "<1>tag</1>",
    "<2/>",
    "https://example.com/a/very/long/path/that/goes/on/and/on/forever/and/ever/index.html",
    "`multi\nline`",
    "C:\\Users\\me",
    "50% off",
    "10:30",
    "a_b_c",
    "\\*not emphasis\\*",
];

#[derive(Clone, Debug)]
enum Piece {
    /// Text, and whether it is glued to what comes before (no space).
    Text(&'static str, bool),
    Break(&'static str, &'static str),
}

fn piece() -> impl Strategy<Value = Piece> {
    let pick = |list: &'static [&'static str]| {
        (prop::sample::select(list), prop::bool::weighted(0.15))
            .prop_map(|(t, glue)| Piece::Text(t, glue))
    };
    prop_oneof![
        6 => pick(WORDS),
        2 => pick(PLACEHOLDERS),
        2 => pick(MARKUP),
        1 => pick(HTML),
        1 => pick(ODD),
        1 => (prop::sample::select(BREAKS), prop::sample::select(LINE_STARTS)).prop_map(|(b, s)| Piece::Break(b, s)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["", " ", "\n", "  \n\t"][..]),
        prop::collection::vec(piece(), 1..24),
        prop::sample::select(&["", "\n", " \n\n"][..]),
    )
        .prop_map(|(lead, pieces, trail)| {
            let mut s = lead.to_string();
            let mut fresh = true;
            for p in pieces {
                match p {
                    Piece::Text(t, glue) => {
                        if !fresh && !glue {
                            s.push(' ');
                        }
                        s.push_str(t);
                        fresh = false;
                    }
                    Piece::Break(b, start) => {
                        s.push_str(b);
                        s.push_str(start);
                        fresh = true;
                    }
                }
            }
            s.push_str(trail);
            s
        })
}

fn opts() -> impl Strategy<Value = MaskOptions> {
    (any::<bool>(), prop::bool::weighted(0.8))
        .prop_map(|(markdown, html)| MaskOptions { markdown, html })
}

fn label_at(m: &Masked, r: &std::ops::Range<usize>) -> String {
    let token = &m.text[r.clone()];
    m.spans
        .iter()
        .find(|s| s.token == token)
        .expect("a span for every token")
        .label
        .clone()
}

/// Every alphabetic run outside tokens upper-cased and lengthened.
fn change_words(m: &Masked) -> String {
    let ranges = m.token_ranges();
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&word.to_uppercase());
            out.push('Q');
            word.clear();
        }
    };
    for (i, c) in m.text.char_indices() {
        if c.is_alphabetic() && !ranges.iter().any(|r| r.contains(&i)) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn identity_restores_exactly(t in text(), o in opts()) {
        let m = mask(&t, o);
        prop_assert_eq!(m.restore(&m.text).unwrap(), t);
    }

    #[test]
    fn losing_any_token_names_it(t in text(), o in opts()) {
        let m = mask(&t, o);
        for r in m.token_ranges() {
            // A dropped token leaves a space (as a model would), so that no
            // neighbours are glued into something else.
            let dropped = format!("{} {}", &m.text[..r.start], &m.text[r.end..]);
            prop_assert_eq!(m.restore(&dropped), Err(RestoreError::Missing { span: label_at(&m, &r) }), "dropped {:?} from {:?}", &m.text[r.clone()], m.text);
        }
    }

    #[test]
    fn duplicating_any_token_names_it(t in text(), o in opts()) {
        let m = mask(&t, o);
        for r in m.token_ranges() {
            let token = &m.text[r.clone()];
            let doubled = format!("{} {}{}", &m.text[..r.end], token, &m.text[r.end..]);
            prop_assert_eq!(m.restore(&doubled), Err(RestoreError::Duplicated { span: label_at(&m, &r) }), "doubled {:?} in {:?}", token, m.text);
        }
    }

    #[test]
    fn changed_words_keep_every_span_and_line_start(t in text(), o in opts()) {
        let m = mask(&t, o);
        let out = m.restore(&change_words(&m)).unwrap();
        for s in &m.spans {
            let want = m.spans.iter().filter(|x| x.original == s.original).count();
            prop_assert!(out.matches(s.original.as_str()).count() >= want, "{:?} lost in {:?}", s.original, out);
        }
        // Lines starting with a list marker or heading and some content (an
        // empty list item cannot interrupt a paragraph); `#` is structure
        // only in Markdown. (`>` also starts continuation lines, which a
        // re-wrap may merge.)
        let markers: &[&str] = if o.markdown { &["- ", "1. ", "# ", "* "] } else { &["- ", "1. ", "* "] };
        let starts = |s: &str| s.lines().filter(|l| {
            let l = l.trim_start();
            markers.iter().any(|p| l.starts_with(p) && !l[p.len()..].trim().is_empty())
        }).count();
        prop_assert_eq!(starts(&out), starts(&t), "{:?} -> {:?}", t, out);
        prop_assert!(out.starts_with(&m.leading) && out.ends_with(&m.trailing));
    }
}
