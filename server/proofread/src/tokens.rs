//! Tokenization shared by alignment and filters: a text is cut into word,
//! whitespace and punctuation tokens (UAX #29 word bounds), so that a diff can
//! say "dont" → "don't" or "apples ," → "apples," precisely. Also the stable
//! FNV-1a hash used for cache keys and ignore contexts.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Contains a letter or digit ("don't", "snake_case", "3.14", "猫").
    Word,
    /// Only whitespace (a run of spaces, a line break).
    Space,
    /// Anything else: punctuation, symbols, emoji.
    Punct,
}

/// One token: a byte range of the text and its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub range: Range<usize>,
    pub kind: Kind,
}

/// Kind of a token's text.
pub(crate) fn kind_of(s: &str) -> Kind {
    if s.chars().any(char::is_alphanumeric) {
        Kind::Word
    } else if !s.is_empty() && s.chars().all(char::is_whitespace) {
        Kind::Space
    } else {
        Kind::Punct
    }
}

/// Tokens of `text` covering it exactly, in order.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    text.split_word_bound_indices()
        .map(|(i, s)| Token {
            range: i..i + s.len(),
            kind: kind_of(s),
        })
        .collect()
}

/// The word tokens of `text` as string slices.
pub(crate) fn words(text: &str) -> Vec<&str> {
    text.split_word_bound_indices()
        .map(|(_, s)| s)
        .filter(|s| kind_of(s) == Kind::Word)
        .collect()
}

/// Whether `s` contains only whitespace (and is not empty).
pub(crate) fn is_blank(s: &str) -> bool {
    !s.is_empty() && s.chars().all(char::is_whitespace)
}

/// Stable 64-bit FNV-1a hash (same across runs, builds and platforms).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    stable_hash_extend(0xcbf2_9ce4_8422_2325, bytes)
}

/// [`stable_hash`] continued from the hash `h` with more bytes, in the order given (so hashes
/// of many suffixes can be built in one pass over a text read backwards).
pub fn stable_hash_extend<'a>(mut h: u64, bytes: impl IntoIterator<Item = &'a u8>) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(text: &str) -> Vec<(&str, Kind)> {
        tokenize(text)
            .into_iter()
            .map(|t| (&text[t.range], t.kind))
            .collect()
    }

    #[test]
    fn contraction_is_one_word_and_comma_is_separate() {
        assert_eq!(
            strs("don't apples ,"),
            vec![
                ("don't", Kind::Word),
                (" ", Kind::Space),
                ("apples", Kind::Word),
                (" ", Kind::Space),
                (",", Kind::Punct)
            ]
        );
    }

    #[test]
    fn identifiers_and_cjk() {
        assert_eq!(
            words("call snake_case now"),
            vec!["call", "snake_case", "now"]
        );
        // Ideographs are one token each, so CJK diffs are per character.
        assert_eq!(words("我喜欢猫"), vec!["我", "喜", "欢", "猫"]);
    }

    #[test]
    fn tokens_cover_text() {
        let text = "Hi 👋🏽, naïve café\n— ok?";
        let toks = tokenize(text);
        assert_eq!(toks.first().unwrap().range.start, 0);
        assert_eq!(toks.last().unwrap().range.end, text.len());
        for w in toks.windows(2) {
            assert_eq!(w[0].range.end, w[1].range.start);
        }
        assert!(toks
            .iter()
            .any(|t| &text[t.range.clone()] == "👋🏽" && t.kind == Kind::Punct));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
