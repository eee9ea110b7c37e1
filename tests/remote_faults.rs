//! Faults of the HTTP backend: the server killed mid-request (an error; the next request works
//! once it is back), a server that stalls (the timeout fires and closes the request; the server
//! keeps serving), a refused API key (one message naming `backend.apiKeyEnv`), a server without
//! log-likelihoods (the stated degradation, no crash), and bad replies (unreachable, not JSON).
//! The real server is llama-cpp-python's (`support::model_server`); stalls and bad replies come
//! from a small scripted server in this file.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use margin_engine::remote::RemoteConfig;
use margin_engine::{Engine, EngineError, GenerateRequest, Job, Prompt, PromptInput, Slot};
use serde_json::json;
use support::model_server::ModelServer;

fn config(url: &str, timeout_ms: u64) -> RemoteConfig {
    let mut cfg = RemoteConfig::new(url);
    cfg.timeout = Duration::from_millis(timeout_ms);
    cfg
}

fn raw_job(text: &str, max_tokens: usize) -> GenerateRequest {
    GenerateRequest::new(
        PromptInput::Raw(Prompt {
            stable: String::new(),
            tail: text.into(),
        }),
        max_tokens,
    )
}

fn chat_job(text: &str) -> Job {
    let prompt = PromptInput::Chat {
        system: "You answer briefly.".into(),
        user_stable: String::new(),
        user_tail: text.into(),
    };
    Job::generate(Slot::Scratch, GenerateRequest::new(prompt, 8))
}

#[test]
fn a_server_killed_mid_request_fails_that_request_only() {
    let Some(mut server) = ModelServer::start(&[]) else {
        return;
    };
    let engine = Engine::connect(config(&server.url(), 30_000)).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut req = raw_job("Once upon a time, in a small village by the sea,", 1500);
    req.on_token = Some(Box::new(move |_| {
        let _ = tx.send(());
    }));
    let handle = engine.submit(Job::generate(Slot::Scratch, req));
    rx.recv_timeout(Duration::from_secs(60))
        .expect("tokens stream");
    server.kill();
    let err = handle.blocking_wait().expect_err("the request fails");
    assert!(matches!(err, EngineError::Remote(_)), "{err}");
    assert!(err.to_string().contains("backend.url"), "{err}");
    server.restart();
    let out = engine
        .submit(Job::generate(Slot::Scratch, raw_job("The sky is", 4)))
        .blocking_wait()
        .expect("the next request works once the server is back");
    assert!(!out.text.is_empty());
}

#[test]
fn a_refused_key_is_one_message_naming_the_setting() {
    let Some(server) = ModelServer::start(&["--api_key", "right-key"]) else {
        return;
    };
    let mut cfg = config(&server.url(), 30_000);
    cfg.api_key_env = Some("MARGIN_TEST_UNSET_KEY_VARIABLE".into());
    let err = Engine::connect(cfg).expect_err("refused").to_string();
    assert!(err.contains("backend.apiKeyEnv"), "{err}");
    assert!(err.contains("MARGIN_TEST_UNSET_KEY_VARIABLE"), "{err}");
    // The CLI says it once, with the key's value never shown.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "Some text.\n").unwrap();
    std::fs::write(
        dir.path().join("margin.toml"),
        format!(
            "[backend]\nurl = \"{}\"\napiKeyEnv = \"MARGIN_TEST_KEY\"\n",
            server.url()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_margin"))
        .current_dir(dir.path())
        .env("MARGIN_CONFIG", dir.path().join("no-user-config.toml"))
        .env("MARGIN_CACHE_DIR", dir.path().join("cache"))
        .env("MARGIN_TEST_KEY", "wrong-key-value")
        .args(["check", "a.md"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("backend.apiKeyEnv").count(), 1, "{stderr}");
    assert!(!stderr.contains("wrong-key-value"), "{stderr}");
}

#[tokio::test]
async fn a_server_without_log_likelihoods_degrades_as_stated() {
    let Some(server) = ModelServer::start(&["--logits_all", "false"]) else {
        return;
    };
    let cfg = config(&server.url(), 60_000);
    let engine = tokio::task::spawn_blocking(move || Engine::connect(cfg))
        .await
        .unwrap()
        .unwrap();
    let info = engine.model_info();
    assert!(!info.can_score);
    assert!(
        info.degraded
            .iter()
            .any(|d| d.contains("log-probabilities")),
        "{:?}",
        info.degraded
    );
    // Through the protocol: the check completes (no crash) and the degradation is shown once.
    let mut client = support::TestClient::start();
    let options = json!({"backend": {"url": server.url()}, "debounceMs": 50});
    client.config_answer = options.clone();
    client
        .initialize(support::capabilities(&["utf-16"]), options)
        .await;
    let uri = "file:///w/n.md";
    client.open(uri, "markdown", "I has a question.\n").await;
    client.checked_diagnostics(uri, Some(1)).await;
    let shown: Vec<_> = client
        .received("window/showMessage")
        .into_iter()
        .filter(|m| {
            m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("log-probabilities")
        })
        .collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    client.shutdown_and_exit().await;
}

/// A scripted server: `/v1/models` lists one model (or answers non-JSON), completions answer
/// at once, and a chat request containing `STALL` gets no answer at all.
struct Scripted {
    port: u16,
    closed_stalls: Arc<AtomicUsize>,
}

fn scripted(json_models: bool) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let closed = Arc::new(AtomicUsize::new(0));
    let closed_stalls = closed.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let closed = closed.clone();
            std::thread::spawn(move || serve(stream, json_models, &closed));
        }
    });
    Scripted {
        port,
        closed_stalls,
    }
}

