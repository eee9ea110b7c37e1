//! `margin check`: proofread files from the command line.

use std::process::ExitCode;

use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> ExitCode {
    let _ = args;
    eprintln!("margin check: proofreading is not available in this build yet");
    ExitCode::from(2)
}
