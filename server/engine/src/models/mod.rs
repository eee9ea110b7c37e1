//! Models: where users already keep them ([`discover`], in the stores [`Roots`] names), how
//! settings and the CLI name one ([`reference`]), what each suits ([`task`]), and what margin
//! recommends and downloads ([`catalog`], [`pull`]). Nothing here loads a model; the per-task
//! choice (settings, defaults) is the caller's.

pub mod catalog;
pub mod discover;
pub mod pull;
pub mod reference;
pub mod roots;
pub mod task;

pub use discover::{discover, Discovery, Found, Skipped, Store};
pub use pull::{pull, pypi_base_url, Progress};
pub use reference::{resolve, Resolved};
pub use roots::Roots;
pub use task::Task;

use crate::error::ModelError;
use std::path::{Path, PathBuf};

/// The file of margin's fallback model (SmolLM2-135M, pulled from PyPI).
pub const FALLBACK_MODEL: &str = "smollm2-135m";

/// Resolves the model for callers without a task (benchmarks): `cli` (`--model`), then
/// `config` (`model`), then `$MARGIN_MODEL` (each a reference), then margin's cache.
pub fn resolve_model(cli: Option<&Path>, config: Option<&Path>) -> Result<PathBuf, ModelError> {
    let env = std::env::var_os("MARGIN_MODEL")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    resolve_model_in(cli, config, env.as_deref(), &Roots::from_env())
}

/// [`resolve_model`] with the environment and stores given explicitly.
pub fn resolve_model_in(
    cli: Option<&Path>,
    config: Option<&Path>,
    env: Option<&Path>,
    roots: &Roots,
) -> Result<PathBuf, ModelError> {
    if let Some(p) = cli.or(config).or(env) {
        return resolve(&p.to_string_lossy(), roots).map(|r| r.path);
    }
    cached_fallback(&roots.margin).ok_or_else(|| ModelError::NoModel {
        searched: vec![
            "--model".into(),
            "config `model`".into(),
            "$MARGIN_MODEL".into(),
            roots.margin.display().to_string(),
        ],
    })
}

/// A model in margin's own models directory: the fallback model if pulled, else the last
/// `.gguf` by name (partial downloads never count).
pub fn cached_fallback(models_dir: &Path) -> Option<PathBuf> {
    let preferred = catalog::find(FALLBACK_MODEL)
        .and_then(catalog::Entry::pypi_file)
        .map(|f| models_dir.join(f));
    if let Some(p) = preferred.filter(|p| p.is_file()) {
        return Some(p);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(models_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|e| e == "gguf")
                        && !discover::name_of(p).starts_with('.')
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop()
}

/// What a path that is not a regular file is, for messages: "a directory", "a FIFO (named pipe)"…
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        return "a regular file";
    }
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// "; it holds a.gguf, b.gguf" for a directory with models in it.
pub(crate) fn gguf_files_in(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gguf"))
        .collect();
    names.sort();
    match names.is_empty() {
        true => String::new(),
        false => format!("; pass one of the files in it: {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots {
            margin: dir.path().join("models"),
            ..Roots::default()
        };
        let models = &roots.margin;
        let a = dir.path().join("a.gguf");
        std::fs::write(&a, b"x").unwrap();
        let missing = dir.path().join("missing.gguf");
        // Explicit sources win in order and must exist.
        assert_eq!(
            resolve_model_in(Some(&a), Some(&missing), None, &roots).unwrap(),
            a
        );
        assert!(matches!(
            resolve_model_in(Some(&missing), Some(&a), None, &roots),
            Err(ModelError::NotFound { .. })
        ));
        assert_eq!(resolve_model_in(None, None, Some(&a), &roots).unwrap(), a);
        // A directory is said to be one (with the models in it), not "does not exist".
        let err = resolve_model_in(Some(dir.path()), None, None, &roots)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is a directory, not a GGUF file; pass one of the files in it: a.gguf"),
            "{err}"
        );
        let err = resolve_model_in(Some(Path::new("/dev/null")), None, None, &roots)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a character device"), "{err}");
        // Nothing anywhere: the message says how to get a model.
        let msg = resolve_model_in(None, None, None, &roots)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("margin models pull smollm2-135m") && msg.contains("--model PATH"),
            "{msg}"
        );
        // Cached models; partial downloads never count.
        std::fs::create_dir_all(models).unwrap();
        std::fs::write(models.join(".x.gguf.part"), b"x").unwrap();
        assert!(resolve_model_in(None, None, None, &roots).is_err());
        std::fs::write(models.join("other.gguf"), b"x").unwrap();
        assert_eq!(
            resolve_model_in(None, None, None, &roots).unwrap(),
            models.join("other.gguf")
        );
        let smollm = models.join("SmolLM2-135M-Instruct.Q4_1.gguf");
        std::fs::write(&smollm, b"x").unwrap();
        assert_eq!(resolve_model_in(None, None, None, &roots).unwrap(), smollm);
        // The catalog name finds it too.
        assert_eq!(
            resolve_model_in(Some(Path::new("smollm2-135m")), None, None, &roots).unwrap(),
            smollm
        );
    }
}
