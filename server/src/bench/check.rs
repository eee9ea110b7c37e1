//! `margin bench check`: `margin check` over a generated tree of 200 Markdown files, in one
//! process with one model, three times, each with a fresh checker (empty memory, as a new
//! process has) on one result store: the first run (every region goes to the model), a second
//! run over the unchanged tree (everything from the store), and a run after one paragraph of
//! one file changed (one region to the model). Times are given as ratios of the first run;
//! the goal is an unchanged run at least 50× faster than the first.

use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};

use crate::check::{collect_files, Pass};
use crate::checking::{Checker, ResultStore, Tuning};
use crate::stores::Stores;

/// Files in the tree.
pub const FILES: usize = 200;

const SUBJECTS: &[&str] = &[
    "The build server",
    "Our release process",
    "The parser",
    "The documentation team",
    "The cache",
    "Each reviewer",
];
const VERBS: &[&str] = &[
    "checks",
    "updates",
    "describes",
    "publishes",
    "measures",
    "reads",
];
const OBJECTS: &[&str] = &[
    "the changelog",
    "every pull request",
    "the benchmark results",
    "the configuration file",
    "the test reports",
];
const WHEN: &[&str] = &[
    "every morning",
    "after each merge",
    "before a release",
    "once a week",
    "when a test fails",
];

/// The Markdown of file `i`: a heading and a paragraph of two sentences, unique to the file
/// (so the first run cannot reuse another file's results); every tenth has a mistake.
pub fn file_text(i: usize) -> String {
    let pick = |list: &[&'static str], k: usize| list[(i / k) % list.len()];
    let first = format!(
        "{} {} {} {}.",
        pick(SUBJECTS, 1),
        pick(VERBS, 3),
        pick(OBJECTS, 7),
        pick(WHEN, 11)
    );
    let second = if i.is_multiple_of(10) {
        format!("We recieve lunch at the desk in room {i} while the report is written.")
    } else {
        format!("Item {i} of the list was reviewed by two people on the same day.")
    };
    format!("# Note {i}\n\n{first} {second}\n")
}

fn write_tree(dir: &Path) -> Result<(), String> {
    for i in 0..FILES {
        let sub = dir.join(format!("section-{}", i / 20));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        std::fs::write(sub.join(format!("note-{i}.md")), file_text(i))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn run(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (engine, settings) = super::start_engine(model, threads)?;
    let work = std::env::temp_dir().join(format!("margin-bench-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let result = measure(&runtime, &engine, &settings, &work, threads);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    engine: &margin_engine::Engine,
    settings: &crate::config::Settings,
    work: &Path,
    threads: Option<usize>,
) -> Result<Value, String> {
    let tree = work.join("docs");
    write_tree(&tree)?;
    let store_dir = work.join("cache");
    let (stores, _) = Stores::open(Some(&tree));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // One run as `margin check docs/` does it, with a new checker (a new process) each time.
    let pass = |label: &str| -> Result<(f64, usize, usize, usize), String> {
        let checker = Checker::with_tuning(Tuning::one_pass())
            .with_store(ResultStore::new(&store_dir, "bench"));
        let (files, _) = collect_files(std::slice::from_ref(&tree));
        let pass = Pass {
            engine,
            checker: &checker,
            settings,
            stores: &stores,
            base: None,
            threads: cores,
            progress: false,
        };
        let started = Instant::now();
        let report = runtime.block_on(pass.run(files));
        let seconds = started.elapsed().as_secs_f64();
        if let Some(problem) = report
            .not_checked
            .first()
            .map(|(p, why)| format!("{label}: {}: {why}", p.display()))
        {
            return Err(problem);
        }
        let stats = checker.stats();
        Ok((
            seconds,
            stats.regions,
            stats.model_calls,
            report.finding_count(),
        ))
    };
    let (first_s, regions, first_calls, findings) = pass("first run")?;
    let (unchanged_s, _, unchanged_calls, unchanged_findings) = pass("unchanged run")?;
    let edited = tree.join("section-3").join("note-61.md");
    let text = file_text(61).replace("reviewed by two people", "reviewed by three people");
    std::fs::write(&edited, text).map_err(|e| e.to_string())?;
    let (edited_s, _, edited_calls, _) = pass("one-paragraph run")?;
    let store_bytes: u64 = std::fs::read_dir(&store_dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok(json!({
        "model": engine.model_info().name,
        "threads": threads,
        "files": FILES,
        "regions": regions,
        "findings": findings,
        "findings_unchanged_run": unchanged_findings,
        "first_run_s": first_s,
        "unchanged_run_s": unchanged_s,
        "one_paragraph_run_s": edited_s,
        "unchanged_ratio": unchanged_s / first_s,
        "one_paragraph_ratio": edited_s / first_s,
        "unchanged_speedup": first_s / unchanged_s,
        "model_calls_first_run": first_calls,
        "model_calls_unchanged_run": unchanged_calls,
        "model_calls_one_paragraph_run": edited_calls,
        "store_bytes": store_bytes,
    }))
}
