//! What a check derives from a region's text alone, kept per text: its piece ranges (cut by
//! the model's token count) and its detected language. After an edit one region is new; the
//! others are looked up here instead of being tokenized and detected again, which was most of
//! the time of a check whose pieces were all cached (about 70 ms for this repository's README,
//! 397 regions, on a 2-core Xeon).

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use margin_proofread::{detect, split, stable_hash, ResultCache};

/// The layout of one region text.
#[derive(Debug)]
pub struct Layout {
    /// Piece ranges of the text (see [`split`]).
    pub pieces: Vec<Range<usize>>,
    language: OnceLock<Option<&'static str>>,
}

impl Layout {
    /// The text's language as [`detect`] tells it (computed once, when first asked).
    pub fn language(&self, text: &str) -> Option<&'static str> {
        *self.language.get_or_init(|| detect(text))
    }
}

/// Layouts by model fingerprint and text.
pub struct Layouts {
    cache: Mutex<ResultCache<u64, Arc<Layout>>>,
}

impl Default for Layouts {
    fn default() -> Self {
        Layouts {
            cache: Mutex::new(ResultCache::new(8192)),
        }
    }
}

impl Layouts {
    /// The layout of `text` for the model `fingerprint`, cut into pieces of at most `max_tokens`
    /// as `count` measures them.
    pub fn get(
        &self,
        fingerprint: &str,
        text: &str,
        max_tokens: usize,
        count: impl Fn(&str) -> usize,
    ) -> Arc<Layout> {
        let key = stable_hash(text.as_bytes())
            ^ stable_hash(fingerprint.as_bytes()).rotate_left(1)
            ^ (max_tokens as u64).rotate_left(7);
        let lock = || self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(layout) = lock().get(&key) {
            return layout;
        }
        let layout = Arc::new(Layout {
            pieces: split(text, max_tokens, count),
            language: OnceLock::new(),
        });
        lock().insert(key, layout.clone());
        layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_text_is_measured_once_per_model() {
        let layouts = Layouts::default();
        let calls = Cell::new(0);
        let words = |s: &str| {
            calls.set(calls.get() + 1);
            s.split_whitespace().count()
        };
        let text = "The first sentence is here. The second one follows it.";
        let a = layouts.get("m1", text, 6, words);
        let measured = calls.get();
        assert!(measured > 0 && a.pieces.len() == 2, "{a:?}");
        let b = layouts.get("m1", text, 6, words);
        assert_eq!(calls.get(), measured, "looked up, not measured again");
        assert_eq!(a.pieces, b.pieces);
        layouts.get("m2", text, 6, words);
        assert!(
            calls.get() > measured,
            "another model's tokenizer counts again"
        );
        assert_eq!(
            a.language(text),
            Some("en"),
            "the language is detected when asked"
        );
    }
}
