//! Persistent-prefix glue on the inference thread: restoring a slot from the on-disk KV cache
//! and saving a freshly evaluated stable prefix (file format and validation in `kvstore`).
//!
//! A file passing every header and checksum test can still hold a state that is not its
//! prefix's (a payload llama.cpp half-reads, bits flipped before the checksum was computed).
//! So a restored prefix is proven before it is trusted: the state must hold exactly the
//! prefix's positions, and evaluating a probe token on top of it (the prefix's last token once
//! more, at the next position, removed again afterwards) must give the logits recorded when the
//! file was written, the same way. The prefix's own KV stays byte for byte what was saved, so a
//! restored slot generates exactly what the original evaluation would. And a file is only ever
//! written right after a full, uninterrupted evaluation of its prefix from position 0 (see
//! `Worker::prefill`).

use crate::error::EngineError;
use crate::job::Slot;
use crate::worker::{Control, Worker};
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::LlamaStateSeqFlags;
use std::time::Instant;

/// Logits recorded per file.
const PROBE_LEN: usize = 8;

/// The `PROBE_LEN` largest logits as (token id, logit).
pub(crate) fn probe(logits: &[f32]) -> Vec<(i32, f32)> {
    let mut top: Vec<(i32, f32)> = logits
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as i32, v))
        .collect();
    let n = PROBE_LEN.min(top.len());
    if n == 0 {
        return top;
    }
    top.select_nth_unstable_by(n - 1, |a, b| b.1.total_cmp(&a.1));
    top.truncate(n);
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    top
}

/// Whether `logits` reproduce the recorded probe. Both come from the same computation on the same
/// KV bytes; the tolerance only absorbs thread-count differences in float reductions. A state
/// that is not the prefix's moves logits by whole units.
pub(crate) fn probe_matches(recorded: &[(i32, f32)], logits: &[f32]) -> bool {
    !recorded.is_empty()
        && recorded.iter().all(|&(id, v)| {
            let actual = usize::try_from(id).ok().and_then(|i| logits.get(i));
            actual.is_some_and(|a| (a - v).abs() <= 0.01 + 0.001 * v.abs())
        })
}

impl Worker<'_> {
    /// Loads the persisted state of `stable` into the slot and proves it; returns restored tokens.
    /// On any doubt the file is deleted and the slot left empty.
    pub(crate) fn restore(
        &mut self,
        slot: Slot,
        stable: &[LlamaToken],
        control: &Control<'_>,
    ) -> Option<usize> {
        let t0 = Instant::now();
        let loaded = self.store.as_ref()?.load(stable)?;
        let seq = slot.seq_id();
        self.reset_slot(slot);
        // SAFETY: the payload was produced by `state_seq_get_data_ext` for this model, llama.cpp
        // build, context size and KV type (all validated from the header) and its sha256 matched.
        let ok = unsafe {
            self.ctx
                .state_seq_set_data_ext(&loaded.payload, seq, LlamaStateSeqFlags::empty())
        };
        let n = stable.len();
        if !ok {
            return self.reject(slot, stable, "llama.cpp rejected its payload");
        }
        if self.ctx.kv_cache_seq_pos_max(seq) != n as i32 - 1
            || self.ctx.kv_cache_seq_pos_min(seq) != 0
        {
            return self.reject(
                slot,
                stable,
                "its state does not hold the prefix's positions",
            );
        }
        self.slots[seq as usize].tokens = stable.to_vec();
        match self.probe(slot, control) {
            Ok(probe) if probe_matches(&loaded.probe, &probe) => {}
            Ok(_) => return self.reject(slot, stable, "its logits differ from the recorded ones"),
            Err(EngineError::Cancelled { .. } | EngineError::DeadlineExceeded) => {
                self.reset_slot(slot);
                return None;
            }
            Err(e) => return self.reject(slot, stable, &format!("the probe failed: {e}")),
        }
        tracing::debug!(
            tokens = n,
            slot = slot.name(),
            ms = t0.elapsed().as_secs_f64() * 1e3,
            "restored prefix from disk"
        );
        Some(n)
    }

    fn reject(&mut self, slot: Slot, stable: &[LlamaToken], why: &str) -> Option<usize> {
        tracing::warn!(
            why,
            "discarding a KV cache file that does not reproduce its prefix"
        );
        if let Some(store) = self.store.as_ref() {
            store.remove(stable);
        }
        self.reset_slot(slot);
        None
    }

    /// The logits of the slot's last token evaluated once more at the next position (a state's
    /// fingerprint); that position is removed again, the slot is left as it was.
    fn probe(&mut self, slot: Slot, control: &Control<'_>) -> Result<Vec<f32>, EngineError> {
        let seq = slot.seq_id() as usize;
        let n = self.slots[seq].tokens.len();
        let last = *self.slots[seq]
            .tokens
            .last()
            .ok_or_else(|| EngineError::InvalidJob("empty prefix".into()))?;
        let at = self.decode_tokens(slot, &[last], control)?;
        let logits = self.ctx.get_logits_ith(at).to_vec();
        self.truncate(slot, n)?;
        Ok(logits)
    }

    /// Saves the slot's state, which must hold exactly `stable`, evaluated just now from position
    /// 0, with its probe.
    pub(crate) fn persist(
        &mut self,
        slot: Slot,
        stable: &[LlamaToken],
        control: &Control<'_>,
    ) -> Result<(), EngineError> {
        if self.store.is_none() {
            return Ok(());
        }
        let seq = slot.seq_id();
        if self.slots[seq as usize].tokens != stable {
            tracing::warn!("the slot does not hold exactly the prefix; not persisting");
            return Ok(());
        }
        let size = self
            .ctx
            .state_seq_get_size_ext(seq, LlamaStateSeqFlags::empty());
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` has the size llama.cpp reported for this sequence.
        let n = unsafe {
            self.ctx
                .state_seq_get_data_ext(buf.as_mut_ptr(), seq, LlamaStateSeqFlags::empty())
        };
        if n != size {
            tracing::warn!(n, size, "sequence state size mismatch; not persisting");
            return Ok(());
        }
        let probe = probe(&self.probe(slot, control)?);
        let Some(store) = self.store.as_ref() else {
            return Ok(());
        };
        match store.save(stable, &buf, &probe) {
            Ok(path) => tracing::debug!(path = %path.display(), bytes = size, "persisted prefix"),
            Err(e) => tracing::warn!(error = %e, "cannot write KV cache file"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_is_the_top_logits_and_matches_within_tolerance() {
        let logits: Vec<f32> = (0..100).map(|i| ((i * 37) % 100) as f32 / 10.0).collect();
        let p = probe(&logits);
        assert_eq!(p.len(), PROBE_LEN);
        assert_eq!(p[0].1, 9.9);
        assert!(p.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(probe_matches(&p, &logits));
        let nudged: Vec<f32> = logits.iter().map(|v| v + 0.005).collect();
        assert!(probe_matches(&p, &nudged), "float noise is not a mismatch");
        let moved: Vec<f32> = logits.iter().map(|v| v * 0.8).collect();
        assert!(!probe_matches(&p, &moved));
        assert!(!probe_matches(&[], &logits));
        assert!(!probe_matches(&[(1000, 1.0)], &logits));
    }
}
