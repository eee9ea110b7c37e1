//! `margin bench load`: a bounded load test of the language server as an editor
//! sees it. A real `margin serve` process gets `--docs` documents (Markdown
//! notes, and Rust files for completion), then `--edits-per-second` keystrokes
//! spread over them for `--seconds`, with hover, code-action and completion
//! requests interleaved. Reported: p50/p90/p99 latency per request kind during
//! the load, the time from the last edit to every document's final-version
//! diagnostics, and the server's resident memory before the documents were
//! opened (model loaded), at its peak during the load, and after they were all
//! closed. Goals (2 cores, SmolLM2): p99 hover/codeAction ≤ 1 s, final
//! diagnostics ≤ 60 s after the edits stop, memory back within 10 %.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::load_client::Client;

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    #[command(flatten)]
    pub bench: super::BenchArgs,
    /// Open documents (one in five is a Rust file).
    #[arg(long, default_value_t = 50)]
    pub docs: usize,
    /// Keystrokes per second, over all documents.
    #[arg(long, default_value_t = 40)]
    pub edits_per_second: u32,
    /// How long the edits go on.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Requests per second (hover, code action, completion in turn).
    #[arg(long, default_value_t = 3)]
    pub requests_per_second: u32,
}

const TYPED: &str = "and then she go home to read her book. ";
const EDITED_LINE: u32 = 4;

fn markdown(i: usize) -> String {
    format!(
        "# Notes {i}\n\nDas Wetter ist heute sehr schön und wir gehen spazieren.\n\nShe dont like apples, but she eat them anyway.\n\nThe weather is nice today, and the park are full of people.\n"
    )
}

const RUST: &str = "/// Sum of the squares of `values`.\nfn sum_of_squares(values: &[i64]) -> i64 {\n    let mut total = 0;\n    for v in values {\n        \n    }\n    total\n}\n";

struct Doc {
    uri: String,
    rust: bool,
    version: i32,
    edited_len: u32,
    /// Versions published, with when.
    published: Vec<(i32, Instant)>,
}

#[derive(Default)]
struct Stats {
    sent: HashMap<i64, (&'static str, Instant)>,
    latencies: HashMap<&'static str, Vec<f64>>,
    errors: usize,
}

pub fn run(model: &Path, args: &LoadArgs) -> Result<Value, String> {
    let log = std::env::temp_dir().join(format!("margin-bench-load-{}.log", std::process::id()));
    let mut client = Client::spawn(&log)?;
    let options =
        json!({"model": model, "threads": args.bench.threads, "inlineTranslations": false});
    let caps = json!({"general": {"positionEncodings": ["utf-16"]}});
    let id = client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": caps, "initializationOptions": options}));
    client
        .wait(id, Duration::from_secs(60), |_, _, _| {})
        .ok_or("the server did not initialize")?;
    client.notify("initialized", json!({}));

    // Load the model first: "before" is the server with its model, without documents.
    let mut docs = vec![Doc {
        uri: "file:///bench/warmup.md".into(),
        rust: false,
        version: 1,
        edited_len: 0,
        published: Vec::new(),
    }];
    open(&client, &docs[0]);
    wait_published(
        &mut client,
        &mut docs,
        Duration::from_secs(300),
        &mut Stats::default(),
    );
    close(&client, &docs[0]);
    std::thread::sleep(Duration::from_secs(2));
    let before = client.rss_mib();

    docs = (0..args.docs)
        .map(|i| {
            let rust = i % 5 == 4;
            let uri = format!("file:///bench/doc{i}.{}", if rust { "rs" } else { "md" });
            let edited_len = markdown(i)
                .lines()
                .nth(EDITED_LINE as usize)
                .unwrap_or_default()
                .len() as u32;
            Doc {
                uri,
                rust,
                version: 1,
                edited_len,
                published: Vec::new(),
            }
        })
        .collect();
    for (i, doc) in docs.iter().enumerate() {
        open_text(
            &client,
            doc,
            if doc.rust {
                RUST.to_string()
            } else {
                markdown(i)
            },
        );
    }
    let mut stats = Stats::default();
    let (started, mut peak) = (Instant::now(), before);
    let end = started + Duration::from_secs(args.seconds);
    let edit_every = Duration::from_secs_f64(1.0 / f64::from(args.edits_per_second.max(1)));
    let request_every = Duration::from_secs_f64(1.0 / f64::from(args.requests_per_second.max(1)));
    let (mut next_edit, mut next_request, mut edits, mut requests) =
        (started, started, 0usize, 0usize);
    let markdown_docs: Vec<usize> = (0..docs.len()).filter(|&i| !docs[i].rust).collect();
    let rust_docs: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].rust).collect();
    let mut last_edit = started;
    while Instant::now() < end {
        let now = Instant::now();
        if now >= next_edit && !markdown_docs.is_empty() {
            let doc = &mut docs[markdown_docs[(edits * 7) % markdown_docs.len()]];
            let ch = &TYPED[edits % TYPED.len()..edits % TYPED.len() + 1];
            doc.version += 1;
            let at = json!({"line": EDITED_LINE, "character": doc.edited_len});
            let change = json!({"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": [{"range": {"start": at, "end": at}, "text": ch}]});
            client.notify("textDocument/didChange", change);
            doc.edited_len += 1;
            edits += 1;
            last_edit = now;
            next_edit += edit_every;
        }
        if now >= next_request {
            send_request(
                &mut client,
                &docs,
                &markdown_docs,
                &rust_docs,
                requests,
                &mut stats,
            );
            requests += 1;
            next_request += request_every;
            peak = peak.max(client.rss_mib());
        }
        let wait = next_edit
            .min(next_request)
            .saturating_duration_since(Instant::now());
        drain(&mut client, &mut docs, &mut stats, wait);
    }
    let written = client.written.load(std::sync::atomic::Ordering::Relaxed);
    let missing = wait_published(&mut client, &mut docs, Duration::from_secs(300), &mut stats);
    let final_delays: Vec<f64> = docs
        .iter()
        .filter_map(|d| {
            d.published
                .iter()
                .find(|(v, _)| *v == d.version)
                .map(|(_, at)| at.duration_since(last_edit).as_secs_f64())
        })
        .collect();
    peak = peak.max(client.rss_mib());
    for doc in &docs {
        close(&client, doc);
    }
    drain(&mut client, &mut docs, &mut stats, Duration::from_secs(5));
    let after = client.rss_mib();
    client.finish();
    if std::env::var_os("MARGIN_BENCH_LOG").is_none() {
        let _ = std::fs::remove_file(&log);
    }

    let latency = |kind: &str| {
        let mut v = stats.latencies.get(kind).cloned().unwrap_or_default();
        v.sort_by(f64::total_cmp);
        json!({"n": v.len(), "p50_ms": pct(&v, 0.50), "p90_ms": pct(&v, 0.90), "p99_ms": pct(&v, 0.99)})
    };
    let mut delays = final_delays.clone();
    delays.sort_by(f64::total_cmp);
    Ok(json!({
        "documents": args.docs,
        "edits_per_second": args.edits_per_second,
        "seconds": args.seconds,
        "edits_sent": edits,
        "messages_written": written,
        "request_errors": stats.errors,
        "hover": latency("hover"),
        "code_action": latency("codeAction"),
        "completion": latency("completion"),
        "final_diagnostics_after_last_edit_s": {"p50": pct(&delays, 0.5), "max": delays.last(), "missing": missing},
        "publishes_during_edits": docs.iter().map(|d| d.published.iter().filter(|(v, at)| *v > 1 && *at <= end).count()).sum::<usize>(),
        "memory_mib": {"before": before, "peak": peak, "after_close": after, "after_vs_before": after / before.max(1.0)},
    }))
}

