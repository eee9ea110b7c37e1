//! `margin bench`: speed and precision figures measured in one process with
//! one model, printed as one JSON object (`--json`) or a short table.
//! `engine` runs the engine's own benchmark; `proofread` measures
//! proofreading on this repository's README; `check`, `translate`, `suggest` and
//! `load` (a server process under many edited documents) are in their own
//! modules.

mod check;
mod load;
mod load_client;
mod remote;
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
use crate::config::{RewriteMode, Settings};
use crate::model::ModelKey;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Engine: prefix reuse, speculative decoding, KV restore, throughput, contention.
    Engine(BenchArgs),
    /// Proofreading: edit latency, first-check throughput, false flags on clean text.
    Proofread(BenchArgs),
    /// `margin check` over 200 Markdown files: first run, unchanged run, one paragraph changed.
    Check(BenchArgs),
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
    /// The model: a path, `ollama:…`, `lmstudio:…`, `hf:…` or a catalog name.
    #[arg(long, value_name = "REFERENCE")]
    pub model: Option<PathBuf>,
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// `bench engine` only: also measure this OpenAI-compatible server (serving the same model
    /// with the same threads) against in-process inference.
    #[arg(long, value_name = "URL")]
    pub backend_url: Option<String>,
    /// The model's name on that server (default: its first model).
    #[arg(long, value_name = "NAME")]
    pub backend_model: Option<String>,
    /// `bench proofread` only: measure the first check, the edits and the clean text, without
    /// the slower baselines (`rewrite: always`, the model's own weights).
    #[arg(long)]
    pub no_baselines: bool,
}

