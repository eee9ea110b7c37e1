//! The facts `margin doctor` gathers besides models: cache and store directories with their
//! sizes, Hunspell dictionaries, config files and their problems, and the editor integrations
//! set up on this machine (VS Code extension, Neovim plugin, Helix language server entry).

use std::path::{Path, PathBuf};

use margin_engine::models::{Roots, Store};
use serde::Serialize;

use crate::config::Problem;

/// A directory margin writes to or reads models from, and its size.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Cache {
    pub name: String,
    pub path: PathBuf,
    pub exists: bool,
    /// Bytes of the files under it (symlinks not followed; `None` if it does not exist).
    pub bytes: Option<u64>,
}

/// Caches: margin's models and KV cache, then every model store directory that exists.
pub fn caches(roots: &Roots) -> Vec<Cache> {
    let mut dirs = vec![
        ("margin models".to_owned(), roots.margin.clone()),
        ("margin KV cache".to_owned(), margin_engine::kv_dir()),
    ];
    for store in Store::ALL.iter().filter(|s| **s != Store::Margin) {
        dirs.extend(
            store
                .dirs(roots)
                .into_iter()
                .filter(|d| d.is_dir())
                .map(|d| (store.label().to_owned(), d.to_path_buf())),
        );
    }
    dirs.into_iter()
        .map(|(name, path)| {
            let exists = path.is_dir();
            Cache {
                name,
                bytes: exists.then(|| size_of(&path, 0)),
                exists,
                path,
            }
        })
        .collect()
}

/// Bytes of the files under `dir` (depth-limited; symlinks are not followed).
fn size_of(dir: &Path, depth: usize) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() && depth < 12 => size_of(&e.path(), depth + 1),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// A Hunspell dictionary found.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Dictionary {
    /// `en_US`, `de_DE`, …
    pub name: String,
    /// The `.aff` file, or "built in".
    pub source: String,
}

/// Dictionaries in the directories proofreading searches (`dictionaryPaths`, then
/// `$XDG_DATA_HOME/hunspell`, then the system's), and the built-in English one.
pub fn dictionaries(extra: &[PathBuf]) -> Vec<Dictionary> {
    let mut dirs: Vec<PathBuf> = extra.to_vec();
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".local/share")));
    dirs.extend(data.map(|d| d.join("hunspell")));
    dirs.extend(
        [
            "/usr/share/hunspell",
            "/usr/share/myspell",
            "/usr/share/myspell/dicts",
        ]
        .map(PathBuf::from),
    );
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut affs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "aff"))
            .collect();
        affs.sort();
        for aff in affs
            .into_iter()
            .filter(|a| a.with_extension("dic").is_file())
        {
            let name = aff
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !out.iter().any(|d: &Dictionary| d.name == name) {
                out.push(Dictionary {
                    name,
                    source: aff.display().to_string(),
                });
            }
        }
    }
    out.push(Dictionary {
        name: "en_US".into(),
        source: "built in".into(),
    });
    out
}

/// A config file margin reads.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ConfigFile {
    pub path: PathBuf,
    pub exists: bool,
    /// Problems in it (each a key and a message; defaults apply).
    pub problems: Vec<String>,
}

impl ConfigFile {
    /// The file at `path` with the problems from `all` that came from it.
    pub fn new(path: PathBuf, all: &[Problem]) -> Self {
        let source = path.display().to_string();
        let problems = all
            .iter()
            .filter(|p| p.source == source)
            .map(|p| format!("`{}`: {}", p.key, p.message))
            .collect();
        ConfigFile {
            exists: path.is_file(),
            path,
            problems,
        }
    }
}

/// An editor integration.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Editor {
    pub name: &'static str,
    pub set_up: bool,
    /// What was found, or where margin looked.
    pub detail: String,
}

/// VS Code (the extension in any of its extension directories), Neovim (the plugin required
/// from the config, or installed by a plugin manager) and Helix (`[language-server.margin]`).
pub fn editors() -> Vec<Editor> {
    let home = dirs::home_dir().unwrap_or_default();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".local/share"));
    let vscode_dirs = [
        ".vscode/extensions",
        ".vscode-server/extensions",
        ".vscode-oss/extensions",
        ".local/share/code-server/extensions",
    ]
    .map(|d| home.join(d));
    let vscode = vscode_dirs
        .iter()
        .find_map(|d| child_starting(d, "margin.margin-"));
    let nvim_config = config.join("nvim");
    let nvim = grep_lua(&nvim_config, 0)
        .or_else(|| child_starting(&data.join("nvim/lazy"), "margin"))
        .or_else(|| find_pack(&data.join("nvim/site/pack")));
    let helix_file = config.join("helix/languages.toml");
    let helix =
        std::fs::read_to_string(&helix_file).is_ok_and(|t| t.contains("[language-server.margin]"));
    let looked = |what: &str| format!("not found ({what})");
    vec![
        Editor {
            name: "VS Code",
            set_up: vscode.is_some(),
            detail: vscode.map_or_else(
                || {
                    looked(&format!(
                        "no margin extension in {}",
                        vscode_dirs[0].display()
                    ))
                },
                |p| p.display().to_string(),
            ),
        },
        Editor {
            name: "Neovim",
            set_up: nvim.is_some(),
            detail: nvim.map_or_else(
                || {
                    looked(&format!(
                        "no require('margin') under {}",
                        nvim_config.display()
                    ))
                },
                |p| p.display().to_string(),
            ),
        },
        Editor {
            name: "Helix",
            set_up: helix,
            detail: match helix {
                true => helix_file.display().to_string(),
                false => looked(&format!(
                    "no [language-server.margin] in {}",
                    helix_file.display()
                )),
            },
        },
    ]
}

fn child_starting(dir: &Path, prefix: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    found.sort();
    found.into_iter().find(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
    })
}

/// `site/pack/<name>/{start,opt}/margin*`.
fn find_pack(pack: &Path) -> Option<PathBuf> {
    std::fs::read_dir(pack).ok()?.flatten().find_map(|p| {
        ["start", "opt"]
            .iter()
            .find_map(|kind| child_starting(&p.path().join(kind), "margin"))
    })
}

/// A Lua or Vim file under `dir` that requires the margin plugin.
fn grep_lua(dir: &Path, depth: usize) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries.into_iter().find_map(|p| {
        if p.is_dir() && depth < 4 {
            return grep_lua(&p, depth + 1);
        }
        let script = p.extension().is_some_and(|e| e == "lua" || e == "vim");
        let text = if script {
            std::fs::read_to_string(&p).unwrap_or_default()
        } else {
            String::new()
        };
        (text.contains("require('margin')")
            || text.contains("require(\"margin\")")
            || text.contains("require 'margin'"))
        .then_some(p)
    })
}
