//! A real OpenAI-compatible server for the remote-backend tests: llama-cpp-python's server
//! (`python -m llama_cpp.server`, pinned in `scripts/install-test-tools`) serving the SmolLM2
//! test model (or a model the test wrote) on a loopback port, started by the test and killed
//! when dropped.
//!
//! The Python is `MARGIN_TEST_LLAMA_SERVER` (set by `scripts/test`), else the venv that
//! `scripts/install-test-tools` makes under `~/.cache/margin-test-tools`. Under CI a missing
//! server fails the test; elsewhere the test is skipped with a note.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python of the llama-cpp-python venv, if installed (panics under CI when not).
pub fn python() -> Option<PathBuf> {
    let path = match std::env::var_os("MARGIN_TEST_LLAMA_SERVER") {
        Some(p) => PathBuf::from(p),
        // HOME as the tests were built (tests change HOME at run time).
        None => PathBuf::from(option_env!("HOME").unwrap_or("/root"))
            .join(".cache/margin-test-tools/llama-cpp-python/bin/python"),
    };
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: scripts/install-test-tools installs llama-cpp-python[server]",
            path.display()
        );
    }
    eprintln!("skipped: run scripts/install-test-tools for llama-cpp-python's server");
    None
}

/// A running server.
pub struct ModelServer {
    child: Option<Child>,
    pub port: u16,
    args: Vec<String>,
    python: PathBuf,
    model: String,
}

impl ModelServer {
    /// Starts the server on a free loopback port with `extra` arguments; `None` when the test
    /// model or the server is not installed (outside CI).
    pub fn start(extra: &[&str]) -> Option<ModelServer> {
        Self::start_model(&super::test_model()?, extra)
    }

    /// [`ModelServer::start`] serving the GGUF file `model` (e.g. a tiny model a test wrote).
    pub fn start_model(model: &str, extra: &[&str]) -> Option<ModelServer> {
        let model = model.to_owned();
        let python = python()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = ModelServer {
            child: None,
            port,
            args: extra.iter().map(|s| s.to_string()).collect(),
            python,
            model,
        };
        server.restart();
        Some(server)
    }

    /// The base URL as a user writes it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Kills the server (as a crash would: no goodbye).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it (again) on the same port and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let log = std::env::temp_dir().join(format!("margin-llama-server-{}.log", self.port));
        let log = std::fs::File::create(&log).unwrap();
        let child = Command::new(&self.python)
            .args(["-m", "llama_cpp.server", "--model", &self.model])
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--n_ctx",
                "2048",
                "--n_threads",
                "1",
                "--n_threads_batch",
                "1",
            ])
            .args(["--verbose", "false"])
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("llama-cpp-python's server starts");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(120);
        while get(self.port, "/v1/models").is_none_or(|r| !r.starts_with("HTTP/1.1 ")) {
            assert!(Instant::now() < until, "the model server did not come up");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A plain HTTP GET on the loopback port: the whole answer (status line first), if any.
pub fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}
