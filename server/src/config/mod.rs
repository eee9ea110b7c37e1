//! Settings: the wire form every source speaks ([`Options`], all fields
//! optional), the sources merged in order (defaults < user file < workspace
//! `margin.toml` < initializationOptions < `workspace/configuration`), and the
//! resolved [`Settings`] the features read. A bad value never stops anything:
//! it becomes a [`Problem`] naming the key, and the default applies.

mod options;
mod sources;

pub use options::{KvType, Options, Problem, RewriteMode, Severity};
pub use sources::{user_config_path, Layers, WORKSPACE_FILE};

use std::path::PathBuf;

/// Resolved settings with every default applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub enable: bool,
    /// The model for every task without its own (a reference: path, `ollama:…`, `hf:…`, …).
    pub model: Option<String>,
    /// Per-task models (`models.proofread`, …), each falling back to `model`.
    pub models: TaskModels,
    /// Memory the loaded models may use together before the least recently used is unloaded
    /// (`None`: half the machine's memory).
    pub max_model_memory_mb: Option<u64>,
    pub threads: Option<u32>,
    pub context_tokens: Option<u32>,
    pub kv_type: KvType,
    pub chat_template: Option<String>,
    pub queries_dir: Option<PathBuf>,
    pub max_file_bytes: usize,
    pub check_strings: bool,
    pub language: String,
    pub debounce_ms: u64,
    pub severity: Severity,
    pub min_confidence: f32,
    pub max_rewrite_share: f32,
    pub allow_whitespace_edits: bool,
    pub allow_quote_edits: bool,
    /// Languages offered by the translate code actions (default: the locale's language and English).
    pub translate_targets: Vec<String>,
    /// Language hover and inlay-hint translations are shown in (default: the locale's language).
    pub reading_language: Option<String>,
    pub inline_translations: bool,
    /// Code suggestions (completion, inline completion, code actions) on or off.
    pub suggest: bool,
    /// Longest code suggestion shown, in lines.
    pub max_lines: usize,
    pub suggest_debounce_ms: u64,
    /// When the model's rewrite is a source of candidate edits.
    pub rewrite: RewriteMode,
    /// Extra directories searched first for Hunspell dictionaries (`<lang>.aff`/`.dic`).
    pub dictionary_paths: Vec<PathBuf>,
    /// Per-kind threshold overrides (nats, or "off").
    pub thresholds: margin_proofread::Overrides,
    /// An OpenAI-compatible server that serves every task instead of in-process models.
    pub backend: Option<BackendSettings>,
}

/// The `backend` table: `{ url, model, apiKeyEnv, timeoutMs }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BackendSettings {
    pub url: String,
    pub model: Option<String>,
    /// Name of the environment variable holding the API key (the key itself is never stored).
    pub api_key_env: Option<String>,
    pub timeout_ms: u64,
}

/// The `models` table: a reference per task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskModels {
    pub proofread: Option<String>,
    pub translate: Option<String>,
    pub suggest: Option<String>,
}

impl TaskModels {
    /// The reference set for `task`, if any.
    pub fn get(&self, task: margin_engine::models::Task) -> Option<&str> {
        use margin_engine::models::Task;
        match task {
            Task::Proofread => self.proofread.as_deref(),
            Task::Translate => self.translate.as_deref(),
            Task::Suggest => self.suggest.as_deref(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Options::default().resolve()
    }
}

impl Options {
    /// Apply defaults to every unset field.
    pub fn resolve(&self) -> Settings {
        Settings {
            enable: self.enable.unwrap_or(true),
            model: self.model.clone(),
            models: TaskModels {
                proofread: self.models_proofread.clone(),
                translate: self.models_translate.clone(),
                suggest: self.models_suggest.clone(),
            },
            max_model_memory_mb: self.max_model_memory_mb,
            threads: self.threads,
            context_tokens: self.context_tokens,
            kv_type: self.kv_type.unwrap_or_default(),
            chat_template: self.chat_template.clone(),
            queries_dir: self.queries_dir.clone(),
            max_file_bytes: self.max_file_bytes.unwrap_or(2_000_000) as usize,
            check_strings: self.check_strings.unwrap_or(false),
            language: self.language.clone().unwrap_or_else(|| "auto".to_string()),
            debounce_ms: self.debounce_ms.unwrap_or(400),
            severity: self.severity.unwrap_or_default(),
            min_confidence: self.min_confidence.unwrap_or(0.5),
            max_rewrite_share: self.max_rewrite_share.unwrap_or(0.3),
            allow_whitespace_edits: self.allow_whitespace_edits.unwrap_or(false),
            allow_quote_edits: self.allow_quote_edits.unwrap_or(false),
            translate_targets: self.translate_targets.clone().unwrap_or_default(),
            reading_language: self.reading_language.clone(),
            inline_translations: self.inline_translations.unwrap_or(false),
            suggest: self.suggest.unwrap_or(true),
            max_lines: self.max_lines.unwrap_or(6) as usize,
            suggest_debounce_ms: self.suggest_debounce_ms.unwrap_or(60),
            rewrite: self.rewrite.unwrap_or_default(),
            dictionary_paths: self.dictionary_paths.clone().unwrap_or_default(),
            thresholds: self.thresholds.clone().unwrap_or_default(),
            backend: self.backend_url.clone().map(|url| BackendSettings {
                url,
                model: self.backend_model.clone(),
                api_key_env: self.backend_api_key_env.clone(),
                timeout_ms: self.backend_timeout_ms.unwrap_or(60_000),
            }),
        }
    }
}
