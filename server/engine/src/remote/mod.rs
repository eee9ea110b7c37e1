//! The HTTP [`crate::Backend`]: any OpenAI-compatible server (llama-server, vLLM, Ollama, LM
//! Studio, llama-cpp-python) serves the features.
//!
//! * [`RemoteBackend::connect`] probes the server once ([`probe`]): the model, tokenization,
//!   context size, prompt log-likelihoods, chat template and fill-in-the-middle markers; what is missing becomes a plain-words note in
//!   [`crate::ModelInfo::degraded`] and the features that need it degrade as stated there.
//! * Jobs go through the same priority queue as in process; `max_in_flight` dispatcher threads
//!   pop it, so several requests are in flight at once (a server batches them).
//! * Each request has a timeout (connect, first byte, and every streamed chunk), is retried with
//!   backoff on 429/503 and connection errors ([`http`]), and is dropped — closing the
//!   connection — when its job is cancelled or its deadline passes.
//! * The API key is read from the environment variable named in the config and never logged.

mod generate;
mod http;
mod likelihood;
pub mod probe;

use crate::backend::{Backend, ModelInfo};
use crate::error::EngineError;
use crate::job::{Job, JobKind, JobOutput, Metrics};
use crate::queue::{JobHandle, JobQueue, Queued};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

pub use http::Client;

/// How to reach the server: `backend = { url, model, apiKeyEnv, timeoutMs }` in margin's config.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteConfig {
    /// Base URL (`http://host:8080` or `http://host:8080/v1`).
    pub url: String,
    /// Model name on the server; `None`: the server's first (usually only) model.
    pub model: Option<String>,
    /// Name of the environment variable holding the API key, if the server wants one.
    pub api_key_env: Option<String>,
    /// Timeout per request: connecting, the first byte of the answer, and each streamed chunk.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub max_in_flight: usize,
    /// Retries on 429/503 and connection errors (with exponential backoff).
    pub retries: u32,
}

impl RemoteConfig {
    /// Defaults for `url`: the server's model, no key, 60 s timeout, 4 in flight, 3 retries.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            model: None,
            api_key_env: None,
            timeout: Duration::from_secs(60),
            max_in_flight: 4,
            retries: 3,
        }
    }
}

/// What the probe found, beside [`ModelInfo`].
#[derive(Debug, Clone)]
pub(crate) struct Capabilities {
    /// Text prefixed to scored prompts so the server's log-probabilities line up with tokens
    /// (e.g. the BOS token's text for llama-cpp-python and a model that adds no BOS); `None`
    /// when the server returns no usable prompt log-probabilities.
    pub score_prefix: Option<String>,
    /// Bytes per token measured with the server's tokenizer (or a cautious default).
    pub bytes_per_token: f64,
    /// The model's fill-in-the-middle markers as text (prefix, suffix, middle), when the
    /// server's tokenizer reads each as one token: FIM prompts go to `/v1/completions` as
    /// text, which servers tokenize with special tokens parsed.
    pub fim: Option<[String; 3]>,
}

struct Shared {
    queue: Arc<JobQueue>,
    info: ModelInfo,
    caps: Capabilities,
    client: Client,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.queue.shutdown();
        // Safe on an async thread too (a plain drop would block there and panic).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A connected, probed server.
pub struct RemoteBackend {
    shared: Arc<Shared>,
}

impl RemoteBackend {
    /// Probes the server and starts the dispatchers. Blocking; never call it on an async thread.
    pub fn connect(cfg: RemoteConfig) -> Result<RemoteBackend, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("margin-remote")
            .enable_all()
            .build()
            .map_err(|e| EngineError::Backend(format!("cannot start the HTTP runtime: {e}")))?;
        let client = Client::new(&cfg)?;
        let (info, caps) = runtime.block_on(probe::probe(&client, &cfg))?;
        for note in &info.degraded {
            tracing::warn!("{note}");
        }
        let queue = Arc::new(JobQueue::default());
        let handle = runtime.handle().clone();
        let shared = Arc::new(Shared {
            queue: queue.clone(),
            info,
            caps,
            client,
            runtime: Some(runtime),
        });
        for i in 0..cfg.max_in_flight.max(1) {
            // Dispatchers hold only a weak reference: the backend stops with its last handle.
            let weak = Arc::downgrade(&shared);
            let queue = queue.clone();
            let handle = handle.clone();
            std::thread::Builder::new()
                .name(format!("margin-remote-{i}"))
                .spawn(move || dispatch(&queue, &weak, &handle))
                .map_err(|e| EngineError::Backend(format!("cannot spawn a dispatcher: {e}")))?;
        }
        Ok(RemoteBackend { shared })
    }
}

