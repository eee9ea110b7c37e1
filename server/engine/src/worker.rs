//! The inference thread: owns the model's only context (one KV sequence per [`Slot`]), pops
//! jobs from the queue, applies budgets, and prefills prompts with prefix reuse and the
//! persistent KV cache. Generation and scoring loops live in `generate` and `score`.
//!
//! llama-cpp-2 has no setter for a live context's thread count, so when the thread policy
//! wants another count the context is rebuilt with it and every slot's KV sequence is carried
//! across with the crate's safe `state_seq_get`/`state_seq_set` (a memory copy, nothing is
//! evaluated again).

use crate::backend::ModelInfo;
use crate::config::{kv_dir, EngineConfig, KvType};
use crate::engine::{backend, LLAMA_BUILD};
use crate::error::EngineError;
use crate::job::{Job, JobKind, Metrics, OverflowPolicy, Slot};
use crate::kvstore::KvStore;
use crate::prefix::{plan, trim_middle, SlotState};
use crate::prompt::{prompt_tokens, PromptTokens};
use crate::queue::{JobQueue, Queued};
use crate::threads::ThreadPolicy;
use llama_cpp_2::context::params::{KvCacheType, LlamaContextParams};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::{LlamaChatTemplate, LlamaModel};
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::LlamaStateSeqFlags;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// State of the inference thread.
pub(crate) struct Worker<'m> {
    pub model: &'m LlamaModel,
    /// The weights scoring runs on: `model`, or its F16 copy (see `crate::scoring_weights`).
    scoring_model: &'m LlamaModel,
    pub ctx: LlamaContext<'m>,
    /// The context's parameters (thread counts aside), to rebuild it with another count.
    params: LlamaContextParams,
    pub slots: [SlotState; 4],
    pub info: ModelInfo,
    pub n_ctx_seq: usize,
    /// Prefill chunk: one llama.cpp micro-batch, so a cancel waits for at most one of them.
    pub n_batch: usize,
    pub(crate) store: Option<KvStore>,
    min_persist: usize,
    template: Option<LlamaChatTemplate>,
    policy: ThreadPolicy,
    threads: usize,
    /// Decides draft lengths for speculative decoding from measured decode costs.
    pub spec: crate::draft::SpecController,
    pub always_draft: bool,
    /// The queue's shutdown flag.
    pub stopped: Arc<AtomicBool>,
    /// Context for plain-text scoring, made on first use (and again when the thread count
    /// changes).
    scorer: Option<crate::scorer::Scorer<'m>>,
}

/// Stop conditions checked between decode steps.
pub(crate) struct Control<'a> {
    pub cancel: &'a AtomicBool,
    /// The engine is shutting down.
    pub stopped: &'a AtomicBool,
    pub deadline: Option<Instant>,
}

impl Control<'_> {
    /// `Err` if the job must stop now.
    pub fn check(&self, generated_tokens: usize) -> Result<(), EngineError> {
        if self.cancel.load(Ordering::SeqCst) || self.stopped.load(Ordering::SeqCst) {
            return Err(EngineError::Cancelled { generated_tokens });
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(EngineError::DeadlineExceeded);
        }
        Ok(())
    }
}

/// What the inference thread hands back once the model is loaded: the model (shared only for
/// read-only tokenization) and its facts.
pub(crate) type Ready = Result<(Arc<LlamaModel>, ModelInfo), EngineError>;

