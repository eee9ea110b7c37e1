//! Plain language-model scoring, the verification primitive of proofreading: no instruction,
//! no chat template, just "how likely is this text".
//!
//! A [`LikelihoodRequest`] holds texts (prose regions) and, per text, [`Variant`]s: the same
//! text with one byte range replaced. The engine returns, per text, every token's
//! log-probability (detection: which tokens surprise the model) and, per variant, the
//! log-probability of the changed text from the edit up to `until` (the end of its sentence),
//! next to the original's over the same stretch of text ([`VariantScore`]).
//!
//! In process, texts are prefilled several at a time (one llama.cpp sequence each, one batch),
//! and each variant is decoded only from its edit on, on top of a copy of its text's prefix
//! (see `scorer`); the numbers equal those of scoring every text and variant alone.

use std::ops::Range;

/// Texts to score, each optionally with variants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LikelihoodRequest {
    /// Context before every text, not scored (e.g. `"\n"`); the model's BOS token comes first
    /// when it wants one. When both are absent a newline is used, so every text token has a
    /// prediction to be scored against.
    pub preamble: String,
    /// The texts.
    pub texts: Vec<ScoreText>,
}

/// One text and its variants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreText {
    /// The text (scored token by token).
    pub text: String,
    /// Variants to compare with it.
    pub variants: Vec<Variant>,
}

impl ScoreText {
    /// A text without variants (detection only).
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            variants: Vec::new(),
        }
    }
}

/// The text with `range` replaced by `replacement`, compared up to byte `until` of the
/// original text (`until >= range.end`; clamped to the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Byte range of the original text that changes.
    pub range: Range<usize>,
    /// What it becomes.
    pub replacement: String,
    /// End of the compared stretch, in bytes of the original text.
    pub until: usize,
}

impl Variant {
    /// The full variant text.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.replacement.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.replacement);
        out.push_str(&text[self.range.end..]);
        out
    }
}

/// Log-probability of one token of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenScore {
    /// Bytes of the text the token covers (tokens that split a UTF-8 character share it).
    pub range: Range<usize>,
    /// Natural-log probability of the token given everything before it.
    pub logprob: f32,
    /// Log-probability of the model's most likely token at this position (`>= logprob`).
    pub top_logprob: f32,
}

/// A variant against the original over the same stretch of text.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantScore {
    /// Sum of the original's token log-probabilities from the first differing token to `until`.
    pub original: f64,
    /// The same for the variant.
    pub variant: f64,
    /// Tokens summed in `original`.
    pub original_tokens: u32,
    /// Tokens summed in `variant`.
    pub variant_tokens: u32,
}

impl VariantScore {
    /// No difference (a variant that scores like its original).
    pub const NONE: VariantScore = VariantScore {
        original: 0.0,
        variant: 0.0,
        original_tokens: 0,
        variant_tokens: 0,
    };

    /// How much more likely the variant is (natural log; positive = the model prefers it).
    pub fn gain(&self) -> f64 {
        self.variant - self.original
    }
}

/// Scores of one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextScores {
    /// Every token of the text, in order.
    pub tokens: Vec<TokenScore>,
    /// One per requested variant, in request order.
    pub variants: Vec<VariantScore>,
}

/// Byte ranges of `pieces` laid end to end, clamped to `len` (the text length): the pieces of
/// a tokenization concatenate to the text, except for tokenizers that add a leading space,
/// which is absorbed here by never letting a range pass the end.
#[cfg_attr(not(feature = "llama"), allow(dead_code))]
pub(crate) fn piece_ranges(pieces: &[Vec<u8>], len: usize, lead: usize) -> Vec<Range<usize>> {
    let mut at = 0usize;
    let mut skip = lead;
    pieces
        .iter()
        .map(|p| {
            let mut n = p.len();
            let s = skip.min(n);
            n -= s;
            skip -= s;
            let start = at.min(len);
            at += n;
            start..at.min(len)
        })
        .collect()
}

/// Index of the first token that starts at or after byte `until` (or `tokens.len()`).
pub(crate) fn token_at_or_after(ranges: &[Range<usize>], until: usize) -> usize {
    ranges
        .iter()
        .position(|r| r.start >= until && !r.is_empty())
        .unwrap_or(ranges.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_text_replaces_the_range() {
        let v = Variant {
            range: 4..8,
            replacement: "dog".into(),
            until: 12,
        };
        assert_eq!(v.apply("The cats run."), "The dog run.");
        let v = Variant {
            range: 4..4,
            replacement: "big ".into(),
            until: 8,
        };
        assert_eq!(v.apply("The cat."), "The big cat.");
    }

    #[test]
    fn piece_ranges_follow_the_bytes() {
        let pieces = vec![
            b"She".to_vec(),
            b" eat".to_vec(),
            b"s".to_vec(),
            b".".to_vec(),
        ];
        assert_eq!(piece_ranges(&pieces, 9, 0), vec![0..3, 3..7, 7..8, 8..9]);
        // A tokenizer that adds a leading space: the space is skipped.
        let pieces = vec![b" She".to_vec(), b" eats".to_vec()];
        assert_eq!(piece_ranges(&pieces, 8, 1), vec![0..3, 3..8]);
        assert_eq!(token_at_or_after(&[0..3, 3..7, 7..8, 8..9], 7), 2);
        assert_eq!(token_at_or_after(&[0..3, 3..7], 9), 2);
    }
}
