//! The real `margin serve` process: its exit code follows the LSP rules (0
//! after `shutdown` + `exit`, 1 for `exit` alone), and it never outlives its
//! client: closing stdin ends it at once, even with requests pending.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::process::ServerProcess;

#[test]
fn exit_code_is_zero_only_after_shutdown() {
    let mut server = ServerProcess::spawn();
    server.initialize(None);
    server.send_request(2, "shutdown", json!(null));
    server.notify("exit", json!(null));
    assert_eq!(server.exits_within(Duration::from_secs(10)), Some(0));

    let mut server = ServerProcess::spawn();
    server.initialize(None);
    server.notify("exit", json!(null));
    assert_eq!(
        server.exits_within(Duration::from_secs(10)),
        Some(1),
        "exit without shutdown"
    );
}

#[test]
fn closing_stdin_with_pending_pulls_ends_the_server_within_two_seconds() {
    let mut server = ServerProcess::spawn();
    server.initialize(None);
    let uri = "file:///w/notes.md";
    let doc = json!({"uri": uri, "languageId": "markdown", "version": 1, "text": "She dont like apples.\n"});
    server.notify("textDocument/didOpen", json!({"textDocument": doc}));
    for id in 10..14 {
        server.send_request(
            id,
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    // The pulls are answered or pending, never failed…
    std::thread::sleep(Duration::from_millis(300));
    let answered: Vec<_> = server
        .pending_messages()
        .into_iter()
        .filter(|m| m.get("id").is_some())
        .collect();
    assert!(
        answered.iter().all(|m| m.get("error").is_none()),
        "{answered:?}"
    );
    // …and closing stdin ends the server anyway.
    let closed = Instant::now();
    server.close_input();
    let code = server.exits_within(Duration::from_secs(2));
    assert!(
        code.is_some(),
        "still running {:?} after stdin closed",
        closed.elapsed()
    );
}
