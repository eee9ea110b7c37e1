//! The wire form of margin's settings and its lenient parser.
//!
//! Every source (TOML files, `initializationOptions`, `workspace/configuration`)
//! is turned into a JSON object and read key by key: a value of the wrong type
//! or out of range is reported as a [`Problem`] naming the key and left unset,
//! so the other keys still apply. Keys are camelCase; snake_case is accepted
//! in TOML files. Unknown keys are reported with the closest known key.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A setting that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Where it came from: a file path, `initializationOptions`, `workspace/configuration`.
    pub source: String,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "margin: setting `{}` ({}): {}",
            self.key, self.source, self.message
        )
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    #[default]
    Information,
    Hint,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvType {
    #[default]
    #[serde(rename = "f16")]
    F16,
    #[serde(rename = "q8_0")]
    Q8_0,
}

/// When the model's own rewrite is used as a source of candidate edits (see `checking`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewriteMode {
    /// For regions with unlikely words no other source explains; always for models of 1B
    /// parameters or more.
    #[default]
    Auto,
    /// For every region.
    Always,
    /// Never.
    Never,
}

/// Declares the settings once: field, wire key, type, and an optional check.
macro_rules! options {
    ($($field:ident : $ty:ty = $key:literal $(, check $check:expr)? ;)*) => {
        /// Settings as a source states them; `None` means "not set here".
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Options { $(pub $field: Option<$ty>,)* }

        impl Options {
            /// Every wire key, in declaration order.
            pub const KEYS: &'static [&'static str] = &[$($key),*];

            /// Fields set in `other` override those in `self`.
            pub fn merge(&mut self, other: Options) {
                $(if other.$field.is_some() { self.$field = other.$field; })*
            }

            fn set(&mut self, key: &str, value: &Value) -> Result<(), String> {
                match key {
                    $($key => {
                        let v: $ty = parse(value)?;
                        $( ($check)(&v)?; )?
                        self.$field = Some(v);
                        Ok(())
                    })*
                    _ => Err(unknown_key(key)),
                }
            }
        }
    };
}

options! {
    enable: bool = "enable";
    model: String = "model", check model_reference;
    models_proofread: String = "models.proofread", check model_reference;
    models_translate: String = "models.translate", check model_reference;
    models_suggest: String = "models.suggest", check model_reference;
    max_model_memory_mb: u64 = "maxModelMemoryMb", check |v: &u64| range(*v, 256, 1 << 22);
    threads: u32 = "threads", check |v: &u32| range(*v as u64, 1, 256);
    context_tokens: u32 = "contextTokens", check |v: &u32| range(*v as u64, 256, 131_072);
    kv_type: KvType = "kvType";
    chat_template: String = "chatTemplate";
    queries_dir: PathBuf = "queriesDir";
    max_file_bytes: u64 = "maxFileBytes", check |v: &u64| range(*v, 1, 1 << 30);
    check_strings: bool = "checkStrings";
    language: String = "language", check |v: &String| language_code(v);
    debounce_ms: u64 = "debounceMs", check |v: &u64| range(*v, 0, 60_000);
    severity: Severity = "severity";
    min_confidence: f32 = "minConfidence", check |v: &f32| unit(*v);
    max_rewrite_share: f32 = "maxRewriteShare", check |v: &f32| unit(*v);
    allow_whitespace_edits: bool = "allowWhitespaceEdits";
    allow_quote_edits: bool = "allowQuoteEdits";
    translate_targets: Vec<String> = "translateTargets", check |v: &Vec<String>| v.iter().try_for_each(translation_language);
    reading_language: String = "readingLanguage", check translation_language;
    inline_translations: bool = "inlineTranslations";
    suggest: bool = "suggest";
    max_lines: u32 = "maxLines", check |v: &u32| range(*v as u64, 1, 40);
    suggest_debounce_ms: u64 = "suggestDebounceMs", check |v: &u64| range(*v, 0, 5_000);
    rewrite: RewriteMode = "rewrite";
    dictionary_paths: Vec<PathBuf> = "dictionaryPaths";
    thresholds: margin_proofread::Overrides = "thresholds";
    backend_url: String = "backend.url", check backend_url;
    backend_model: String = "backend.model";
    backend_api_key_env: String = "backend.apiKeyEnv";
    backend_timeout_ms: u64 = "backend.timeoutMs", check |v: &u64| range(*v, 100, 3_600_000);
}

