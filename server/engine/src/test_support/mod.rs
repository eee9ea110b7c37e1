//! Test support (cargo feature `test-support`): a GGUF v3 writer, a tiny random-weight llama
//! model generator, fake model stores in a temporary home, and the policy for tests that need
//! the real models (SmolLM2 and Gemma 3 270M).

pub mod gguf_writer;
pub mod stores;
pub mod tiny_model;

pub use tiny_model::{write_tiny_model, TinyModelSpec, CHATML_TEMPLATE};

use std::path::PathBuf;

/// Path of the real test model from `MARGIN_TEST_MODEL`.
///
/// Returns `None` (the caller skips) when it is unset locally; **panics** when it is unset and
/// the `CI` environment variable is set, so CI cannot silently skip real-model tests.
pub fn real_model() -> Option<PathBuf> {
    model_from(
        "MARGIN_TEST_MODEL",
        "SmolLM2-135M-Instruct.Q4_1.gguf (margin models pull smollm2-135m)",
    )
}

/// Path of the second real test model, Gemma 3 270M (a multilingual base model without a chat
/// template), from `MARGIN_TEST_GEMMA`; same policy as [`real_model`].
pub fn real_gemma() -> Option<PathBuf> {
    model_from(
        "MARGIN_TEST_GEMMA",
        "gemma-3-270m-q4_k_m.gguf (margin models pull gemma3-270m)",
    )
}

fn model_from(var: &str, what: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "{var}={} is not a file", p.display());
            Some(p)
        }
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {var} is not: point it at {what}")
        }
        _ => {
            eprintln!("{var} not set: skipping real-model test");
            None
        }
    }
}

/// A likelihood variant replacing the first occurrence of `from` in `text`, compared to the end
/// of its sentence (the first `.` after it, else the text's end).
pub fn sentence_variant(text: &str, from: &str, to: &str) -> crate::Variant {
    let start = text.find(from).unwrap();
    let until = text[start..]
        .find('.')
        .map_or(text.len(), |i| start + i + 1);
    crate::Variant {
        range: start..start + from.len(),
        replacement: to.into(),
        until,
    }
}