/// Thread entry point: load, create the context, then serve the queue until shutdown.
pub(crate) fn run(cfg: EngineConfig, queue: Arc<JobQueue>, ready: mpsc::Sender<Ready>) {
    let loaded = crate::engine::load_model(&cfg.model_path)
        .map_err(EngineError::from)
        .and_then(|(model, summary)| {
            let info = crate::engine::model_info(&model, &summary, &cfg)?;
            Ok((Arc::new(model), info, summary))
        });
    let (model, mut info, summary) = match loaded {
        Ok(x) => x,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let scoring = crate::engine::scoring_model(&cfg, &summary, &mut info);
    let scoring_model = scoring.as_ref().unwrap_or(&model);
    let mut worker = match Worker::new(&model, scoring_model, &cfg, info.clone()) {
        Ok(w) => w,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    worker.stopped = queue.stopped_flag();
    let _ = ready.send(Ok((model.clone(), info)));
    while let Some(q) = queue.pop() {
        let Queued {
            job,
            reply,
            submitted,
        } = q;
        if reply.is_closed() {
            continue;
        }
        let queue_time = submitted.elapsed();
        let slot = job.slot;
        let result = worker.run_job(job, queue_time);
        if matches!(
            result,
            Err(EngineError::Decode(_) | EngineError::Backend(_))
        ) {
            // The KV state of the slot is unknown after a failed decode: start it over.
            worker.reset_slot(slot);
        }
        if let Ok(out) = &result {
            let m = &out.metrics;
            tracing::debug!(
                prompt = m.prompt_tokens,
                reused = m.reused_tokens,
                restored = m.restored_tokens,
                evaluated = m.evaluated_tokens,
                generated = m.generated_tokens,
                draft_proposed = m.draft_proposed,
                draft_accepted = m.draft_accepted,
                prefill_ms = m.prefill_time.as_secs_f64() * 1e3,
                decode_ms = m.decode_time.as_secs_f64() * 1e3,
                queue_ms = m.queue_time.as_secs_f64() * 1e3,
                threads = m.threads,
                "job done"
            );
        }
        let _ = reply.send(result);
    }
}

impl<'m> Worker<'m> {
    fn new(
        model: &'m LlamaModel,
        scoring_model: &'m LlamaModel,
        cfg: &EngineConfig,
        info: ModelInfo,
    ) -> Result<Self, EngineError> {
        let n_slots = Slot::ALL.len() as u32;
        let mut policy = ThreadPolicy::new(cfg.threads);
        let threads = policy.threads();
        let kv = match cfg.kv_type {
            KvType::F16 => KvCacheType::F16,
            KvType::Q8_0 => KvCacheType::Q8_0,
        };
        let per_slot = info.context_per_slot;
        let mut params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(per_slot * n_slots))
            .with_n_batch(per_slot)
            .with_n_ubatch(per_slot.min(512))
            .with_n_seq_max(n_slots)
            .with_type_k(kv)
            .with_type_v(kv)
            .with_kv_unified(false);
        if cfg.kv_type == KvType::Q8_0 {
            // A quantized V cache needs flash attention.
            params =
                params.with_flash_attention_policy(llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_ENABLED);
        }
        let ctx = new_context(model, &params, threads)?;
        let n_ctx_seq = (ctx.n_ctx() / n_slots) as usize;
        let n_batch = ctx.n_ubatch().min(ctx.n_batch()) as usize;
        let store = (!cfg.disable_kv_persistence).then(|| {
            let root = cfg.cache_dir.clone().unwrap_or_else(kv_dir);
            KvStore::new(
                &root,
                &info.fingerprint,
                LLAMA_BUILD,
                n_ctx_seq as u32,
                cfg.kv_type.name(),
                cfg.kv_cache_max_bytes,
            )
        });
        let template = match model.chat_template(None) {
            Ok(t) => Some(t),
            Err(_) => cfg
                .chat_template
                .as_deref()
                .and_then(|s| LlamaChatTemplate::new(s).ok()),
        };
        Ok(Self {
            model,
            scoring_model,
            ctx,
            params,
            slots: Default::default(),
            info,
            n_ctx_seq,
            n_batch,
            store,
            min_persist: cfg.min_persist_tokens.max(1),
            template,
            policy,
            threads,
            spec: Default::default(),
            always_draft: cfg.always_draft,
            stopped: Arc::default(),
            scorer: None,
        })
    }

    /// Applies the thread policy's current count: rebuilds the context with it when it
    /// changed, carrying each slot's KV sequence over (a slot whose state cannot be carried
    /// starts empty; correctness never depends on what a slot holds).
    fn set_threads(&mut self) -> Result<(), EngineError> {
        let n = self.policy.threads();
        if n == self.threads {
            return Ok(());
        }
        let flags = LlamaStateSeqFlags::empty();
        let saved: Vec<_> = Slot::ALL
            .iter()
            .filter(|s| !self.slots[s.seq_id() as usize].tokens.is_empty())
            .map(|s| (*s, self.ctx.state_seq_get(s.seq_id(), flags)))
            .collect();
        self.ctx = new_context(self.model, &self.params, n)?;
        for (slot, state) in saved {
            let carried = state.map_err(|e| e.to_string()).and_then(|st| {
                self.ctx
                    .state_seq_set(&st, slot.seq_id())
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = carried {
                tracing::debug!(slot = slot.name(), "KV sequence not carried over: {e}");
                self.reset_slot(slot);
            }
        }
        tracing::debug!(threads = n, "llama.cpp threads changed (context rebuilt)");
        self.threads = n;
        Ok(())
    }

    fn run_job(
        &mut self,
        job: Job,
        queue_time: Duration,
    ) -> Result<crate::job::JobOutput, EngineError> {
        let stopped = self.stopped.clone();
        let control = Control {
            cancel: &job.cancel,
            stopped: &stopped,
            deadline: job.deadline,
        };
        control.check(0)?;
        self.set_threads()?;
        let prompt = match &job.kind {
            JobKind::Generate(r) => &r.prompt,
            JobKind::Score(r) => &r.prompt,
            JobKind::Likelihood(r) => return self.likelihood(r, &control, queue_time),
        };
        let mut tokens =
            prompt_tokens(self.model, self.template.as_ref(), &self.info.name, prompt)?;
        if tokens.is_empty() {
            return Err(EngineError::InvalidJob("empty prompt".into()));
        }
        let extra = match &job.kind {
            JobKind::Generate(r) => r.max_tokens,
            JobKind::Score(r) => {
                let v = self.model.vocab();
                r.candidates
                    .iter()
                    .map(|c| v.tokenize(c.as_bytes(), false, false).len())
                    .max()
                    .unwrap_or(0)
            }
            JobKind::Likelihood(_) => 0,
        };
        let budget = job
            .budget_tokens
            .unwrap_or(self.info.default_budget)
            .min(self.n_ctx_seq);
        if tokens.len() + extra > budget {
            let trimmed = match job.overflow {
                OverflowPolicy::TrimStableMiddle => {
                    trim_middle(&tokens.stable, tokens.tail.len() + extra, budget)
                }
                OverflowPolicy::Refuse => None,
            };
            match trimmed {
                Some(stable) => tokens.stable = stable,
                None => {
                    return Err(EngineError::ContextOverflow {
                        prompt_tokens: tokens.len(),
                        max_tokens: extra,
                        budget,
                    })
                }
            }
        }
        let mut metrics = Metrics {
            queue_time,
            threads: self.threads,
            ..Metrics::default()
        };
        let t0 = Instant::now();
        let last = self.prefill(job.slot, &tokens, &control, &mut metrics)?;
        metrics.prefill_time = t0.elapsed();
        match job.kind {
            JobKind::Generate(req) => self.generate(job.slot, req, last, &control, metrics),
            JobKind::Score(req) => self.score(job.slot, &req, last, &control, metrics),
            JobKind::Likelihood(_) => unreachable!("handled before the prompt"),
        }
    }

    /// Runs a likelihood job on the scoring context (made here on first use, or again with its
    /// texts carried over when the thread policy now wants another count).
    fn likelihood(
        &mut self,
        req: &crate::likelihood::LikelihoodRequest,
        control: &Control<'_>,
        queue_time: Duration,
    ) -> Result<crate::job::JobOutput, EngineError> {
        let threads = self.policy.threads();
        if self.scorer.as_ref().map(crate::scorer::Scorer::threads) != Some(threads) {
            self.scorer = Some(match self.scorer.take() {
                Some(old) => old.with_threads(threads)?,
                None => crate::scorer::Scorer::new(self.scoring_model, threads)?,
            });
        }
        let mut metrics = Metrics {
            queue_time,
            threads,
            ..Metrics::default()
        };
        let t0 = Instant::now();
        let scorer = self.scorer.as_mut().expect("made above");
        let result = scorer.run(req, control, &mut metrics);
        if matches!(
            result,
            Err(EngineError::Decode(_) | EngineError::Backend(_))
        ) {
            self.scorer = None; // unknown KV state: start over next time
        }
        metrics.decode_time = t0.elapsed();
        Ok(crate::job::JobOutput {
            text: String::new(),
            finish: crate::job::FinishReason::Scored,
            scores: Vec::new(),
            texts: result?,
            metrics,
        })
    }

    /// Makes the slot's KV hold exactly the prompt; returns the batch index of the last prompt
    /// token's logits.
    fn prefill(
        &mut self,
        slot: Slot,
        p: &PromptTokens,
        control: &Control<'_>,
        m: &mut Metrics,
    ) -> Result<i32, EngineError> {
        let seq = slot.seq_id();
        let prompt = p.all();
        let split = p.stable.len();
        m.prompt_tokens = prompt.len();
        let mut reuse = plan(&self.slots[seq as usize].tokens, &prompt);
        let persist = self.store.is_some() && split >= self.min_persist && split < prompt.len();
        if persist && reuse.keep < split {
            if let Some(n) = self.restore(slot, &p.stable, control) {
                m.restored_tokens = n;
            }
            // Re-plan either way: a failed restore leaves the slot empty.
            reuse = plan(&self.slots[seq as usize].tokens, &prompt);
        }
        if persist
            && reuse.keep < split
            && !self.store.as_ref().is_some_and(|s| s.contains(&p.stable))
        {
            // A file is only written from a full, uninterrupted evaluation of its prefix: from
            // position 0, in this job, the stable part alone (so exactly it can be saved).
            self.truncate(slot, 0)?;
            m.reused_tokens = 0;
            m.evaluated_tokens = prompt.len();
            self.decode_tokens(slot, &prompt[..split], control)?;
            self.persist(slot, &p.stable, control)?;
            return self.decode_tokens(slot, &prompt[split..], control);
        }
        self.truncate(slot, reuse.keep)?;
        m.reused_tokens = reuse.keep;
        m.evaluated_tokens = prompt.len() - reuse.keep;
        self.decode_tokens(slot, &prompt[reuse.keep..], control)
    }

    /// Empties the slot's KV sequence.
    pub(crate) fn reset_slot(&mut self, slot: Slot) {
        let _ = self
            .ctx
            .clear_kv_cache_seq(Some(slot.seq_id() as u32), None, None);
        self.slots[slot.seq_id() as usize].tokens.clear();
    }

    /// Removes positions `keep..` from the slot.
    pub(crate) fn truncate(&mut self, slot: Slot, keep: usize) -> Result<(), EngineError> {
        let st = &mut self.slots[slot.seq_id() as usize];
        if keep < st.tokens.len() {
            self.ctx
                .clear_kv_cache_seq(Some(slot.seq_id() as u32), Some(keep as u32), None)
                .map_err(|e| EngineError::Backend(format!("kv seq rm: {e}")))?;
            st.tokens.truncate(keep);
        }
        Ok(())
    }

    /// Decodes `tokens` at the end of the slot in micro-batch chunks, logits for the last one
    /// only; returns its batch index. Checks the control flags between chunks.
    pub(crate) fn decode_tokens(
        &mut self,
        slot: Slot,
        tokens: &[LlamaToken],
        control: &Control<'_>,
    ) -> Result<i32, EngineError> {
        let seq = slot.seq_id();
        let mut last = -1;
        for (ci, chunk) in tokens.chunks(self.n_batch.max(1)).enumerate() {
            if ci > 0 {
                control.check(0)?;
            }
            let base = self.slots[seq as usize].tokens.len();
            if base + chunk.len() > self.n_ctx_seq {
                return Err(EngineError::ContextOverflow {
                    prompt_tokens: base + chunk.len(),
                    max_tokens: 0,
                    budget: self.n_ctx_seq,
                });
            }
            let mut batch = LlamaBatch::new(chunk.len(), 1);
            for (i, t) in chunk.iter().enumerate() {
                let is_last = ci * self.n_batch + i + 1 == tokens.len();
                batch
                    .add(*t, (base + i) as i32, &[seq], is_last)
                    .map_err(|e| EngineError::Decode(e.to_string()))?;
            }
            self.ctx
                .decode(&mut batch)
                .map_err(|e| EngineError::Decode(e.to_string()))?;
            self.slots[seq as usize].tokens.extend_from_slice(chunk);
            last = chunk.len() as i32 - 1;
        }
        Ok(last)
    }
}

/// A context on `model` with `params` and `threads` compute threads.
fn new_context<'m>(
    model: &'m LlamaModel,
    params: &LlamaContextParams,
    threads: usize,
) -> Result<LlamaContext<'m>, EngineError> {
    let params = params
        .clone()
        .with_n_threads(threads as i32)
        .with_n_threads_batch(threads as i32);
    model
        .new_context(backend(), params)
        .map_err(|e| EngineError::Backend(format!("cannot create context: {e}")))
}
