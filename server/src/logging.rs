//! Logging with `tracing`: to stderr (editors show a server's stderr in their
//! log) or to `--log-file`; the filter comes from `MARGIN_LOG`
//! (e.g. `MARGIN_LOG=debug`, `MARGIN_LOG=margin=trace`). Never to stdout,
//! which carries the protocol.

use std::path::Path;

use tracing_subscriber::EnvFilter;

pub fn init(log_file: Option<&Path>, default_level: &str) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_from_env("MARGIN_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| anyhow::anyhow!("cannot open log file {}: {e}", path.display()))?;
            builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .init();
        }
        None => {
            use std::io::IsTerminal;
            let ansi = std::io::stderr().is_terminal();
            builder.with_ansi(ansi).with_writer(std::io::stderr).init();
        }
    }
    Ok(())
}
