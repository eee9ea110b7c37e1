//! Hugging Face downloads into the hub cache layout, so the Hugging Face tools, llama.cpp and
//! others find the file too: `HEAD <endpoint>/<repo>/resolve/<revision>/<file>` (without
//! following the redirect) gives the commit (`X-Repo-Commit`), the file's sha256 (`X-Linked-Etag`
//! of LFS files), its size and the download location; the bytes go to
//! `blobs/<sha256>.incomplete` (resumed with Range), are verified, renamed to `blobs/<sha256>`,
//! and linked from `snapshots/<commit>/<file>`; `refs/<revision>` records the commit.
//! `$HF_ENDPOINT` points at a mirror; `$HF_TOKEN` (or the token file `huggingface-cli login`
//! writes) is sent to the hub, never to the storage host it redirects to.

use super::{agent, download, io_err, lock, sha256_file, Progress, Span};
use crate::error::ModelError;
use crate::models::discover::hf_cache::repo_dir;
use std::path::{Path, PathBuf};

/// One file on the hub.
#[derive(Debug, Clone)]
pub struct Source {
    /// `https://huggingface.co` or a mirror.
    pub endpoint: String,
    /// Access token for gated and private repositories.
    pub token: Option<String>,
    /// `org/repo`.
    pub repo: String,
    /// Path of the file in the repository.
    pub file: String,
    /// Branch, tag or commit.
    pub revision: String,
}

/// `$HF_ENDPOINT` or `https://huggingface.co`.
pub fn endpoint() -> String {
    std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "https://huggingface.co".into())
        .trim_end_matches('/')
        .to_owned()
}

/// `$HF_TOKEN`, else the token file (`$HF_TOKEN_PATH`, else `$HF_HOME/token`, else
/// `$XDG_CACHE_HOME/huggingface/token`, else `~/.cache/huggingface/token`), as the Hugging Face
/// tools look for it.
pub fn token() -> Option<String> {
    if let Some(t) = std::env::var("HF_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Some(t.trim().to_owned());
    }
    let var = |n: &str| {
        std::env::var_os(n)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let path = var("HF_TOKEN_PATH")
        .or_else(|| var("HF_HOME").map(|h| h.join("token")))
        .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("huggingface/token")))
        .or_else(|| dirs::home_dir().map(|h| h.join(".cache/huggingface/token")))?;
    std::fs::read_to_string(path)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// What the hub says about the file.
struct Meta {
    commit: String,
    sha256: String,
    size: Option<u64>,
    location: String,
}

