//! The files of a `margin check` run: which ones (explicit paths, directories walked honouring
//! `.gitignore`), and their preparation on a pool of threads while the model works on earlier
//! files: each is read (up to `maxFileBytes`), compared with its version at the base ref
//! (`--changed-since`), and parsed; what is ready waits in a bounded queue.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use margin_syntax::{Language, SyntaxTree};
use tokio::sync::mpsc;

use super::changed::Base;
use crate::checking::parse_regions;
use crate::cli_input::{text_of, FileProblem};
use crate::config::Settings;

/// A file read and parsed, ready for the model.
pub struct Ready {
    pub text: String,
    pub tree: Option<SyntaxTree>,
    /// With a base: the texts of the base version's regions (those are not checked again).
    pub unchanged: Option<HashSet<String>>,
    /// With a base: the file is byte for byte what it was (nothing to check).
    pub same_as_base: bool,
}

/// A path that cannot be checked, and why.
pub type Problem = (PathBuf, String);

/// One file, prepared or not.
pub struct Prepared {
    pub path: PathBuf,
    pub language: Language,
    pub outcome: Result<Ready, FileProblem>,
}

/// Files to check: explicit files (any language; unknown ones as plain text; FIFOs and devices
/// too, to be reported as skipped) and, in directories, files of known languages not ignored
/// by git. Paths that do not exist and directory entries that cannot be read come back as
/// problems, with the path.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<(PathBuf, Language)>, Vec<Problem>) {
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    for path in paths {
        if path.exists() && !path.is_dir() {
            files.push((
                path.clone(),
                Language::from_path(path).unwrap_or(Language::PlainText),
            ));
            continue;
        }
        if !path.is_dir() {
            problems.push((path.clone(), "no such file or directory".to_string()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(path).build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push((path.clone(), e.to_string()));
                    continue;
                }
            };
            let p = entry.path();
            if p.is_file() {
                if let Some(language) = Language::from_path(p) {
                    files.push((p.to_path_buf(), language));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

/// Prepare `files` on `threads` threads; they arrive in the order they are ready, at most a
/// few ahead of the consumer.
pub fn prepare_all(
    files: Vec<(PathBuf, Language)>,
    settings: &Settings,
    base: Option<Arc<Base>>,
    threads: usize,
) -> mpsc::Receiver<Prepared> {
    let threads = threads.clamp(1, files.len().max(1));
    let (tx, rx) = mpsc::channel(threads * 2);
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    for _ in 0..threads {
        let (tx, files, next, settings, base) = (
            tx.clone(),
            files.clone(),
            next.clone(),
            settings.clone(),
            base.clone(),
        );
        std::thread::spawn(move || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((path, language)) = files.get(i) else {
                break;
            };
            let outcome = prepare(path, *language, &settings, base.as_deref());
            // The receiver is gone when the run stopped: nothing more to do.
            if tx
                .blocking_send(Prepared {
                    path: path.clone(),
                    language: *language,
                    outcome,
                })
                .is_err()
            {
                break;
            }
        });
    }
    rx
}

fn prepare(
    path: &Path,
    language: Language,
    settings: &Settings,
    base: Option<&Base>,
) -> Result<Ready, FileProblem> {
    let text = text_of(path, settings.max_file_bytes)?;
    let base_text = base.and_then(|b| b.text_of(path));
    if base_text == Some(text.as_str()) {
        return Ok(Ready {
            text,
            tree: None,
            unchanged: None,
            same_as_base: true,
        });
    }
    let unchanged = match base_text {
        // A base version that does not parse counts as absent: every region is new.
        Some(old) => parse_regions(old, language, settings.check_strings, settings)
            .ok()
            .map(|(_, regions)| regions.into_iter().map(|r| r.text).collect()),
        None => base.map(|_| HashSet::new()),
    };
    let tree = SyntaxTree::new(language).map(|mut t| {
        t.parse(&text);
        t
    });
    Ok(Ready {
        text,
        tree,
        unchanged,
        same_as_base: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_prepared_on_several_threads_and_all_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..20 {
            let p = dir.path().join(format!("f{i}.md"));
            std::fs::write(&p, format!("# File {i}\n\nSome text.\n")).unwrap();
            files.push((p, Language::Markdown));
        }
        files.push((dir.path().join("nul.md"), Language::Markdown));
        std::fs::write(&files[20].0, "a\0b").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut rx = prepare_all(files.clone(), &Settings::default(), None, 3);
        let mut seen = Vec::new();
        while let Some(p) = runtime.block_on(rx.recv()) {
            match &p.outcome {
                Ok(ready) => assert!(
                    ready.tree.is_some()
                        && ready.text.contains("Some text.")
                        && ready.unchanged.is_none()
                ),
                Err(FileProblem::Skipped(why)) => assert!(why.contains("NUL"), "{why}"),
                Err(FileProblem::Failed(e)) => panic!("{e}"),
            }
            seen.push(p.path);
        }
        seen.sort();
        let mut expected: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
        expected.sort();
        assert_eq!(seen, expected);
    }
}
