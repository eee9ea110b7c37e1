//! Detection after an edit: the token scores of each detected piece from every word on, kept
//! by the text that follows, so that after an edit only the changed stretch and a few words
//! after it are detected again.
//!
//! An edit changes the text before everything after it, and the model reads every token in
//! the light of what comes before; but how unlikely a word is depends mostly on the words just
//! before it. So the words more than [`FRESH_WORDS`] after the change keep their surprise from
//! the piece's previous version, which decides where they get candidates. Verification stays
//! exact: a candidate is scored on the text as it is now (or its sentence's earlier score is
//! reused while the sentence is unchanged, see `pipeline::variant_key`). What this can cost is
//! a missed candidate far after an edit (its word became unlikely through the edit), never an
//! unverified one; the next check of the unchanged piece from a fresh start finds it.
//!
//! Used by the server, where documents are edited (`Tuning::incremental`); `margin check` and
//! `margin eval` detect every piece whole.

use std::sync::{Arc, Mutex};

use margin_engine::TokenScore;
use margin_proofread::{stable_hash, stable_hash_extend, ResultCache};
use unicode_segmentation::UnicodeSegmentation;

use super::pipeline::{after_words, WINDOW_WORDS};

/// Words after an edit that are detected again (the verification window's length, for the
/// same reason: a change's effect on the model shows in the next few words).
pub const FRESH_WORDS: usize = WINDOW_WORDS;

/// Tails kept (a piece adds one per word after its first; all share its scores).
const CAPACITY: usize = 65_536;

/// The scores of one tail: `tokens` scored the whole text it was seen in (ranges in that
/// text), where the tail started at byte `offset`.
#[derive(Clone)]
struct Tail {
    tokens: Arc<[TokenScore]>,
    offset: usize,
}

/// Token scores of pieces from each word on, by the model and the text from there.
pub struct Tails {
    cache: Mutex<ResultCache<u64, Tail>>,
}

impl Default for Tails {
    fn default() -> Self {
        Tails {
            cache: Mutex::new(ResultCache::new(CAPACITY)),
        }
    }
}

/// A piece to detect: `text[..head]` goes to the model, `tail` holds the scores of the rest.
pub struct Split {
    pub head: usize,
    pub tail: Vec<TokenScore>,
}

/// A piece's tails, keyed once for both its lookup and remembering its scores after it: where
/// each tail starts (ascending) and its key.
pub struct Lookup {
    bounds: Vec<usize>,
    keys: Vec<u64>,
    /// What of the piece is known (see [`Tails::lookup`]).
    pub split: Option<Split>,
}

/// Where tails of `text` start: before each word but the first, right after the last
/// non-blank character before it (a tail begins with the blank that a word-level tokenizer
/// puts into the word's first token).
fn boundaries(text: &str) -> Vec<usize> {
    let mut out: Vec<usize> = text
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .skip(1)
        .map(|(i, _)| text[..i].trim_end().len())
        .filter(|&b| b > 0)
        .collect();
    out.dedup();
    out
}

/// Keys of every tail `text[b..]` (ascending `b`), computed from the end in one pass: the
/// stable hash of the tail's bytes read backwards, seeded with the model.
fn keys(fingerprint: &str, text: &str, bounds: &[usize]) -> Vec<u64> {
    let bytes = text.as_bytes();
    let mut h = stable_hash(fingerprint.as_bytes());
    let mut out = vec![0; bounds.len()];
    let mut pos = bytes.len();
    for (k, &b) in bounds.iter().enumerate().rev() {
        h = stable_hash_extend(h, bytes[b..pos].iter().rev());
        pos = b;
        out[k] = h ^ (text.len() - b) as u64;
    }
    out
}

impl Tails {
    fn cache(&self) -> std::sync::MutexGuard<'_, ResultCache<u64, Tail>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `text`'s tails keyed, and `text` split after [`FRESH_WORDS`] words past its longest
    /// known tail: where the head to decode ends, and the scores of the rest in `text`'s
    /// offsets. No split when no tail is known or too few words follow the change (decode it
    /// all).
    pub fn lookup(&self, fingerprint: &str, text: &str) -> Lookup {
        let bounds = boundaries(text);
        let keys = keys(fingerprint, text, &bounds);
        let split = self.split(text, &bounds, &keys);
        Lookup {
            bounds,
            keys,
            split,
        }
    }

