//! An in-process LSP client for tests: the real server (`margin::lsp`) runs on
//! a tokio task behind an in-memory pipe with real Content-Length framing;
//! tests send requests and notifications and read what the server sends back.
//! Server-to-client requests are answered like an editor would
//! (`workspace/configuration` with `config_answer`, registrations with null).

#![allow(dead_code)]

pub mod model_server;
pub mod process;

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tower_lsp_server::LspServiceBuilder;

use margin::lsp::Server;

// Generous: real-model tests share two cores with each other under CI.
const TIMEOUT: Duration = Duration::from_secs(90);

pub struct TestClient {
    to_server: WriteHalf<DuplexStream>,
    from_server: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    /// Answer to `workspace/configuration` (one item per request item).
    pub config_answer: Value,
    /// Notifications and server requests seen so far, in order.
    pub received: Vec<Value>,
    backlog: VecDeque<Value>,
    server: tokio::task::JoinHandle<()>,
    /// Every body the server sent, as raw text (for byte-exact checks).
    pub raw: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl TestClient {
    pub fn start() -> Self {
        Self::start_with(|b| b)
    }

    /// Start a server whose service builder is extended (e.g. with a test method).
    pub fn start_with(
        extend: impl FnOnce(LspServiceBuilder<Server>) -> LspServiceBuilder<Server> + Send + 'static,
    ) -> Self {
        // Tests never read the developer's own settings file.
        std::env::set_var("MARGIN_CONFIG", "/nonexistent/margin/config.toml");
        // …nor find a model unless a test gives one in its settings. Each client gets its own
        // cache directory, so no test finds another test's results in the persistent result
        // cache (a first check is a first check).
        static CLIENTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CLIENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cache =
            std::env::temp_dir().join(format!("margin-test-cache-{}-{n}", std::process::id()));
        // …nor the models other tools keep on this machine (Ollama, Hugging Face, llama.cpp).
        for store in ["OLLAMA_MODELS", "HF_HUB_CACHE", "LLAMA_CACHE"] {
            std::env::set_var(store, cache.join("no-stores"));
        }
        // LM Studio's store has no variable: it is under the home directory.
        std::env::set_var("HOME", cache.join("home"));
        std::env::set_var("MARGIN_CACHE_DIR", cache);
        std::env::remove_var("MARGIN_MODEL");
        shared_weights_dir();
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(async move {
            margin::lsp::serve_with(server_read, server_write, extend).await;
        });
        let (client_read, to_server) = tokio::io::split(client_end);
        let (tx, from_server) = mpsc::unbounded_channel();
        let raw = std::sync::Arc::default();
        tokio::spawn(read_frames(client_read, tx, std::sync::Arc::clone(&raw)));
        TestClient {
            to_server,
            from_server,
            next_id: 1,
            config_answer: Value::Null,
            received: Vec::new(),
            backlog: VecDeque::new(),
            server,
            raw,
        }
    }

    /// Write bytes to the server as they are (no framing added).
    pub async fn write_bytes(&mut self, bytes: &[u8]) {
        self.to_server.write_all(bytes).await.unwrap();
        self.to_server.flush().await.unwrap();
    }

    /// Close the server's input (the editor went away).
    pub async fn close_input(&mut self) {
        self.to_server.shutdown().await.unwrap();
    }

    /// Whether the server stops within `wait`.
    pub async fn server_stops_within(self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.server).await.is_ok()
    }

