//! The real `margin serve` process: its exit code follows the LSP rules (0
//! after `shutdown` + `exit`, 1 for `exit` alone), and it never outlives its
//! client: closing stdin ends it at once, even with requests pending.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Server {
    child: Child,
    stdin: ChildStdin,
    from_server: mpsc::Receiver<Value>,
}

fn spawn() -> Server {
    let cache = tempfile::tempdir().unwrap().keep();
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
    let stdin = child.stdin.take().unwrap();
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
    Server { child, stdin, from_server }
}

fn send(stdin: &mut ChildStdin, message: Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

/// Initialize like an editor: wait for the answer, then `initialized`.
fn initialize(server: &mut Server) {
    let capabilities = json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}});
    let params = json!({"processId": null, "rootUri": null, "capabilities": capabilities});
    send(&mut server.stdin, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}));
    loop {
        let message = server.from_server.recv_timeout(Duration::from_secs(30)).expect("initialize answered");
        if message["id"] == 1 {
            break;
        }
    }
    send(&mut server.stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
}

/// The exit code, if the process ends within `wait`.
fn exits_within(child: &mut Child, wait: Duration) -> Option<i32> {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn exit_code_is_zero_only_after_shutdown() {
    let mut server = spawn();
    initialize(&mut server);
    send(&mut server.stdin, json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(&mut server.stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(exits_within(&mut server.child, Duration::from_secs(10)), Some(0));

    let mut server = spawn();
    initialize(&mut server);
    send(&mut server.stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(exits_within(&mut server.child, Duration::from_secs(10)), Some(1), "exit without shutdown");
}

#[test]
fn closing_stdin_with_pending_pulls_ends_the_server_within_two_seconds() {
    let Server { mut child, mut stdin, from_server } = {
        let mut server = spawn();
        initialize(&mut server);
        server
    };
    let uri = "file:///w/notes.md";
    let doc = json!({"uri": uri, "languageId": "markdown", "version": 1, "text": "She dont like apples.\n"});
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": doc}}));
    for id in 10..14 {
        let params = json!({"textDocument": {"uri": uri}});
        send(&mut stdin, json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/diagnostic", "params": params}));
    }
    // The pulls are pending (none answered yet)…
    std::thread::sleep(Duration::from_millis(300));
    let answered: Vec<Value> = from_server.try_iter().filter(|m| m.get("id").is_some_and(|id| id != 1)).collect();
    assert!(answered.iter().all(|m| m.get("error").is_none()), "{answered:?}");
    // …and closing stdin ends the server anyway.
    let closed = Instant::now();
    drop(stdin);
    let code = exits_within(&mut child, Duration::from_secs(2));
    assert!(code.is_some(), "still running {:?} after stdin closed", closed.elapsed());
}