    fn split(&self, text: &str, bounds: &[usize], keys: &[u64]) -> Option<Split> {
        let mut cache = self.cache();
        let (b, tail) = bounds
            .iter()
            .zip(keys)
            .find_map(|(&b, key)| cache.get(key).map(|t| (b, t)))?;
        let head = after_words(text, b, FRESH_WORDS)?;
        let head = text[..head].trim_end().len();
        if head >= text.len() {
            return None;
        }
        // The head's end in the old text.
        let old_head = head - b + tail.offset;
        let first = tail.tokens.partition_point(|t| t.range.start < old_head);
        let tokens = tail.tokens[first..].iter().map(|t| TokenScore {
            range: t.range.start - tail.offset + b..t.range.end - tail.offset + b,
            ..t.clone()
        });
        Some(Split {
            head,
            tail: tokens.collect(),
        })
    }

    /// Keeps the tails of the looked-up text, whose tokens (all of it) scored `tokens`.
    pub fn remember(&self, lookup: &Lookup, tokens: &[TokenScore]) {
        let shared: Arc<[TokenScore]> = tokens.into();
        let mut cache = self.cache();
        for (&b, &key) in lookup.bounds.iter().zip(&lookup.keys) {
            let tail = Tail {
                tokens: shared.clone(),
                offset: b,
            };
            cache.insert(key, tail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Word-level scores of `text` (one token per word with its leading blank).
    fn scores(text: &str, logprob: f32) -> Vec<TokenScore> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, w) in text.split_word_bound_indices() {
            if !w.trim().is_empty() {
                out.push(TokenScore {
                    range: start..i + w.len(),
                    logprob,
                    top_logprob: 0.0,
                });
                start = i + w.len();
            }
        }
        out
    }

    /// Remembers `text` for model "m", every token scored -1.
    fn remember(tails: &Tails, text: &str) {
        let lookup = tails.lookup("m", text);
        assert!(lookup.split.is_none(), "nothing known yet");
        tails.remember(&lookup, &scores(text, -1.0));
    }

    const OLD: &str = "The cat sat on the mat by the door of the old house. It slept there for \
                       hours and hours until the sun went down.";

    #[test]
    fn tails_start_before_each_word_but_the_first() {
        let text = "The cat sat. It slept!  Then";
        let b = boundaries(text);
        let tails: Vec<&str> = b.iter().map(|&b| &text[b..]).collect();
        assert_eq!(
            tails,
            [
                " cat sat. It slept!  Then",
                " sat. It slept!  Then",
                " It slept!  Then",
                " slept!  Then",
                "  Then"
            ]
        );
        // The keys are those of the tails' own text.
        let one = keys("m", text, &b);
        let again: Vec<u64> = b.iter().map(|&x| keys("m", &text[x..], &[0])[0]).collect();
        assert_eq!(one, again);
        assert_ne!(keys("n", text, &b), one);
    }

    #[test]
    fn an_edit_at_the_start_keeps_the_scores_after_a_few_words() {
        let tails = Tails::default();
        remember(&tails, OLD);
        let new = format!("Today, t{}", &OLD[1..]);
        let split = tails.lookup("m", &new).split.expect("the tail is known");
        // "Today, the" changed: "cat" is the first word of a known tail; FRESH_WORDS more are
        // detected again.
        assert_eq!(
            &new[..split.head],
            "Today, the cat sat on the mat by the door"
        );
        let rest: Vec<&str> = split.tail.iter().map(|t| &new[t.range.clone()]).collect();
        assert_eq!(rest.concat(), &new[split.head..]);
        assert!(split.tail.iter().all(|t| t.logprob == -1.0));
        // Another model's scores are not used.
        assert!(tails.lookup("other", &new).split.is_none());
    }

    #[test]
    fn a_change_near_the_end_detects_it_all() {
        let tails = Tails::default();
        remember(&tails, OLD);
        let new = OLD.replace("the sun", "the moon");
        assert!(tails.lookup("m", &new).split.is_none());
        let unrelated = tails.lookup("m", "Nothing in common with it at all.");
        assert!(unrelated.split.is_none());
    }
}
