//! Where settings come from and how they stack: defaults < user file
//! (`<config dir>/margin/config.toml`) < workspace `margin.toml` <
//! initializationOptions < `workspace/configuration`. Each layer is kept so a
//! later change to one source (a new `workspace/configuration` answer) can be
//! applied without re-reading the others.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Options, Problem, Settings};

/// The workspace settings file, at a workspace folder's root.
pub const WORKSPACE_FILE: &str = "margin.toml";

/// `<config dir>/margin/config.toml`; `MARGIN_CONFIG` overrides it (tests, CI).
pub fn user_config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MARGIN_CONFIG") {
        return Some(PathBuf::from(path));
    }
    dirs::config_dir().map(|d| d.join("margin").join("config.toml"))
}

#[derive(Clone, Debug, Default)]
pub struct Layers {
    pub user_file: Options,
    pub workspace_file: Options,
    pub init_options: Options,
    pub client: Options,
}

impl Layers {
    /// The merged, resolved settings.
    pub fn settings(&self) -> Settings {
        let mut merged = Options::default();
        for layer in [
            &self.user_file,
            &self.workspace_file,
            &self.init_options,
            &self.client,
        ] {
            merged.merge(layer.clone());
        }
        merged.resolve()
    }

    /// Read the user file and the first workspace root's `margin.toml`.
    pub fn load_files(&mut self, workspace_root: Option<&Path>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(path) = user_config_path() {
            self.user_file = read_toml_file(&path, &mut problems);
        }
        if let Some(root) = workspace_root {
            self.workspace_file = read_toml_file(&root.join(WORKSPACE_FILE), &mut problems);
        }
        problems
    }
}

/// Read a TOML settings file; a missing file is no settings, a broken one a problem.
pub fn read_toml_file(path: &Path, problems: &mut Vec<Problem>) -> Options {
    let source = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Options::default(),
        Err(e) => {
            problems.push(Problem {
                source,
                key: "(file)".into(),
                message: format!("cannot read: {e}"),
            });
            return Options::default();
        }
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => {
            let value = serde_json::to_value(table).unwrap_or(Value::Null);
            let (options, mut found) = Options::from_json(&value, &source);
            problems.append(&mut found);
            options
        }
        Err(e) => {
            let message = format!("not valid TOML: {}", e.message());
            problems.push(Problem {
                source,
                key: "(file)".into(),
                message,
            });
            Options::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_merge_under_client_settings() {
        let dir = std::env::temp_dir().join(format!("margin-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(WORKSPACE_FILE),
            "debounce_ms = 50\nlanguage = \"de\"\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let mut layers = Layers {
            workspace_file: read_toml_file(&dir.join(WORKSPACE_FILE), &mut problems),
            ..Default::default()
        };
        layers.client = Options::from_json(&serde_json::json!({"language": "fr"}), "client").0;
        let s = layers.settings();
        assert_eq!((s.debounce_ms, s.language.as_str()), (50, "fr"));
        assert!(problems.is_empty());

        std::fs::write(dir.join("bad.toml"), "threads = [").unwrap();
        let o = read_toml_file(&dir.join("bad.toml"), &mut problems);
        assert_eq!(o, Options::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not valid TOML"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
