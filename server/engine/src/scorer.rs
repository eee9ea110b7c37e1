//! The in-process side of [`crate::likelihood`]: a second llama.cpp context on the inference
//! thread, only for plain-text scoring, with a unified KV cache so that a text's prefix can be
//! shared with its variants for free (`seq_cp` only tags cells).
//!
//! * Base sequences (`0..BASES`) hold whole texts with every token's log-probability; a text
//!   whose tokens a base already holds (the detection pass of the same region, a paragraph
//!   that did not change) is not decoded again, and one that shares a prefix decodes only
//!   the rest. Bases that a request does not use are dropped: each decode attends over the
//!   cache up to its highest used cell, so stale texts made every token cost more (a 128-token
//!   batch took 20–40 % longer beside 2000–3000 cells of other texts, FlashAttention on).
//! * Variant sequences (`BASES..`) get a copy of their text's prefix up to the edit and decode
//!   only the changed tokens up to the variant's `until`; many variants go in one batch.
//! * Batches are cut so that at most `max_outputs` positions ask for logits (the logits buffer
//!   is `outputs x vocabulary` floats).

use crate::engine::backend;
use crate::error::EngineError;
use crate::job::Metrics;
use crate::likelihood::{
    piece_ranges, token_at_or_after, LikelihoodRequest, TextScores, TokenScore, VariantScore,
};
use crate::prefix::common_prefix;
use crate::worker::Control;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::ops::Range;

/// Base sequences (texts kept with their scores).
const BASES: usize = 8;
/// Variant sequences decoded in one batch.
const VARIANT_SEQS: usize = 24;
/// KV cells of the scoring context (all sequences together).
const CELLS: u32 = 4096;
/// Longest text (with preamble) a request may hold, in tokens.
pub const MAX_TEXT_TOKENS: usize = 1024;
/// A shared prefix shorter than this (tokens: the preamble, a word) is decoded again rather
/// than kept: the text then goes to the free cells at the front of the cache, and the span
/// that each decode attends over stays short.
const SHORT_PREFIX: usize = 4;
/// Logits buffer budget: outputs per batch are capped so `outputs x vocab x 4 B` stays near it.
const LOGITS_BYTES: usize = 64 << 20;

#[derive(Default)]
struct Base {
    tokens: Vec<LlamaToken>,
    /// `(logprob, top logprob)` of token `i` given the tokens before it; entry 0 unused.
    scores: Vec<(f32, f32)>,
    used: u64,
}

/// The scoring context and what its sequences hold.
pub(crate) struct Scorer<'m> {
    model: &'m LlamaModel,
    ctx: LlamaContext<'m>,
    threads: usize,
    bases: Vec<Base>,
    max_outputs: usize,
    n_batch: usize,
    tick: u64,
}

/// A variant to decode: on a copy of its text's base `seq` up to position `k - 1`, the tokens
/// `feed` (from position `k - 1`), for variant `variant` of group text `text`.
struct Plan {
    text: usize,
    seq: usize,
    variant: usize,
    k: usize,
    feed: Vec<LlamaToken>,
    score: VariantScore,
}

/// One request text, tokenized.
struct Prepared {
    tokens: Vec<LlamaToken>,
    /// Byte ranges (in the text) of `tokens[pre..]`.
    ranges: Vec<Range<usize>>,
}

/// Natural-log softmax of `token` and of the best token under `logits`. Logits more than 30
/// below the best add less than e^-30 each to the normaliser (under 1e-8 for a 100k vocabulary,
/// together), so only the others are exponentiated: a few hundred instead of every entry.
pub(crate) fn log_probs(logits: &[f32], token: usize) -> (f32, f32) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let floor = max - 30.0;
    let sum: f64 = logits
        .iter()
        .filter(|&&l| l > floor)
        .map(|&l| ((l - max) as f64).exp())
        .sum();
    let norm = max as f64 + sum.ln();
    (
        (logits[token] as f64 - norm) as f32,
        (max as f64 - norm) as f32,
    )
}

/// [`log_probs`] of every `(logits, token)`, on up to `threads` threads: llama.cpp's threads
/// wait meanwhile, and one softmax over a large vocabulary costs a tenth of a small model's
/// forward pass per token.
fn all_log_probs(wanted: &[(&[f32], usize)], threads: usize) -> Vec<(f32, f32)> {
    let one = |chunk: &[(&[f32], usize)]| -> Vec<(f32, f32)> {
        chunk.iter().map(|(l, t)| log_probs(l, *t)).collect()
    };
    let threads = threads.clamp(1, 8);
    if threads == 1 || wanted.len() < 16 {
        return one(wanted);
    }
    let size = wanted.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = wanted
            .chunks(size)
            .map(|chunk| scope.spawn(move || one(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("softmax thread"))
            .collect()
    })
}

