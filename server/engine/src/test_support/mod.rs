//! Test support (cargo feature `test-support`): a GGUF v3 writer, a tiny random-weight llama
//! model generator, and the policy for tests that need the real SmolLM2 model.

pub mod gguf_writer;
pub mod tiny_model;

pub use tiny_model::{write_tiny_model, TinyModelSpec, CHATML_TEMPLATE};

use std::path::PathBuf;

/// Path of the real test model from `MARGIN_TEST_MODEL`.
///
/// Returns `None` (the caller skips) when it is unset locally; **panics** when it is unset and
/// the `CI` environment variable is set, so CI cannot silently skip real-model tests.
pub fn real_model() -> Option<PathBuf> {
    match std::env::var_os("MARGIN_TEST_MODEL") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "MARGIN_TEST_MODEL={} is not a file",
                p.display()
            );
            Some(p)
        }
        _ if std::env::var_os("CI").is_some() => panic!(
            "CI is set but MARGIN_TEST_MODEL is not: point it at SmolLM2-135M-Instruct.Q4_1.gguf \
             (margin models pull smollm2-135m)"
        ),
        _ => {
            eprintln!("MARGIN_TEST_MODEL not set: skipping real-model test");
            None
        }
    }
}
