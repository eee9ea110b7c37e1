//! The `backend` setting: one OpenAI-compatible server serves every task. Connecting probes
//! it (on a blocking thread); the engine is shared by all tasks and kept while the settings
//! stay the same. A failed connection is remembered for a few seconds, so a server that is
//! down is asked again on a later request but never in a tight loop.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use margin_engine::Engine;

use crate::config::BackendSettings;

/// How long a failed connection is answered from memory before the server is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

enum Conn {
    Ready(Engine),
    Failed(String, Instant),
}

/// The connection to the configured server, if any.
#[derive(Default)]
pub struct Remote {
    conn: tokio::sync::Mutex<Option<(BackendSettings, Conn)>>,
    /// The engine once connected (for synchronous status readers).
    ready: Mutex<Option<(BackendSettings, Engine)>>,
}

impl Remote {
    /// The engine for `b`, connecting (and probing) when needed.
    pub async fn engine(&self, b: &BackendSettings) -> Result<Engine, String> {
        let mut conn = self.conn.lock().await;
        match conn.as_ref() {
            Some((known, Conn::Ready(e))) if known == b => return Ok(e.clone()),
            Some((known, Conn::Failed(msg, at))) if known == b && at.elapsed() < RETRY_AFTER => {
                return Err(msg.clone())
            }
            _ => {}
        }
        let result = connect(b).await;
        *conn = Some((
            b.clone(),
            match &result {
                Ok(e) => Conn::Ready(e.clone()),
                Err(msg) => Conn::Failed(msg.clone(), Instant::now()),
            },
        ));
        *self.ready.lock().unwrap_or_else(|p| p.into_inner()) =
            result.as_ref().ok().map(|e| (b.clone(), e.clone()));
        result
    }

    /// The connected engine, if the last connection succeeded (never connects).
    pub fn ready(&self) -> Option<Engine> {
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.as_ref().map(|(_, e)| e.clone())
    }

    /// Whether a server was configured and tried: `Some(Ok)` connected, `Some(Err)` the last
    /// try failed, `None` never tried (or busy connecting right now).
    pub fn state(&self) -> Option<Result<(), String>> {
        let conn = self.conn.try_lock().ok()?;
        match &conn.as_ref()?.1 {
            Conn::Ready(_) => Some(Ok(())),
            Conn::Failed(msg, _) => Some(Err(msg.clone())),
        }
    }
}

/// The engine configuration for `b`.
#[cfg(feature = "remote")]
pub fn config(b: &BackendSettings) -> margin_engine::remote::RemoteConfig {
    let mut cfg = margin_engine::remote::RemoteConfig::new(b.url.clone());
    cfg.model = b.model.clone();
    cfg.api_key_env = b.api_key_env.clone();
    cfg.timeout = Duration::from_millis(b.timeout_ms);
    cfg
}

/// Connects to the server of `b` (blocking work on a blocking thread).
#[cfg(feature = "remote")]
pub async fn connect(b: &BackendSettings) -> Result<Engine, String> {
    let cfg = config(b);
    let joined = tokio::task::spawn_blocking(move || Engine::connect(cfg)).await;
    match joined {
        Ok(Ok(engine)) => {
            let info = engine.model_info();
            tracing::info!(model = info.name, url = b.url, "model server ready");
            Ok(engine)
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!(
            "connecting to the model server stopped unexpectedly: {e}"
        )),
    }
}

/// Without the `remote` feature a configured server cannot be used.
#[cfg(not(feature = "remote"))]
pub async fn connect(_b: &BackendSettings) -> Result<Engine, String> {
    Err(
        "this build of margin has no HTTP backend (cargo feature `remote`); remove `backend.url` \
         or install a build with it"
            .into(),
    )
}
