//! The load benchmark's editor: a real `margin serve` child process driven over
//! its stdin/stdout with Content-Length framing. A writer thread sends (so a
//! server that stops reading shows as unsent messages, not a stuck benchmark),
//! a reader thread timestamps what comes back.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::lsp::transport::framing::{encode, Event, FrameDecoder};

pub struct Client {
    child: Child,
    to_server: Option<mpsc::Sender<Vec<u8>>>,
    /// Messages from the server, with when they arrived.
    pub from_server: mpsc::Receiver<(Instant, Value)>,
    /// Messages the writer thread has written to the server.
    pub written: Arc<AtomicUsize>,
    next_id: i64,
}

impl Client {
    /// Start `margin serve` (this executable) with no user config, logging to `log` at level
    /// `MARGIN_BENCH_LOG` (default `warn`).
    pub fn spawn(log: &Path) -> Result<Client, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .arg("serve")
            .env("MARGIN_CONFIG", "/nonexistent/margin-bench/config.toml")
            .env(
                "MARGIN_LOG",
                std::env::var("MARGIN_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .arg("--log-file")
            .arg(log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let (mut stdin, mut stdout) = (
            child.stdin.take().expect("piped"),
            child.stdout.take().expect("piped"),
        );
        let (to_server, outgoing) = mpsc::channel::<Vec<u8>>();
        let written = Arc::new(AtomicUsize::new(0));
        let counter = written.clone();
        std::thread::spawn(move || {
            for body in outgoing {
                if stdin
                    .write_all(&encode(&body))
                    .and_then(|()| stdin.flush())
                    .is_err()
                {
                    return;
                }
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        let (tx, from_server) = mpsc::channel();
        std::thread::spawn(move || {
            let mut decoder = FrameDecoder::new(usize::MAX / 2);
            let mut chunk = vec![0u8; 1 << 16];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                decoder.push(&chunk[..n]);
                while let Some(event) = decoder.next_event() {
                    let Event::Frame(body) = event else { continue };
                    if let Ok(value) = serde_json::from_slice(&body) {
                        if tx.send((Instant::now(), value)).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Client {
            child,
            to_server: Some(to_server),
            from_server,
            written,
            next_id: 1,
        })
    }

    fn send(&self, message: Value) {
        if let Some(tx) = &self.to_server {
            let _ = tx.send(message.to_string().into_bytes());
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request; its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Answer a request the server sent (configuration, progress, refresh) like an editor.
    pub fn answer(&self, request: &Value) {
        self.send(json!({"jsonrpc": "2.0", "id": request["id"], "result": null}));
    }

    /// Wait for the response to `id`, handing everything else to `other`.
    pub fn wait(
        &mut self,
        id: i64,
        timeout: Duration,
        mut other: impl FnMut(&Client, Instant, &Value),
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let (at, message) = self
                .from_server
                .recv_timeout(deadline.checked_duration_since(Instant::now())?)
                .ok()?;
            if message.get("method").is_none() && message["id"] == id {
                return Some(message);
            }
            other(self, at, &message);
        }
    }

    /// Resident memory of the server, in MiB.
    pub fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }

    /// `shutdown`, `exit`, and wait for the process.
    pub fn finish(mut self) {
        let id = self.request("shutdown", Value::Null);
        self.wait(id, Duration::from_secs(30), |_, _, _| {});
        self.notify("exit", Value::Null);
        self.to_server = None;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
