//! The persistent layer of a [`Checker`]: before the model is asked, the pieces the in-memory
//! cache lacks are looked up in the [`ResultStore`] (one batch per document, on a blocking
//! thread, since the store is a file other processes use too); after the model, what it scored
//! is written there. With the cache tuned off neither happens.

use std::sync::Arc;

use margin_proofread::{CheckKey, Scored};

use super::{Checker, Job, StoreKey};

impl Checker {
    /// Copy what the persistent store has for the jobs that are not in memory into memory
    /// (on a blocking thread: the store is a file that other processes use too).
    pub(super) async fn load_stored(&self, jobs: &[Job]) {
        let Some(store) = self.store.clone().filter(|_| self.tuning.cache) else {
            return;
        };
        let missing: Vec<(CheckKey, StoreKey)> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            jobs.iter()
                .filter(|j| !cache.contains(&j.key))
                .map(|j| (j.key.clone(), j.stored))
                .collect()
        };
        if missing.is_empty() {
            return;
        }
        let keys: Vec<StoreKey> = missing.iter().map(|(_, k)| *k).collect();
        let found = tokio::task::spawn_blocking(move || store.get_many(&keys))
            .await
            .unwrap_or_default();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut hits = 0;
        for ((key, _), scored) in missing.into_iter().zip(found) {
            if let Some(scored) = scored {
                cache.insert(key, Arc::new(scored));
                hits += 1;
            }
        }
        drop(cache);
        self.count(|s| s.disk_hits += hits);
    }

    /// Write freshly scored pieces to the persistent store.
    pub(super) async fn save_stored(&self, scored: &[(Job, Arc<Vec<Scored>>)]) {
        let Some(store) = self.store.clone().filter(|_| self.tuning.cache) else {
            return;
        };
        let rows: Vec<(StoreKey, Arc<Vec<Scored>>)> =
            scored.iter().map(|(j, s)| (j.stored, s.clone())).collect();
        let _ = tokio::task::spawn_blocking(move || store.put_many(&rows)).await;
    }
}