/// Pops jobs and runs each to its one answer.
fn dispatch(queue: &JobQueue, shared: &std::sync::Weak<Shared>, handle: &tokio::runtime::Handle) {
    let stopped = queue.stopped_flag();
    while let Some(Queued {
        job,
        reply,
        submitted,
    }) = queue.pop()
    {
        if reply.is_closed() {
            continue;
        }
        let Some(shared) = shared.upgrade() else {
            let _ = reply.send(Err(EngineError::Stopped));
            return;
        };
        let ctl = http::Control {
            cancel: job.cancel.clone(),
            stopped: stopped.clone(),
            deadline: job.deadline,
        };
        let metrics = Metrics {
            queue_time: submitted.elapsed(),
            ..Metrics::default()
        };
        let result = handle.block_on(run(&shared, job, &ctl, metrics));
        let _ = reply.send(result);
    }
}

async fn run(
    shared: &Shared,
    job: Job,
    ctl: &http::Control,
    mut metrics: Metrics,
) -> Result<JobOutput, EngineError> {
    ctl.check()?;
    let t0 = Instant::now();
    let s = likelihood::Scoring {
        client: &shared.client,
        info: &shared.info,
        caps: &shared.caps,
        ctl,
    };
    let mut out = match job.kind {
        JobKind::Generate(req) => {
            generate::run(&shared.client, &shared.info, &shared.caps, req, ctl).await?
        }
        JobKind::Score(req) => s.candidates(&req).await?,
        JobKind::Likelihood(req) => s.texts(&req).await?,
    };
    metrics.decode_time = t0.elapsed();
    metrics.generated_tokens = out.metrics.generated_tokens;
    metrics.prompt_tokens = out.metrics.prompt_tokens;
    metrics.evaluated_tokens = out.metrics.prompt_tokens;
    out.metrics = metrics;
    Ok(out)
}

impl Backend for RemoteBackend {
    fn submit(&self, job: Job) -> JobHandle {
        let (tx, rx) = oneshot::channel();
        let cancel = job.cancel.clone();
        self.shared.queue.push(Queued {
            job,
            reply: tx,
            submitted: Instant::now(),
        });
        JobHandle { rx, cancel }
    }

    fn model_info(&self) -> &ModelInfo {
        &self.shared.info
    }

    fn count_tokens(&self, text: &str) -> usize {
        estimate_tokens(text.len(), self.shared.caps.bytes_per_token)
    }

    fn queued(&self) -> usize {
        self.shared.queue.len()
    }
}

/// Tokens estimated from bytes, with a 15% safety margin (budgets must not be overrun).
pub(crate) fn estimate_tokens(bytes: usize, bytes_per_token: f64) -> usize {
    if bytes == 0 {
        return 0;
    }
    ((bytes as f64 / bytes_per_token.max(0.5)) * 1.15).ceil() as usize
}

#[cfg(test)]
mod tests {
    #[test]
    fn estimates_round_up_with_a_margin() {
        assert_eq!(super::estimate_tokens(0, 4.0), 0);
        assert_eq!(super::estimate_tokens(40, 4.0), 12);
        assert!(super::estimate_tokens(1, 4.0) >= 1);
    }
}
