//! Plain data in and out of the engine: [`Job`] (what to run, where, how urgently, with which
//! budget), prompts as stable prefix + changing tail, sampling settings, and [`JobOutput`] with
//! its [`Metrics`].

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A KV-cache sequence reserved for one kind of task, so their prefixes do not evict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Proofreading.
    Proofread,
    /// Translation.
    Translate,
    /// Code suggestions.
    Suggest,
    /// Anything else (scoring, one-offs).
    Scratch,
}

impl Slot {
    /// All slots, in sequence-id order.
    pub const ALL: [Slot; 4] = [
        Slot::Proofread,
        Slot::Translate,
        Slot::Suggest,
        Slot::Scratch,
    ];

    /// llama.cpp sequence id of the slot.
    pub fn seq_id(self) -> i32 {
        self as i32
    }

    /// Lower-case name (used in cache file names and logs).
    pub fn name(self) -> &'static str {
        match self {
            Slot::Proofread => "proofread",
            Slot::Translate => "translate",
            Slot::Suggest => "suggest",
            Slot::Scratch => "scratch",
        }
    }
}

/// Queue priority: all interactive jobs run before any background job (FIFO within a level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// The user is waiting (hover, code action, completion).
    Interactive,
    /// Opportunistic work (whole-document checks).
    Background,
}

/// A prompt as already-rendered text: `stable` (instructions, examples, file context) first,
/// then `tail` (the part that changes). Tokenized separately, so the stable tokens never depend
/// on the tail; the evaluated stable prefix is what gets persisted to disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Stable prefix text (special tokens like `<|im_start|>` are parsed).
    pub stable: String,
    /// Changing tail text.
    pub tail: String,
}

/// How the prompt is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptInput {
    /// Chat: rendered with the model's chat template (or the configured fallback) as
    /// `[system, user(stable + tail)]` plus the assistant opening. Everything up to the end of
    /// `user_stable` is the stable prefix. User text is tokenized as plain text (special-token
    /// strings in it stay text).
    Chat {
        /// System message.
        system: String,
        /// Stable start of the user message (e.g. instructions, document context).
        user_stable: String,
        /// Changing end of the user message (e.g. the paragraph to check).
        user_tail: String,
    },
    /// Fill-in-the-middle with the model's FIM tokens: `<PRE>prefix<SUF>suffix<MID>`.
    Fim {
        /// Text before the cursor.
        prefix: String,
        /// Text after the cursor.
        suffix: String,
    },
    /// Pre-rendered text.
    Raw(Prompt),
}

/// Sampling settings. `temperature <= 0` means greedy (the default).
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Softmax temperature; `<= 0.0` selects greedy decoding.
    pub temperature: f32,
    /// Nucleus sampling threshold (1.0 = off).
    pub top_p: f32,
    /// Min-p threshold (0.0 = off).
    pub min_p: f32,
    /// RNG seed for sampling.
    pub seed: u32,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_p: 1.0,
            min_p: 0.0,
            seed: 0,
        }
    }
}

impl Sampling {
    /// Whether this is plain greedy decoding.
    pub fn is_greedy(&self) -> bool {
        self.temperature <= 0.0
    }
}

/// Called with each generated text piece (bytes of one token, lossily decoded) as it is accepted.
pub type TokenCallback = Box<dyn FnMut(&str) + Send>;

/// Text generation request.
pub struct GenerateRequest {
    /// The prompt.
    pub prompt: PromptInput,
    /// Sampling settings (greedy by default).
    pub sampling: Sampling,
    /// Maximum tokens to generate.
    pub max_tokens: usize,
    /// Output is cut at the first occurrence of any of these, and decoding stops.
    pub stop: Vec<String>,
    /// Optional GBNF grammar (root rule `root`).
    pub grammar: Option<String>,
    /// Text the output is expected to closely follow (e.g. the input of a proofreading rewrite):
    /// enables speculative drafting from it. Greedy-only; output is identical to plain greedy
    /// (see the near-tie caveat in the `generate` module docs).
    pub draft_source: Option<String>,
    /// Maximum tokens drafted per verification batch (default 8); the engine drafts fewer (or
    /// none) when its cost model says drafting does not pay on this machine.
    pub draft_len: usize,
    /// Optional streaming callback.
    pub on_token: Option<TokenCallback>,
}

impl GenerateRequest {
    /// Greedy request with no stop strings, grammar or draft.
    pub fn new(prompt: PromptInput, max_tokens: usize) -> Self {
        Self {
            prompt,
            sampling: Sampling::default(),
            max_tokens,
            stop: Vec::new(),
            grammar: None,
            draft_source: None,
            draft_len: 8,
            on_token: None,
        }
    }
}

