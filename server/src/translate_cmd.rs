//! `margin translate --to <lang> [--from <lang>] [PATH|-]`: translate a file
//! (or stdin) with the local model and write the result to stdout, or back
//! to the file with `--in-place` (written to a temporary file, then renamed).
//! Markdown is translated block by block with its structure kept; code
//! blocks and other verbatim blocks are copied unchanged. A block whose
//! translation fails a check (a lost placeholder or link) is kept in the
//! original language and reported, and the exit code is 1. Input is bounded by
//! `maxFileBytes` (FIFOs and devices are refused, never opened); an output that
//! cannot be written (closed stdout, a full disk) is an error, exit code 2.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use margin_engine::{Engine, Priority};
use margin_syntax::Language;
use margin_translate::lang::{parse_language, Lang};

use crate::cli_input::{self, Input};
use crate::config::Layers;
use crate::model::ModelKey;
use crate::translating::{run as translate, Failure, Request};

#[derive(clap::Args, Debug)]
pub struct TranslateArgs {
    /// Target language: a code (`de`, `pt-BR`) or a name (`German`).
    #[arg(long, value_name = "LANG")]
    pub to: String,
    /// Source language (default: detected per block).
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// Model to use: a path, `ollama:NAME`, `hf:ORG/REPO/FILE.gguf`, … (else `models.translate`,
    /// `model`, MARGIN_MODEL, the default rule).
    #[arg(long, value_name = "REFERENCE")]
    pub model: Option<PathBuf>,
    /// Write the translation back to the file instead of stdout.
    #[arg(long)]
    pub in_place: bool,
    /// Treat the input as Markdown (default: by file extension; stdin is plain text).
    #[arg(long)]
    pub markdown: bool,
    /// File to translate (`-` or nothing: stdin).
    pub path: Option<PathBuf>,
}

fn fail(message: &str) -> ExitCode {
    eprintln!("margin: {message}");
    ExitCode::from(2)
}

pub fn run(args: &TranslateArgs) -> ExitCode {
    let Some(to) = parse_language(&args.to) else {
        return fail(&format!(
            "unknown language `{}` (use a code like `de` or a name like `German`)",
            args.to
        ));
    };
    let from = match args.from.as_deref().map(|f| (f, parse_language(f))) {
        Some((f, None)) => return fail(&format!("unknown language `{f}`")),
        Some((_, lang)) => lang,
        None => None,
    };
    let path = args.path.as_deref().filter(|p| p.as_os_str() != "-");
    if args.in_place && path.is_none() {
        return fail("--in-place needs a file path");
    }
    if path.is_none_or(|_| !args.in_place) && cli_input::stdout_closed() {
        return fail(
            "standard output is closed: the translation would be lost (redirect it to a file)",
        );
    }
    let mut layers = Layers::default();
    for problem in layers.load_files(std::env::current_dir().ok().as_deref()) {
        eprintln!("{problem}; using the default");
    }
    let max_bytes = layers.settings().max_file_bytes;
    let input = match path {
        Some(p) => cli_input::read_file(p, max_bytes)
            .map_err(|e| format!("cannot read {}: {e}", p.display())),
        None => cli_input::read_stdin(max_bytes),
    };
    let text = match input {
        Ok(Input::Text(text)) => text,
        Ok(Input::Skipped(why)) => {
            return fail(&format!(
                "not translating {}: {why}",
                path.map_or("stdin".into(), |p| p.display().to_string())
            ))
        }
        Err(e) => return fail(&e),
    };
    let markdown = args.markdown || path.and_then(Language::from_path) == Some(Language::Markdown);
    let config =
        match ModelKey::for_task(&layers.settings(), margin_engine::models::Task::Translate)
            .config(args.model.as_deref())
        {
            Ok(config) => config,
            Err(e) => return fail(&e),
        };
    let engine = match Engine::start(config) {
        Ok(engine) => engine,
        Err(e) => return fail(&e.to_string()),
    };
    let (out, failures) = translate_document(&engine, &text, from, to, markdown);
    for f in &failures {
        eprintln!("margin: {f}");
    }
    let written = match path.filter(|_| args.in_place) {
        Some(path) => write_atomically(path, &out),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write the translation: {e}"))
        }
    };
    match written {
        Err(e) => fail(&e),
        Ok(()) if failures.is_empty() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(1),
    }
}

/// The translated document and the blocks left untranslated (with why).
pub fn translate_document(
    engine: &Engine,
    text: &str,
    from: Option<Lang>,
    to: Lang,
    markdown: bool,
) -> (String, Vec<String>) {
    let segments = margin_translate::document::segments(text, markdown);
    let work = segments.iter().filter(|s| s.translate).count() as u64;
    let bar = if std::io::stderr().is_terminal() && work > 1 {
        let bar = ProgressBar::new(work);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} blocks {msg}")
                .expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let mut out = String::with_capacity(text.len() * 2);
    let mut failures = Vec::new();
    for segment in &segments {
        let source = &text[segment.range.clone()];
        if !segment.translate {
            out.push_str(source);
            continue;
        }
        let request = Request {
            text: source.to_string(),
            from,
            to,
            markdown,
        };
        match translate(engine, &request, Priority::Interactive, &cancel) {
            Ok(t) => out.push_str(&t.text),
            Err(Failure::Nothing) => out.push_str(source),
            Err(e) => {
                let line = text[..segment.range.start].matches('\n').count() + 1;
                failures.push(format!("line {line}: kept untranslated: {e}"));
                out.push_str(source);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    (out, failures)
}

fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.margin-{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| {
        if let Ok(meta) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        std::fs::rename(&tmp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))
}
