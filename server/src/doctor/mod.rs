//! `margin doctor`: one screen that says what margin would do here and why: the model of each
//! task and where it came from, the backend, threads and cores busy elsewhere, the memory
//! budget, the model stores and caches with their sizes, dictionaries, the config files read
//! and their problems, and whether each editor integration is set up. Plain words (colour on a
//! terminal) or `--json` for bug reports; the server's `margin/status` gives the same report
//! when asked (`{"doctor": true}`), which the editors' status commands show.

mod facts;
mod render;

pub use render::size;

/// The report in plain words, without colour (what `margin doctor` prints off a terminal).
pub fn text(report: &Report) -> String {
    render::text(report, false)
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use margin_engine::models::{Roots, Skipped, Store, Task};
use serde::Serialize;

use crate::config::{Layers, Settings};
use crate::model::{choice::default_note, Choice, Chooser, Inputs, Origin};

pub use facts::{Cache, ConfigFile, Dictionary, Editor};

/// Everything `margin doctor` reports.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub version: &'static str,
    pub models: Vec<TaskModel>,
    /// The message about models margin picked itself (as the server shows it).
    pub default_note: Option<String>,
    pub backend: Backend,
    pub threads: Threads,
    pub memory: Memory,
    pub stores: Vec<StoreReport>,
    pub caches: Vec<Cache>,
    pub dictionaries: Vec<Dictionary>,
    pub config_files: Vec<ConfigFile>,
    pub editors: Vec<Editor>,
}

/// The model a task would use.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TaskModel {
    pub task: Task,
    pub reference: Option<String>,
    pub path: Option<PathBuf>,
    pub name: Option<String>,
    pub params: Option<String>,
    pub quantization: Option<String>,
    pub store: Option<Store>,
    pub origin: Option<Origin>,
    /// Where it came from, in words.
    pub from: Option<String>,
    /// Why there is none (or why it cannot do the task).
    pub problem: Option<String>,
}

impl TaskModel {
    pub fn new(task: Task, choice: &Result<Choice, String>) -> Self {
        match choice {
            Ok(c) => TaskModel {
                task,
                reference: Some(c.reference.clone()),
                path: Some(c.path.clone()),
                name: Some(c.name()),
                params: Some(margin_engine::models::task::params_label(c.facts.n_params)),
                quantization: c.facts.quantization.clone(),
                store: c.store,
                from: Some(c.origin.describe(task)),
                origin: Some(c.origin.clone()),
                problem: None,
            },
            Err(e) => TaskModel {
                task,
                reference: None,
                path: None,
                name: None,
                params: None,
                quantization: None,
                store: None,
                origin: None,
                from: None,
                problem: Some(e.clone()),
            },
        }
    }
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    pub name: &'static str,
    pub build: &'static str,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Threads {
    /// The `threads` setting (`None`: automatic).
    pub configured: Option<u32>,
    pub physical_cores: usize,
    /// Cores other processes kept busy while doctor looked (half a second).
    pub busy_elsewhere: Option<f64>,
    /// Threads the next job would get.
    pub would_use: usize,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    /// Loaded models may use this much together.
    pub limit_mb: u64,
    /// `maxModelMemoryMb`, or "half of the machine's memory".
    pub source: String,
    pub total_mb: Option<u64>,
}

/// A model store: its directories, how many models it holds, what was skipped.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct StoreReport {
    pub store: Store,
    pub label: &'static str,
    pub dirs: Vec<PathBuf>,
    pub models: usize,
    pub skipped: Vec<Skipped>,
}

/// What the report is gathered from.
pub struct Sources<'a> {
    pub settings: &'a Settings,
    pub roots: &'a Roots,
    /// Config files read and their problems.
    pub config_files: Vec<ConfigFile>,
    /// `--model` (CLI only).
    pub cli_model: Option<&'a str>,
}

/// Gathers the report (blocking: reads the stores, walks cache directories, samples the load
/// for half a second).
pub fn gather(from: Sources<'_>) -> Report {
    let inputs = Inputs::new(from.settings, from.cli_model);
    let chooser = Chooser::new(&inputs, from.roots);
    let choices: Vec<(Task, Result<Choice, String>)> =
        Task::ALL.iter().map(|&t| (t, chooser.choose(t))).collect();
    let pairs: Vec<_> = choices.iter().map(|(t, c)| (*t, c)).collect();
    let found = chooser.discovery();
    let stores = Store::ALL
        .iter()
        .map(|&store| {
            let dirs: Vec<PathBuf> = store
                .dirs(from.roots)
                .into_iter()
                .map(Path::to_path_buf)
                .collect();
            let skipped = found
                .skipped
                .iter()
                .filter(|s| dirs.iter().any(|d| s.path.starts_with(d)))
                .cloned()
                .collect();
            StoreReport {
                store,
                label: store.label(),
                models: found.models.iter().filter(|m| m.store == store).count(),
                dirs,
                skipped,
            }
        })
        .collect();
    let busy = margin_engine::threads::busy_elsewhere_over(std::time::Duration::from_millis(500));
    let physical = margin_engine::threads::physical_cores();
    let limit = crate::model::budget::limit_bytes(from.settings);
    Report {
        version: env!("CARGO_PKG_VERSION"),
        models: choices.iter().map(|(t, c)| TaskModel::new(*t, c)).collect(),
        default_note: default_note(&pairs),
        backend: Backend {
            name: "llama.cpp, in process (CPU)",
            build: margin_engine::LLAMA_BUILD,
        },
        threads: Threads {
            configured: from.settings.threads,
            physical_cores: physical,
            busy_elsewhere: busy,
            would_use: from.settings.threads.map_or_else(
                || margin_engine::threads::threads_for(physical, busy.unwrap_or(0.0)),
                |t| t as usize,
            ),
        },
        memory: Memory {
            limit_mb: limit >> 20,
            source: match from.settings.max_model_memory_mb {
                Some(_) => "setting `maxModelMemoryMb`".into(),
                None => "half of the machine's memory (`maxModelMemoryMb` changes it)".into(),
            },
            total_mb: crate::model::budget::total_memory().map(|b| b >> 20),
        },
        stores,
        caches: facts::caches(from.roots),
        dictionaries: facts::dictionaries(&from.settings.dictionary_paths),
        config_files: from.config_files,
        editors: facts::editors(),
    }
}

/// Config files margin reads from `workspace` (the user file and the workspace's
/// `margin.toml`), with their problems, and the merged settings.
pub fn read_config(workspace: Option<&Path>) -> (Settings, Vec<ConfigFile>) {
    let mut layers = Layers::default();
    let problems = layers.load_files(workspace);
    let mut files: Vec<PathBuf> = crate::config::user_config_path().into_iter().collect();
    files.extend(workspace.map(|w| w.join(crate::config::WORKSPACE_FILE)));
    let config_files = files
        .into_iter()
        .map(|path| ConfigFile::new(path, &problems))
        .collect();
    (layers.settings(), config_files)
}

/// `margin doctor [--json]`.
pub fn run(json: bool) -> ExitCode {
    let workspace = std::env::current_dir().ok();
    let (settings, config_files) = read_config(workspace.as_deref());
    let roots = Roots::from_env();
    let report = gather(Sources {
        settings: &settings,
        roots: &roots,
        config_files,
        cli_model: None,
    });
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("margin: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        use std::io::IsTerminal;
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", render::text(&report, colour));
    }
    ExitCode::SUCCESS
}
