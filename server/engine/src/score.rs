//! Likelihood scoring: total and per-token log-probability of candidate continuations after a
//! prompt. The prompt is prefilled once (with prefix reuse); each candidate is decoded on top
//! of it in one batch with logits at every position, then removed again.

use crate::error::EngineError;
use crate::job::{CandidateScore, FinishReason, JobOutput, Metrics, ScoreRequest, Slot};
use crate::worker::{Control, Worker};
use llama_cpp_2::llama_batch::LlamaBatch;
use std::time::Instant;

/// Natural-log softmax probability of `token` under `logits`.
pub(crate) fn log_prob(logits: &[f32], token: usize) -> f64 {
    crate::scorer::log_probs(logits, token).0 as f64
}

impl Worker<'_> {
    pub(crate) fn score(
        &mut self,
        slot: Slot,
        req: &ScoreRequest,
        last_idx: i32,
        control: &Control<'_>,
        mut m: Metrics,
    ) -> Result<JobOutput, EngineError> {
        if req.candidates.is_empty() {
            return Err(EngineError::InvalidJob(
                "scoring job without candidates".into(),
            ));
        }
        let t0 = Instant::now();
        let seq = slot.seq_id();
        let first_logits = self.ctx.get_logits_ith(last_idx).to_vec();
        let n_prompt = self.slots[seq as usize].tokens.len();
        let mut scores = Vec::with_capacity(req.candidates.len());
        for cand in &req.candidates {
            control.check(0)?;
            let toks = self.model.vocab().tokenize(cand.as_bytes(), false, false);
            let mut lps = Vec::with_capacity(toks.len());
            if let Some(first) = toks.first() {
                lps.push(log_prob(&first_logits, first.0 as usize));
            }
            if toks.len() > 1 {
                let feed = &toks[..toks.len() - 1];
                let mut batch = LlamaBatch::new(feed.len(), 1);
                for (i, t) in feed.iter().enumerate() {
                    batch
                        .add(*t, (n_prompt + i) as i32, &[seq], true)
                        .map_err(|e| EngineError::Decode(e.to_string()))?;
                }
                self.ctx
                    .decode(&mut batch)
                    .map_err(|e| EngineError::Decode(e.to_string()))?;
                self.slots[seq as usize].tokens.extend_from_slice(feed);
                for (i, next) in toks[1..].iter().enumerate() {
                    lps.push(log_prob(self.ctx.get_logits_ith(i as i32), next.0 as usize));
                }
                self.truncate(slot, n_prompt)?;
                m.generated_tokens += feed.len();
            }
            scores.push(CandidateScore {
                total_logprob: lps.iter().sum(),
                token_logprobs: lps,
            });
        }
        m.decode_time = t0.elapsed();
        Ok(JobOutput {
            text: String::new(),
            finish: FinishReason::Scored,
            scores,
            texts: Vec::new(),
            metrics: m,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_prob_is_normalised() {
        let l = [1.0f32, 2.0, 3.0];
        let total: f64 = (0..3).map(|i| super::log_prob(&l, i).exp()).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}"); // f32 log-softmax
        assert!(super::log_prob(&l, 2) > super::log_prob(&l, 0));
    }
}