/// Downloads `src` into the hub cache `hub`; returns the snapshot path.
pub fn pull_into(
    src: &Source,
    hub: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, ModelError> {
    let meta = head(src)?;
    let dir = repo_dir(hub, &src.repo);
    let blobs = dir.join("blobs");
    let blob = blobs.join(&meta.sha256);
    let _lock = lock(
        &hub.join(".locks")
            .join(dir.file_name().unwrap_or_default())
            .join(format!("{}.lock", meta.sha256)),
    )?;
    let complete = std::fs::metadata(&blob)
        .is_ok_and(|m| m.is_file() && meta.size.is_none_or(|s| s == m.len()));
    if !complete {
        std::fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
        let incomplete = blobs.join(format!("{}.incomplete", meta.sha256));
        let agent = agent(true)?;
        let request = |url: &str| {
            let req = agent.get(url).set("Accept-Encoding", "identity");
            match (&src.token, same_origin(url, &src.endpoint)) {
                (Some(token), true) => req.set("Authorization", &format!("Bearer {token}")),
                _ => req,
            }
        };
        download(
            &request,
            &meta.location,
            &incomplete,
            meta.size,
            Span::default(),
            progress,
        )?;
        progress(Progress::Verifying);
        let actual = sha256_file(&incomplete)?;
        if actual != meta.sha256 {
            let _ = std::fs::remove_file(&incomplete);
            return Err(ModelError::Checksum {
                what: format!("{}/{}", src.repo, src.file),
                expected: meta.sha256,
                actual,
            });
        }
        std::fs::rename(&incomplete, &blob).map_err(io_err(&blob))?;
    }
    let snapshot = dir.join("snapshots").join(&meta.commit).join(&src.file);
    link(&snapshot, &blob, &meta.sha256, &src.file)?;
    if src.revision != meta.commit {
        let refs = dir.join("refs");
        std::fs::create_dir_all(&refs).map_err(io_err(&refs))?;
        std::fs::write(refs.join(&src.revision), &meta.commit).map_err(io_err(&refs))?;
    }
    progress(Progress::Done(snapshot.clone()));
    Ok(snapshot)
}

/// `snapshot` → `../../blobs/<sha256>` (relative, like the Hugging Face tools make them).
fn link(snapshot: &Path, blob: &Path, sha256: &str, file: &str) -> Result<(), ModelError> {
    let parent = snapshot.parent().unwrap_or(snapshot);
    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    if std::fs::symlink_metadata(snapshot).is_ok() {
        if std::fs::canonicalize(snapshot).ok() == std::fs::canonicalize(blob).ok() {
            return Ok(());
        }
        std::fs::remove_file(snapshot).map_err(io_err(snapshot))?;
    }
    let up = "../".repeat(1 + file.split('/').count());
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(format!("{up}blobs/{sha256}"), snapshot);
    #[cfg(not(unix))]
    let linked = std::fs::copy(blob, snapshot).map(|_| ());
    linked.map_err(io_err(snapshot))
}

fn same_origin(url: &str, endpoint: &str) -> bool {
    origin(url) == origin(endpoint)
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    &url[..end]
}

/// HEAD of the resolve URL, following only the hub's own (relative) redirects.
fn head(src: &Source) -> Result<Meta, ModelError> {
    let agent = agent(false)?;
    let mut url = format!(
        "{}/{}/resolve/{}/{}",
        src.endpoint, src.repo, src.revision, src.file
    );
    for _ in 0..5 {
        let mut req = agent.head(&url).set("Accept-Encoding", "identity");
        if let Some(token) = &src.token {
            req = req.set("Authorization", &format!("Bearer {token}"));
        }
        let resp = match req.call() {
            Ok(resp) => resp,
            Err(ureq::Error::Status(status, resp)) => {
                return Err(refused(src, &url, status, resp.header("X-Error-Code")))
            }
            Err(e) => return Err(ModelError::Download(format!("{url}: {e}"))),
        };
        let header = |name: &str| resp.header(name).map(str::to_owned);
        let location = header("Location");
        if (300..400).contains(&resp.status()) && header("X-Repo-Commit").is_none() {
            // A renamed repository: the hub redirects to its new name (same host).
            let next = location
                .ok_or_else(|| ModelError::Download(format!("{url}: redirect without Location")))?;
            url = if next.starts_with('/') {
                format!("{}{next}", origin(&url))
            } else {
                next
            };
            continue;
        }
        let commit = header("X-Repo-Commit").ok_or_else(|| {
            ModelError::Download(format!("{url}: the hub sent no X-Repo-Commit header"))
        })?;
        let etag = header("X-Linked-Etag")
            .or_else(|| header("ETag"))
            .unwrap_or_default();
        let sha256 = etag
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ModelError::Download(format!(
                "{url}: the hub gives no sha256 for this file (ETag `{etag}`, not a Git LFS file); margin verifies every model file and will not use it"
            )));
        }
        let size = header("X-Linked-Size")
            .or_else(|| header("Content-Length"))
            .and_then(|s| s.parse().ok());
        let location = match location {
            Some(l) if l.starts_with('/') => format!("{}{l}", origin(&url)),
            Some(l) => l,
            None => url.clone(),
        };
        return Ok(Meta {
            commit,
            sha256,
            size,
            location,
        });
    }
    Err(ModelError::Download(format!("{url}: too many redirects")))
}

/// The error for a refused HEAD, with what to do about it.
fn refused(src: &Source, url: &str, status: u16, code: Option<&str>) -> ModelError {
    let page = format!("{}/{}", src.endpoint, src.repo);
    let token_advice = match &src.token {
        None => format!(
            "`{}` is gated or private: accept its terms on {page} while logged in, then set HF_TOKEN to an access token ({}/settings/tokens) and pull again",
            src.repo, src.endpoint
        ),
        Some(_) => format!(
            "the Hugging Face token (HF_TOKEN) was not accepted for `{}`: check that it has read access and that its account accepted the terms on {page}",
            src.repo
        ),
    };
    let advice = match (status, code) {
        (_, Some("EntryNotFound")) | (404, None) => format!(
            "no file `{}` in `{}` at `{}` (see {page}/tree/{})",
            src.file, src.repo, src.revision, src.revision
        ),
        (_, Some("RevisionNotFound")) => {
            format!("no revision `{}` in `{}`", src.revision, src.repo)
        }
        (_, Some("RepoNotFound")) if src.token.is_some() => {
            format!("no repository `{}` that this token can see", src.repo)
        }
        (_, Some("RepoNotFound")) => format!(
            "no repository `{}` (if it is private, set HF_TOKEN)",
            src.repo
        ),
        (401 | 403, _) => token_advice,
        _ => format!("the hub answered {status}"),
    };
    ModelError::Refused {
        url: url.to_owned(),
        status,
        advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://huggingface.co/a/b/resolve/main/x.gguf"),
            "https://huggingface.co"
        );
        assert_eq!(origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert!(same_origin(
            "http://127.0.0.1:8080/x",
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            "https://cdn-lfs.hf.co/x",
            "https://huggingface.co"
        ));
    }
}