impl std::fmt::Debug for GenerateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenerateRequest")
            .field("prompt", &self.prompt)
            .field("sampling", &self.sampling)
            .field("max_tokens", &self.max_tokens)
            .field("stop", &self.stop)
            .field("grammar", &self.grammar.is_some())
            .field("draft_source", &self.draft_source.is_some())
            .finish_non_exhaustive()
    }
}

/// Likelihood scoring: log-probability of each candidate continuation after the prompt.
#[derive(Debug, Clone)]
pub struct ScoreRequest {
    /// The prompt.
    pub prompt: PromptInput,
    /// Candidate continuations (tokenized without special tokens).
    pub candidates: Vec<String>,
}

/// What a job does.
#[derive(Debug)]
pub enum JobKind {
    /// Generate text.
    Generate(GenerateRequest),
    /// Score continuations.
    Score(ScoreRequest),
    /// Plain language-model scoring of texts and their variants (no prompt template).
    Likelihood(crate::likelihood::LikelihoodRequest),
}

/// What to do when prompt + generation exceeds the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverflowPolicy {
    /// Refuse with [`crate::EngineError::ContextOverflow`].
    #[default]
    Refuse,
    /// Drop tokens from the middle of the stable prefix (keeps its start and end).
    TrimStableMiddle,
}

/// A unit of work for the inference thread.
#[derive(Debug)]
pub struct Job {
    /// KV slot to run in.
    pub slot: Slot,
    /// Queue priority.
    pub priority: Priority,
    /// The work.
    pub kind: JobKind,
    /// Checked between decode steps; set it (or call `JobHandle::cancel`) to stop the job.
    pub cancel: Arc<AtomicBool>,
    /// Give up (with `DeadlineExceeded`) when this passes, checked between decode steps.
    pub deadline: Option<Instant>,
    /// Window budget in tokens (prompt + generation); default from model size, never more than
    /// the slot's context.
    pub budget_tokens: Option<usize>,
    /// Behaviour on budget overflow.
    pub overflow: OverflowPolicy,
}

impl Job {
    /// An interactive job with a fresh cancel flag, no deadline and the default budget.
    pub fn new(slot: Slot, kind: JobKind) -> Self {
        Self {
            slot,
            priority: Priority::Interactive,
            kind,
            cancel: Arc::new(AtomicBool::new(false)),
            deadline: None,
            budget_tokens: None,
            overflow: OverflowPolicy::Refuse,
        }
    }

    /// Convenience: a greedy generation job.
    pub fn generate(slot: Slot, req: GenerateRequest) -> Self {
        Self::new(slot, JobKind::Generate(req))
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// The model produced an end-of-generation token.
    EndOfText,
    /// A stop string was found (the output is cut before it).
    Stop,
    /// `max_tokens` reached.
    MaxTokens,
    /// Not a generation job.
    Scored,
}

/// Log-probability of one candidate continuation.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateScore {
    /// Sum of the per-token log-probabilities (natural log).
    pub total_logprob: f64,
    /// Log-probability of each candidate token given everything before it.
    pub token_logprobs: Vec<f64>,
}

/// Per-job counters and timings (also logged at debug level).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Prompt tokens already in the KV cache (including restored ones).
    pub reused_tokens: usize,
    /// Of `reused_tokens`, tokens restored from the on-disk cache for this job.
    pub restored_tokens: usize,
    /// Prompt tokens decoded for this job (`prompt_tokens - reused_tokens`).
    pub evaluated_tokens: usize,
    /// Tokens generated (accepted into the output, including a final end token); for scoring
    /// jobs, candidate tokens decoded.
    pub generated_tokens: usize,
    /// Speculative draft tokens proposed.
    pub draft_proposed: usize,
    /// Speculative draft tokens accepted.
    pub draft_accepted: usize,
    /// Time spent decoding the prompt.
    pub prefill_time: Duration,
    /// Time spent generating (or scoring candidates).
    pub decode_time: Duration,
    /// Time between submission and start.
    pub queue_time: Duration,
    /// llama.cpp threads used for the job.
    pub threads: usize,
}

/// Result of a job.
#[derive(Debug, Clone)]
pub struct JobOutput {
    /// Generated text (empty for scoring jobs).
    pub text: String,
    /// Why generation ended.
    pub finish: FinishReason,
    /// Candidate scores (scoring jobs only), in request order.
    pub scores: Vec<CandidateScore>,
    /// Text scores (likelihood jobs only), in request order.
    pub texts: Vec<crate::likelihood::TextScores>,
    /// Counters and timings.
    pub metrics: Metrics,
}
