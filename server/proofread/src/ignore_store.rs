//! Per-workspace store of ignored findings and disabled files, kept in one
//! JSON file. A finding is keyed by (relative path, original, replacement,
//! hash of its sentence), so an ignore survives edits elsewhere in the file
//! but not a change of the sentence itself. A missing file is an empty
//! store; a corrupt one too (with a warning, and a `.corrupt` backup made
//! before the first save overwrites it). Each change is applied to what is
//! on disk at that moment, under the file's lock (several margin processes
//! share it: nothing they add is lost), and written atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sentences::sentence_at;
use crate::shared_file;
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
}

impl IgnoreStore {
    /// Open the store at `path`. Never fails: a missing file gives an empty
    /// store; an unreadable or corrupt one an empty store and a warning.
    pub fn open(path: &Path) -> (IgnoreStore, Option<String>) {
        let empty = || IgnoreStore {
            path: path.to_path_buf(),
            data: Data {
                version: 1,
                ..Data::default()
            },
        };
        match fs::read_to_string(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => (empty(), None),
            Err(e) => (
                empty(),
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
                    },
                    None,
                ),
                Err(e) => (
                    empty(),
                    Some(format!(
                        "{} is corrupt ({e}); starting with no ignored findings",
                        path.display()
                    )),
                ),
            },
        }
    }

    /// The file the store lives in.
    pub fn path(&self) -> &Path {
        &self.path
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
        let rel_path = norm_path(rel_path);
        self.change(|data| data.ignored.entry(rel_path).or_default().insert(key))
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
        self.change(|data| {
            if disabled {
                data.disabled_files.insert(p)
            } else {
                data.disabled_files.remove(&p)
            }
        })?;
        Ok(())
    }

    /// Apply `change` to the store as it is on disk now (under the lock), write it if it
    /// changed, and keep the result (with what other processes added) in memory. The
    /// first save over a corrupt file keeps the old content as `<name>.corrupt`.
    fn change(&mut self, change: impl FnOnce(&mut Data) -> bool) -> io::Result<bool> {
        let path = self.path.clone();
        let (data, changed) = shared_file::update(&self.path, |current| {
            let mut data = match current.as_deref().map(serde_json::from_str::<Data>) {
                Some(Ok(data)) => data,
                None => Data::default(),
                Some(Err(_)) => {
                    let mut backup = path.clone().into_os_string();
                    backup.push(".corrupt");
                    let _ = fs::copy(&path, PathBuf::from(backup));
                    Data::default()
                }
            };
            let changed = change(&mut data);
            data.version = 1;
            let json = serde_json::to_string_pretty(&data).map_err(io::Error::other)?;
            Ok((changed.then_some(json), (data, changed)))
        })?;
        self.data = data;
        Ok(changed)
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
