//! HTTP plumbing of the remote backend: one `reqwest` client (rustls), JSON requests with a
//! timeout, retries with exponential backoff on 429/503 and connection errors, cancellation
//! (the request future is dropped, which closes the connection), and errors turned into one
//! plain message that names the setting to check (`backend.url`, `backend.apiKeyEnv`,
//! `backend.model`, `backend.timeoutMs`).

use super::RemoteConfig;
use crate::error::EngineError;
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Stop conditions of one job, polled while its request runs.
pub(crate) struct Control {
    pub cancel: Arc<AtomicBool>,
    pub stopped: Arc<AtomicBool>,
    pub deadline: Option<Instant>,
}

impl Control {
    /// A control that never stops (the probe).
    pub fn never() -> Self {
        Self {
            cancel: Arc::default(),
            stopped: Arc::default(),
            deadline: None,
        }
    }

    /// `Err` if the job must stop now.
    pub fn check(&self) -> Result<(), EngineError> {
        if self.cancel.load(Ordering::SeqCst) || self.stopped.load(Ordering::SeqCst) {
            return Err(EngineError::Cancelled {
                generated_tokens: 0,
            });
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(EngineError::DeadlineExceeded);
        }
        Ok(())
    }

    /// Runs `fut` until it ends, the job is cancelled, or `timeout` passes (`timeoutMs`).
    pub async fn run<T>(
        &self,
        fut: impl Future<Output = T>,
        timeout: Duration,
        what: &str,
    ) -> Result<T, EngineError> {
        let until = tokio::time::Instant::now() + timeout;
        tokio::pin!(fut);
        loop {
            self.check()?;
            tokio::select! {
                out = &mut fut => return Ok(out),
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            if tokio::time::Instant::now() >= until {
                return Err(EngineError::Remote(format!(
                    "the model server sent nothing for {} ms while {what}; the request was \
                     cancelled (raise `backend.timeoutMs` if the server is just slow)",
                    timeout.as_millis()
                )));
            }
        }
    }
}

/// The server connection shared by all requests.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// Base URL without a trailing `/` or `/v1`.
    root: String,
    key: Option<String>,
    key_env: Option<String>,
    pub(crate) timeout: Duration,
    retries: u32,
    /// Requests in flight, all jobs together (`max_in_flight`): a job's many scoring requests
    /// wait here, not in the server's queue, so the timeout measures the server's work only.
    permits: Arc<tokio::sync::Semaphore>,
}