pub fn run(command: &BenchCommand) -> ExitCode {
    let (args, result) = match command {
        BenchCommand::Engine(args) => (
            args,
            resolve(args).and_then(|m| match &args.backend_url {
                Some(url) => remote::run(
                    &m,
                    args.threads,
                    &crate::config::BackendSettings {
                        url: url.clone(),
                        model: args.backend_model.clone(),
                        api_key_env: None,
                        timeout_ms: 120_000,
                    },
                ),
                None => engine_bench(&m, args.threads),
            }),
        ),
        BenchCommand::Proofread(args) => (
            args,
            resolve(args).and_then(|m| proofread_bench(&m, args.threads, !args.no_baselines)),
        ),
        BenchCommand::Check(args) => (
            args,
            resolve(args).and_then(|m| check::run(&m, args.threads)),
        ),
        BenchCommand::Translate(args) => (
            args,
            resolve(args).and_then(|m| translate::run(&m, args.threads)),
        ),
        BenchCommand::Suggest(args) => (
            args,
            resolve(args).and_then(|m| suggest::run(&m, args.threads)),
        ),
        BenchCommand::Load(load) => (
            &load.bench,
            resolve(&load.bench).and_then(|m| load::run(&m, load)),
        ),
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

#[cfg(feature = "llama")]
fn engine_bench(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    margin_engine::bench::run(model, threads).map_err(|e| e.to_string())
}

#[cfg(not(feature = "llama"))]
fn engine_bench(_model: &Path, _threads: Option<usize>) -> Result<Value, String> {
    Err("the engine benchmark needs in-process inference (cargo feature `llama`)".into())
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

/// This repository's README: the document the first-check goals are about.
const README: &str = include_str!("../../../README.md");

/// An engine for a benchmark: no KV persistence, so every run starts cold.
fn start_engine(model: &Path, threads: Option<usize>) -> Result<(Engine, Settings), String> {
    start_engine_with(model, threads, true)
}

/// [`start_engine`]; `scoring_copy: false` scores on the model's own weights even where margin
/// would use an F16 copy (`margin_engine::scoring_weights`).
fn start_engine_with(
    model: &Path,
    threads: Option<usize>,
    scoring_copy: bool,
) -> Result<(Engine, Settings), String> {
    let settings = Settings {
        threads: threads.map(|t| t as u32),
        ..Settings::default()
    };
    let mut config = ModelKey::from_settings(&settings).config(Some(model))?;
    config.disable_kv_persistence = true;
    config.scoring_copy = scoring_copy;
    Ok((Engine::start(config).map_err(|e| e.to_string())?, settings))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        0.0
    } else {
        values[values.len() / 2]
    }
}

/// One check of `text` (Markdown): (regions, findings, seconds).
fn check(
    runtime: &tokio::runtime::Runtime,
    engine: &Engine,
    checker: &Checker,
    settings: &Settings,
    text: &str,
    focus: Option<usize>,
) -> Result<(usize, usize, f64), String> {
    let dictionary = Dictionary::default();
    let (regions, identifiers) = prepare(text, Language::Markdown, settings)?;
    let input = CheckInput {
        text,
        language: Language::Markdown,
        settings,
        dictionary: &dictionary,
        focus,
        cancel: Arc::new(AtomicBool::new(false)),
        priority: Priority::Interactive,
    };
    let start = Instant::now();
    let findings = runtime
        .block_on(checker.check_document(engine, &input, &regions, &identifiers, |_, _, _| {}))
        .map_err(|e| e.to_string())?;
    Ok((regions.len(), findings.len(), start.elapsed().as_secs_f64()))
}

/// Proofreading speed on this README, in one process: the first check (detection and
/// candidates) against the rewrite-every-region path (`rewrite: always`) and against scoring
/// on the model's own weights where margin scores on an F16 copy, latency from one
/// edited paragraph to findings, model calls per edit, and false flags on clean text.
fn proofread_bench(model: &Path, threads: Option<usize>, baselines: bool) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (engine, settings) = start_engine(model, threads)?;
    let always = Settings {
        rewrite: RewriteMode::Always,
        ..settings.clone()
    };
    let cold = || {
        Checker::with_tuning(Tuning {
            cache: false,
            ..Tuning::default()
        })
    };

    let (regions, findings, first_s) = check(&runtime, &engine, &cold(), &settings, README, None)?;
    // The same first check scored on the model's own weights (only differs for a small Q4_1 or
    // Q5_1 model, which margin scores on an F16 copy).
    let fingerprint = &engine.model_info().fingerprint;
    let copy = margin_proofread::verify::model_fingerprint(fingerprint) != fingerprint.as_str();
    let own_weights = if copy && baselines {
        let (own, _) = start_engine_with(model, threads, false)?;
        Some(check(&runtime, &own, &cold(), &settings, README, None)?)
    } else {
        None
    };
    let rewrite = if baselines {
        Some(check(&runtime, &engine, &cold(), &always, README, None)?)
    } else {
        None
    };

    // One edited paragraph at a time: only its region goes to the model again.
    let warm = Checker::default();
    check(&runtime, &engine, &warm, &settings, README, None)?;
    let paragraphs: Vec<usize> = README
        .match_indices("\n\n")
        .map(|(i, _)| i + 2)
        .filter(|&i| README[i..].starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    let picks: Vec<usize> = (0..9)
        .map(|k| paragraphs[k * paragraphs.len() / 9])
        .collect();
    let calls_before = warm.stats().model_calls;
    let mut latencies = Vec::new();
    for &at in &picks {
        let edited = format!("{}Today, {}", &README[..at], &README[at..]);
        latencies.push(check(&runtime, &engine, &warm, &settings, &edited, Some(at))?.2 * 1000.0);
    }
    let calls_per_edit = (warm.stats().model_calls - calls_before) as f64 / picks.len() as f64;

    let clean_doc: String = CLEAN.iter().map(|s| format!("{s}\n\n")).collect();
    let (clean_regions, clean_flags, _) =
        check(&runtime, &engine, &cold(), &settings, &clean_doc, None)?;

    Ok(json!({
        "model": engine.model_info().name,
        "threads": threads,
        "readme_regions": regions,
        "readme_findings": findings,
        "readme_first_check_s": first_s,
        "readme_first_check_rewrite_always_s": rewrite.map(|r| r.2),
        "readme_findings_rewrite_always": rewrite.map(|r| r.1),
        "first_check_speedup_vs_rewrite_always": rewrite.map(|r| r.2 / first_s),
        "scoring_weights": if copy { "F16 copy" } else { "the model's own" },
        "readme_first_check_own_weights_s": own_weights.map(|o| o.2),
        "readme_findings_own_weights": own_weights.map(|o| o.1),
        "first_check_speedup_vs_own_weights": own_weights.map(|o| o.2 / first_s),
        "edit_latencies_ms": latencies.iter().map(|l| l.round()).collect::<Vec<_>>(),
        "edit_latency_ms_median": median(&mut latencies),
        "edit_latency_ms_max": latencies.iter().copied().fold(0.0, f64::max),
        "model_calls_per_edit": calls_per_edit,
        "clean_paragraphs": clean_regions,
        "clean_false_flags": clean_flags,
    }))
}
