//! Prose queries: the embedded `queries/<lang>/prose.scm` files, user
//! overrides from a `queries_dir`, and a process-wide cache of compiled
//! queries.
//!
//! [`load`] never fails because of a user file: an unreadable or invalid
//! override yields the embedded query plus a [`QueryError`] warning naming
//! the file and tree-sitter's message, which the caller reports.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use tree_sitter::Query;

use crate::Language;

/// The embedded `prose.scm` of `lang`; `None` for `PlainText`.
pub fn embedded_query_source(lang: Language) -> Option<&'static str> {
    Some(match lang {
        Language::Markdown => include_str!("../../../queries/markdown/prose.scm"),
        Language::Rust => include_str!("../../../queries/rust/prose.scm"),
        Language::Python => include_str!("../../../queries/python/prose.scm"),
        Language::JavaScript => include_str!("../../../queries/javascript/prose.scm"),
        Language::TypeScript => include_str!("../../../queries/typescript/prose.scm"),
        Language::Tsx => include_str!("../../../queries/tsx/prose.scm"),
        Language::Go => include_str!("../../../queries/go/prose.scm"),
        Language::C => include_str!("../../../queries/c/prose.scm"),
        Language::Cpp => include_str!("../../../queries/cpp/prose.scm"),
        Language::Lua => include_str!("../../../queries/lua/prose.scm"),
        Language::Bash => include_str!("../../../queries/bash/prose.scm"),
        Language::Toml => include_str!("../../../queries/toml/prose.scm"),
        Language::Yaml => include_str!("../../../queries/yaml/prose.scm"),
        Language::GitCommit => include_str!("../../../queries/gitcommit/prose.scm"),
        Language::Latex => include_str!("../../../queries/latex/prose.scm"),
        Language::PlainText => return None,
    })
}

/// The override file for `lang` under `queries_dir`: `<dir>/<lang>/prose.scm`.
pub fn override_path(queries_dir: &Path, lang: Language) -> PathBuf {
    queries_dir.join(lang.name()).join("prose.scm")
}

/// A query that could not be used. `path` is `None` for the embedded query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub language: Language,
    pub path: Option<PathBuf>,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "invalid prose query {}: {}", p.display(), self.message),
            None => write!(
                f,
                "invalid embedded prose query for {}: {}",
                self.language.name(),
                self.message
            ),
        }
    }
}

impl std::error::Error for QueryError {}

/// Where a loaded query came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuerySource {
    Embedded,
    Override(PathBuf),
}

/// Result of [`load`]: the query to use, its source, and a warning when an
/// override existed but could not be used (the embedded query is returned).
#[derive(Clone, Debug)]
pub struct LoadedQuery {
    pub query: Arc<Query>,
    pub source: QuerySource,
    pub warning: Option<QueryError>,
}

type Key = (Language, Option<(PathBuf, Option<SystemTime>, u64)>);
type Cache = Mutex<HashMap<Key, Result<Arc<Query>, QueryError>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn compile(lang: Language, src: &str, path: Option<&Path>) -> Result<Arc<Query>, QueryError> {
    let grammar = lang.grammar().ok_or_else(|| QueryError {
        language: lang,
        path: path.map(Path::to_path_buf),
        message: "language has no grammar".into(),
    })?;
    Query::new(&grammar, src)
        .map(Arc::new)
        .map_err(|e| QueryError {
            language: lang,
            path: path.map(Path::to_path_buf),
            message: e.to_string(),
        })
}

fn cached(
    key: Key,
    make: impl FnOnce() -> Result<Arc<Query>, QueryError>,
) -> Result<Arc<Query>, QueryError> {
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    map.entry(key).or_insert_with(make).clone()
}

/// The embedded prose query of `lang` (compiled once). Errors only for
/// `PlainText` or a broken embedded file (a bug, covered by tests).
pub fn embedded(lang: Language) -> Result<Arc<Query>, QueryError> {
    cached((lang, None), || {
        let src = embedded_query_source(lang).ok_or_else(|| QueryError {
            language: lang,
            path: None,
            message: "language has no prose query".into(),
        })?;
        compile(lang, src, None)
    })
}

/// The prose query for `lang`: `<queries_dir>/<lang>/prose.scm` when that
/// file exists and compiles, else the embedded one. Compiled queries are
/// cached by language, override path and the file's mtime and size, so an
/// edited override is picked up on the next call. `Err` only when the
/// embedded query itself is unusable (see [`embedded`]).
pub fn load(lang: Language, queries_dir: Option<&Path>) -> Result<LoadedQuery, QueryError> {
    let mut warning = None;
    if let Some(dir) = queries_dir {
        let path = override_path(dir, lang);
        if let Ok(meta) = std::fs::metadata(&path) {
            let key = (lang, Some((path.clone(), meta.modified().ok(), meta.len())));
            let res = cached(key, || {
                let src = std::fs::read_to_string(&path).map_err(|e| QueryError {
                    language: lang,
                    path: Some(path.clone()),
                    message: e.to_string(),
                })?;
                compile(lang, &src, Some(&path))
            });
            match res {
                Ok(query) => {
                    return Ok(LoadedQuery {
                        query,
                        source: QuerySource::Override(path),
                        warning: None,
                    })
                }
                Err(e) => warning = Some(e),
            }
        }
    }
    Ok(LoadedQuery {
        query: embedded(lang)?,
        source: QuerySource::Embedded,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_query_compiles() {
        for &lang in Language::ALL {
            if lang == Language::PlainText {
                assert!(embedded(lang).is_err());
                continue;
            }
            let q = embedded(lang).unwrap_or_else(|e| panic!("{e}"));
            for name in q.capture_names() {
                assert!(
                    crate::RegionKind::from_capture_name(name).is_some()
                        || *name == crate::regions::IGNORE_CAPTURE,
                    "{lang:?}: unknown capture @{name}"
                );
            }
        }
    }

    #[test]
    fn override_and_invalid_override() {
        let dir = tempfile::tempdir().unwrap();
        let l = load(Language::Rust, Some(dir.path())).unwrap();
        assert_eq!(l.source, QuerySource::Embedded);
        assert!(l.warning.is_none());

        let p = override_path(dir.path(), Language::Rust);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "(line_comment) @comment\n").unwrap();
        let l = load(Language::Rust, Some(dir.path())).unwrap();
        assert_eq!(l.source, QuerySource::Override(p.clone()));
        assert_eq!(l.query.capture_names(), &["comment"]);

        std::fs::write(&p, "(no_such_node) @comment\n; longer now").unwrap();
        let l = load(Language::Rust, Some(dir.path())).unwrap();
        assert_eq!(l.source, QuerySource::Embedded);
        let w = l.warning.expect("warning");
        assert_eq!(w.path.as_deref(), Some(p.as_path()));
        let msg = w.to_string();
        assert!(
            msg.contains("prose.scm") && msg.contains("no_such_node"),
            "{msg}"
        );
        // Other languages are unaffected by the rust override.
        let l = load(Language::Python, Some(dir.path())).unwrap();
        assert_eq!(l.source, QuerySource::Embedded);
    }
}
