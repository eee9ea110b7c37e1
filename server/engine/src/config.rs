//! Engine configuration ([`EngineConfig`], [`KvType`]) and the default window budget derived
//! from the model size.

use std::path::PathBuf;

/// Element type of the KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KvType {
    /// 16-bit floats (default; exact).
    #[default]
    F16,
    /// 8-bit quantized (half the memory, tiny quality loss).
    Q8_0,
}

impl KvType {
    /// Name used in cache headers and logs.
    pub fn name(self) -> &'static str {
        match self {
            KvType::F16 => "f16",
            KvType::Q8_0 => "q8_0",
        }
    }
}

/// Everything needed to start an engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// GGUF model file (see [`crate::resolve_model`]).
    pub model_path: PathBuf,
    /// llama.cpp threads; `None` = the load-aware policy in [`crate::threads`], re-evaluated
    /// before every job.
    pub threads: Option<usize>,
    /// Tokens of context per slot; `None` = [`default_budget`] for the model (capped by the
    /// model's training context).
    pub context_tokens: Option<u32>,
    /// KV cache element type.
    pub kv_type: KvType,
    /// Persistent KV cache directory; `None` = `<margin cache>/kv`. Files go into a
    /// sub-directory per model fingerprint.
    pub cache_dir: Option<PathBuf>,
    /// Disable the persistent KV cache entirely.
    pub disable_kv_persistence: bool,
    /// Size cap of the whole KV cache directory (LRU eviction), bytes.
    pub kv_cache_max_bytes: u64,
    /// Stable prefixes shorter than this are not persisted.
    pub min_persist_tokens: usize,
    /// Speculative decoding always drafts the request's full `draft_len` instead of letting the
    /// cost model decide (for tests and benchmarks).
    pub always_draft: bool,
    /// Fallback chat template (a llama.cpp template name like "chatml" or a template string)
    /// used when the model has none.
    pub chat_template: Option<String>,
    /// Score with an F16 copy of a small model whose weight type llama.cpp cannot batch well
    /// (see `crate::scoring_weights`); `false` scores with the model's own weights.
    pub scoring_copy: bool,
}

impl EngineConfig {
    /// Defaults for `model_path`.
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self {
            model_path: model_path.into(),
            threads: None,
            context_tokens: None,
            kv_type: KvType::F16,
            cache_dir: None,
            disable_kv_persistence: false,
            kv_cache_max_bytes: 1 << 30,
            min_persist_tokens: 32,
            always_draft: false,
            chat_template: None,
            scoring_copy: true,
        }
    }
}

/// Default window budget: ~2048 tokens for models up to 3B parameters, ~4096 above (8B and up
/// keep 4096 too; raise it in the config if memory allows).
pub fn default_budget(n_params: u64) -> u32 {
    if n_params <= 3_000_000_000 {
        2048
    } else {
        4096
    }
}

/// Root of margin's cache: `$MARGIN_CACHE_DIR`, else `dirs::cache_dir()/margin`.
pub fn margin_cache_root() -> PathBuf {
    match std::env::var_os("MARGIN_CACHE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("margin"),
    }
}

/// Where pulled models live: `<margin cache>/models`.
pub fn models_dir() -> PathBuf {
    margin_cache_root().join("models")
}

/// Default persistent KV cache directory: `<margin cache>/kv`.
pub fn kv_dir() -> PathBuf {
    margin_cache_root().join("kv")
}
