//! Persistent-prefix glue on the inference thread: restoring a slot from the on-disk KV cache
//! and saving a freshly evaluated stable prefix (file format and validation in `kvstore`).

use crate::job::Slot;
use crate::worker::Worker;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::LlamaStateSeqFlags;
use std::time::Instant;

impl Worker<'_> {
    /// Loads the persisted state of `stable` into the (cleared) slot; returns restored tokens.
    pub(crate) fn restore(&mut self, slot: Slot, stable: &[LlamaToken]) -> Option<usize> {
        let t0 = Instant::now();
        let store = self.store.as_ref()?;
        let payload = store.load(stable)?;
        let seq = slot.seq_id();
        let _ = self.ctx.clear_kv_cache_seq(Some(seq as u32), None, None);
        self.slots[seq as usize].tokens.clear();
        // SAFETY: the payload was produced by `state_seq_get_data_ext` for this model, llama.cpp
        // build, context size and KV type (all validated from the header) and its sha256 matched.
        let ok = unsafe { self.ctx.state_seq_set_data_ext(&payload, seq, LlamaStateSeqFlags::empty()) };
        if !ok {
            tracing::warn!("llama.cpp rejected a KV cache file; deleting it");
            store.remove(stable);
            let _ = self.ctx.clear_kv_cache_seq(Some(seq as u32), None, None);
            return None;
        }
        self.slots[seq as usize].tokens = stable.to_vec();
        tracing::debug!(
            tokens = stable.len(), slot = slot.name(), ms = t0.elapsed().as_secs_f64() * 1e3,
            "restored prefix from disk"
        );
        Some(stable.len())
    }

    /// Saves the slot's state, which must hold exactly `stable`.
    pub(crate) fn persist(&mut self, slot: Slot, stable: &[LlamaToken]) {
        let Some(store) = self.store.as_ref() else { return };
        let seq = slot.seq_id();
        debug_assert_eq!(self.slots[seq as usize].tokens, stable);
        let size = self.ctx.state_seq_get_size_ext(seq, LlamaStateSeqFlags::empty());
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` has the size llama.cpp reported for this sequence.
        let n = unsafe { self.ctx.state_seq_get_data_ext(buf.as_mut_ptr(), seq, LlamaStateSeqFlags::empty()) };
        if n != size {
            tracing::warn!(n, size, "sequence state size mismatch; not persisting");
            return;
        }
        match store.save(stable, &buf) {
            Ok(path) => tracing::debug!(path = %path.display(), bytes = size, "persisted prefix"),
            Err(e) => tracing::warn!(error = %e, "cannot write KV cache file"),
        }
    }
}
