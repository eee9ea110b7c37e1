//! Model references, the one way a model is named everywhere (settings, CLI, editor settings):
//!
//! * a path to a `.gguf` file (`~/` expanded);
//! * `ollama:<model>[:<tag>]` (tag `latest` by default; `<namespace>/<model>` and
//!   `<host>/<namespace>/<model>` for other namespaces and registries);
//! * `lmstudio:<publisher>/<file>` (also `<publisher>/<model>/<file>`, `<publisher>/<model>`,
//!   or just the file or model name when only one matches; `.gguf` optional);
//! * `hf:<org>/<repo>/<file>.gguf` (or `hf:<org>/<repo>` when the cache holds one GGUF of it);
//! * a catalog name (`qwen2.5-3b`), or the short name `margin models list` shows.
//!
//! A reference that matches several models is an error listing them.

use super::discover::{self, hf_cache, ollama, without_scheme, Discovery, Found, Store};
use super::{catalog, file_kind, gguf_files_in, roots::Roots};
use crate::error::ModelError;
use crate::gguf::GgufSummary;
use std::path::{Path, PathBuf};

/// A resolved reference.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The GGUF file to open.
    pub path: PathBuf,
    /// The canonical reference (as `margin models list` shows it) or the path given.
    pub reference: String,
    /// The store it was found in (`None` for a path outside the stores).
    pub store: Option<Store>,
    /// Its header, when discovery read it already.
    pub facts: Option<GgufSummary>,
}

impl Resolved {
    fn found(m: &Found) -> Self {
        Resolved {
            path: m.file.clone(),
            reference: m.reference.clone(),
            store: Some(m.store),
            facts: Some(m.facts.clone()),
        }
    }
}

/// `(org/repo, path/in/repo)` of `org/repo/path/in/repo`.
pub fn split_hf(s: &str) -> Option<(String, String)> {
    let mut it = s.splitn(3, '/');
    let (org, repo, file) = (it.next()?, it.next()?, it.next()?);
    (!org.is_empty() && !repo.is_empty() && !file.is_empty())
        .then(|| (format!("{org}/{repo}"), file.to_owned()))
}

/// Whether `s` is written as a path (rather than a name).
fn looks_like_path(s: &str) -> bool {
    s.contains('/')
        || s.contains('\\')
        || s.starts_with('.')
        || s.starts_with('~')
        || s.to_ascii_lowercase().ends_with(".gguf")
}

/// Resolves `reference` against the stores in `roots`.
pub fn resolve(reference: &str, roots: &Roots) -> Result<Resolved, ModelError> {
    let reference = reference.trim();
    if let Some(rest) = reference.strip_prefix("ollama:") {
        return resolve_ollama(reference, rest, roots);
    }
    if let Some(rest) = reference.strip_prefix("lmstudio:") {
        return resolve_lmstudio(reference, rest, roots);
    }
    if let Some(rest) = reference.strip_prefix("hf:") {
        return resolve_hf(reference, rest, roots);
    }
    if Path::new(reference).exists() || looks_like_path(reference) {
        return resolve_path(reference);
    }
    if let Some(entry) = catalog::find(reference) {
        return resolve_catalog(entry, roots);
    }
    let found = discover::discover(roots);
    let matches: Vec<&Found> = found
        .models
        .iter()
        .filter(|m| name_matches(m, reference))
        .collect();
    pick(reference, matches, || ModelError::UnknownName {
        name: reference.to_owned(),
    })
}

/// A path to a GGUF file; an explicitly given path that does not exist is an error.
pub fn resolve_path(reference: &str) -> Result<Resolved, ModelError> {
    let path = match (reference.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(reference),
    };
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(Resolved {
            reference: reference.to_owned(),
            path,
            store: None,
            facts: None,
        }),
        Ok(meta) => Err(ModelError::NotAFile {
            hint: gguf_files_in(&path),
            path,
            what: file_kind(&meta),
        }),
        Err(_) => Err(ModelError::NotFound { path }),
    }
}

fn name_matches(m: &Found, name: &str) -> bool {
    let stem = m.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let location_stem = m
        .location
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let bare = without_scheme(&m.reference);
    [m.short.as_str(), bare, stem, location_stem]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        || (m.store == Store::Ollama && bare.eq_ignore_ascii_case(&format!("{name}:latest")))
}

/// The one model in `matches` (duplicates of one file count once), else an error.
fn pick(
    reference: &str,
    mut matches: Vec<&Found>,
    none: impl FnOnce() -> ModelError,
) -> Result<Resolved, ModelError> {
    matches.dedup_by(|a, b| a.file == b.file);
    match matches.as_slice() {
        [] => Err(none()),
        [one] => Ok(Resolved::found(one)),
        many => Err(ModelError::Ambiguous {
            reference: reference.to_owned(),
            candidates: many
                .iter()
                .map(|m| format!("{} ({})", m.reference, m.location.display()))
                .collect(),
        }),
    }
}

