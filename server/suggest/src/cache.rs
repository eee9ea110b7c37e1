//! A small LRU cache of recent suggestions keyed by hashes of the text
//! before and after the cursor. It also serves the rest of a suggestion
//! while the user types it: after typing `fo` of a cached `foo()`, the
//! lookup returns `o()`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Default number of entries.
pub const DEFAULT_CAPACITY: usize = 64;

/// 64-bit FNV-1a (stable across runs and platforms).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[derive(Debug)]
struct Entry {
    prefix_hash: u64,
    prefix_len: usize,
    suffix_hash: u64,
    suggestion: String,
    used: AtomicU64,
}

/// Bounded LRU map from (prefix, suffix) to a suggestion. Keys are the text
/// before and after the cursor (the document's, or a context's prefix and
/// suffix); only their hashes and the prefix length are stored. `lookup`
/// takes `&self` (recency is kept in atomics), so a shared cache can be
/// read under a read lock.
#[derive(Debug)]
pub struct SuggestionCache {
    capacity: usize,
    entries: Vec<Entry>,
    clock: AtomicU64,
}

impl Default for SuggestionCache {
    fn default() -> Self {
        SuggestionCache::new(DEFAULT_CAPACITY)
    }
}

impl SuggestionCache {
    /// An empty cache holding at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> SuggestionCache {
        SuggestionCache {
            capacity: capacity.max(1),
            entries: Vec::new(),
            clock: AtomicU64::new(0),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The suggestion for this cursor position: a cached suggestion `S` for
    /// prefix `P` and the same suffix, where `prefix == P + typed` and
    /// `typed` is a prefix of `S`, gives `S[typed.len()..]`. `None` when
    /// nothing matches or nothing of `S` is left. Prefers the longest `P`
    /// (an exact match), then the most recent entry.
    pub fn lookup(&self, prefix: &str, suffix: &str) -> Option<String> {
        let suffix_hash = fnv1a(suffix.as_bytes());
        let mut best: Option<(&Entry, usize)> = None;
        for e in &self.entries {
            if e.suffix_hash != suffix_hash || e.prefix_len > prefix.len() {
                continue;
            }
            let Some(typed) = prefix.get(e.prefix_len..) else {
                continue;
            };
            if !e.suggestion.starts_with(typed)
                || fnv1a(&prefix.as_bytes()[..e.prefix_len]) != e.prefix_hash
            {
                continue;
            }
            let better = best.is_none_or(|(b, _)| {
                (e.prefix_len, e.used.load(Ordering::Relaxed))
                    > (b.prefix_len, b.used.load(Ordering::Relaxed))
            });
            if better {
                best = Some((e, typed.len()));
            }
        }
        let (e, typed) = best?;
        e.used.store(self.tick(), Ordering::Relaxed);
        let rest = &e.suggestion[typed..];
        (!rest.is_empty()).then(|| rest.to_string())
    }

    /// Remembers `suggestion` for (`prefix`, `suffix`), replacing an entry
    /// with the same key and evicting the least recently used when full.
    /// Empty suggestions are not stored.
    pub fn insert(&mut self, prefix: &str, suffix: &str, suggestion: &str) {
        if suggestion.is_empty() {
            return;
        }
        let entry = Entry {
            prefix_hash: fnv1a(prefix.as_bytes()),
            prefix_len: prefix.len(),
            suffix_hash: fnv1a(suffix.as_bytes()),
            suggestion: suggestion.to_string(),
            used: AtomicU64::new(self.tick()),
        };
        let same = |e: &Entry| {
            e.prefix_hash == entry.prefix_hash
                && e.prefix_len == entry.prefix_len
                && e.suffix_hash == entry.suffix_hash
        };
        if let Some(i) = self.entries.iter().position(same) {
            self.entries[i] = entry;
            return;
        }
        if self.entries.len() >= self.capacity {
            let oldest = (0..self.entries.len())
                .min_by_key(|&i| self.entries[i].used.load(Ordering::Relaxed));
            if let Some(i) = oldest {
                self.entries.swap_remove(i);
            }
        }
        self.entries.push(entry);
    }

    /// Forgets everything (e.g. after the model changed).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
