//! Result cache: a key for "this model, these settings, this language, this
//! text" and a small LRU with hit/miss counters. Cache the aligned edits
//! *before* [`crate::filter`]: filters depend on dictionaries and
//! identifiers that change without the model output changing.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::candidates::lexicon::data_hash;
use crate::prompt::PROMPT_VERSION;
use crate::tokens::stable_hash;

/// The version of candidate making and scoring: bump it when a change would give other scored
/// candidates for the same text, so no stored result of the old code is reused.
pub const CANDIDATES_VERSION: u32 = 2;

/// What a proofreading result depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckKey {
    /// Identifies the model file (e.g. path + size + mtime, or a digest).
    pub model_fingerprint: String,
    /// Hash of generation settings; [`CheckKey::new`] mixes in [`PROMPT_VERSION`],
    /// [`CANDIDATES_VERSION`] and the candidate data files.
    pub settings_hash: u64,
    pub language: Option<String>,
    /// [`crate::stable_hash`] of the region text.
    pub text_hash: u64,
}

impl CheckKey {
    pub fn new(
        model_fingerprint: &str,
        settings_hash: u64,
        language: Option<&str>,
        text: &str,
    ) -> CheckKey {
        let mut s = settings_hash.to_le_bytes().to_vec();
        s.extend_from_slice(&PROMPT_VERSION.to_le_bytes());
        s.extend_from_slice(&CANDIDATES_VERSION.to_le_bytes());
        s.extend_from_slice(&data_hash().to_le_bytes());
        CheckKey {
            model_fingerprint: model_fingerprint.to_string(),
            settings_hash: stable_hash(&s),
            language: language.map(str::to_string),
            text_hash: stable_hash(text.as_bytes()),
        }
    }
}

/// A least-recently-used cache with a fixed capacity.
#[derive(Debug)]
pub struct ResultCache<K, V> {
    capacity: usize,
    tick: u64,
    map: HashMap<K, (V, u64)>,
    order: BTreeMap<u64, K>,
    hits: u64,
    misses: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> ResultCache<K, V> {
    /// A cache holding at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        ResultCache {
            capacity: capacity.max(1),
            tick: 0,
            map: HashMap::new(),
            order: BTreeMap::new(),
            hits: 0,
            misses: 0,
        }
    }

    /// A clone of the cached value (marking it recently used), counting a
    /// hit or a miss.
    pub fn get(&mut self, key: &K) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        match self.map.get_mut(key) {
            Some((v, used)) => {
                self.order.remove(used);
                *used = tick;
                self.order.insert(tick, key.clone());
                self.hits += 1;
                Some(v.clone())
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// Insert or replace, evicting the least recently used entry when full.
    pub fn insert(&mut self, key: K, value: V) {
        self.tick += 1;
        if let Some((_, used)) = self.map.remove(&key) {
            self.order.remove(&used);
        }
        while self.map.len() >= self.capacity {
            let Some((_, old)) = self.order.pop_first() else {
                break;
            };
            self.map.remove(&old);
        }
        self.order.insert(self.tick, key.clone());
        self.map.insert(key, (value, self.tick));
    }

    /// Whether `key` is cached (not counted, not marked used).
    pub fn contains(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn hits(&self) -> u64 {
        self.hits
    }

    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// Drop all entries (counters stay).
    pub fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{align, Edit};

    #[test]
    fn key_depends_on_every_part() {
        let k = CheckKey::new("smollm2-135m", 7, Some("en"), "Teh cat.");
        assert_eq!(k, CheckKey::new("smollm2-135m", 7, Some("en"), "Teh cat."));
        assert_ne!(k, CheckKey::new("qwen-1.5b", 7, Some("en"), "Teh cat."));
        assert_ne!(k, CheckKey::new("smollm2-135m", 8, Some("en"), "Teh cat."));
        assert_ne!(k, CheckKey::new("smollm2-135m", 7, Some("de"), "Teh cat."));
        assert_ne!(k, CheckKey::new("smollm2-135m", 7, None, "Teh cat."));
        assert_ne!(k, CheckKey::new("smollm2-135m", 7, Some("en"), "Teh cat!"));
    }

    #[test]
    fn lru_evicts_least_recently_used_and_counts() {
        let mut c: ResultCache<CheckKey, Vec<Edit>> = ResultCache::new(2);
        let key = |t: &str| CheckKey::new("m", 0, Some("en"), t);
        let edits = align("Teh cat.", "The cat.");
        c.insert(key("a"), edits.clone());
        c.insert(key("b"), Vec::new());
        assert_eq!(c.get(&key("a")), Some(edits.clone())); // a is now newest
        c.insert(key("c"), Vec::new()); // evicts b
        assert_eq!(c.get(&key("b")), None);
        assert_eq!(c.get(&key("a")), Some(edits));
        assert!(c.get(&key("c")).is_some());
        assert_eq!((c.hits(), c.misses(), c.len()), (3, 1, 2));
        c.insert(key("c"), Vec::new()); // replacing does not evict
        assert_eq!(c.len(), 2);
        c.clear();
        assert!(c.is_empty());
    }
}
