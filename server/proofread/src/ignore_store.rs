//! Per-workspace store of ignored findings and disabled files, kept in one
//! JSON file. A finding is keyed by (relative path, original, replacement,
//! hash of its sentence), so an ignore survives edits elsewhere in the file
//! but not a change of the sentence itself. A missing file is an empty
//! store; a corrupt one too (with a warning, and a `.corrupt` backup made
//! before the first save overwrites it). Writes are atomic.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dictionary::write_atomic;
use crate::sentences::sentence_at;
use crate::tokens::stable_hash;

/// One ignored finding within a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingKey {
    pub original: String,
    pub replacement: String,
    /// [`context_hash`] of the sentence the finding is in.
    pub context: u64,
}

impl FindingKey {
    /// Key of an edit at `range` of `text` (a region's plain text).
    pub fn new(text: &str, range: Range<usize>, original: &str, replacement: &str) -> FindingKey {
        let s = sentence_at(text, range);
        let sentence = text.get(s).unwrap_or(text);
        FindingKey {
            original: original.to_string(),
            replacement: replacement.to_string(),
            context: context_hash(sentence),
        }
    }
}

/// Stable hash of a sentence with whitespace runs collapsed (reflowing a
/// comment does not lose its ignores).
pub fn context_hash(sentence: &str) -> u64 {
    let norm: Vec<&str> = sentence.split_whitespace().collect();
    stable_hash(norm.join(" ").as_bytes())
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Data {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    ignored: BTreeMap<String, BTreeSet<FindingKey>>,
    #[serde(default)]
    disabled_files: BTreeSet<String>,
}

/// Ignored findings and disabled files of one workspace.
#[derive(Debug)]
pub struct IgnoreStore {
    path: PathBuf,
    data: Data,
    corrupt: bool,
}

impl IgnoreStore {
    /// Open the store at `path`. Never fails: a missing file gives an empty
    /// store; an unreadable or corrupt one an empty store and a warning.
    pub fn open(path: &Path) -> (IgnoreStore, Option<String>) {
        let empty = |corrupt| IgnoreStore {
            path: path.to_path_buf(),
            data: Data {
                version: 1,
                ..Data::default()
            },
            corrupt,
        };
        match fs::read_to_string(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => (empty(false), None),
            Err(e) => (
                empty(true),
                Some(format!(
                    "cannot read {}: {e}; starting with no ignored findings",
                    path.display()
                )),
            ),
            Ok(s) => match serde_json::from_str::<Data>(&s) {
                Ok(data) => (
                    IgnoreStore {
                        path: path.to_path_buf(),
                        data,
                        corrupt: false,
                    },
                    None,
                ),
                Err(e) => (
                    empty(true),
                    Some(format!(
                        "{} is corrupt ({e}); starting with no ignored findings",
                        path.display()
                    )),
                ),
            },
        }
    }

    /// Whether `key` is ignored in the file at `rel_path`.
    pub fn is_ignored(&self, rel_path: &str, key: &FindingKey) -> bool {
        self.data
            .ignored
            .get(&norm_path(rel_path))
            .is_some_and(|s| s.contains(key))
    }

    /// Ignore `key` in `rel_path` and save. Returns whether it was new.
    pub fn ignore(&mut self, rel_path: &str, key: FindingKey) -> io::Result<bool> {
        let added = self
            .data
            .ignored
            .entry(norm_path(rel_path))
            .or_default()
            .insert(key);
        if added {
            self.save()?;
        }
        Ok(added)
    }

    /// Number of ignored findings in `rel_path`.
    pub fn ignored_count(&self, rel_path: &str) -> usize {
        self.data
            .ignored
            .get(&norm_path(rel_path))
            .map_or(0, BTreeSet::len)
    }

    /// Whether proofreading is disabled for `rel_path`.
    pub fn is_disabled(&self, rel_path: &str) -> bool {
        self.data.disabled_files.contains(&norm_path(rel_path))
    }

    /// Disable or re-enable `rel_path` and save if that changed anything.
    pub fn set_disabled(&mut self, rel_path: &str, disabled: bool) -> io::Result<()> {
        let p = norm_path(rel_path);
        let changed = if disabled {
            self.data.disabled_files.insert(p)
        } else {
            self.data.disabled_files.remove(&p)
        };
        if changed {
            self.save()?;
        }
        Ok(())
    }

    /// Write the store (atomically). The first save over a corrupt file
    /// keeps the old content as `<name>.corrupt`.
    pub fn save(&mut self) -> io::Result<()> {
        if self.corrupt {
            let mut backup = self.path.clone().into_os_string();
            backup.push(".corrupt");
            let _ = fs::copy(&self.path, PathBuf::from(backup));
            self.corrupt = false;
        }
        self.data.version = 1;
        let json = serde_json::to_string_pretty(&self.data).map_err(io::Error::other)?;
        write_atomic(&self.path, json.as_bytes())
    }
}

/// Relative paths with `/` separators and no leading `./`.
fn norm_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Intro sentence. She dont like apples. Outro.";

    fn key(text: &str) -> FindingKey {
        let i = text.find("dont").unwrap();
        FindingKey::new(text, i..i + 4, "dont", "doesn't")
    }

    #[test]
    fn ignore_survives_edits_elsewhere_but_not_in_the_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".margin/ignored.json");
        let (mut store, warn) = IgnoreStore::open(&path);
        assert!(warn.is_none());
        assert!(store.ignore("docs/a.md", key(TEXT)).unwrap());
        assert!(!store.ignore("docs/a.md", key(TEXT)).unwrap());

        let (store, _) = IgnoreStore::open(&path);
        assert!(store.is_ignored("docs/a.md", &key(TEXT)));
        assert!(store.is_ignored("./docs\\a.md", &key(TEXT)));
        assert!(store.is_ignored(
            "docs/a.md",
            &key("A new intro. She  dont like\napples. Outro changed too.")
        ));
        assert!(!store.is_ignored("docs/a.md", &key("Intro. She dont like pears. Outro.")));
        assert!(!store.is_ignored("docs/b.md", &key(TEXT)));
        assert_eq!(store.ignored_count("docs/a.md"), 1);
    }

    #[test]
    fn disabled_files_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ignored.json");
        let (mut store, _) = IgnoreStore::open(&path);
        store.set_disabled("CHANGELOG.md", true).unwrap();
        assert!(IgnoreStore::open(&path).0.is_disabled("CHANGELOG.md"));
        store.set_disabled("CHANGELOG.md", false).unwrap();
        assert!(!IgnoreStore::open(&path).0.is_disabled("CHANGELOG.md"));
    }

    #[test]
    fn corrupt_file_starts_empty_with_warning_and_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ignored.json");
        fs::write(&path, "{ this is not json").unwrap();
        let (mut store, warn) = IgnoreStore::open(&path);
        assert!(warn.unwrap().contains("corrupt"));
        assert!(!store.is_ignored("a.md", &key(TEXT)));
        store.ignore("a.md", key(TEXT)).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("ignored.json.corrupt")).unwrap(),
            "{ this is not json"
        );
        let (store, warn) = IgnoreStore::open(&path);
        assert!(warn.is_none());
        assert!(store.is_ignored("a.md", &key(TEXT)));
    }

    #[test]
    fn wrong_shape_json_is_corrupt_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ignored.json");
        fs::write(&path, "[1, 2, 3]").unwrap();
        assert!(IgnoreStore::open(&path).1.is_some());
        fs::write(&path, "{}").unwrap();
        let (s, w) = IgnoreStore::open(&path);
        assert!(w.is_none() && !s.is_disabled("x"));
    }
}
