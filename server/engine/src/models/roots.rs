//! Where the model stores of other tools live on this machine, from their own environment
//! variables and defaults (read once into [`Roots`], so tests can point every store at a
//! temporary home):
//!
//! * Ollama: `$OLLAMA_MODELS`, else `~/.ollama/models` and `/usr/share/ollama/.ollama/models`;
//! * LM Studio: `~/.lmstudio/models` and the older `~/.cache/lm-studio/models`;
//! * Hugging Face: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `<cache>/huggingface/hub`;
//! * llama.cpp: `$LLAMA_CACHE`, else `<cache>/llama.cpp`;
//! * margin: `<margin cache>/models` (`$MARGIN_CACHE_DIR`).

use std::path::{Path, PathBuf};

/// The directories searched for models, one list per store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roots {
    /// margin's own models directory.
    pub margin: PathBuf,
    /// Hugging Face hub caches (`models--<org>--<name>/…`).
    pub hf_hub: Vec<PathBuf>,
    /// Ollama model directories (each with `manifests/` and `blobs/`).
    pub ollama: Vec<PathBuf>,
    /// LM Studio model directories (`<publisher>/<model>/*.gguf`).
    pub lmstudio: Vec<PathBuf>,
    /// llama.cpp's download cache.
    pub llama_cpp: Vec<PathBuf>,
}

impl Roots {
    /// The stores of this process's user (environment variables and home directory).
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self::from_vars(
            &var,
            dirs::home_dir().as_deref(),
            crate::config::models_dir(),
        )
    }

    /// The stores given `var` (environment lookup), the home directory and margin's models
    /// directory. The user cache directory is `$XDG_CACHE_HOME`, else the platform's.
    pub fn from_vars(
        var: &dyn Fn(&str) -> Option<PathBuf>,
        home: Option<&Path>,
        margin: PathBuf,
    ) -> Self {
        let cache = var("XDG_CACHE_HOME").or_else(|| match home {
            Some(h) if cfg!(target_os = "macos") => Some(h.join("Library/Caches")),
            Some(h) => Some(h.join(".cache")),
            None => None,
        });
        let ollama = match var("OLLAMA_MODELS") {
            Some(dir) => vec![dir],
            None => home
                .map(|h| h.join(".ollama/models"))
                .into_iter()
                .chain(std::iter::once(PathBuf::from(
                    "/usr/share/ollama/.ollama/models",
                )))
                .collect(),
        };
        let lmstudio = home
            .map(|h| {
                vec![
                    h.join(".lmstudio/models"),
                    h.join(".cache/lm-studio/models"),
                ]
            })
            .unwrap_or_default();
        Roots {
            margin,
            hf_hub: hf_hub_cache(var, cache.as_deref()).into_iter().collect(),
            ollama,
            lmstudio,
            llama_cpp: var("LLAMA_CACHE")
                .or_else(|| cache.map(|c| c.join("llama.cpp")))
                .into_iter()
                .collect(),
        }
    }

    /// The Hugging Face hub cache downloads go to (the first one).
    pub fn hf_download_dir(&self) -> Option<&Path> {
        self.hf_hub.first().map(PathBuf::as_path)
    }
}

/// `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `<cache>/huggingface/hub`.
fn hf_hub_cache(var: &dyn Fn(&str) -> Option<PathBuf>, cache: Option<&Path>) -> Option<PathBuf> {
    var("HF_HUB_CACHE")
        .or_else(|| var("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| cache.map(|c| c.join("huggingface/hub")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_win_over_home_defaults() {
        let home = Path::new("/home/u");
        let none = |_: &str| None;
        let r = Roots::from_vars(&none, Some(home), "/m".into());
        assert_eq!(
            r.ollama,
            [
                home.join(".ollama/models"),
                PathBuf::from("/usr/share/ollama/.ollama/models")
            ]
        );
        assert_eq!(
            r.lmstudio,
            [
                home.join(".lmstudio/models"),
                home.join(".cache/lm-studio/models")
            ]
        );
        if !cfg!(target_os = "macos") {
            assert_eq!(r.hf_hub, [home.join(".cache/huggingface/hub")]);
            assert_eq!(r.llama_cpp, [home.join(".cache/llama.cpp")]);
        }
        let set = |name: &str| match name {
            "OLLAMA_MODELS" => Some(PathBuf::from("/o")),
            "HF_HOME" => Some(PathBuf::from("/hf")),
            "LLAMA_CACHE" => Some(PathBuf::from("/l")),
            _ => None,
        };
        let r = Roots::from_vars(&set, Some(home), "/m".into());
        assert_eq!(
            (r.ollama, r.hf_hub, r.llama_cpp),
            (vec!["/o".into()], vec!["/hf/hub".into()], vec!["/l".into()])
        );
        let hub = |name: &str| {
            (name == "HF_HUB_CACHE" || name == "HF_HOME").then(|| PathBuf::from(format!("/{name}")))
        };
        assert_eq!(
            Roots::from_vars(&hub, None, "/m".into()).hf_hub,
            [PathBuf::from("/HF_HUB_CACHE")]
        );
    }
}
