//! `margin bench engine --backend-url URL`: the HTTP backend against in-process inference on
//! the same model, in one run. Start the server on the same GGUF with the same threads (e.g.
//! `python -m llama_cpp.server --model M --n_threads 1` or `llama-server -m M -t 1`):
//!
//! * **edit latency**: one document is checked once (warm), then single paragraphs are edited
//!   and re-checked; the median time from edit to findings, remote and in process, and their
//!   ratio;
//! * **4 concurrent `margin check` runs**: total wall time of four processes checking their own
//!   copy of a small tree at once, all against the one server, against four in-process runs
//!   (each loading its own model).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use margin_engine::Engine;
use serde_json::{json, Value};

use super::{check, median, start_engine, CLEAN};
use crate::checking::Checker;
use crate::config::{BackendSettings, Settings};

/// Edits timed per backend.
const EDITS: usize = 5;
/// Files per `margin check` tree.
const FILES: usize = 6;

pub fn run(
    model: &Path,
    threads: Option<usize>,
    backend: &BackendSettings,
) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (local, settings) = start_engine(model, threads)?;
    let remote = runtime.block_on(crate::model::remote::connect(backend))?;
    let doc: String = std::iter::once("I has a question about the homework.")
        .chain(CLEAN.iter().copied())
        .map(|s| format!("{s}\n\n"))
        .collect();
    let local_ms = edit_latency(&runtime, &local, &settings, &doc)?;
    let remote_ms = edit_latency(&runtime, &remote, &settings, &doc)?;
    drop(local);

    let dir = tempfile_dir()?;
    let url = backend.url.clone();
    let model_arg = model.to_string_lossy().into_owned();
    let t = threads.unwrap_or(1).to_string();
    let local_runs = concurrent_checks(&dir, &["--model", &model_arg, "--threads", &t])?;
    let remote_runs = concurrent_checks(&dir, &["--backend-url", &url, "--threads", &t])?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(json!({
        "model": remote.model_info().name,
        "server": remote.model_info().remote,
        "threads": threads,
        "degraded": remote.model_info().degraded,
        "edit_to_findings_ms_in_process": local_ms,
        "edit_to_findings_ms_server": remote_ms,
        "edit_to_findings_ratio_server_over_in_process": remote_ms / local_ms,
        "four_checks_in_process_s": local_runs,
        "four_checks_one_server_s": remote_runs,
        "four_checks_ratio_server_over_in_process": remote_runs / local_runs,
    }))
}

/// Median ms from one edited paragraph to its findings (the document checked warm first).
fn edit_latency(
    runtime: &tokio::runtime::Runtime,
    engine: &Engine,
    settings: &Settings,
    doc: &str,
) -> Result<f64, String> {
    let warm = Checker::default();
    check(runtime, engine, &warm, settings, doc, None)?;
    let starts: Vec<usize> = doc.match_indices("\n\n").map(|(i, _)| i + 2).collect();
    let mut ms = Vec::new();
    for k in 0..EDITS {
        let at = starts[k * (starts.len() - 1) / EDITS];
        let edited = format!("{}Today, {}", &doc[..at], &doc[at..]);
        ms.push(check(runtime, engine, &warm, settings, &edited, Some(at))?.2 * 1000.0);
    }
    Ok(median(&mut ms))
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("margin-bench-remote-{}", std::process::id()));
    for run in 0..4 {
        let sub = dir.join(format!("run{run}"));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        for f in 0..FILES {
            let text = format!(
                "# File {f}\n\n{}\n\nI has a question about file {f}.\n",
                CLEAN[(f + run) % CLEAN.len()]
            );
            std::fs::write(sub.join(format!("f{f}.md")), text).map_err(|e| e.to_string())?;
        }
    }
    Ok(dir)
}

/// Seconds until four `margin check` processes (one per copy of the tree) have all finished.
fn concurrent_checks(dir: &Path, args: &[&str]) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let children: Vec<_> = (0..4)
        .map(|run| {
            Command::new(&exe)
                .arg("check")
                .args(["--no-cache", "--fail-on", "never", "--format", "json"])
                .args(args)
                .arg(dir.join(format!("run{run}")))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    for mut c in children {
        let status = c.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!(
                "a `margin check` run failed ({status}) with {args:?}"
            ));
        }
    }
    Ok(started.elapsed().as_secs_f64())
}