fn pct(sorted: &[f64], q: f64) -> Option<f64> {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(i).map(|v| (v * 10.0).round() / 10.0)
}

fn open(client: &Client, doc: &Doc) {
    open_text(client, doc, "She dont like apples.\n".into());
}

fn open_text(client: &Client, doc: &Doc, text: String) {
    let language = if doc.rust { "rust" } else { "markdown" };
    let item =
        json!({"uri": doc.uri, "languageId": language, "version": doc.version, "text": text});
    client.notify("textDocument/didOpen", json!({"textDocument": item}));
}

fn close(client: &Client, doc: &Doc) {
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc.uri}}),
    );
}

fn send_request(
    client: &mut Client,
    docs: &[Doc],
    md: &[usize],
    rs: &[usize],
    n: usize,
    stats: &mut Stats,
) {
    let pick = |list: &[usize]| {
        list.get((n / 3 * 11) % list.len().max(1))
            .map(|&i| docs[i].uri.clone())
    };
    let (kind, method, params) = match n % 3 {
        0 => ("hover", "textDocument/hover", pick(md).map(|uri| json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 10}}))),
        1 => {
            let range = json!({"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 8}});
            ("codeAction", "textDocument/codeAction", pick(md).map(|uri| json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}})))
        }
        _ => ("completion", "textDocument/completion", pick(rs).map(|uri| json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 8}}))),
    };
    if let Some(params) = params {
        let id = client.request(method, params);
        stats.sent.insert(id, (kind, Instant::now()));
    }
}

/// Handle what arrives for `wait`: responses (latency), diagnostics, server requests.
fn drain(client: &mut Client, docs: &mut [Doc], stats: &mut Stats, wait: Duration) {
    let deadline = Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok((at, message)) = client.from_server.recv_timeout(left) else {
            return;
        };
        handle(client, docs, stats, at, &message);
    }
}

fn handle(client: &Client, docs: &mut [Doc], stats: &mut Stats, at: Instant, message: &Value) {
    match message.get("method").and_then(Value::as_str) {
        Some("textDocument/publishDiagnostics") => {
            let uri = message["params"]["uri"].as_str().unwrap_or_default();
            let version = message["params"]["version"].as_i64().unwrap_or(-1) as i32;
            if let Some(doc) = docs.iter_mut().find(|d| d.uri == uri) {
                doc.published.push((version, at));
            }
        }
        Some(_) if message.get("id").is_some() => client.answer(message),
        Some(_) => {}
        None => {
            if let Some((kind, sent)) = message["id"].as_i64().and_then(|id| stats.sent.remove(&id))
            {
                stats
                    .latencies
                    .entry(kind)
                    .or_default()
                    .push(at.duration_since(sent).as_secs_f64() * 1e3);
                stats.errors += usize::from(message.get("error").is_some());
            }
        }
    }
}

/// Wait until every document has diagnostics for its current version; how many never did.
fn wait_published(
    client: &mut Client,
    docs: &mut [Doc],
    timeout: Duration,
    stats: &mut Stats,
) -> usize {
    let deadline = Instant::now() + timeout;
    let missing = |docs: &[Doc]| {
        docs.iter()
            .filter(|d| !d.published.iter().any(|(v, _)| *v == d.version))
            .count()
    };
    while missing(docs) > 0 && Instant::now() < deadline {
        drain(client, docs, stats, Duration::from_millis(100));
    }
    missing(docs)
}
