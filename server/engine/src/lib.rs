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
//! * The features see only the seam in [`backend`]: [`Engine`] over a [`Backend`], in process
//!   (cargo feature `llama`) or an OpenAI-compatible server ([`remote`], feature `remote`).

pub mod backend;
#[cfg(feature = "llama")]
pub mod bench;
pub mod config;
#[cfg(feature = "llama")]
pub mod draft;
#[cfg(feature = "llama")]
pub mod engine;
pub mod error;
#[cfg(feature = "llama")]
mod generate;
pub mod gguf;
pub mod job;
#[cfg(feature = "llama")]
pub mod kvstore;
pub mod likelihood;
pub mod models;
#[cfg(feature = "llama")]
mod persist;
#[cfg(feature = "llama")]
pub mod prefix;
#[cfg(feature = "llama")]
pub mod prompt;
mod queue;
#[cfg(feature = "remote")]
pub mod remote;
#[cfg(feature = "llama")]
mod score;
#[cfg(feature = "llama")]
mod scorer;
#[cfg(feature = "llama")]
pub mod scoring_weights;
pub mod threads;
#[cfg(feature = "llama")]
mod worker;

#[cfg(feature = "test-support")]
pub mod test_support;

pub use backend::{Backend, Engine, FimTokens, ModelInfo};
pub use config::{default_budget, kv_dir, margin_cache_root, models_dir, EngineConfig, KvType};
#[cfg(feature = "llama")]
pub use engine::shutdown_all;
pub use error::{EngineError, ModelError};
pub use job::{
    CandidateScore, FinishReason, GenerateRequest, Job, JobKind, JobOutput, Metrics,
    OverflowPolicy, Priority, Prompt, PromptInput, Sampling, ScoreRequest, Slot, TokenCallback,
};
pub use likelihood::{LikelihoodRequest, ScoreText, TextScores, TokenScore, Variant, VariantScore};
pub use models::{pull, resolve_model};
pub use queue::{JobHandle, JobResult};

/// Identifies the llama.cpp build (the pinned binding crates); recorded in KV cache headers.
pub const LLAMA_BUILD: &str = "llama-cpp-2=0.1.160;llama-cpp-sys-2=0.1.161";

/// Without in-process llama.cpp there is no inference thread to stop.
#[cfg(not(feature = "llama"))]
pub fn shutdown_all(_timeout: std::time::Duration) {}
