//! Generation loop: greedy (own argmax) or llama.cpp sampler chain (temperature, top-p, min-p,
//! optional GBNF grammar), stop strings, max tokens, cancellation/deadline between decode steps,
//! and speculative rewrite decoding: K tokens drafted from `draft_source` are verified in one
//! batch with logits at every position; the longest greedy-consistent run is kept and the
//! rejected KV entries are removed, so the output equals plain greedy decoding. The draft length
//! per step comes from [`crate::draft::SpecController`] (0 when drafting cannot pay).
//!
//! Caveat (inherent to llama.cpp, not to drafting): logits depend slightly on how tokens were
//! batched, so at exact near-ties two greedy runs from different cache states (e.g. cold vs.
//! prefix-reused) can pick different tokens. Identity is therefore tested from equivalent cache
//! states; on the tiny model and SmolLM2 test paragraphs it holds exactly.

use crate::draft::DraftTracker;
use crate::error::EngineError;
use crate::job::{FinishReason, GenerateRequest, JobOutput, Metrics, Slot};
use crate::worker::{Control, Worker};
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::time::Instant;

/// Index of the largest logit (first one on ties).
pub(crate) fn argmax(logits: &[f32]) -> LlamaToken {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    LlamaToken::new(best as i32)
}

/// Output accumulation and stop conditions.
struct Output<'r> {
    bytes: Vec<u8>,
    tokens: Vec<LlamaToken>,
    stop: &'r [String],
    max_tokens: usize,
    finish: Option<FinishReason>,
    on_token: Option<&'r mut crate::job::TokenCallback>,
}

