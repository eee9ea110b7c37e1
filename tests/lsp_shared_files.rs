//! Two real `margin serve` processes on one workspace change its shared files at
//! the same time: every dictionary word, ignored finding and disabled file
//! either of them added is on disk afterwards, and neither saw an error.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use support::process::ServerProcess;

const WORDS: usize = 100;
const IGNORES: usize = 100;
const DISABLED: usize = 10;

/// The commands one server sends, interleaved: request ids from 100.
fn commands(server: usize, root: &std::path::Path) -> Vec<Value> {
    let file = |name: String| json!(format!("file://{}", root.join(name).display()));
    let mut out = Vec::new();
    for i in 0..WORDS.max(IGNORES).max(DISABLED) {
        if i < WORDS {
            out.push(json!({"command": "margin.addToDictionary", "arguments": [format!("word{server}x{i}"), "workspace"]}));
        }
        if i < IGNORES {
            let args = json!([
                file("notes.md".into()),
                format!("teh{server}x{i}"),
                "the",
                format!("Sentence {i} of {server}.")
            ]);
            out.push(json!({"command": "margin.ignoreFinding", "arguments": args}));
        }
        if i < DISABLED {
            out.push(json!({"command": "margin.disableFile", "arguments": [file(format!("off{server}x{i}.md"))]}));
        }
    }
    out
}

#[test]
fn two_servers_writing_the_same_workspace_files_lose_nothing() {
    let root = tempfile::tempdir().unwrap();
    let mut servers: Vec<ServerProcess> = (0..2).map(|_| ServerProcess::spawn()).collect();
    for server in &mut servers {
        server.initialize(Some(root.path()));
    }
    let batches: Vec<Vec<Value>> = (0..2).map(|s| commands(s, root.path())).collect();
    // Both servers get their commands at the same time, all pipelined.
    for (i, (first, second)) in batches[0].iter().zip(&batches[1]).enumerate() {
        servers[0].send_request(100 + i as i64, "workspace/executeCommand", first.clone());
        servers[1].send_request(100 + i as i64, "workspace/executeCommand", second.clone());
    }
    for (s, (server, batch)) in servers.iter_mut().zip(&batches).enumerate() {
        for (i, command) in batch.iter().enumerate() {
            let reply = server.response(100 + i as i64, Duration::from_secs(120));
            assert!(
                reply.get("error").is_none(),
                "server {s}, {command}: {reply}"
            );
        }
    }

    let words = std::fs::read_to_string(root.path().join(".margin/dictionary.txt")).unwrap();
    let words: BTreeSet<&str> = words.lines().collect();
    assert_eq!(words.len(), 2 * WORDS, "dictionary words kept");
    let store: Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join(".margin/ignored.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        store["ignored"]["notes.md"].as_array().map(Vec::len),
        Some(2 * IGNORES),
        "ignored findings kept"
    );
    assert_eq!(
        store["disabled_files"].as_array().map(Vec::len),
        Some(2 * DISABLED),
        "disabled files kept"
    );
    for server in &mut servers {
        server.send_request(9, "shutdown", json!(null));
        server.notify("exit", json!(null));
        assert_eq!(server.exits_within(Duration::from_secs(10)), Some(0));
    }
}
