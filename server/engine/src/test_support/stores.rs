//! Fake but real-format model stores in a temporary home: an Ollama tree (manifest JSON naming
//! a `blobs/sha256-<hex>` blob), an LM Studio tree, a Hugging Face cache (blobs named by their
//! sha256, snapshot symlinks, `refs/main`), llama.cpp's cache and margin's own. The layout is
//! the one each tool uses by default under `$HOME`, so a process started with `HOME` set to
//! the fake home (and the store variables cleared, see [`FakeHome::env`]) finds them.

use crate::models::Roots;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A home directory with model stores in it.
pub struct FakeHome {
    /// The home directory.
    pub home: PathBuf,
    /// The stores under it.
    pub roots: Roots,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
    std::fs::write(path, bytes).expect("write");
}

impl FakeHome {
    /// Stores under `home` at the default places (none created yet).
    pub fn new(home: &Path) -> Self {
        let cache = home.join(".cache");
        FakeHome {
            home: home.to_path_buf(),
            roots: Roots {
                margin: cache.join("margin/models"),
                hf_hub: vec![cache.join("huggingface/hub")],
                ollama: vec![home.join(".ollama/models")],
                lmstudio: vec![home.join(".lmstudio/models")],
                llama_cpp: vec![cache.join("llama.cpp")],
            },
        }
    }

    /// Environment for a margin process that should see exactly these stores: `(name,
    /// Some(value))` to set, `(name, None)` to remove.
    pub fn env(&self) -> Vec<(&'static str, Option<PathBuf>)> {
        let cache = self.home.join(".cache");
        vec![
            ("HOME", Some(self.home.clone())),
            ("XDG_CACHE_HOME", Some(cache.clone())),
            ("XDG_CONFIG_HOME", Some(self.home.join(".config"))),
            ("XDG_DATA_HOME", Some(self.home.join(".local/share"))),
            ("MARGIN_CACHE_DIR", Some(cache.join("margin"))),
            (
                "MARGIN_CONFIG",
                Some(self.home.join(".config/margin/config.toml")),
            ),
            ("OLLAMA_MODELS", Some(self.roots.ollama[0].clone())),
            ("HF_HUB_CACHE", None),
            ("HF_HOME", None),
            ("HF_TOKEN", None),
            ("HF_TOKEN_PATH", None),
            ("HF_ENDPOINT", None),
            ("LLAMA_CACHE", None),
            ("MARGIN_MODEL", None),
        ]
    }

    /// An Ollama model `<model>:<tag>` (namespace `library` unless `model` has one) whose
    /// weights are `bytes`; returns the blob.
    pub fn ollama(&self, model: &str, tag: &str, bytes: &[u8]) -> PathBuf {
        let root = &self.roots.ollama[0];
        let digest = sha256(bytes);
        let blob = root.join("blobs").join(format!("sha256-{digest}"));
        write(&blob, bytes);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:00", "size": 2},
            "layers": [
                {"mediaType": "application/vnd.ollama.image.model", "digest": format!("sha256:{digest}"), "size": bytes.len()},
                {"mediaType": "application/vnd.ollama.image.params", "digest": "sha256:11", "size": 2}
            ]
        });
        self.ollama_manifest(model, tag, &manifest.to_string());
        blob
    }

    /// An Ollama manifest with the given text (for broken ones).
    pub fn ollama_manifest(&self, model: &str, tag: &str, text: &str) -> PathBuf {
        let name = if model.contains('/') {
            model.to_owned()
        } else {
            format!("library/{model}")
        };
        let path = self.roots.ollama[0]
            .join("manifests/registry.ollama.ai")
            .join(name)
            .join(tag);
        write(&path, text.as_bytes());
        path
    }

    /// An LM Studio file `<publisher>/<model>/<file>`.
    pub fn lmstudio(&self, publisher: &str, model: &str, file: &str, bytes: &[u8]) -> PathBuf {
        let path = self.roots.lmstudio[0]
            .join(publisher)
            .join(model)
            .join(file);
        write(&path, bytes);
        path
    }

    /// A Hugging Face cache file of `repo` at `commit` (`main` points at it); returns the
    /// snapshot link.
    pub fn hf(&self, repo: &str, commit: &str, file: &str, bytes: &[u8]) -> PathBuf {
        let dir = self.roots.hf_hub[0].join(format!("models--{}", repo.replace('/', "--")));
        let digest = sha256(bytes);
        write(&dir.join("blobs").join(&digest), bytes);
        write(&dir.join("refs/main"), commit.as_bytes());
        let link = dir.join("snapshots").join(commit).join(file);
        std::fs::create_dir_all(link.parent().expect("a parent")).expect("create dirs");
        let up = "../".repeat(1 + file.split('/').count());
        #[cfg(unix)]
        std::os::unix::fs::symlink(format!("{up}blobs/{digest}"), &link).expect("symlink");
        link
    }

    /// A plain file in llama.cpp's cache or margin's models directory (`margin`).
    pub fn flat(&self, margin: bool, file: &str, bytes: &[u8]) -> PathBuf {
        let dir = if margin {
            &self.roots.margin
        } else {
            &self.roots.llama_cpp[0]
        };
        let path = dir.join(file);
        write(&path, bytes);
        path
    }
}

/// A GGUF header that says `n_params` parameters (one tensor of a type margin does not size,
/// so no data has to follow): for discovery and default-choice tests of 1–70B models that are
/// never loaded. `chat` adds a chat template, `fim` Qwen-style FIM marker tokens.
pub fn header_only(
    architecture: &str,
    name: &str,
    n_params: u64,
    chat: bool,
    fim: bool,
) -> Vec<u8> {
    use super::gguf_writer::{GgufWriter, Value};
    let mut w = GgufWriter::new();
    w.kv("general.architecture", Value::Str(architecture.into()))
        .kv("general.name", Value::Str(name.into()))
        .kv("general.file_type", Value::U32(15))
        .kv(&format!("{architecture}.context_length"), Value::U32(32768));
    let mut tokens = vec!["a".to_owned()];
    if fim {
        tokens.extend(["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"].map(String::from));
    }
    w.kv("tokenizer.ggml.tokens", Value::StrArray(tokens));
    if chat {
        w.kv(
            "tokenizer.chat_template",
            Value::Str(super::CHATML_TEMPLATE.into()),
        );
    }
    w.declare("w", &[n_params], 200);
    w.to_bytes()
}
