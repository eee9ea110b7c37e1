//! `margin bench`: speed and precision figures measured in one process with
//! one model, printed as one JSON object (`--json`) or a short table.
//! `engine` runs the engine's own benchmark; `proofread` measures
//! proofreading on a generated 200-paragraph Markdown document; `translate`,
//! `suggest` and `load` (a server process under many edited documents) are in
//! their own modules.

mod load;
mod load_client;
mod suggest;
mod translate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;
use margin_engine::{Engine, Priority};
use margin_proofread::Dictionary;
use margin_syntax::Language;
use serde_json::{json, Value};

use crate::checking::{prepare, CheckInput, Checker, Tuning};
use crate::config::Settings;
use crate::model::ModelKey;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Engine: prefix reuse, speculative decoding, KV restore, throughput, contention.
    Engine(BenchArgs),
    /// Proofreading: edit latency, first-check throughput, false flags on clean text.
    Proofread(BenchArgs),
    /// Translation: hover latency cold vs cached, placeholders kept over i18n strings.
    Translate(BenchArgs),
    /// Suggestions: time to suggestion per keystroke warm vs cold, tokens evaluated, drops.
    Suggest(BenchArgs),
    /// Load: a server process under many edited documents; request latency, time to final
    /// diagnostics, memory before/during/after.
    Load(load::LoadArgs),
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: &BenchCommand) -> ExitCode {
    let (args, result) = match command {
        BenchCommand::Engine(args) => (args, resolve(args).and_then(|m| engine_bench(&m, args.threads))),
        BenchCommand::Proofread(args) => (args, resolve(args).and_then(|m| proofread_bench(&m, args.threads))),
        BenchCommand::Translate(args) => (args, resolve(args).and_then(|m| translate::run(&m, args.threads))),
        BenchCommand::Suggest(args) => (args, resolve(args).and_then(|m| suggest::run(&m, args.threads))),
        BenchCommand::Load(load) => (&load.bench, resolve(&load.bench).and_then(|m| load::run(&m, load))),
    };
    match result {
        Ok(value) if args.json => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Ok(value) => {
            for (k, v) in value.as_object().into_iter().flatten() {
                println!("{k:32} {v}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("margin: {e}");
            ExitCode::from(2)
        }
    }
}

fn resolve(args: &BenchArgs) -> Result<PathBuf, String> {
    margin_engine::resolve_model(args.model.as_deref(), None).map_err(|e| e.to_string())
}

fn engine_bench(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    margin_engine::bench::run(model, threads).map_err(|e| e.to_string())
}

const CLEAN: &[&str] = &[
    "The library parses the configuration file once and caches the result.",
    "Each request is answered exactly once, even when it is cancelled.",
    "We moved the meeting to Thursday because half the team was travelling.",
    "The tests run on every commit and take about ten minutes.",
    "Please send the signed contract back by the end of the week.",
    "The river flows slowly through the old town before it reaches the sea.",
    "She plays the piano every evening after dinner.",
    "Our office is closed on public holidays.",
    "The report explains how the budget was spent last year.",
    "He opened the window to let some fresh air into the room.",
];

const WITH_ERRORS: &[&str] = &[
    "She dont like apples, but she eat them anyway.",
    "Their going to the park tomorow with there friends.",
    "The function returns a list of of items.",
    "I has a dog and it like to run in teh park.",
    "This sentance has a speling mistake.",
];

/// A Markdown document of `n` paragraphs: mostly clean, every fourth with errors.
fn document(n: usize) -> String {
    let mut doc = String::from("# Benchmark notes\n\n");
    for i in 0..n {
        let sentence = if i % 4 == 3 { WITH_ERRORS[i % WITH_ERRORS.len()] } else { CLEAN[i % CLEAN.len()] };
        doc.push_str(&format!("Paragraph {i}: {sentence}\n\n"));
    }
    doc
}

/// An engine for a benchmark: no KV persistence, so every run starts cold.
fn start_engine(model: &Path, threads: Option<usize>) -> Result<(Engine, Settings), String> {
    let settings = Settings { threads: threads.map(|t| t as u32), ..Settings::default() };
    let mut config = ModelKey::from_settings(&settings).config(Some(model))?;
    config.disable_kv_persistence = true;
    Ok((Engine::start(config).map_err(|e| e.to_string())?, settings))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() { 0.0 } else { values[values.len() / 2] }
}

fn proofread_bench(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let (engine, settings) = start_engine(model, threads)?;
    let dictionary = Dictionary::default();
    let check = |checker: &Checker, text: &str, focus: Option<usize>| -> Result<(usize, usize, f64), String> {
        let (regions, identifiers) = prepare(text, Language::Markdown, &settings)?;
        let input = CheckInput {
            text,
            language: Language::Markdown,
            settings: &settings,
            dictionary: &dictionary,
            focus,
            cancel: Arc::new(AtomicBool::new(false)),
            priority: Priority::Interactive,
        };
        let start = Instant::now();
        let findings = runtime
            .block_on(checker.check_document(&engine, &input, &regions, &identifiers, |_, _, _| {}))
            .map_err(|e| e.to_string())?;
        Ok((regions.len(), findings.len(), start.elapsed().as_secs_f64()))
    };

    let doc = document(200);
    let fast = Checker::default();
    let (regions, first_findings, first_s) = check(&fast, &doc, None)?;
    let plain = Checker::with_tuning(Tuning { cache: false, speculative: false });
    let (_, _, plain_s) = check(&plain, &doc, None)?;

    // One-paragraph edits: only the edited region goes to the model.
    let mut latencies = Vec::new();
    let calls_before = fast.stats().model_calls;
    for i in [10usize, 90, 170] {
        let edited = doc.replacen(&format!("Paragraph {i}: "), &format!("Paragraph {i}: Today, "), 1);
        let focus = edited.find(&format!("Paragraph {i}: "));
        latencies.push(check(&fast, &edited, focus)?.2 * 1000.0);
    }
    let calls_per_edit = (fast.stats().model_calls - calls_before) as f64 / 3.0;
    latencies.sort_by(f64::total_cmp);

    let clean_doc: String = CLEAN.iter().map(|s| format!("{s}\n\n")).collect();
    let (clean_regions, clean_flags, _) = check(&Checker::default(), &clean_doc, None)?;

    Ok(json!({
        "model": engine.model_info().name,
        "threads": threads,
        "paragraphs": regions,
        "first_check_findings": first_findings,
        "first_check_s": first_s,
        "first_check_regions_per_s": regions as f64 / first_s,
        "first_check_regions_per_s_no_cache_no_speculation": regions as f64 / plain_s,
        "first_check_speedup": plain_s / first_s,
        "edit_latency_ms": latencies[1],
        "edit_latency_ms_max": latencies[2],
        "model_calls_per_edit": calls_per_edit,
        "clean_paragraphs": clean_regions,
        "clean_false_flags": clean_flags,
    }))
}
