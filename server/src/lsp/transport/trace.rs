//! `MARGIN_TRACE_FILE`: every message in both directions appended to a file
//! (one `-> ` / `<- ` line each), for debugging editor integrations.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Trace(Option<Arc<Mutex<std::fs::File>>>);

impl Trace {
    pub fn from_env() -> Self {
        let Some(path) = std::env::var_os("MARGIN_TRACE_FILE").map(PathBuf::from) else {
            return Trace(None);
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path);
        match file {
            Ok(file) => Trace(Some(Arc::new(Mutex::new(file)))),
            Err(e) => {
                tracing::warn!("cannot open MARGIN_TRACE_FILE {}: {e}", path.display());
                Trace(None)
            }
        }
    }

    pub fn log(&self, arrow: &str, body: &[u8]) {
        if let Some(file) = &self.0 {
            use std::io::Write;
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(file, "{arrow} {}", String::from_utf8_lossy(body));
        }
    }
}