fn resolve_ollama(reference: &str, rest: &str, roots: &Roots) -> Result<Resolved, ModelError> {
    let (name, tag) = rest
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .unwrap_or((rest, "latest"));
    let parts: Vec<&str> = name.split('/').collect();
    let (host, namespace, model) = match parts.as_slice() {
        [m] => (ollama::DEFAULT_HOST, ollama::DEFAULT_NAMESPACE, *m),
        [ns, m] => (ollama::DEFAULT_HOST, *ns, *m),
        [h, ns, m] => (*h, *ns, *m),
        _ => {
            return Err(ModelError::BadReference {
                reference: reference.to_owned(),
                expected: "ollama:<model>[:<tag>]",
            })
        }
    };
    for root in &roots.ollama {
        let manifest = root
            .join("manifests")
            .join(host)
            .join(namespace)
            .join(model)
            .join(tag);
        if manifest.is_file() {
            let file = ollama::blob(root, &manifest).map_err(|reason| ModelError::Unusable {
                reference: reference.to_owned(),
                reason,
            })?;
            let canonical = ollama::reference(host, namespace, model, tag);
            return Ok(Resolved {
                path: file,
                reference: canonical,
                store: Some(Store::Ollama),
                facts: None,
            });
        }
    }
    Err(ModelError::NotInStore {
        reference: reference.to_owned(),
        store: Store::Ollama.label(),
        searched: roots
            .ollama
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        hint: format!("`ollama pull {rest}` downloads it"),
    })
}

fn resolve_lmstudio(reference: &str, rest: &str, roots: &Roots) -> Result<Resolved, ModelError> {
    let found = discover::discover_stores(roots, &[Store::LmStudio]);
    let want = rest.trim_end_matches(".gguf").to_ascii_lowercase();
    let matches: Vec<&Found> = found
        .models
        .iter()
        .filter(|m| {
            // publisher/model/file (without .gguf), and the shorter forms it ends with.
            let mut parts: Vec<String> = m
                .location
                .iter()
                .rev()
                .take(3)
                .map(|c| c.to_string_lossy().to_ascii_lowercase())
                .collect();
            parts.reverse();
            let file = parts
                .last()
                .map(|f| f.trim_end_matches(".gguf").to_owned())
                .unwrap_or_default();
            let (publisher, dir) = (
                parts.first().cloned().unwrap_or_default(),
                parts.get(1).cloned().unwrap_or_default(),
            );
            [
                format!("{publisher}/{dir}/{file}"),
                format!("{publisher}/{file}"),
                format!("{publisher}/{dir}"),
                format!("{dir}/{file}"),
                file.clone(),
                dir.clone(),
            ]
            .contains(&want)
        })
        .collect();
    pick(reference, matches, || {
        not_in(
            reference,
            Store::LmStudio,
            &roots.lmstudio,
            &found,
            "download it in LM Studio",
        )
    })
}

fn resolve_hf(reference: &str, rest: &str, roots: &Roots) -> Result<Resolved, ModelError> {
    let (repo, file) = match split_hf(rest) {
        Some((repo, file)) => (repo, Some(file)),
        None if rest.split('/').filter(|p| !p.is_empty()).count() == 2 => (rest.to_owned(), None),
        None => {
            return Err(ModelError::BadReference {
                reference: reference.to_owned(),
                expected: "hf:<org>/<repo>/<file>.gguf",
            })
        }
    };
    let found = discover::discover_stores(roots, &[Store::HuggingFace]);
    let prefix = format!("hf:{}/", repo.to_ascii_lowercase());
    let matches: Vec<&Found> = found
        .models
        .iter()
        .filter(|m| {
            let r = m.reference.to_ascii_lowercase();
            r.starts_with(&prefix)
                && file
                    .as_ref()
                    .is_none_or(|f| r[prefix.len()..] == f.to_ascii_lowercase())
        })
        .collect();
    pick(reference, matches, || {
        // Say why a file that is there is not usable (a broken link, a truncated blob).
        let dir = roots
            .hf_hub
            .iter()
            .map(|hub| hf_cache::repo_dir(hub, &repo))
            .find(|d| d.is_dir());
        let skipped = dir.and_then(|d| found.skipped.iter().find(|s| s.path.starts_with(&d)));
        match skipped {
            Some(s) => ModelError::Unusable {
                reference: reference.to_owned(),
                reason: format!("{}: {}", s.path.display(), s.reason),
            },
            None => ModelError::NotDownloaded {
                reference: reference.to_owned(),
                pull: reference.to_owned(),
            },
        }
    })
}

fn resolve_catalog(entry: &catalog::Entry, roots: &Roots) -> Result<Resolved, ModelError> {
    let not_downloaded = || ModelError::NotDownloaded {
        reference: entry.name.clone(),
        pull: entry.name.clone(),
    };
    if let Some(file) = entry.pypi_file() {
        let path = roots.margin.join(file);
        return match path.is_file() {
            true => Ok(Resolved {
                path,
                reference: entry.name.clone(),
                store: Some(Store::Margin),
                facts: None,
            }),
            false => Err(not_downloaded()),
        };
    }
    let hf = entry.hf.as_deref().unwrap_or_default();
    let mut resolved = resolve_hf(&format!("hf:{hf}"), hf, roots).map_err(|_| not_downloaded())?;
    resolved.reference = entry.name.clone();
    Ok(resolved)
}

fn not_in(
    reference: &str,
    store: Store,
    dirs: &[PathBuf],
    found: &Discovery,
    hint: &str,
) -> ModelError {
    let names: Vec<&str> = found.models.iter().map(|m| m.reference.as_str()).collect();
    let hint = match names.is_empty() {
        true => hint.to_owned(),
        false => format!("{hint}; found there: {}", names.join(", ")),
    };
    let searched = dirs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    ModelError::NotInStore {
        reference: reference.to_owned(),
        store: store.label(),
        searched,
        hint,
    }
}
