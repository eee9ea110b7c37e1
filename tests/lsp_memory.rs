//! Memory trend of a real `margin serve` process: large documents opened and
//! closed again and again leave its memory where it was before they were
//! opened (within 10 %), with no growth from one cycle to the next. One
//! document is over `maxFileBytes` (kept, not analysed), one is parsed.

mod support;

use std::time::Duration;

use serde_json::json;
use support::process::ServerProcess;

/// Resident memory of the process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Every message sent so far has been handled (the server answers in order of reading).
fn settle(server: &mut ServerProcess, id: &mut i64) {
    *id += 1;
    server.send_request(*id, "margin/status", json!({}));
    server.response(*id, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(400));
}

#[test]
fn closing_large_documents_gives_their_memory_back() {
    let mut server = ServerProcess::spawn();
    server.initialize(None);
    let pid = server.child.id();
    let mut id = 10;
    let skipped = format!(
        "{}\n",
        "She dont like apples, but she eat them anyway. ".repeat(6_000_000 / 48)
    );
    let parsed = format!(
        "# Notes\n\n{}\n",
        "The weather is nice today and she eat apples. ".repeat(1_500_000 / 47)
    );
    let open = |server: &mut ServerProcess, uri: &str, text: &str| {
        let doc = json!({"uri": uri, "languageId": "markdown", "version": 1, "text": text});
        server.notify("textDocument/didOpen", json!({"textDocument": doc}));
    };
    let close = |server: &mut ServerProcess, uri: &str| {
        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )
    };
    open(&mut server, "file:///w/small.md", "Some text.\n");
    settle(&mut server, &mut id);
    close(&mut server, "file:///w/small.md");
    settle(&mut server, &mut id);
    let before = rss_kib(pid);
    let mut after = Vec::new();
    for cycle in 0..4 {
        let (a, b) = (
            format!("file:///w/skipped{cycle}.md"),
            format!("file:///w/parsed{cycle}.md"),
        );
        open(&mut server, &a, &skipped);
        open(&mut server, &b, &parsed);
        settle(&mut server, &mut id);
        close(&mut server, &a);
        close(&mut server, &b);
        settle(&mut server, &mut id);
        after.push(rss_kib(pid));
    }
    eprintln!("resident memory: {before} KiB before, {after:?} KiB after each cycle");
    let last = *after.last().unwrap();
    assert!(
        last <= before + before / 10 + 1024,
        "{last} KiB after closing, {before} KiB before: {after:?}"
    );
    assert!(
        last <= after[0] + 2048,
        "memory grows from cycle to cycle: {after:?}"
    );
    server.send_request(99, "shutdown", json!(null));
    server.notify("exit", json!(null));
    assert_eq!(server.exits_within(Duration::from_secs(10)), Some(0));
}
