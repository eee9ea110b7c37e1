//! The Hugging Face hub cache: `models--<org>--<name>/snapshots/<revision>/<file>` are symlinks
//! into `blobs/` (named by the file's ETag, the sha256 of LFS files); `refs/main` holds the
//! revision `main` pointed to when it was downloaded. Named `hf:<org>/<name>/<file>` (or by
//! catalog name for catalog files). The same layout is what `margin models pull hf:…` writes
//! (see [`crate::models::pull`]), so other tools find margin's downloads and the reverse.

use super::{entries, gguf_name, name_of, Candidate, Discovery, Store};
use crate::models::catalog;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `<hub>/models--<org>--<name>` for repository `org/name`.
pub(crate) fn repo_dir(hub: &Path, repo: &str) -> PathBuf {
    hub.join(format!("models--{}", repo.replace('/', "--")))
}

/// `org/name` from a `models--<org>--<name>` directory name.
fn repo_of(dir_name: &str) -> Option<String> {
    let rest = dir_name.strip_prefix("models--")?;
    (!rest.is_empty()).then(|| rest.replacen("--", "/", 1))
}

/// The revision `refs/<reference>` names.
pub(crate) fn read_ref(repo_dir: &Path, reference: &str) -> Option<String> {
    let text = std::fs::read_to_string(repo_dir.join("refs").join(reference)).ok()?;
    Some(text.trim().to_owned()).filter(|r| !r.is_empty())
}

/// Lists the `.gguf` files of every model repository in `hub` (`main`'s snapshot first; a file
/// only in an older snapshot is listed from there).
pub(super) fn scan(hub: &Path, store: Store, found: &mut Discovery) {
    for dir in entries(hub, found) {
        let Some(repo) = repo_of(name_of(&dir)) else {
            continue;
        };
        let main = read_ref(&dir, "main");
        let mut snapshots = entries(&dir.join("snapshots"), found);
        snapshots.sort_by_key(|s| Some(name_of(s)) != main.as_deref());
        let mut seen = HashSet::new();
        for snapshot in snapshots {
            let mut files = Vec::new();
            walk(&snapshot, &mut files, found, 0);
            for link in files {
                let rel = link
                    .strip_prefix(&snapshot)
                    .unwrap_or(&link)
                    .to_string_lossy()
                    .replace('\\', "/");
                if !seen.insert(rel.clone()) {
                    continue;
                }
                let file = match std::fs::canonicalize(&link) {
                    Ok(file) => file,
                    Err(_) => {
                        found.skip(&link, "a broken symlink (its blob is missing: an interrupted or deleted download)");
                        continue;
                    }
                };
                let reference = format!("hf:{repo}/{rel}");
                let entry = catalog::entries()
                    .iter()
                    .find(|e| e.hf.as_deref() == Some(&reference[3..]));
                let short = entry.map_or_else(|| reference.clone(), |e| e.name.clone());
                found.add(
                    store,
                    Candidate {
                        reference,
                        short,
                        location: link,
                        file,
                    },
                );
            }
        }
    }
}

/// `.gguf` files under `dir` (at most 4 levels deep).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, found: &mut Discovery, depth: usize) {
    for path in entries(dir, found) {
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir && depth < 4 {
            walk(&path, out, found, depth + 1);
        } else if !is_dir && gguf_name(&path, found) {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_directory_names() {
        assert_eq!(
            repo_dir(Path::new("/h"), "Qwen/Qwen2.5-3B-GGUF"),
            Path::new("/h/models--Qwen--Qwen2.5-3B-GGUF")
        );
        assert_eq!(
            repo_of("models--Qwen--Qwen2.5-3B-GGUF").as_deref(),
            Some("Qwen/Qwen2.5-3B-GGUF")
        );
        assert_eq!(repo_of("datasets--x--y"), None);
    }
}