fn serve(stream: TcpStream, json_models: bool, closed: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body);
        let (status, reply) = if head.starts_with("GET /v1/models") {
            match json_models {
                true => ("200 OK", json!({"data": [{"id": "fake"}]}).to_string()),
                false => ("200 OK", "<html>hello</html>".to_string()),
            }
        } else if head.starts_with("POST /v1/chat/completions") && body.contains("STALL") {
            // Never answer; count the client closing the connection.
            out.set_read_timeout(Some(Duration::from_millis(50))).ok();
            let mut buf = [0u8; 64];
            loop {
                match out.read(&mut buf) {
                    Ok(0) => {
                        closed.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => return,
                }
            }
        } else if head.starts_with("POST /v1/chat/completions") {
            let chunk = json!({"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]});
            ("200 OK", format!("data: {chunk}\n\ndata: [DONE]\n\n"))
        } else {
            (
                "404 Not Found",
                json!({"error": "no such endpoint"}).to_string(),
            )
        };
        let _ = write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
            reply.len()
        );
    }
}

#[test]
fn a_stalled_request_times_out_and_the_server_keeps_serving() {
    let fake = scripted(true);
    let url = format!("http://127.0.0.1:{}", fake.port);
    let engine = Engine::connect(config(&url, 700)).unwrap();
    assert!(!engine.model_info().can_score);
    let started = Instant::now();
    let err = engine
        .submit(chat_job("STALL please"))
        .blocking_wait()
        .expect_err("the stall times out");
    assert!(err.to_string().contains("backend.timeoutMs"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let out = engine.submit(chat_job("hello")).blocking_wait().unwrap();
    assert_eq!(out.text, "ok");
    // A cancelled job closes its request at once.
    let job = chat_job("STALL again");
    let cancel: Arc<AtomicBool> = job.cancel.clone();
    let handle = engine.submit(job);
    std::thread::sleep(Duration::from_millis(200));
    cancel.store(true, Ordering::SeqCst);
    let err = handle.blocking_wait().expect_err("cancelled");
    assert!(matches!(err, EngineError::Cancelled { .. }), "{err}");
    let until = Instant::now() + Duration::from_secs(5);
    while fake.closed_stalls.load(Ordering::SeqCst) < 2 {
        assert!(
            Instant::now() < until,
            "the stalled requests were not closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_replies_get_one_clear_message() {
    let err = Engine::connect(config("http://127.0.0.1:9", 2_000))
        .expect_err("unreachable")
        .to_string();
    assert!(
        err.contains("cannot reach") && err.contains("backend.url"),
        "{err}"
    );
    let fake = scripted(false);
    let err = Engine::connect(config(&format!("http://127.0.0.1:{}/v1", fake.port), 2_000))
        .expect_err("not JSON")
        .to_string();
    assert!(
        err.contains("not JSON") && err.contains("backend.url"),
        "{err}"
    );
    let fake = scripted(true);
    let mut cfg = config(&format!("http://127.0.0.1:{}", fake.port), 2_000);
    cfg.model = Some("no-such-model".into());
    let err = Engine::connect(cfg).expect_err("unknown model").to_string();
    assert!(err.contains("backend.model"), "{err}");
    let err = Engine::connect(config("gpu-box:8080", 2_000))
        .expect_err("no scheme")
        .to_string();
    assert!(err.contains("backend.url"), "{err}");
}
