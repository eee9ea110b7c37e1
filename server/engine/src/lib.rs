//! margin's inference engine: one thread runs a local GGUF model through llama.cpp and serves
//! proofreading, translation, suggestion and scoring jobs. Knows nothing about LSP: plain
//! structs in ([`Job`]), plain structs out ([`JobOutput`]).
//!
//! * [`Engine::start`] loads the model on the inference thread, which owns the only llama.cpp
//!   context: one KV sequence per [`Slot`]. [`Engine::submit`] queues a [`Job`] (interactive
//!   before background) and returns a [`JobHandle`] to await (`wait`) or block on.
//! * Prompts are stable prefix + tail ([`Prompt`], [`PromptInput`]); each slot keeps the longest
//!   common token prefix of its previous prompt and decodes only the rest ([`prefix`]); the
//!   evaluated stable prefix is persisted on disk ([`kvstore`]) and restored after restarts.
//! * Greedy decoding by default, sampling/grammar/stop strings per request, speculative
//!   rewrite decoding from `draft_source` ([`draft`], `generate`), likelihood scoring.
//! * Thread policy in [`threads`]; model discovery, references, the catalog and downloads in
//!   [`models`].
//! * llama.cpp logs go to `tracing` (never stdout, which is the LSP channel).

pub mod bench;
pub mod config;
pub mod draft;
pub mod engine;
pub mod error;
mod generate;
pub mod gguf;
pub mod job;
pub mod kvstore;
pub mod likelihood;
pub mod models;
mod persist;
pub mod prefix;
pub mod prompt;
mod queue;
mod score;
mod scorer;
pub mod threads;
mod worker;

#[cfg(feature = "test-support")]
pub mod test_support;

pub use config::{default_budget, kv_dir, margin_cache_root, models_dir, EngineConfig, KvType};
pub use engine::{shutdown_all, Engine, ModelInfo};
pub use error::{EngineError, ModelError};
pub use job::{
    CandidateScore, FinishReason, GenerateRequest, Job, JobKind, JobOutput, Metrics,
    OverflowPolicy, Priority, Prompt, PromptInput, Sampling, ScoreRequest, Slot, TokenCallback,
};
pub use likelihood::{LikelihoodRequest, ScoreText, TextScores, TokenScore, Variant, VariantScore};
pub use models::{pull, resolve_model};
pub use prompt::FimTokens;
pub use queue::{JobHandle, JobResult};
