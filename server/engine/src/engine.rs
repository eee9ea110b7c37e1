//! The in-process llama.cpp [`crate::Backend`]: starts the inference thread (which loads the
//! model and owns the only llama.cpp context), submits jobs to its priority queue and exposes
//! model facts. Nothing llama.cpp-related runs on the caller's (e.g. tokio) threads except
//! tokenization in `count_tokens`, which is read-only and thread-safe in llama.cpp.

use crate::backend::{fingerprint, Backend, ModelInfo};
use crate::config::{default_budget, EngineConfig};
use crate::error::{EngineError, ModelError};
use crate::gguf;
use crate::job::Job;
use crate::prompt::fim_tokens;
use crate::queue::{JobHandle, JobQueue, Queued};
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::sync::oneshot;

pub use crate::LLAMA_BUILD;

/// Process-wide llama.cpp backend (initialised once, never freed) with logs routed to tracing.
pub(crate) fn backend() -> &'static LlamaBackend {
    static BACKEND: OnceLock<LlamaBackend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
        #[cfg(feature = "dynamic-backends")]
        load_cpu_backends();
        LlamaBackend::init().expect("llama backend initialised twice")
    })
}

/// Portable builds: loads the ggml CPU backend built for this CPU's level (AVX2, AVX-512, ...)
/// from the directory of the running binary, where scripts/build-portable puts the
/// `libggml-cpu-*.so` modules; falls back to the build's own backend directory.
#[cfg(feature = "dynamic-backends")]
fn load_cpu_backends() {
    let dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    match dir {
        Some(dir) if has_backend_modules(&dir) => {
            llama_cpp_2::llama_backend::load_backends_from_path(&dir)
        }
        _ => llama_cpp_2::llama_backend::load_backends(),
    }
}

#[cfg(feature = "dynamic-backends")]
fn has_backend_modules(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("ggml-cpu"))
    })
}

/// Validates the file and loads it with llama.cpp (CPU only, mmap).
pub(crate) fn load_model(path: &Path) -> Result<(LlamaModel, gguf::GgufSummary), ModelError> {
    let summary = gguf::inspect(path)?;
    let params = LlamaModelParams::default().with_n_gpu_layers(0);
    let model = LlamaModel::load_from_file(backend(), path, &params).map_err(|_| {
        if gguf::KNOWN_ARCHITECTURES.contains(&summary.architecture.as_str()) {
            ModelError::LoadFailed {
                path: path.to_path_buf(),
                architecture: summary.architecture.clone(),
            }
        } else {
            ModelError::UnknownArchitecture {
                path: path.to_path_buf(),
                architecture: summary.architecture.clone(),
            }
        }
    })?;
    Ok((model, summary))
}

/// The weights the scoring context runs on, when they are not the model's own: an F16 copy of
/// a small model in a type llama.cpp cannot batch well (see [`crate::scoring_weights`]).
/// `info.fingerprint` then gets [`crate::scoring_weights::FINGERPRINT_TAG`], since scores
/// (and what is cached from them) differ slightly. A copy that cannot be made or loaded is
/// logged, and scoring uses the model itself.
pub(crate) fn scoring_model(
    cfg: &EngineConfig,
    summary: &gguf::GgufSummary,
    info: &mut ModelInfo,
) -> Option<LlamaModel> {
    use crate::scoring_weights as weights;
    if !cfg.scoring_copy || !weights::wants_copy(summary) {
        return None;
    }
    let threads = || crate::threads::ThreadPolicy::new(cfg.threads).threads();
    let dir = weights::weights_dir();
    let prepare = || weights::prepare(&cfg.model_path, &info.fingerprint, &dir, threads);
    let loaded = prepare().and_then(|path| match load_model(&path) {
        Ok(loaded) => Ok(loaded),
        Err(e) => {
            // A copy that does not load (cut short by a full disk or a crash of another tool,
            // damaged) is written again, once.
            tracing::warn!(copy = %path.display(), "the scoring copy does not load ({e}): writing it again");
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            prepare().and_then(|path| load_model(&path).map_err(|e| e.to_string()))
        }
    });
    match loaded {
        Ok((model, _)) => {
            info.fingerprint.push_str(weights::FINGERPRINT_TAG);
            Some(model)
        }
        Err(e) => {
            tracing::warn!("scoring runs on the model's own weights: {e}");
            None
        }
    }
}

