//! Where margin keeps what the user taught it: dictionaries (workspace
//! `.margin/dictionary.txt`, user `<config dir>/margin/dictionary.txt`) and
//! ignored findings / disabled files (`.margin/ignored.json` in the
//! workspace, or the user config dir when there is no workspace).

use std::path::{Path, PathBuf};

use margin_proofread::{Dictionary, IgnoreStore};

use crate::config::user_config_path;

pub struct Stores {
    pub root: Option<PathBuf>,
    pub dictionary: Dictionary,
    pub ignores: IgnoreStore,
}

/// The user's margin config directory (beside the user config file).
pub fn user_dir() -> Option<PathBuf> {
    user_config_path().and_then(|p| p.parent().map(Path::to_path_buf))
}

pub fn workspace_dictionary(root: &Path) -> PathBuf {
    root.join(".margin").join("dictionary.txt")
}

pub fn user_dictionary() -> Option<PathBuf> {
    user_dir().map(|d| d.join("dictionary.txt"))
}

impl Stores {
    /// Open the stores of a workspace (or of the user, without one); a problem is a warning.
    pub fn open(root: Option<&Path>) -> (Stores, Option<String>) {
        let mut dictionaries: Vec<PathBuf> = user_dictionary().into_iter().collect();
        dictionaries.extend(root.map(workspace_dictionary));
        let ignore_path = match root {
            Some(root) => Some(root.join(".margin").join("ignored.json")),
            None => user_dir().map(|d| d.join("ignored.json")),
        };
        let (ignores, warning) = match ignore_path {
            Some(path) => IgnoreStore::open(&path),
            None => IgnoreStore::open(&std::env::temp_dir().join("margin-ignored.json")),
        };
        let stores = Stores {
            root: root.map(Path::to_path_buf),
            dictionary: Dictionary::load(&dictionaries),
            ignores,
        };
        (stores, warning)
    }

    /// How a file is named in the ignore store: relative to the workspace when inside it.
    pub fn file_key(&self, path: &Path) -> String {
        match self.root.as_deref().and_then(|r| path.strip_prefix(r).ok()) {
            Some(rel) => rel.to_string_lossy().replace('\\', "/"),
            None => path.to_string_lossy().to_string(),
        }
    }
}