impl Options {
    /// Read a JSON object (or `{"margin": {...}}`) leniently. `null` values are unset.
    pub fn from_json(value: &Value, source: &str) -> (Options, Vec<Problem>) {
        let mut options = Options::default();
        let mut problems = Vec::new();
        let object = match value {
            Value::Null => return (options, problems),
            Value::Object(map) => match map.get("margin") {
                Some(Value::Object(inner)) => inner,
                _ => map,
            },
            other => {
                problems.push(Problem {
                    source: source.to_string(),
                    key: "margin".to_string(),
                    message: format!("expected an object of settings, found {}", kind(other)),
                });
                return (options, problems);
            }
        };
        read_object(&mut options, object, source, &mut problems);
        (options, problems)
    }
}

fn read_object(
    options: &mut Options,
    object: &Map<String, Value>,
    source: &str,
    problems: &mut Vec<Problem>,
) {
    for (raw_key, value) in object {
        if value.is_null() {
            continue;
        }
        let key = camel_case(raw_key);
        // `models` is a table of per-task settings: `models.proofread` and so on, each merged
        // on its own across sources.
        // `backend` likewise: `backend.url`, `backend.model`, `backend.apiKeyEnv`, ….
        if key == "models" || key == "backend" {
            match value {
                Value::Object(tasks) => {
                    let nested: Map<String, Value> = tasks.iter().map(|(k, v)| (format!("{key}.{k}"), v.clone())).collect();
                    read_object(options, &nested, source, problems);
                }
                other => problems.push(Problem {
                    source: source.to_string(),
                    key: raw_key.clone(),
                    message: match key.as_str() {
                        "models" => format!("expected a table of model references (proofread, translate, suggest), found {}", kind(other)),
                        _ => format!("expected a table (url, model, apiKeyEnv, timeoutMs), found {}", kind(other)),
                    },
                }),
            }
            continue;
        }
        if let Err(message) = options.set(&key, value) {
            problems.push(Problem {
                source: source.to_string(),
                key: raw_key.clone(),
                message,
            });
        }
    }
}

fn parse<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|e| format!("{e}; found {}", short(value)))
}

fn range(v: u64, min: u64, max: u64) -> Result<(), String> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(format!("{v} is out of range ({min}..={max})"))
    }
}

fn unit(v: f32) -> Result<(), String> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{v} is out of range (0.0..=1.0)"))
    }
}

fn language_code(v: &String) -> Result<(), String> {
    let ok = v == "auto"
        || (2..=3).contains(&v.split('-').next().map_or(0, str::len))
            && v.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is neither \"auto\" nor a language code like \"en\" or \"de\""
        ))
    }
}

fn model_reference(v: &str) -> Result<(), String> {
    match v.trim().is_empty() {
        true => Err("an empty model reference; give a path, `ollama:NAME`, `lmstudio:PUBLISHER/FILE`, `hf:ORG/REPO/FILE.gguf` or a catalog name".into()),
        false => Ok(()),
    }
}

fn backend_url(v: &String) -> Result<(), String> {
    match v.starts_with("http://") || v.starts_with("https://") {
        true => Ok(()),
        false => Err(format!(
            "`{v}` is not an http:// or https:// URL of an OpenAI-compatible server"
        )),
    }
}

fn translation_language(v: &String) -> Result<(), String> {
    match margin_translate::lang::parse_language(v) {
        Some(_) => Ok(()),
        None => Err(format!("`{v}` is not a language margin knows (use a code like \"en\", \"de\", \"zh\" or a name like \"German\")")),
    }
}

fn unknown_key(key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    match Options::KEYS
        .iter()
        .find(|k| k.to_ascii_lowercase() == lower)
    {
        Some(known) => format!("unknown setting; did you mean `{known}`?"),
        None => format!(
            "unknown setting; known settings: {}",
            Options::KEYS.join(", ")
        ),
    }
}

fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(value: &Value) -> String {
    let s = value.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..s.floor_char_boundary(40)])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bad_value_names_its_key_and_leaves_the_rest() {
        let (o, problems) = Options::from_json(
            &json!({"debounceMs": "soon", "threads": 2, "severity": "warning"}),
            "initializationOptions",
        );
        assert_eq!(o.threads, Some(2));
        assert_eq!(o.severity, Some(Severity::Warning));
        assert_eq!(o.debounce_ms, None);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "debounceMs");
        assert!(
            problems[0].message.contains("\"soon\""),
            "{}",
            problems[0].message
        );
        assert_eq!(o.resolve().debounce_ms, 400);
    }

    #[test]
    fn ranges_and_enums_are_checked() {
        let (o, problems) = Options::from_json(
            &json!({"threads": 0, "severity": "loud", "kvType": "q8_0", "language": "English!"}),
            "x",
        );
        assert_eq!(o.kv_type, Some(KvType::Q8_0));
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["language", "severity", "threads"]);
        assert!(problems[2].message.contains("out of range"));
    }

    #[test]
    fn unknown_keys_suggest_the_known_one() {
        let (_, problems) = Options::from_json(&json!({"debounceMS": 10, "colour": "red"}), "x");
        assert!(problems
            .iter()
            .any(|p| p.message.contains("did you mean `debounceMs`")));
        assert!(problems
            .iter()
            .any(|p| p.key == "colour" && p.message.contains("known settings")));
    }

    #[test]
    fn nested_section_snake_case_and_null() {
        let (o, problems) = Options::from_json(
            &json!({"margin": {"max_file_bytes": 10, "model": null, "language": "de"}}),
            "x",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(o.max_file_bytes, Some(10));
        assert_eq!(o.language.as_deref(), Some("de"));
        let (_, problems) = Options::from_json(&json!([1, 2]), "x");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn models_per_task_are_a_table_merged_key_by_key() {
        let (mut user, problems) = Options::from_json(
            &json!({"model": "qwen2.5-3b", "models": {"suggest": "ollama:qwen2.5-coder:1.5b", "translate": "hf:a/b/c.gguf"}, "max_model_memory_mb": 4096}),
            "user",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let (workspace, problems) = Options::from_json(
            &json!({"models": {"translate": "lmstudio:p/f.gguf", "colour": "x"}}),
            "ws",
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].key == "models.colour" && problems[0].message.contains("known settings"),
            "{problems:?}"
        );
        user.merge(workspace);
        let s = user.resolve();
        assert_eq!(s.model.as_deref(), Some("qwen2.5-3b"));
        assert_eq!(
            s.models.suggest.as_deref(),
            Some("ollama:qwen2.5-coder:1.5b")
        );
        assert_eq!(s.models.translate.as_deref(), Some("lmstudio:p/f.gguf"));
        assert_eq!(s.models.proofread, None);
        assert_eq!(s.max_model_memory_mb, Some(4096));
        let (_, problems) = Options::from_json(
            &json!({"models": "x", "model": " ", "maxModelMemoryMb": 1}),
            "x",
        );
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["maxModelMemoryMb", "model", "models"]);
    }

    #[test]
    fn backend_is_a_table() {
        let (o, problems) = Options::from_json(
            &json!({"backend": {"url": "http://gpu:8080", "model": "m", "api_key_env": "K", "timeoutMs": 5000}}),
            "x",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let b = o.resolve().backend.unwrap();
        assert_eq!(
            (b.url.as_str(), b.model.as_deref()),
            ("http://gpu:8080", Some("m"))
        );
        assert_eq!((b.api_key_env.as_deref(), b.timeout_ms), (Some("K"), 5000));
        let (_, problems) = Options::from_json(&json!({"backend": {"url": "gpu:8080"}}), "x");
        assert_eq!(problems[0].key, "backend.url");
    }

    #[test]
    fn later_sources_override_field_by_field() {
        let (mut base, _) = Options::from_json(&json!({"threads": 1, "language": "fr"}), "a");
        let (top, _) = Options::from_json(&json!({"threads": 3}), "b");
        base.merge(top);
        let s = base.resolve();
        assert_eq!((s.threads, s.language.as_str()), (Some(3), "fr"));
    }
}
