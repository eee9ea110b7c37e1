//! Property: random edit sequences, addressed by (line, column) in each
//! position encoding and applied incrementally, give the same text as
//! applying them to a plain string, and the incrementally updated tree-sitter
//! tree equals a fresh parse. Positions are computed here by an independent
//! reference implementation, not by margin's own conversion code. Also: a range
//! of the first version that no edit touched is mapped to the same text in the
//! last version (findings are carried over that way), and one that an edit
//! touched is not.
//!
//! CI runs a short version; a long run outside CI:
//! `MARGIN_FUZZ_CASES=20000 cargo test --release --test incremental_edits`.

use margin::text::{Document, Encoding, LineCol};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "a",
    "word ",
    "é",
    "e\u{301}",
    "日本",
    "語",
    "👋",
    "👋🏽",
    "\n",
    "\r\n",
    "\r",
    " ",
    "# ",
    "- ",
    "// ",
    "`code`",
    "*",
    "fn x() {}",
    "\"str\"",
    "\t",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

/// Offsets a client can address: char boundaries not inside a CRLF pair.
fn addressable(text: &str) -> Vec<usize> {
    (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .filter(|&i| {
            !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n'))
        })
        .collect()
}

fn reference_position(text: &str, offset: usize, enc: Encoding) -> LineCol {
    let bytes = text.as_bytes();
    let (mut line, mut line_start, mut i) = (0u32, 0usize, 0usize);
    while i < offset {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => {
                i += 1;
                continue;
            }
        }
        line += 1;
        line_start = i;
    }
    let segment = &text[line_start..offset];
    let col = match enc {
        Encoding::Utf8 => segment.len(),
        Encoding::Utf16 => segment.encode_utf16().count(),
        Encoding::Utf32 => segment.chars().count(),
    };
    LineCol::new(line, col as u32)
}

#[derive(Debug, Clone)]
struct Edit {
    a: usize,
    b: usize,
    insert: String,
}

fn edits_strategy() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((any::<usize>(), any::<usize>(), text_strategy()), 1..12).prop_map(|v| {
        v.into_iter()
            .map(|(a, b, insert)| Edit { a, b, insert })
            .collect()
    })
}

fn cases(short: u32) -> u32 {
    std::env::var("MARGIN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(short)
}

/// Where `tracked` (a range of the text before `start..end` was replaced by `new_len` bytes) is
/// after it, or `None` if the edit touched it (bordering counts).
fn track(
    tracked: Option<std::ops::Range<usize>>,
    start: usize,
    end: usize,
    new_len: usize,
) -> Option<std::ops::Range<usize>> {
    let r = tracked?;
    if end < r.start {
        Some(r.start + new_len - (end - start)..r.end + new_len - (end - start))
    } else if start > r.end {
        Some(r)
    } else {
        None
    }
}

fn run(initial: &str, edits: &[Edit], enc: Encoding, language_id: &str) {
    let mut reference = initial.to_string();
    let mut doc = Document::new(initial, 1, language_id, 1 << 20);
    // A range of the first version to follow through the edits (from the first edit's numbers).
    let offsets = addressable(initial);
    let (a, b) = (
        offsets[edits[0].b % offsets.len()],
        offsets[(edits[0].a / 7) % offsets.len()],
    );
    let first = a.min(b)..a.max(b);
    let mut tracked = Some(first.clone());
    for (version, edit) in edits.iter().enumerate() {
        let offsets = addressable(&reference);
        let (mut start, mut end) = (
            offsets[edit.a % offsets.len()],
            offsets[edit.b % offsets.len()],
        );
        if start > end {
            std::mem::swap(&mut start, &mut end);
        }
        let (s, e) = (
            reference_position(&reference, start, enc),
            reference_position(&reference, end, enc),
        );
        let range = doc.byte_range(s, e, enc).expect("valid range");
        assert_eq!(range, start..end, "position conversion in {enc:?}");
        doc.apply_edit(range, &edit.insert).unwrap();
        doc.finish_edits(version as i32 + 2);
        reference.replace_range(start..end, &edit.insert);
        assert_eq!(doc.text(), reference);
        tracked = track(tracked, start, end, edit.insert.len());
        assert_eq!(
            doc.map_range(1, first.clone()),
            tracked,
            "edit log after version {}",
            version + 2
        );
    }
    if let Some(now) = tracked {
        assert_eq!(
            &reference[now], &initial[first],
            "a mapped range holds the same text"
        );
    }
    let fresh = Document::new(&reference, 0, language_id, 1 << 20);
    let (incremental, fresh) = (
        doc.syntax().map(|s| s.dump()),
        fresh.syntax().map(|s| s.dump()),
    );
    // tree-sitter's error recovery may group broken code differently in an incremental and a
    // fresh parse (found by this test on random Rust): only trees without errors must match.
    if fresh
        .as_deref()
        .is_some_and(|d| d.contains("ERROR") || d.contains("MISSING"))
    {
        return;
    }
    assert_eq!(incremental, fresh, "tree after edits");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn markdown_edits_in_every_encoding(initial in text_strategy(), edits in edits_strategy()) {
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            run(&initial, &edits, enc, "markdown");
        }
    }

    #[test]
    fn rust_edits_in_every_encoding(initial in text_strategy(), edits in edits_strategy()) {
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            run(&initial, &edits, enc, "rust");
        }
    }
}
