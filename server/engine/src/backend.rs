//! The engine seam: [`Backend`] is everything the features need from a model — generate (chat,
//! raw or fill-in-the-middle prompts, stop strings, grammar, streaming, cancel), score
//! (log-likelihood of continuations or of plain texts, per token), count tokens, and the model's
//! facts ([`ModelInfo`]) — and nothing of llama.cpp. [`Engine`] is the cloneable handle the
//! features hold.
//!
//! Two implementations: in-process llama.cpp (`crate::engine`, cargo feature `llama`) and an
//! OpenAI-compatible server over HTTP (`crate::remote`, cargo feature `remote`). Both put jobs
//! through the same priority queue (`crate::queue`), so priorities and cancellation behave alike.

use crate::config::KvType;
use crate::job::Job;
use crate::queue::JobHandle;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Token ids of the model's fill-in-the-middle markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FimTokens {
    /// Prefix marker.
    pub prefix: i32,
    /// Suffix marker.
    pub suffix: i32,
    /// Middle marker (generation starts after it).
    pub middle: i32,
}

/// Facts about the model a backend serves.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    /// Model file (empty for a remote model).
    pub path: PathBuf,
    /// `general.name` or the file stem; for a remote model, its name on the server.
    pub name: String,
    /// `general.architecture` (`remote` for a remote model).
    pub architecture: String,
    /// Content fingerprint; names the KV cache directory and keys result caches.
    pub fingerprint: String,
    /// Parameter count (0 when unknown).
    pub n_params: u64,
    /// File size in bytes (0 when unknown).
    pub size_bytes: u64,
    /// Training context length.
    pub n_ctx_train: u32,
    /// Vocabulary size (0 when unknown).
    pub n_vocab: usize,
    /// Context tokens per slot.
    pub context_per_slot: u32,
    /// Default window budget per job (<= `context_per_slot`).
    pub default_budget: usize,
    /// Whether the model has its own chat template.
    pub has_chat_template: bool,
    /// Whether chat prompts work: the model's template or the configured fallback.
    pub can_chat: bool,
    /// FIM marker tokens when the model has them.
    pub fim: Option<FimTokens>,
    /// KV cache type in use.
    pub kv_type: KvType,
    /// For a remote model: the server's base URL.
    pub remote: Option<String>,
    /// Whether likelihood and score jobs work (a remote server may not return log-probabilities).
    pub can_score: bool,
    /// What this backend cannot do and how the features degrade, in plain words (reported once).
    pub degraded: Vec<String>,
}

/// What every backend implements. Jobs carry the request ([`crate::JobKind`]); the backend
/// answers each exactly once through its [`JobHandle`].
pub trait Backend: Send + Sync {
    /// Queues a job (interactive before background); await or block on the handle.
    fn submit(&self, job: Job) -> JobHandle;
    /// Facts about the model.
    fn model_info(&self) -> &ModelInfo;
    /// Tokens in `text` (no BOS, special-token text not parsed). Never blocks on I/O: a
    /// backend that cannot tokenize locally returns a calibrated estimate with a safety margin.
    fn count_tokens(&self, text: &str) -> usize;
    /// Jobs waiting (not counting running ones).
    fn queued(&self) -> usize;
}

/// Cheap, cloneable handle to a backend; what every feature talks to.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<dyn Backend>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("model", &self.inner.model_info().name)
            .field("remote", &self.inner.model_info().remote)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Wraps any backend (tests use fakes).
    pub fn from_backend(backend: impl Backend + 'static) -> Self {
        Self {
            inner: Arc::new(backend),
        }
    }

    /// Starts the in-process llama.cpp backend: loads the model on its inference thread and
    /// waits until it is ready. Blocking: from async code call it via `spawn_blocking`.
    #[cfg(feature = "llama")]
    pub fn start(cfg: crate::EngineConfig) -> Result<Engine, crate::EngineError> {
        Ok(Self::from_backend(crate::engine::LocalBackend::start(cfg)?))
    }

    /// This build has no in-process inference (cargo feature `llama`): always an error that
    /// says what to do instead.
    #[cfg(not(feature = "llama"))]
    pub fn start(_cfg: crate::EngineConfig) -> Result<Engine, crate::EngineError> {
        Err(crate::EngineError::Unsupported(
            "this build of margin has no in-process inference (cargo feature `llama`); set \
             `backend.url` to an OpenAI-compatible model server"
                .into(),
        ))
    }

    /// Connects to an OpenAI-compatible server and probes what it can do. Blocking (a few
    /// HTTP requests): from async code call it via `spawn_blocking`.
    #[cfg(feature = "remote")]
    pub fn connect(cfg: crate::remote::RemoteConfig) -> Result<Engine, crate::EngineError> {
        Ok(Self::from_backend(crate::remote::RemoteBackend::connect(
            cfg,
        )?))
    }

    /// Queues a job; await or block on the returned handle for the result.
    pub fn submit(&self, job: Job) -> JobHandle {
        self.inner.submit(job)
    }

    /// Facts about the model and context.
    pub fn model_info(&self) -> &ModelInfo {
        self.inner.model_info()
    }

    /// Tokens in `text` under the model's tokenizer (no BOS, special-token text not parsed).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.inner.count_tokens(text)
    }

    /// Jobs waiting in the queue.
    pub fn queued(&self) -> usize {
        self.inner.queued()
    }
}

/// Fingerprint of a model file: sha256 over its size and three 1 MiB samples (start, middle,
/// end). Cheap even for multi-GB files; any re-download or edit changes it in practice.
pub fn fingerprint(path: &Path) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut h = Vec::with_capacity(3 << 20);
    h.extend_from_slice(&len.to_le_bytes());
    for start in [0, len / 2, len.saturating_sub(1 << 20)] {
        f.seek(SeekFrom::Start(start))?;
        (&mut f).take(1 << 20).read_to_end(&mut h)?;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&h);
    Ok(digest.iter().take(8).map(|b| format!("{b:02x}")).collect())
}
