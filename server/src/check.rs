//! `margin check`: proofread files and directories from a terminal or CI,
//! with the same engine, cache and filters as the server. Directories are
//! walked honouring .gitignore. Prints `path:line:col: category: message`
//! (or JSON); exit code 0 when clean, 1 with findings, 2 on errors (and when
//! anything was skipped or cut short: nothing unchecked passes for clean). On a
//! terminal a bar follows the files and the current file's regions; a summary
//! line (files, regions, findings, seconds) ends every run on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use margin_engine::{Engine, Priority};
use margin_syntax::Language;
use ropey::Rope;
use serde_json::json;

use crate::checking::{proofread, Checker, DocumentInput, Finding, UserChoices};
use crate::cli::{CheckArgs, Format};
use crate::cli_input::{text_of, FileProblem};
use crate::config::{Layers, Settings};
use crate::model::ModelKey;
use crate::region_limit::MAX_REGION_BYTES;
use crate::stores::Stores;
use crate::text::{positions, Encoding};

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

async fn check(args: &CheckArgs) -> ExitCode {
    let root = std::env::current_dir().ok();
    let mut layers = Layers::default();
    for problem in layers.load_files(root.as_deref()) {
        eprintln!("{problem}; using the default");
    }
    let mut settings = layers.settings();
    settings.language = args.language.clone();
    let files = match collect_files(&args.paths) {
        Ok(files) => files,
        Err(e) => return fail(&e),
    };
    let config = match ModelKey::from_settings(&settings).config(args.model.as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    let engine = match tokio::task::spawn_blocking(move || Engine::start(config)).await {
        Ok(Ok(engine)) => engine,
        Ok(Err(e)) => return fail(&e.to_string()),
        Err(e) => return fail(&e.to_string()),
    };
    let (stores, warning) = Stores::open(root.as_deref());
    if let Some(w) = warning {
        eprintln!("margin: {w}");
    }
    let checker = Checker::default();
    let started = std::time::Instant::now();
    // On a terminal: a bar of files and one of the current file's regions (hidden otherwise).
    let bars = MultiProgress::new();
    let style =
        |t: &str| ProgressStyle::with_template(t).unwrap_or_else(|_| ProgressStyle::default_bar());
    let file_bar = bars.add(ProgressBar::new(files.len() as u64));
    file_bar.set_style(style("{pos}/{len} files {wide_msg}"));
    let region_bar = bars.add(ProgressBar::new(0));
    region_bar.set_style(style("  {bar:30} {pos}/{len} regions {elapsed}"));
    let (mut all, mut errors, mut skipped) = (Vec::new(), false, 0);
    let file_count = files.len();
    for (path, language) in files {
        file_bar.set_message(path.display().to_string());
        region_bar.reset();
        let on_region = |done: usize, total: usize, _: &[Finding]| {
            region_bar.set_length(total as u64);
            region_bar.set_position(done as u64);
        };
        match check_file(
            &engine, &checker, &settings, &stores, &path, language, on_region,
        )
        .await
        {
            Ok(findings) => {
                for unchecked in findings.iter().filter(|f| f.unchecked > 0) {
                    let why = format!("{} bytes of over-long prose regions (only the first {MAX_REGION_BYTES} bytes of each are checked)", unchecked.unchecked);
                    bars.suspend(|| eprintln!("margin: {}: skipped: {why}", path.display()));
                    skipped += 1;
                }
                all.extend(findings.into_iter().map(|f| (path.clone(), f)));
            }
            Err(FileProblem::Skipped(why)) => {
                bars.suspend(|| eprintln!("margin: {}: skipped: {why}", path.display()));
                skipped += 1;
            }
            Err(FileProblem::Failed(e)) => {
                bars.suspend(|| eprintln!("margin: {}: {e}", path.display()));
                errors = true;
            }
        }
        for problem in checker.take_problems() {
            bars.suspend(|| eprintln!("margin: {problem}"));
        }
        file_bar.inc(1);
    }
    region_bar.finish_and_clear();
    file_bar.finish_and_clear();
    print(&all, args.format);
    if skipped > 0 {
        eprintln!("margin: {skipped} file(s) not fully checked (see \"skipped\" above)");
    }
    let stats = checker.stats();
    let findings: usize = all.iter().map(|(_, f)| f.findings.len()).sum();
    eprintln!(
        "margin: {file_count} file{}, {} region{} ({} from cache), {findings} finding{} in {:.1} s",
        plural(file_count),
        stats.regions,
        plural(stats.regions),
        stats.cache_hits,
        plural(findings),
        started.elapsed().as_secs_f64()
    );
    // Something unchecked never passes for clean.
    if errors || skipped > 0 {
        ExitCode::from(2)
    } else if findings > 0 {
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

struct FileFindings {
    text: String,
    findings: Vec<Finding>,
    /// Bytes of prose left out by the per-region bound.
    unchecked: usize,
}

async fn check_file(
    engine: &Engine,
    checker: &Checker,
    settings: &Settings,
    stores: &Stores,
    path: &Path,
    language: Language,
    on_region: impl FnMut(usize, usize, &[Finding]),
) -> Result<Vec<FileFindings>, FileProblem> {
    let text = text_of(path, settings.max_file_bytes)?;
    let key = stores.file_key(path);
    let ignored = |k: &margin_proofread::FindingKey| stores.ignores.is_ignored(&key, k);
    let choices = UserChoices {
        disabled: stores.ignores.is_disabled(&key),
        dictionary: &stores.dictionary,
        ignored: &ignored,
    };
    let doc = DocumentInput {
        text: text.clone(),
        language,
        tree: None,
        focus: None,
        priority: Priority::Interactive,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    let checked = proofread(engine, checker, doc, settings, &choices, on_region)
        .await
        .map_err(|e| FileProblem::Failed(e.to_string()))?;
    let unchecked = checked.unchecked.iter().map(|r| r.len()).sum();
    Ok(vec![FileFindings {
        text,
        findings: checked.findings,
        unchecked,
    }])
}

/// Files to check: explicit files (any language; unknown ones as plain text; FIFOs and devices
/// too, to be reported as skipped) and, in directories, files of known languages not ignored
/// by git.
fn collect_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Language)>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.exists() && !path.is_dir() {
            files.push((
                path.clone(),
                Language::from_path(path).unwrap_or(Language::PlainText),
            ));
            continue;
        }
        if !path.is_dir() {
            return Err(format!("{}: no such file or directory", path.display()));
        }
        for entry in ignore::WalkBuilder::new(path).build() {
            let entry = entry.map_err(|e| e.to_string())?;
            let p = entry.path();
            if p.is_file() {
                if let Some(language) = Language::from_path(p) {
                    files.push((p.to_path_buf(), language));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn print(all: &[(PathBuf, FileFindings)], format: Format) {
    match format {
        Format::Text => {
            for (path, file) in all {
                let rope = Rope::from_str(&file.text);
                for f in &file.findings {
                    let at = positions::to_line_col(&rope, f.range.start, Encoding::Utf32);
                    println!(
                        "{}:{}:{}: {}: {}",
                        path.display(),
                        at.line + 1,
                        at.col + 1,
                        f.category_name(),
                        f.message
                    );
                }
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = all
                .iter()
                .flat_map(|(path, file)| {
                    let rope = Rope::from_str(&file.text);
                    file.findings.iter().map(move |f| {
                        let pos = |offset: usize| {
                            let utf16 = positions::to_line_col(&rope, offset, Encoding::Utf16);
                            json!({"line": utf16.line, "character": utf16.col, "byte": offset})
                        };
                        json!({
                            "file": path.display().to_string(),
                            "range": {"start": pos(f.range.start), "end": pos(f.range.end)},
                            "category": f.category_name(),
                            "message": f.message,
                            "original": f.original,
                            "replacement": f.replacement,
                            "confidence": f.confidence,
                        })
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
            );
        }
    }
}