    /// The response with this id, or `None` if it does not come within `wait`.
    pub async fn response_within(
        &mut self,
        id: Value,
        wait: Duration,
    ) -> Option<Result<Value, Value>> {
        tokio::time::timeout(wait, self.response(id)).await.ok()
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes()).await;
    }

    /// Send one framed message body as is (may be malformed on purpose).
    pub async fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.to_server.write_all(header.as_bytes()).await.unwrap();
        self.to_server.write_all(body).await.unwrap();
        self.to_server.flush().await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Send a request and wait for its response: `Ok(result)` or `Err(error)`.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(json!(id)).await
    }

    /// Send a request without waiting: its id, for `response`.
    pub async fn send_request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        json!(id)
    }

    /// Responses with this id seen so far (in the backlog), for exactly-once checks.
    pub fn responses_seen(&self, id: &Value) -> usize {
        self.backlog
            .iter()
            .filter(|m| m.get("method").is_none() && &m["id"] == id)
            .count()
    }

    /// Wait for the response with this id, handling everything else on the way.
    pub async fn response(&mut self, id: Value) -> Result<Value, Value> {
        let queued = self.backlog.iter().position(|m| m["id"] == id);
        let mut queued = queued.and_then(|i| self.backlog.remove(i));
        loop {
            let message = match queued.take() {
                Some(m) => m,
                None => self.next_message().await,
            };
            if message.get("method").is_none() && message["id"] == id {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                };
            }
            if message.get("method").is_none() {
                self.backlog.push_back(message);
            }
        }
    }

    /// Wait until a notification or server request with this method arrives.
    pub async fn wait_for(&mut self, method: &str) -> Value {
        if let Some(found) = self.received.iter().find(|m| m["method"] == method) {
            return found.clone();
        }
        loop {
            let message = self.next_message().await;
            if message["method"] == method {
                return message;
            }
        }
    }

    /// Read whatever arrives within `wait`, answering server requests.
    pub async fn drain(&mut self, wait: Duration) {
        while let Ok(Some(message)) = tokio::time::timeout(wait, self.from_server.recv()).await {
            self.handle(message).await;
        }
    }

    /// The diagnostics published for `uri` (at `version`, if given) once its check is complete:
    /// regions are published as they finish, and `margin/status` says when all are done.
    pub async fn checked_diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        loop {
            let status = self
                .request("margin/status", json!({}))
                .await
                .expect("status");
            let doc = status["documents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["uri"] == uri)
                .cloned();
            let doc = doc.unwrap_or_default();
            if doc["findings"].is_number() && version.is_none_or(|v| doc["version"] == v) {
                // The final publish follows the stored findings closely.
                self.drain(Duration::from_millis(200)).await;
                let published = self.received("textDocument/publishDiagnostics");
                let mine = |p: &&Value| {
                    p["params"]["uri"] == uri && version.is_none_or(|v| p["params"]["version"] == v)
                };
                let last = published.iter().rev().find(mine).expect("published");
                return last["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.drain(Duration::from_millis(100)).await;
        }
    }

    pub fn received(&self, method: &str) -> Vec<Value> {
        self.received
            .iter()
            .filter(|m| m["method"] == method)
            .cloned()
            .collect()
    }

    pub async fn initialize(&mut self, capabilities: Value, init_options: Value) -> Value {
        let params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
            "initializationOptions": init_options,
            "clientInfo": {"name": "margin-test"}
        });
        let result = self
            .request("initialize", params)
            .await
            .expect("initialize failed");
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&mut self, uri: &str, language_id: &str, text: &str) {
        let item = json!({"uri": uri, "languageId": language_id, "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": item}))
            .await;
    }

    pub async fn document_text(&mut self, uri: &str) -> Result<Value, Value> {
        self.request("margin/documentText", json!({"uri": uri}))
            .await
    }

    pub async fn shutdown_and_exit(mut self) {
        assert_eq!(self.request("shutdown", Value::Null).await, Ok(Value::Null));
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server)
            .await
            .expect("server did not exit")
            .unwrap();
    }

    async fn next_message(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.from_server.recv())
                .await
                .expect("timed out waiting for the server")
                .expect("server closed the connection");
            if let Some(m) = self.handle(message).await {
                return m;
            }
        }
    }

    /// Record notifications and answer server requests; hand back everything.
    async fn handle(&mut self, message: Value) -> Option<Value> {
        if message.get("method").is_some() {
            self.received.push(message.clone());
            if let Some(id) = message.get("id") {
                let result = match message["method"].as_str() {
                    Some("workspace/configuration") => {
                        let n = message["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![self.config_answer.clone(); n])
                    }
                    _ => Value::Null,
                };
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                self.send(&reply).await;
            }
        }
        Some(message)
    }
}