impl<'m> Scorer<'m> {
    pub(crate) fn new(model: &'m LlamaModel, threads: usize) -> Result<Self, EngineError> {
        let n_vocab = model.n_vocab().max(1) as usize;
        let max_outputs = (LOGITS_BYTES / (n_vocab * 4)).clamp(32, 512);
        let n_batch = 1024u32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(CELLS))
            .with_n_batch(n_batch)
            .with_n_ubatch(512)
            .with_n_seq_max((BASES + VARIANT_SEQS) as u32)
            .with_n_threads(threads as i32)
            .with_n_threads_batch(threads as i32)
            .with_kv_unified(true);
        let ctx = model
            .new_context(backend(), params)
            .map_err(|e| EngineError::Backend(format!("cannot create the scoring context: {e}")))?;
        let bases = (0..BASES).map(|_| Base::default()).collect();
        Ok(Self {
            model,
            ctx,
            threads,
            bases,
            max_outputs,
            n_batch: n_batch as usize,
            tick: 0,
        })
    }

    /// Threads the context was made with.
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// This scorer on a new context with `threads` threads (llama-cpp-2 cannot change a live
    /// context's count). Each base's KV sequence is carried over (a memory copy), so the texts
    /// it holds are not decoded again: when the thread policy changes its count between a
    /// check's detection and its verification, verification still finds every detected text.
    /// A base that cannot be carried is dropped (its text is decoded again when needed).
    pub(crate) fn with_threads(mut self, threads: usize) -> Result<Self, EngineError> {
        let mut next = Scorer::new(self.model, threads)?;
        let flags = llama_cpp_2::LlamaStateSeqFlags::empty();
        for s in 0..BASES {
            if self.bases[s].tokens.is_empty() {
                continue;
            }
            let carried = self
                .ctx
                .state_seq_get(s as i32, flags)
                .map_err(|e| e.to_string())
                .and_then(|st| {
                    next.ctx
                        .state_seq_set(&st, s as i32)
                        .map_err(|e| e.to_string())
                });
            match carried {
                Ok(()) => next.bases[s] = std::mem::take(&mut self.bases[s]),
                Err(e) => {
                    tracing::debug!(base = s, "scoring base not carried over: {e}");
                    next.clear_base(s);
                }
            }
        }
        next.tick = self.tick;
        Ok(next)
    }

    fn prepare(&self, preamble: &[LlamaToken], text: &str) -> Prepared {
        let vocab = self.model.vocab();
        let own = vocab.tokenize(text.as_bytes(), false, false);
        let pieces: Vec<Vec<u8>> = own
            .iter()
            .map(|t| vocab.token_to_piece(*t, false, None))
            .collect();
        let joined: usize = pieces.iter().map(Vec::len).sum();
        // Tokenizers that add a space in front of the text (SentencePiece) have pieces one byte
        // longer than the text.
        let lead = usize::from(
            joined > text.len() && pieces.first().is_some_and(|p| p.first() == Some(&b' ')),
        );
        let ranges = piece_ranges(&pieces, text.len(), lead);
        let mut tokens = preamble.to_vec();
        tokens.extend(own);
        Prepared { tokens, ranges }
    }

    fn preamble(&self, text: &str) -> Vec<LlamaToken> {
        let vocab = self.model.vocab();
        let mut out = Vec::new();
        if vocab.should_add_bos() {
            out.push(vocab.bos());
        }
        out.extend(vocab.tokenize(text.as_bytes(), false, false));
        if out.is_empty() {
            out = vocab.tokenize(b"\n", false, false);
        }
        out
    }

    /// Runs a request: every text's token scores, then its variants.
    pub(crate) fn run(
        &mut self,
        req: &LikelihoodRequest,
        control: &Control<'_>,
        m: &mut Metrics,
    ) -> Result<Vec<TextScores>, EngineError> {
        let pre = self.preamble(&req.preamble);
        let prepared: Vec<Prepared> = req
            .texts
            .iter()
            .map(|t| self.prepare(&pre, &t.text))
            .collect();
        if let Some(long) = prepared.iter().find(|p| p.tokens.len() > MAX_TEXT_TOKENS) {
            return Err(EngineError::ContextOverflow {
                prompt_tokens: long.tokens.len(),
                max_tokens: 0,
                budget: MAX_TEXT_TOKENS,
            });
        }
        let mut out = Vec::with_capacity(prepared.len());
        let mut i = 0;
        while i < prepared.len() {
            // A group: as many texts as there are bases and cells for (always at least one).
            let mut cells = 0;
            let mut j = i;
            while j < prepared.len()
                && j - i < BASES
                && (j == i || cells + prepared[j].tokens.len() <= CELLS as usize / 2)
            {
                cells += prepared[j].tokens.len();
                j += 1;
            }
            let seqs = self.fill_bases(&prepared[i..j], control, m)?;
            for (k, p) in prepared[i..j].iter().enumerate() {
                let base = &self.bases[seqs[k]];
                let tokens = p.ranges.iter().enumerate().map(|(n, r)| {
                    let (logprob, top_logprob) = base.scores[pre.len() + n];
                    TokenScore {
                        range: r.clone(),
                        logprob,
                        top_logprob,
                    }
                });
                out.push(TextScores {
                    tokens: tokens.collect(),
                    variants: Vec::new(),
                });
            }
            // Variants of every text of the group go to the model together: a text has few of
            // them, and small batches cost several times more per token.
            let group: Vec<(usize, &Prepared, &crate::likelihood::ScoreText)> = (i..j)
                .map(|t| (seqs[t - i], &prepared[t], &req.texts[t]))
                .collect();
            let scores = self.variants(&group, &pre, control, m)?;
            for (k, scores) in scores.into_iter().enumerate() {
                out[i + k].variants = scores;
            }
            i = j;
        }
        Ok(out)
    }

    /// Puts each text of the group into a base sequence (reusing what is there) and decodes
    /// what is missing; returns the sequence of each text.
    fn fill_bases(
        &mut self,
        group: &[Prepared],
        control: &Control<'_>,
        m: &mut Metrics,
    ) -> Result<Vec<usize>, EngineError> {
        self.tick += 1;
        let mut chosen: Vec<usize> = Vec::with_capacity(group.len());
        for p in group {
            let best = (0..BASES)
                .filter(|s| !chosen.contains(s))
                .max_by_key(|&s| {
                    (
                        common_prefix(&self.bases[s].tokens, &p.tokens),
                        u64::MAX - self.bases[s].used,
                    )
                })
                .expect("more bases than group members");
            chosen.push(best);
        }
        // Bases the group does not use go. Every decode attends over the cache up to its
        // highest used cell (one cache for all sequences), so stale texts would make each token
        // of the group cost more; keeping them pays only when a text comes back after others.
        for s in (0..BASES).filter(|s| !chosen.contains(s)) {
            if !self.bases[s].tokens.is_empty() {
                self.clear_base(s);
            }
        }
        // Entries: (seq, position, token, wants logits).
        let mut entries: Vec<(usize, usize, LlamaToken, bool)> = Vec::new();
        for (p, &s) in group.iter().zip(&chosen) {
            let base = &mut self.bases[s];
            base.used = self.tick;
            let common = common_prefix(&base.tokens, &p.tokens);
            m.prompt_tokens += p.tokens.len();
            if common == p.tokens.len() && base.tokens.len() == common {
                m.reused_tokens += common;
                continue;
            }
            // Logits at `from - 1` are needed to score token `from`, so that token is redone.
            let from = if common < SHORT_PREFIX { 0 } else { common - 1 };
            m.reused_tokens += from;
            self.ctx
                .clear_kv_cache_seq(Some(s as u32), Some(from as u32), None)
                .map_err(|e| EngineError::Backend(format!("kv seq rm: {e}")))?;
            let base = &mut self.bases[s];
            base.tokens.truncate(from);
            base.scores.resize(p.tokens.len(), (0.0, 0.0));
            for pos in from..p.tokens.len() {
                entries.push((s, pos, p.tokens[pos], pos + 1 < p.tokens.len()));
            }
        }
        let targets: Vec<Vec<LlamaToken>> = chosen
            .iter()
            .zip(group)
            .map(|(_, p)| p.tokens.clone())
            .collect();
        let results = self.decode(&entries, control, m, |entry| {
            let k = chosen
                .iter()
                .position(|&s| s == entry.0)
                .expect("entry of the group");
            targets[k][entry.1 + 1]
        })?;
        for ((s, pos, token, _), scored) in entries.iter().zip(results) {
            let base = &mut self.bases[*s];
            base.tokens.push(*token);
            if let Some(score) = scored {
                base.scores[pos + 1] = score;
            }
        }
        Ok(chosen)
    }

    /// Scores of the variants of each `(seq, prepared, text)` of a group; base sequence `seq`
    /// holds the text's tokens.
    fn variants(
        &mut self,
        group: &[(usize, &Prepared, &crate::likelihood::ScoreText)],
        pre: &[LlamaToken],
        control: &Control<'_>,
        m: &mut Metrics,
    ) -> Result<Vec<Vec<VariantScore>>, EngineError> {
        let mut scores: Vec<Vec<Option<VariantScore>>> = group
            .iter()
            .map(|(_, _, text)| vec![None; text.variants.len()])
            .collect();
        let mut plans = Vec::new();
        for (t, (seq, p, text)) in group.iter().enumerate() {
            for (vi, v) in text.variants.iter().enumerate() {
                let vtext = v.apply(&text.text);
                let vp = self.prepare(pre, &vtext);
                let k = common_prefix(&p.tokens, &vp.tokens).max(1);
                let until = v.until.clamp(v.range.end, text.text.len());
                let until_v = until + vtext.len() - text.text.len();
                let end_o = (pre.len() + token_at_or_after(&p.ranges, until)).max(k);
                let end_v = (pre.len() + token_at_or_after(&vp.ranges, until_v)).max(k);
                let original: f64 = self.bases[*seq].scores[k..end_o]
                    .iter()
                    .map(|s| s.0 as f64)
                    .sum();
                let score = VariantScore {
                    original,
                    variant: 0.0,
                    original_tokens: (end_o - k) as u32,
                    variant_tokens: (end_v - k) as u32,
                };
                if end_v == k {
                    scores[t][vi] = Some(score);
                } else {
                    let feed = vp.tokens[k - 1..end_v].to_vec();
                    plans.push(Plan {
                        text: t,
                        seq: *seq,
                        variant: vi,
                        k,
                        feed,
                        score,
                    });
                }
            }
        }
        let mut start = 0;
        while start < plans.len() {
            // A batch: up to VARIANT_SEQS variants and max_outputs positions.
            let mut end = start;
            let mut outputs = 0;
            while end < plans.len()
                && end - start < VARIANT_SEQS
                && (end == start || outputs + plans[end].feed.len() - 1 <= self.max_outputs)
            {
                outputs += plans[end].feed.len() - 1;
                end += 1;
            }
            let mut entries = Vec::new();
            for (n, plan) in plans[start..end].iter().enumerate() {
                let vs = BASES + n;
                self.ctx
                    .clear_kv_cache_seq(Some(vs as u32), None, None)
                    .map_err(|e| EngineError::Backend(e.to_string()))?;
                if plan.k > 1 {
                    self.ctx
                        .copy_kv_cache_seq(
                            plan.seq as i32,
                            vs as i32,
                            Some(0),
                            Some((plan.k - 1) as u32),
                        )
                        .map_err(|e| EngineError::Backend(e.to_string()))?;
                }
                for (i, t) in plan.feed.iter().enumerate() {
                    entries.push((vs, plan.k - 1 + i, *t, i + 1 < plan.feed.len()));
                }
            }
            let batch_plans = &plans[start..end];
            let results = self.decode(&entries, control, m, |e| {
                let plan = &batch_plans[e.0 - BASES];
                plan.feed[e.1 + 1 - (plan.k - 1)]
            })?;
            let mut sums = vec![0.0f64; end - start];
            for (e, r) in entries.iter().zip(results) {
                if let Some((lp, _)) = r {
                    sums[e.0 - BASES] += lp as f64;
                }
            }
            for (n, plan) in plans[start..end].iter().enumerate() {
                scores[plan.text][plan.variant] = Some(VariantScore {
                    variant: sums[n],
                    ..plan.score.clone()
                });
                let _ = self
                    .ctx
                    .clear_kv_cache_seq(Some((BASES + n) as u32), None, None);
            }
            m.generated_tokens += entries.len();
            start = end;
        }
        Ok(scores
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|s| s.expect("every variant scored"))
                    .collect()
            })
            .collect())
    }

    /// Decodes `entries` (seq, position, token, wants logits) in batches of at most `n_batch`
    /// tokens and `max_outputs` logits; returns, per entry that wants logits, the scores of the
    /// token `next(entry)` that follows it.
    fn decode(
        &mut self,
        entries: &[(usize, usize, LlamaToken, bool)],
        control: &Control<'_>,
        m: &mut Metrics,
        next: impl Fn(&(usize, usize, LlamaToken, bool)) -> LlamaToken,
    ) -> Result<Vec<Option<(f32, f32)>>, EngineError> {
        let mut out = Vec::with_capacity(entries.len());
        let mut i = 0;
        while i < entries.len() {
            control.check(0)?;
            let mut j = i;
            let mut outputs = 0;
            while j < entries.len()
                && j - i < self.n_batch
                && outputs + usize::from(entries[j].3) <= self.max_outputs
            {
                outputs += usize::from(entries[j].3);
                j += 1;
            }
            let mut batch = LlamaBatch::new(j - i, 1);
            for &(seq, pos, token, logits) in &entries[i..j] {
                batch
                    .add(token, pos as i32, &[seq as i32], logits)
                    .map_err(|e| EngineError::Decode(e.to_string()))?;
            }
            self.ctx
                .decode(&mut batch)
                .map_err(|e| EngineError::Decode(e.to_string()))?;
            // (logits, next token) of each position that asked for logits.
            let wanted: Vec<(&[f32], usize)> = entries[i..j]
                .iter()
                .enumerate()
                .filter(|(_, e)| e.3)
                .map(|(b, e)| (self.ctx.get_logits_ith(b as i32), next(e).0 as usize))
                .collect();
            let mut scores = all_log_probs(&wanted, self.threads).into_iter();
            for entry in &entries[i..j] {
                out.push(if entry.3 { scores.next() } else { None });
            }
            m.evaluated_tokens += j - i;
            i = j;
        }
        Ok(out)
    }

    fn clear_base(&mut self, s: usize) {
        let _ = self.ctx.clear_kv_cache_seq(Some(s as u32), None, None);
        self.bases[s] = Base::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::likelihood::ScoreText;
    use std::sync::atomic::AtomicBool;

    /// Detection then verification of a check may run on different thread counts: the texts
    /// decoded before the change are still there after it (nothing decoded again, same scores).
    #[test]
    fn a_thread_change_keeps_the_decoded_texts() {
        let Some(path) = crate::test_support::real_model() else {
            return;
        };
        let (model, _) = crate::engine::load_model(&path).unwrap();
        let req = LikelihoodRequest {
            preamble: "\n".into(),
            texts: vec![
                ScoreText::plain("The weather was nice yesterday, so we went for a walk."),
                ScoreText::plain("She dont like apples, but she eat them anyway."),
            ],
        };
        let (cancel, stopped) = (AtomicBool::new(false), AtomicBool::new(false));
        let control = Control {
            cancel: &cancel,
            stopped: &stopped,
            deadline: None,
        };
        let mut scorer = Scorer::new(&model, 1).unwrap();
        let mut before = Metrics::default();
        let first = scorer.run(&req, &control, &mut before).unwrap();
        assert!(before.evaluated_tokens > 20, "{before:?}");
        let mut scorer = scorer.with_threads(2).unwrap();
        assert_eq!(scorer.threads(), 2);
        let mut after = Metrics::default();
        let again = scorer.run(&req, &control, &mut after).unwrap();
        assert_eq!(after.evaluated_tokens, 0, "{after:?}");
        for (a, b) in first.iter().zip(&again) {
            let logprobs = |t: &TextScores| t.tokens.iter().map(|s| s.logprob).collect::<Vec<_>>();
            assert_eq!(logprobs(a), logprobs(b));
        }
    }

    #[test]
    fn log_probs_on_threads_equal_one_thread_in_order() {
        let rows: Vec<Vec<f32>> = (0..40)
            .map(|r| {
                (0..1000)
                    .map(|i| ((i * 31 + r * 7) % 97) as f32 / 9.0)
                    .collect()
            })
            .collect();
        let wanted: Vec<(&[f32], usize)> = rows
            .iter()
            .enumerate()
            .map(|(r, l)| (l.as_slice(), r * 13))
            .collect();
        let one = super::all_log_probs(&wanted, 1);
        assert_eq!(one.len(), 40);
        assert_eq!(super::all_log_probs(&wanted, 3), one);
        assert_eq!(one[5], super::log_probs(&rows[5], 65));
    }

    #[test]
    fn log_probs_match_the_full_softmax() {
        let logits: Vec<f32> = (0..50_000)
            .map(|i| ((i * 7919) % 1000) as f32 / 40.0 - 10.0)
            .collect();
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let norm = max
            + logits
                .iter()
                .map(|&l| (l as f64 - max).exp())
                .sum::<f64>()
                .ln();
        for token in [0, 17, 4_999, 49_999] {
            let (lp, top) = super::log_probs(&logits, token);
            assert!(
                (lp as f64 - (logits[token] as f64 - norm)).abs() < 1e-4,
                "{token}"
            );
            assert!((top as f64 - (max - norm)).abs() < 1e-4);
        }
    }
}
