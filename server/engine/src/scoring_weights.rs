//! Weights of the scoring context. Scoring decodes whole paragraphs in large batches, and
//! llama.cpp's CPU backend has tiled batch kernels for most weight types (F32, F16, BF16,
//! Q8_0, Q4_0, the K-quants it repacks) but not for Q4_1 and Q5_1: those go through one dot
//! product per row and token (`ggml_vec_dot_q4_1_q8_1` was 68 % of a proofreading check of
//! SmolLM2-135M Q4_1 under perf). For a small model in such a type, scoring runs on an F16
//! copy of its weights, written once into `<margin cache>/weights/` (or `$MARGIN_WEIGHTS_DIR`)
//! and named by the source's fingerprint. A Q4_1 or Q5_1 weight is `d * q + m` with `d` and
//! `m` stored as F16 and `q` a small integer, so the copy holds the same values up to one F16
//! rounding (relative error under 2^-11, far below the quantization's own step). Generation,
//! one token at a time and bound by memory bandwidth, keeps the original file.

use crate::config::margin_cache_root;
use crate::gguf::GgufSummary;
use std::ffi::CString;
use std::path::{Path, PathBuf};

/// Quantizations without a batched CPU kernel in llama.cpp.
const SLOW_BATCH_TYPES: &[&str] = &["Q4_1", "Q5_1"];

/// Largest copy made (bytes): the copy is mapped beside the model while margin runs, so only
/// small models get one (up to about 500M parameters).
pub const MAX_COPY_BYTES: u64 = 1 << 30;

/// What the fingerprint of a model whose scoring uses the copy ends with: scores from the copy
/// differ slightly from the original's, so caches keyed by the fingerprint keep them apart.
pub const FINGERPRINT_TAG: &str = "+f16";

/// Size of the F16 copy that scoring runs on for this model, if it gets one: two bytes per
/// parameter, for a model in a type without a batch kernel whose copy fits [`MAX_COPY_BYTES`].
pub fn copy_bytes(summary: &GgufSummary) -> Option<u64> {
    let slow = summary
        .quantization
        .as_deref()
        .is_some_and(|q| SLOW_BATCH_TYPES.contains(&q));
    let bytes = summary.n_params.saturating_mul(2);
    (slow && bytes <= MAX_COPY_BYTES).then_some(bytes)
}

/// Whether scoring should use an F16 copy of this model's weights.
pub fn wants_copy(summary: &GgufSummary) -> bool {
    copy_bytes(summary).is_some()
}

/// Directory of the copies: `$MARGIN_WEIGHTS_DIR`, else `<margin cache>/weights`.
pub fn weights_dir() -> PathBuf {
    match std::env::var_os("MARGIN_WEIGHTS_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => margin_cache_root().join("weights"),
    }
}

/// Where the copy of the model with `fingerprint` lives in `dir`.
pub fn copy_path(dir: &Path, fingerprint: &str) -> PathBuf {
    dir.join(format!("{fingerprint}-f16.gguf"))
}

/// The copy of `source` (fingerprint `fingerprint`) in `dir`, written now if it is not
/// there yet, with `threads()` threads (asked only then). The file is written under a temporary
/// name and renamed, so a reader never sees half a file and two processes that write it at
/// once both end with a whole one.
pub fn prepare(
    source: &Path,
    fingerprint: &str,
    dir: &Path,
    threads: impl FnOnce() -> usize,
) -> Result<PathBuf, String> {
    let path = copy_path(dir, fingerprint);
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{fingerprint}-f16.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    ));
    let started = std::time::Instant::now();
    let written = convert(source, &tmp, threads());
    let renamed = written.and_then(|()| {
        std::fs::rename(&tmp, &path).map_err(|e| format!("cannot rename the copy: {e}"))
    });
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    tracing::info!(
        copy = %path.display(),
        ms = started.elapsed().as_millis() as u64,
        "wrote an F16 copy of the model's weights for scoring"
    );
    Ok(path)
}

/// Writes `source` with every weight as F16 to `out` (llama.cpp's own converter).
fn convert(source: &Path, out: &Path, threads: usize) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes()).map_err(|_| format!("bad path {}", p.display()))
    };
    let (src, dst) = (c(source)?, c(out)?);
    // SAFETY: plain C calls of llama.cpp's public API. The default parameters are a value;
    // the two paths are NUL-terminated strings that outlive the call, and the parameter
    // struct's pointer fields stay null (no imatrix, overrides or pruned layers).
    let rc = unsafe {
        let mut params = llama_cpp_sys_2::llama_model_quantize_default_params();
        params.ftype = llama_cpp_sys_2::LLAMA_FTYPE_MOSTLY_F16;
        params.allow_requantize = true;
        params.nthread = threads.max(1) as i32;
        llama_cpp_sys_2::llama_model_quantize(src.as_ptr(), dst.as_ptr(), &params)
    };
    if rc == 0 && out.is_file() {
        Ok(())
    } else {
        Err(format!(
            "llama.cpp could not write an F16 copy of {} (code {rc})",
            source.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(quantization: &str, n_params: u64) -> GgufSummary {
        GgufSummary {
            version: 3,
            architecture: "llama".into(),
            name: None,
            has_chat_template: false,
            tensor_count: 0,
            file_size: 0,
            n_params,
            quantization: Some(quantization.into()),
            context_length: None,
            fim: false,
            shape: Default::default(),
        }
    }

    #[test]
    fn only_small_models_in_types_without_a_batch_kernel_get_a_copy() {
        assert!(wants_copy(&summary("Q4_1", 135_000_000)));
        assert!(wants_copy(&summary("Q5_1", 360_000_000)));
        // Types llama.cpp batches well keep their file.
        for q in ["Q4_0", "Q4_K_M", "Q8_0", "F16"] {
            assert!(!wants_copy(&summary(q, 135_000_000)), "{q}");
        }
        // A 1.7B model's copy would take 3.4 GB.
        assert!(!wants_copy(&summary("Q4_1", 1_700_000_000)));
    }

    #[test]
    fn copies_are_named_by_the_source_fingerprint() {
        let dir = Path::new("/cache/weights");
        assert_eq!(
            copy_path(dir, "8a293e3f326aff95"),
            Path::new("/cache/weights/8a293e3f326aff95-f16.gguf")
        );
    }
}