async fn read_frames(
    mut from_server: ReadHalf<DuplexStream>,
    tx: mpsc::UnboundedSender<Value>,
    raw: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while let Some((body_start, len)) = frame(&buffer) {
            if buffer.len() < body_start + len {
                break;
            }
            let body: Vec<u8> = buffer.drain(..body_start + len).skip(body_start).collect();
            let value: Value = serde_json::from_slice(&body).expect("server sent invalid JSON");
            raw.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            if tx.send(value).is_err() {
                return;
            }
        }
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Where the body starts and how long it is, once a whole header is buffered.
fn frame(buffer: &[u8]) -> Option<(usize, usize)> {
    let end = buffer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let header = std::str::from_utf8(&buffer[..end]).ok()?;
    let len = header
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse().ok())?;
    Some((end + 4, len))
}

/// Client capabilities like a modern editor's, offering these encodings.
pub fn capabilities(encodings: &[&str]) -> Value {
    json!({
        "general": {"positionEncodings": encodings},
        "workspace": {"configuration": true, "didChangeConfiguration": {"dynamicRegistration": true}},
        "textDocument": {"synchronization": {"didSave": true}}
    })
}

/// A UTF-16 client that resolves code-action edits lazily, started with `options` as its
/// initializationOptions and its `workspace/configuration` answer.
pub async fn start_resolving_client(options: Value) -> TestClient {
    let mut client = TestClient::start();
    let mut caps = capabilities(&["utf-16"]);
    caps["textDocument"]["codeAction"] =
        json!({"resolveSupport": {"properties": ["edit"]}, "dataSupport": true});
    client.config_answer = options.clone();
    client.initialize(caps, options).await;
    client
}

/// Byte offset of an LSP position in `text`, by a reference implementation
/// independent of margin's (lines end at \n, \r\n or \r).
pub fn offset_of(text: &str, position: &Value, encoding: &str) -> usize {
    let (line, col) = (
        position["line"].as_u64().unwrap() as usize,
        position["character"].as_u64().unwrap() as usize,
    );
    let bytes = text.as_bytes();
    let mut start = 0;
    for _ in 0..line {
        let rel = bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .expect("line exists");
        start += rel
            + if bytes[start + rel] == b'\r' && bytes.get(start + rel + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' || c == '\r' {
            return start + i;
        }
        units += match encoding {
            "utf-8" => c.len_utf8(),
            "utf-16" => c.len_utf16(),
            _ => 1,
        };
    }
    text.len()
}

/// The text an LSP range covers.
/// `text` after the UTF-16 text edits `edits` (LSP `TextEdit`s of one document).
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], "utf-16"),
                offset_of(text, &e["range"]["end"], "utf-16"),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

pub fn text_at<'a>(text: &'a str, range: &Value, encoding: &str) -> &'a str {
    &text[offset_of(text, &range["start"], encoding)..offset_of(text, &range["end"], encoding)]
}

/// The real test model (SmolLM2-135M-Instruct): `MARGIN_TEST_MODEL`. Tests
/// that start servers with it pass `"threads": 1`: several engines run in one
/// test process, and the thread policy (which counts only other processes'
/// load) would otherwise give each of them every core. Under CI
/// a missing model fails the test; elsewhere the test is skipped with a note.
pub fn test_model() -> Option<String> {
    match std::env::var("MARGIN_TEST_MODEL") {
        Ok(path) if std::path::Path::new(&path).is_file() => Some(path),
        _ if std::env::var_os("CI").is_some() => {
            panic!("MARGIN_TEST_MODEL must point to the SmolLM2 GGUF under CI (scripts/test fetches it)")
        }
        _ => {
            eprintln!("skipped: set MARGIN_TEST_MODEL to the SmolLM2-135M GGUF to run this test");
            None
        }
    }
}

/// Points `$MARGIN_WEIGHTS_DIR` (the F16 copies of small models that scoring runs on, a pure
/// function of the model file) at one directory for every test, unless it is set already
/// (`scripts/test` sets it): each test has its own cache directory, and without this each
/// would write its own copy of the test model.
pub fn shared_weights_dir() {
    if std::env::var_os("MARGIN_WEIGHTS_DIR").is_none() {
        std::env::set_var(
            "MARGIN_WEIGHTS_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("weights"),
        );
    }
}