impl Output<'_> {
    /// Accepts one token; returns true when generation must end.
    fn push(&mut self, w: &Worker<'_>, tok: LlamaToken) -> bool {
        self.tokens.push(tok);
        if w.model.vocab().is_eog(tok) {
            self.finish = Some(FinishReason::EndOfText);
            return true;
        }
        let piece = w.model.vocab().token_to_piece(tok, false, None);
        let from = self
            .bytes
            .len()
            .saturating_sub(self.stop.iter().map(String::len).max().unwrap_or(0));
        self.bytes.extend_from_slice(&piece);
        if let Some(cb) = self.on_token.as_mut() {
            cb(&String::from_utf8_lossy(&piece));
        }
        let hit = self
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| find(&self.bytes[from..], s.as_bytes()).map(|i| from + i))
            .min();
        if let Some(i) = hit {
            self.bytes.truncate(i);
            self.finish = Some(FinishReason::Stop);
            return true;
        }
        if self.tokens.len() >= self.max_tokens {
            self.finish = Some(FinishReason::MaxTokens);
            return true;
        }
        false
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Worker<'_> {
    fn sampler(&self, req: &GenerateRequest) -> Result<Option<LlamaSampler>, EngineError> {
        let s = &req.sampling;
        if s.is_greedy() && req.grammar.is_none() {
            return Ok(None);
        }
        let mut chain = Vec::new();
        if let Some(g) = &req.grammar {
            let g = LlamaSampler::grammar(self.model, g, "root")
                .map_err(|e| EngineError::InvalidJob(format!("bad GBNF grammar: {e}")))?;
            chain.push(g);
        }
        if s.is_greedy() {
            chain.push(LlamaSampler::greedy());
        } else {
            if s.top_p < 1.0 {
                chain.push(LlamaSampler::top_p(s.top_p, 1));
            }
            if s.min_p > 0.0 {
                chain.push(LlamaSampler::min_p(s.min_p, 1));
            }
            chain.push(LlamaSampler::temp(s.temperature));
            chain.push(LlamaSampler::dist(s.seed));
        }
        Ok(Some(LlamaSampler::chain_simple(chain)))
    }

    pub(crate) fn generate(
        &mut self,
        slot: Slot,
        mut req: GenerateRequest,
        last_idx: i32,
        control: &Control<'_>,
        mut m: Metrics,
    ) -> Result<JobOutput, EngineError> {
        let t0 = Instant::now();
        let seq = slot.seq_id();
        let mut sampler = self.sampler(&req)?;
        let mut tracker = match (&req.draft_source, &sampler) {
            (Some(src), None) if req.draft_len > 0 => Some(DraftTracker::new(
                self.model.vocab().tokenize(src.as_bytes(), false, false),
            )),
            _ => None,
        };
        let mut out = Output {
            bytes: Vec::new(),
            tokens: Vec::new(),
            stop: &req.stop,
            max_tokens: req.max_tokens,
            finish: None,
            on_token: req.on_token.as_mut(),
        };
        if req.max_tokens == 0 {
            out.finish = Some(FinishReason::MaxTokens);
        }
        let mut pick = |w: &Worker<'_>, idx: i32| match sampler.as_mut() {
            Some(s) => s.sample(&w.ctx, idx),
            None => argmax(w.ctx.get_logits_ith(idx)),
        };
        let mut pending = LlamaToken::new(0);
        if out.finish.is_none() {
            let tok = pick(self, last_idx);
            let done = out.push(self, tok);
            if let Some(t) = tracker.as_mut() {
                t.advance(tok, &out.tokens);
            }
            pending = tok;
            if done {
                out.finish.get_or_insert(FinishReason::MaxTokens);
            }
        }
        while out.finish.is_none() {
            control.check(out.tokens.len())?;
            let n_past = self.slots[seq as usize].tokens.len();
            // Room after `pending` in the slot, and tokens still allowed.
            let room = self.n_ctx_seq.saturating_sub(n_past + 1);
            let left = req.max_tokens.saturating_sub(out.tokens.len() + 1);
            let draft: Vec<LlamaToken> = tracker
                .as_ref()
                .map(|t| {
                    let max_k = req.draft_len.min(room).min(left);
                    t.propose(if self.always_draft {
                        max_k
                    } else {
                        self.spec.draft_len(max_k)
                    })
                    .to_vec()
                })
                .unwrap_or_default();
            if n_past + 1 > self.n_ctx_seq {
                // Budget checks make this unreachable; never write past the slot.
                out.finish = Some(FinishReason::MaxTokens);
                break;
            }
            let mut batch = LlamaBatch::new(1 + draft.len(), 1);
            let dec =
                |e: llama_cpp_2::llama_batch::BatchAddError| EngineError::Decode(e.to_string());
            batch
                .add(pending, n_past as i32, &[seq], true)
                .map_err(dec)?;
            for (i, d) in draft.iter().enumerate() {
                batch
                    .add(*d, (n_past + 1 + i) as i32, &[seq], true)
                    .map_err(dec)?;
            }
            let t_step = Instant::now();
            self.ctx
                .decode(&mut batch)
                .map_err(|e| EngineError::Decode(e.to_string()))?;
            self.spec
                .observe_decode(1 + draft.len(), t_step.elapsed().as_secs_f64());
            let st = &mut self.slots[seq as usize].tokens;
            st.push(pending);
            st.extend_from_slice(&draft);
            m.draft_proposed += draft.len();
            let mut accepted = 0;
            for i in 0..=draft.len() {
                let tok = pick(self, i as i32);
                let done = out.push(self, tok);
                if let Some(t) = tracker.as_mut() {
                    t.advance(tok, &out.tokens);
                }
                pending = tok;
                if done || i == draft.len() || draft[i] != tok {
                    break;
                }
                accepted += 1;
            }
            m.draft_accepted += accepted;
            if !draft.is_empty() {
                self.spec.observe_acceptance(draft.len(), accepted);
            }
            self.truncate(slot, n_past + 1 + accepted)?;
            if out.finish.is_none() {
                // Checked before the next decode so a cancel costs at most the step in flight.
                control.check(out.tokens.len())?;
            }
        }
        m.generated_tokens = out.tokens.len();
        m.decode_time = t0.elapsed();
        let finish = out.finish.unwrap_or(FinishReason::MaxTokens);
        Ok(JobOutput {
            text: String::from_utf8_lossy(&out.bytes).into_owned(),
            finish,
            scores: Vec::new(),
            texts: Vec::new(),
            metrics: m,
        })
    }
}
