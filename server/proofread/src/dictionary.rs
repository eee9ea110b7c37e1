//! User and workspace dictionaries: plain text files with one word per line
//! (`#` starts a comment line). An all-lowercase entry matches any casing
//! ("tokio" matches "Tokio"); an entry with capitals matches exactly
//! ("GitHub" does not match "github"). Files are reloaded when their
//! modification time or size changes; words are appended atomically.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Words from zero or more dictionary files (missing files count as empty).
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    sources: Vec<Source>,
    extra: Vec<String>,
    any_case: HashSet<String>,
    exact: HashSet<String>,
}

#[derive(Clone, Debug)]
struct Source {
    path: PathBuf,
    stamp: Option<(SystemTime, u64)>,
    words: Vec<String>,
}

impl Dictionary {
    /// An in-memory dictionary (no files), e.g. for tests or settings.
    pub fn from_words<I, S>(words: I) -> Dictionary
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut d = Dictionary {
            extra: words.into_iter().map(Into::into).collect(),
            ..Dictionary::default()
        };
        d.rebuild();
        d
    }

    /// Load the given files (workspace, user …); unreadable or missing
    /// files contribute nothing and are picked up later by
    /// [`reload_if_changed`](Self::reload_if_changed).
    pub fn load(paths: &[PathBuf]) -> Dictionary {
        let sources = paths.iter().map(|p| read_source(p)).collect();
        let mut d = Dictionary {
            sources,
            ..Dictionary::default()
        };
        d.rebuild();
        d
    }

    /// Whether `word` is in the dictionary. Curly apostrophes count as
    /// straight ones, and a possessive "'s" is ignored ("tokio's").
    pub fn contains(&self, word: &str) -> bool {
        let w = word.replace('\u{2019}', "'");
        let check = |w: &str| self.exact.contains(w) || self.any_case.contains(&w.to_lowercase());
        check(&w) || w.strip_suffix("'s").is_some_and(check)
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.any_case.len() + self.exact.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Re-read files whose modification time or size changed (or that
    /// appeared or vanished). Returns whether anything was reloaded.
    pub fn reload_if_changed(&mut self) -> bool {
        let mut changed = false;
        for s in &mut self.sources {
            if stamp(&s.path) != s.stamp {
                *s = read_source(&s.path);
                changed = true;
            }
        }
        if changed {
            self.rebuild();
        }
        changed
    }

    fn rebuild(&mut self) {
        self.any_case.clear();
        self.exact.clear();
        let all = self
            .sources
            .iter()
            .flat_map(|s| s.words.iter())
            .chain(self.extra.iter());
        for w in all {
            let w = w.replace('\u{2019}', "'");
            if w.chars().any(char::is_uppercase) {
                self.exact.insert(w);
            } else {
                self.any_case.insert(w);
            }
        }
    }
}

/// Append `word` to the dictionary file at `path` (creating it and its
/// folder), keeping existing content, also words other margin processes
/// added meanwhile (see [`shared_file`](crate::shared_file)). Atomic: a
/// temporary file next to it is written, then renamed over it. Returns
/// `Ok(false)` if the word was already there. Words must be one non-empty
/// line not starting with `#`.
pub fn add_word(path: &Path, word: &str) -> io::Result<bool> {
    let word = word.trim();
    if word.is_empty() || word.starts_with('#') || word.contains(['\n', '\r']) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a dictionary word: {word:?}"),
        ));
    }
    crate::shared_file::update(path, |existing| {
        let mut content = existing.unwrap_or_default();
        if parse(&content).any(|w| w == word) {
            return Ok((None, false));
        }
        if !content.is_empty() && !content.ends_with('\n') {
            content.push('\n');
        }
        content.push_str(word);
        content.push('\n');
        Ok((Some(content), true))
    })
}

fn parse(content: &str) -> impl Iterator<Item = &str> {
    content
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn read_source(path: &Path) -> Source {
    let stamp = stamp(path);
    let words = fs::read_to_string(path)
        .map(|s| parse(&s).map(String::from).collect())
        .unwrap_or_default();
    Source {
        path: path.to_path_buf(),
        stamp,
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_rules() {
        let d = Dictionary::from_words(["tokio", "GitHub", "rustc"]);
        assert!(d.contains("tokio") && d.contains("Tokio") && d.contains("TOKIO"));
        assert!(d.contains("GitHub"));
        assert!(!d.contains("github") && !d.contains("Github"));
        assert!(d.contains("tokio's") && d.contains("GitHub’s"));
        assert!(!d.contains("tokyo"));
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn loads_files_with_comments_and_tolerates_missing() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("dictionary.txt");
        fs::write(&ws, "# project words\nmargin\n\n  llama  \n#ignored\n").unwrap();
        let d = Dictionary::load(&[ws, dir.path().join("missing.txt")]);
        assert!(d.contains("margin") && d.contains("llama"));
        assert!(!d.contains("ignored") && !d.contains("# project words"));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn add_word_appends_atomically_without_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".margin").join("dictionary.txt");
        assert!(add_word(&path, "tokio").unwrap());
        assert!(add_word(&path, "GitHub").unwrap());
        assert!(!add_word(&path, "tokio").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "tokio\nGitHub\n");
        // Existing content without a final newline is kept.
        fs::write(&path, "# mine\nserde").unwrap();
        assert!(add_word(&path, "rayon").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "# mine\nserde\nrayon\n");
        assert!(add_word(&path, "two\nlines").is_err());
        assert!(add_word(&path, "  ").is_err());
        // No temporary files left behind (only the lock file beside it).
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn reload_picks_up_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dictionary.txt");
        let mut d = Dictionary::load(std::slice::from_ref(&path));
        assert!(d.is_empty());
        assert!(!d.reload_if_changed());
        add_word(&path, "ropey").unwrap();
        assert!(d.reload_if_changed());
        assert!(d.contains("ropey"));
        assert!(!d.reload_if_changed());
        fs::remove_file(&path).unwrap();
        assert!(d.reload_if_changed());
        assert!(!d.contains("ropey"));
    }
}
