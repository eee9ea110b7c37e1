//! A real `margin serve` process driven over its stdin/stdout with Content-Length
//! framing (for exit codes, end-of-input behaviour and several servers sharing files).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct ServerProcess {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    from_server: mpsc::Receiver<Value>,
    backlog: VecDeque<Value>,
}

impl ServerProcess {
    /// `margin serve` with no user config and no model (unless a test sends one).
    pub fn spawn() -> Self {
        let cache = tempfile::tempdir().unwrap().keep();
        super::shared_weights_dir();
        let mut child = Command::new(env!("CARGO_BIN_EXE_margin"))
            .arg("serve")
            .env("MARGIN_CONFIG", "/nonexistent/margin/config.toml")
            .env("MARGIN_CACHE_DIR", cache)
            .env_remove("MARGIN_MODEL")
            .env("MARGIN_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("margin binary");
        let stdin = child.stdin.take();
        // Keep reading the output so the server never blocks on a full pipe.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, from_server) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut header = String::new();
            let mut length = 0;
            while stdout.read_line(&mut header).unwrap_or(0) > 0 {
                if let Some(n) = header.trim().strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
                if header == "\r\n" {
                    break;
                }
                header.clear();
            }
            let mut body = vec![0; length];
            if length == 0 || stdout.read_exact(&mut body).is_err() {
                return;
            }
            let _ = tx.send(serde_json::from_slice(&body).unwrap());
        });
        ServerProcess {
            child,
            stdin,
            from_server,
            backlog: VecDeque::new(),
        }
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request without waiting for its answer.
    pub fn send_request(&mut self, id: i64, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    }

    /// The response to request `id` (server requests are answered with null on the way).
    pub fn response(&mut self, id: i64, wait: Duration) -> Value {
        if let Some(i) = self
            .backlog
            .iter()
            .position(|m| m["id"] == id && m.get("method").is_none())
        {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .from_server
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer to request {id}"));
            if message.get("method").is_some() {
                if let Some(server_id) = message.get("id") {
                    self.send(json!({"jsonrpc": "2.0", "id": server_id, "result": null}));
                }
                continue;
            }
            if message["id"] == id {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// Initialize like an editor (wait for the answer, then `initialized`), with this workspace.
    pub fn initialize(&mut self, root: Option<&Path>) {
        let capabilities = json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}});
        let root_uri = root.map(|r| format!("file://{}", r.display()));
        let params = json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities});
        self.send_request(1, "initialize", params);
        self.response(1, Duration::from_secs(30));
        self.notify("initialized", json!({}));
    }

    /// Close stdin (the editor went away).
    pub fn close_input(&mut self) {
        self.stdin = None;
    }

    /// The exit code, if the process ends within `wait` (else it is killed).
    pub fn exits_within(&mut self, wait: Duration) -> Option<i32> {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }

    /// Messages the server sent that were not responses asked for yet.
    pub fn pending_messages(&mut self) -> Vec<Value> {
        self.backlog.extend(self.from_server.try_iter());
        self.backlog.iter().cloned().collect()
    }
}