pub(crate) fn model_info(
    model: &LlamaModel,
    summary: &gguf::GgufSummary,
    cfg: &EngineConfig,
) -> Result<ModelInfo, ModelError> {
    let path = cfg.model_path.clone();
    let fingerprint = fingerprint(&path).map_err(|e| ModelError::Io {
        path: path.clone(),
        source: e,
    })?;
    let n_ctx_train = model.n_ctx_train();
    let n_params = model.n_params();
    let budget = default_budget(n_params);
    let context_per_slot = cfg
        .context_tokens
        .unwrap_or(budget)
        .min(n_ctx_train.max(64))
        .max(64);
    let name = summary.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(ModelInfo {
        name,
        architecture: summary.architecture.clone(),
        fingerprint,
        n_params,
        size_bytes: summary.file_size,
        n_ctx_train,
        n_vocab: model.n_vocab().max(0) as usize,
        context_per_slot,
        default_budget: (budget.min(context_per_slot)) as usize,
        has_chat_template: model.chat_template(None).is_ok(),
        can_chat: model.chat_template(None).is_ok() || cfg.chat_template.is_some(),
        fim: fim_tokens(model),
        kv_type: cfg.kv_type,
        path,
        remote: None,
        can_score: true,
        degraded: Vec::new(),
    })
}

struct Inner {
    queue: Arc<JobQueue>,
    info: ModelInfo,
    model: Arc<LlamaModel>,
    thread: Arc<ThreadHandle>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle: stop the thread and wait for it (at most one decode step).
        self.thread.stop(std::time::Duration::from_secs(10));
    }
}

/// The inference thread of one engine: stopped (running job cancelled at its next decode step,
/// queued jobs answered `Stopped`) and joined when the last [`Engine`] handle goes, or by
/// [`shutdown_all`].
struct ThreadHandle {
    queue: Arc<JobQueue>,
    join: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl ThreadHandle {
    /// Stops the thread and waits for it. Concurrent callers all wait (the lock is held while
    /// waiting), so none returns while the thread may still be inside llama.cpp.
    fn stop(&self, timeout: std::time::Duration) {
        self.queue.shutdown();
        let mut join = self.join.lock().unwrap_or_else(|p| p.into_inner());
        let Some(thread) = join.as_ref() else { return };
        if thread.thread().id() == std::thread::current().id() {
            return; // dropped on the inference thread itself: it is about to return anyway
        }
        let until = Instant::now() + timeout;
        while !thread.is_finished() && Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if thread.is_finished() {
            let _ = join.take().map(std::thread::JoinHandle::join);
        } else {
            tracing::warn!("the inference thread did not stop in time");
        }
    }

    fn joined(&self) -> bool {
        self.join
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }
}

fn threads() -> &'static std::sync::Mutex<Vec<Arc<ThreadHandle>>> {
    static THREADS: OnceLock<std::sync::Mutex<Vec<Arc<ThreadHandle>>>> = OnceLock::new();
    THREADS.get_or_init(Default::default)
}

/// Stops every inference thread of the process before it exits (see [`ThreadHandle`]),
/// waiting at most `timeout` for each — also for threads whose last engine handle is being
/// dropped on another thread right now. Without this, a process that exits while a thread
/// is inside llama.cpp tears down ggml's globals under it (a crash at exit).
pub fn shutdown_all(timeout: std::time::Duration) {
    let running: Vec<_> = std::mem::take(&mut *threads().lock().unwrap_or_else(|p| p.into_inner()));
    for handle in running {
        handle.stop(timeout);
    }
}

/// Handle to the inference thread. The thread stops when the last handle is dropped (queued
/// jobs are answered with [`EngineError::Stopped`]).
pub struct LocalBackend {
    inner: Arc<Inner>,
}

impl LocalBackend {
    /// Starts the inference thread, which validates and loads the model and creates the
    /// context, and waits until it is ready. Blocking (model load takes a while): from async
    /// code call it via `spawn_blocking`.
    pub fn start(cfg: EngineConfig) -> Result<LocalBackend, EngineError> {
        let queue = Arc::new(JobQueue::default());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let q = queue.clone();
        let thread = std::thread::Builder::new()
            .name("margin-llama".into())
            .spawn(move || crate::worker::run(cfg, q, ready_tx))
            .map_err(|e| EngineError::Backend(format!("cannot spawn inference thread: {e}")))?;
        let handle = Arc::new(ThreadHandle {
            queue: queue.clone(),
            join: std::sync::Mutex::new(Some(thread)),
        });
        {
            let mut all = threads().lock().unwrap_or_else(|p| p.into_inner());
            all.retain(|h| !h.joined());
            all.push(handle.clone());
        }
        let (model, info) = ready_rx.recv().map_err(|_| EngineError::Stopped)??;
        Ok(LocalBackend {
            inner: Arc::new(Inner {
                queue,
                info,
                model,
                thread: handle,
            }),
        })
    }
}

impl Backend for LocalBackend {
    fn submit(&self, job: Job) -> JobHandle {
        let (tx, rx) = oneshot::channel();
        let cancel = job.cancel.clone();
        self.inner.queue.push(Queued {
            job,
            reply: tx,
            submitted: Instant::now(),
        });
        JobHandle { rx, cancel }
    }

    fn model_info(&self) -> &ModelInfo {
        &self.inner.info
    }

    fn count_tokens(&self, text: &str) -> usize {
        self.inner
            .model
            .vocab()
            .tokenize(text.as_bytes(), false, false)
            .len()
    }

    fn queued(&self) -> usize {
        self.inner.queue.len()
    }
}
