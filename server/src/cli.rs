//! The command line: `margin serve` (the language server on stdio),
//! `margin check` (proofread files from a terminal or CI), `margin translate`,
//! `margin regions` (show the prose regions margin would send to the model),
//! `margin models` and `margin doctor`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "margin",
    version,
    about = "Offline proofreading, translation and code suggestions for your editor"
)]
pub struct Cli {
    /// Run the language server on stdio (same as `margin serve`; some clients add this flag).
    #[arg(long, global = true)]
    pub stdio: bool,
    /// Write logs to this file instead of stderr.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the language server on stdin/stdout.
    Serve,
    /// Proofread files and directories (directories are walked, honouring .gitignore).
    Check(CheckArgs),
    /// Translate a file or stdin (Markdown structure, placeholders and code blocks kept).
    Translate(crate::translate_cmd::TranslateArgs),
    /// Measure speed and precision (one JSON object with --json).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
    /// Measure quality on public data (and calibrate a model's thresholds).
    #[command(subcommand)]
    Eval(crate::eval::EvalCommand),
    /// List, download and locate models.
    #[command(subcommand)]
    Models(crate::models_cmd::ModelsCommand),
    /// Say what margin would do here and why: models per task, engine, caches, dictionaries,
    /// config files, editor integrations.
    Doctor {
        /// One JSON object (for bug reports).
        #[arg(long)]
        json: bool,
    },
    /// Print the prose regions margin would check in each file, with their ranges.
    Regions {
        /// Files to read.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Include string literals (the `checkStrings` setting).
        #[arg(long)]
        strings: bool,
        /// Directory with `<language>/prose.scm` files that replace the built-in queries.
        #[arg(long, value_name = "DIR")]
        queries_dir: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Output format: text, json, sarif (SARIF 2.1.0), github (workflow commands) or rdjson
    /// (reviewdog).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Model to use: a path, `ollama:NAME`, `lmstudio:PUBLISHER/FILE`, `hf:ORG/REPO/FILE.gguf`
    /// or a catalog name (else `models.proofread`, `model`, MARGIN_MODEL, the default rule).
    #[arg(long, value_name = "REFERENCE")]
    pub model: Option<PathBuf>,
    /// Language of the text (`auto` detects per region).
    #[arg(long, default_value = "auto")]
    pub language: String,
    /// Check only regions whose text differs from the file at this git ref (new and edited
    /// paragraphs); files that did not exist there are checked whole.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Exit with 1 when a finding is at least this severe (findings have the `severity`
    /// setting's level); `never`: findings never fail the run.
    #[arg(long, value_enum, default_value_t = FailOn::Info)]
    pub fail_on: FailOn,
    /// Threads for the model and for reading and parsing files (default: automatic).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
    /// Directory of the persistent result cache (default: `results` in margin's cache
    /// directory, `$MARGIN_CACHE_DIR` or ~/.cache/margin).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the persistent result cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Files and directories to check.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// An OpenAI-compatible model server instead of an in-process model (the `backend` setting).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BackendArgs {
    /// Base URL of an OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio), e.g.
    /// http://gpu-box:8080/v1; overrides `backend.url`.
    #[arg(long, value_name = "URL")]
    pub backend_url: Option<String>,
    /// The model's name on that server (default: `backend.model`, else its first model).
    #[arg(long, value_name = "NAME")]
    pub backend_model: Option<String>,
}

impl BackendArgs {
    /// Applies the flags over the configured `backend` table.
    pub fn apply(&self, settings: &mut crate::config::Settings) {
        if let Some(url) = &self.backend_url {
            let b = settings
                .backend
                .get_or_insert_with(|| crate::config::BackendSettings {
                    url: url.clone(),
                    model: None,
                    api_key_env: None,
                    timeout_ms: 60_000,
                });
            b.url = url.clone();
        }
        if let (Some(b), Some(m)) = (settings.backend.as_mut(), &self.backend_model) {
            b.model = Some(m.clone());
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Rdjson,
}

/// The least severe finding that fails a `margin check` run.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let serve = cli.stdio || matches!(cli.command, Some(Command::Serve) | None);
    if let Err(e) =
        crate::logging::init(cli.log_file.as_deref(), if serve { "info" } else { "warn" })
    {
        eprintln!("margin: {e}");
        return ExitCode::from(2);
    }
    let code = match cli.command {
        Some(Command::Check(args)) if !cli.stdio => crate::check::run(&args),
        Some(Command::Translate(args)) if !cli.stdio => crate::translate_cmd::run(&args),
        Some(Command::Bench(command)) if !cli.stdio => crate::bench::run(&command),
        Some(Command::Models(command)) if !cli.stdio => crate::models_cmd::run(&command),
        Some(Command::Doctor { json }) if !cli.stdio => crate::doctor::run(json),
        Some(Command::Eval(command)) if !cli.stdio => crate::eval::run(&command),
        Some(Command::Regions {
            paths,
            strings,
            queries_dir,
        }) if !cli.stdio => {
            let max_bytes = crate::config::Settings::default().max_file_bytes;
            crate::regions_cmd::run(&paths, strings, queries_dir.as_deref(), max_bytes)
        }
        _ => serve_stdio(),
    };
    // Stop the model before the process tears down llama.cpp's globals under it.
    margin_engine::shutdown_all(std::time::Duration::from_secs(5));
    code
}

fn serve_stdio() -> ExitCode {
    crate::memory::configure_for_server();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("margin: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let ended = runtime.block_on(crate::lsp::serve_stdio());
    // A blocking read of stdin may still be pending; it must not hold up the exit.
    runtime.shutdown_background();
    // LSP: exit code 0 after `shutdown`, 1 when the client exits (or vanishes) without it.
    if ended.orderly() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
