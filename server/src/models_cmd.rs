//! `margin models`: fetch the default model (`pull`, with a progress bar;
//! resumable, verified by sha256) and show which model margin would use
//! (`path`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use margin_engine::models::Progress;

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Download a model into margin's model cache (known: smollm2-135m).
    Pull {
        #[arg(default_value = "smollm2-135m")]
        name: String,
    },
    /// Print the model margin would use (`--model`, config `model`, MARGIN_MODEL, the cache).
    Path {
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
    },
}

pub fn run(command: &ModelsCommand) -> ExitCode {
    match command {
        ModelsCommand::Pull { name } => pull(name),
        ModelsCommand::Path { model } => match margin_engine::resolve_model(model.as_deref(), None)
        {
            Ok(path) => {
                println!("{}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("margin: {e}");
                ExitCode::from(2)
            }
        },
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
    match margin_engine::pull(name, &mut on_progress) {
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
