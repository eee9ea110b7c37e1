//! The `margin` binary.

fn main() -> std::process::ExitCode {
    margin::cli::run()
}
