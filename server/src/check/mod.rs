//! `margin check`: proofread files and directories from a terminal, CI or a pre-commit hook,
//! with the same engine, cache and filters as the server. Directories are walked honouring
//! .gitignore; files are read and parsed on a pool of threads while the model works
//! ([`files`]); results persist in the result cache that the server shares; with
//! `--changed-since REF` only regions that differ from the file at REF are checked
//! ([`changed`]). Output formats: [`output`]. A summary line (files, regions checked and from
//! cache, findings, seconds) ends every run on stderr.
//!
//! Exit codes: 0 clean; 1 with a finding at or above `--fail-on`, or when some input could not
//! be checked (or not fully: nothing unchecked passes for clean; not with `--fail-on never`);
//! 2 when nothing could be checked, or on errors before any file (bad arguments, no model).

mod changed;
mod files;
mod output;
mod run;
mod sarif;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use margin_engine::Engine;

pub use changed::Base;
pub use files::collect_files;
pub use output::{render, Level};
pub use run::{FileFindings, Pass, Report};

use crate::checking::{Checker, ResultStore, Tuning};
use crate::cli::{CheckArgs, FailOn};
use crate::config::Layers;
use crate::model::ModelKey;
use crate::stores::Stores;

pub fn run(args: &CheckArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(check(args))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("margin: {message}");
    ExitCode::from(2)
}

/// The result store a run uses: `--cache-dir`, else `results` under margin's cache directory.
pub fn result_store(cache_dir: Option<&std::path::Path>) -> Arc<ResultStore> {
    match cache_dir {
        Some(dir) => ResultStore::new(dir, "--cache-dir"),
        None => ResultStore::shared(),
    }
}

/// The configured model server (its degradations said once on stderr), else the in-process
/// model chosen for proofreading.
pub async fn start_engine(
    settings: &crate::config::Settings,
    model: Option<&std::path::Path>,
) -> Result<Engine, String> {
    if let Some(b) = &settings.backend {
        let engine = crate::model::remote::connect(b).await?;
        for note in &engine.model_info().degraded {
            eprintln!("margin: {note}");
        }
        return Ok(engine);
    }
    let config = ModelKey::from_settings(settings).config(model)?;
    match tokio::task::spawn_blocking(move || Engine::start(config)).await {
        Ok(Ok(engine)) => Ok(engine),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

async fn check(args: &CheckArgs) -> ExitCode {
    let root = std::env::current_dir().ok();
    let mut layers = Layers::default();
    for problem in layers.load_files(root.as_deref()) {
        eprintln!("{problem}; using the default");
    }
    let mut settings = layers.settings();
    settings.language = args.language.clone();
    if args.threads.is_some() {
        settings.threads = args.threads;
    }
    let (files, missing) = collect_files(&args.paths);
    for (path, why) in &missing {
        eprintln!("margin: {}: {why}", path.display());
    }
    if files.is_empty() && !missing.is_empty() {
        return ExitCode::from(2);
    }
    let base = args.changed_since.as_deref().and_then(|reference| {
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        Base::load(reference, &paths)
            .map(Arc::new)
            .inspect_err(|e| eprintln!("margin: {e}; checking whole files"))
            .ok()
    });
    args.backend.apply(&mut settings);
    let engine = match start_engine(&settings, args.model.as_deref()).await {
        Ok(engine) => engine,
        Err(e) => return fail(&e),
    };
    let (stores, warning) = Stores::open(root.as_deref());
    if let Some(w) = warning {
        eprintln!("margin: {w}");
    }
    // One pass over the files: nothing is edited, and no region's result may depend on which
    // file was checked first.
    let mut checker = Checker::with_tuning(Tuning::one_pass());
    if !args.no_cache {
        checker = checker.with_store(result_store(args.cache_dir.as_deref()));
    }
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = args.threads.map_or(cores, |t| t as usize);
    let pass = Pass {
        engine: &engine,
        checker: &checker,
        settings: &settings,
        stores: &stores,
        base,
        threads,
        progress: true,
    };
    let mut report = pass.run(files).await;
    report.file_count += missing.len();
    report.not_checked.extend(missing);
    let level = Level::from(settings.severity);
    if let Err(e) = std::io::stdout()
        .lock()
        .write_all(output::render(&report, args.format, level).as_bytes())
    {
        return fail(&format!("cannot write the output: {e}"));
    }
    let not_checked = report.not_checked.len();
    if not_checked > 0 {
        eprintln!("margin: {not_checked} file(s) not fully checked (see \"skipped\" above)");
    }
    eprintln!(
        "{}",
        summary(
            &report,
            &checker,
            args.changed_since.as_deref(),
            started.elapsed().as_secs_f64()
        )
    );
    exit_code(&report, args.fail_on, level)
}

/// `margin: 3 files, 12 regions: 2 checked, 10 from cache; 1 finding in 4.2 s`.
pub fn summary(report: &Report, checker: &Checker, since: Option<&str>, seconds: f64) -> String {
    let stats = checker.stats();
    let findings = report.finding_count();
    let unchanged = match (since, report.unchanged_files) {
        (Some(reference), n) if n > 0 => format!(" ({n} unchanged since {reference})"),
        _ => String::new(),
    };
    format!(
        "margin: {} file{}{unchanged}, {} region{}: {} checked, {} from cache; {findings} finding{} in {seconds:.1} s",
        report.file_count,
        plural(report.file_count),
        stats.regions,
        plural(stats.regions),
        stats.model_calls,
        stats.cache_hits,
        plural(findings),
    )
}

fn exit_code(report: &Report, fail_on: FailOn, level: Level) -> ExitCode {
    if report.checked_files == 0 && !report.not_checked.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Info => Some(Level::Info),
        FailOn::Never => None,
    };
    let Some(threshold) = threshold else {
        return ExitCode::SUCCESS;
    };
    if (report.finding_count() > 0 && level >= threshold) || !report.not_checked.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