impl Client {
    /// A client for `cfg` (reads the key from the named variable; nothing is sent yet).
    pub fn new(cfg: &RemoteConfig) -> Result<Self, EngineError> {
        let url = cfg.url.trim().trim_end_matches('/');
        let root = url.strip_suffix("/v1").unwrap_or(url).to_owned();
        if !(root.starts_with("http://") || root.starts_with("https://")) {
            return Err(EngineError::Remote(format!(
                "`backend.url` is `{}`; it must start with http:// or https://",
                cfg.url
            )));
        }
        let key = cfg
            .api_key_env
            .as_deref()
            .and_then(|v| std::env::var(v).ok())
            .filter(|k| !k.is_empty());
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeout)
            .pool_max_idle_per_host(cfg.max_in_flight.max(1))
            .build()
            .map_err(|e| EngineError::Remote(format!("cannot set up HTTP (TLS): {e}")))?;
        Ok(Self {
            http,
            root,
            key,
            key_env: cfg.api_key_env.clone(),
            timeout: cfg.timeout,
            retries: cfg.retries,
            permits: Arc::new(tokio::sync::Semaphore::new(cfg.max_in_flight.max(1))),
        })
    }

    /// The base URL (for messages and `ModelInfo::remote`).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Sends one request (GET when `body` is `None`) and returns the response once its status
    /// is a success; retries 429/503 and connection errors with backoff.
    pub(crate) async fn send(
        &self,
        path: &str,
        body: Option<&Value>,
        ctl: &Control,
    ) -> Result<reqwest::Response, EngineError> {
        let url = format!("{}{path}", self.root);
        let mut attempt = 0;
        loop {
            let mut req = match body {
                Some(b) => self.http.post(&url).json(b),
                None => self.http.get(&url),
            };
            if let Some(k) = &self.key {
                req = req.bearer_auth(k);
            }
            let what = format!("waiting for {path}");
            let (retry, err) = match ctl.run(req.send(), self.timeout, &what).await? {
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let after = retry_after(&resp);
                    let text = ctl
                        .run(resp.text(), self.timeout, &what)
                        .await?
                        .unwrap_or_default();
                    let retry = matches!(status, 429 | 503).then_some(after);
                    (retry, self.status_error(path, status, &text))
                }
                Err(e) => {
                    let retry = e.is_connect().then_some(None);
                    (retry, self.transport_error(&e))
                }
            };
            match retry {
                Some(after) if attempt < self.retries => {
                    let wait = after.unwrap_or(Duration::from_millis(250 << attempt));
                    let wait = wait.min(Duration::from_secs(10));
                    tracing::debug!(attempt, ?wait, "retrying the model server: {err}");
                    ctl.run(tokio::time::sleep(wait), wait + self.timeout, "backing off")
                        .await?;
                    attempt += 1;
                }
                _ => return Err(err),
            }
        }
    }

    /// Waits (cancellably) for a request slot; hold it until the answer is read.
    pub(crate) async fn permit(
        &self,
        ctl: &Control,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, EngineError> {
        let acquire = self.permits.clone().acquire_owned();
        let day = Duration::from_secs(86_400);
        ctl.run(acquire, day, "waiting for a request slot")
            .await?
            .map_err(|_| EngineError::Stopped)
    }

    /// `send` and parse the whole body as JSON.
    pub(crate) async fn json(
        &self,
        path: &str,
        body: Option<&Value>,
        ctl: &Control,
    ) -> Result<Value, EngineError> {
        let _permit = self.permit(ctl).await?;
        let resp = self.send(path, body, ctl).await?;
        let what = format!("reading the answer of {path}");
        let bytes = ctl
            .run(resp.bytes(), self.timeout, &what)
            .await?
            .map_err(|e| self.cut_short(path, &e))?;
        serde_json::from_slice(&bytes).map_err(|_| self.not_json(path))
    }

    pub(crate) fn not_json(&self, path: &str) -> EngineError {
        EngineError::Remote(format!(
            "the model server at {} answered {path} with something that is not JSON; check that \
             `backend.url` points at an OpenAI-compatible server",
            self.root
        ))
    }

    pub(crate) fn cut_short(&self, path: &str, e: &reqwest::Error) -> EngineError {
        EngineError::Remote(format!(
            "the model server at {} cut its answer to {path} short ({e}); check the server \
             (`backend.url`)",
            self.root
        ))
    }

    fn transport_error(&self, e: &reqwest::Error) -> EngineError {
        let mut detail = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            detail = format!("{detail}: {s}");
            src = s.source();
        }
        EngineError::Remote(format!(
            "cannot reach the model server at {} ({detail}); check `backend.url` and that the \
             server is running",
            self.root
        ))
    }

    fn status_error(&self, path: &str, status: u16, body: &str) -> EngineError {
        let detail: String = body.chars().take(200).collect();
        let msg = match status {
            401 | 403 => {
                let key = match &self.key_env {
                    None => "no key is configured: set `backend.apiKeyEnv` to the name of an \
                             environment variable holding it"
                        .to_owned(),
                    Some(v) if self.key.is_none() => {
                        format!("`backend.apiKeyEnv` names `{v}`, which is not set")
                    }
                    Some(v) => format!("check the key in `{v}` (named by `backend.apiKeyEnv`)"),
                };
                format!(
                    "the model server at {} refused the API key ({status}); {key}",
                    self.root
                )
            }
            404 if detail.to_lowercase().contains("model") => format!(
                "the model server at {} does not know the model ({status}: {detail}); check \
                 `backend.model`",
                self.root
            ),
            _ => format!(
                "the model server at {} answered {path} with {status} ({detail}); check \
                 `backend.url` and `backend.model`",
                self.root
            ),
        };
        EngineError::Remote(msg)
    }
}

/// `Retry-After` in seconds, if the server sent one.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp.headers().get(reqwest::header::RETRY_AFTER)?;
    let secs: u64 = v.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs))
}
