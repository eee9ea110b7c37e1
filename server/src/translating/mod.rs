//! Translation in the server and the CLI: which languages the settings ask
//! for, and one entry point that runs the pure translator
//! (`margin-translate`: masking, chunking, prompts, checks) against the
//! engine on a blocking thread, with a cache keyed by model, text and target
//! language. Knows no LSP types; [`target`] says what a translation covers.

pub mod target;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use margin_engine::{Engine, EngineError, GenerateRequest, Job, Priority, PromptInput, Slot};
use margin_proofread::{stable_hash, ResultCache};
use margin_translate::lang::{locale_language, parse_language, Lang};
use margin_translate::{translate_text, TranslateError, TranslateOptions};
use serde::Serialize;

use crate::config::Settings;

/// The language hover and inlay hints translate into.
pub fn reading_language(settings: &Settings) -> Lang {
    settings
        .reading_language
        .as_deref()
        .and_then(parse_language)
        .unwrap_or_else(locale_language)
}

/// The languages the translate code actions offer, in order, without duplicates.
pub fn translate_targets(settings: &Settings) -> Vec<Lang> {
    let mut out: Vec<Lang> = Vec::new();
    let wanted: Vec<Lang> = if settings.translate_targets.is_empty() {
        vec![
            locale_language(),
            parse_language("en").expect("English is known"),
        ]
    } else {
        settings
            .translate_targets
            .iter()
            .filter_map(|s| parse_language(s))
            .collect()
    };
    for lang in wanted {
        if !out.contains(&lang) {
            out.push(lang);
        }
    }
    out
}

/// Why a translation was not produced.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Failure {
    #[error("cancelled")]
    Cancelled,
    /// Nothing to translate (empty, only markup or placeholders).
    #[error("nothing to translate")]
    Nothing,
    /// The model could not be used (no model, engine error).
    #[error("{0}")]
    Model(String),
    /// The translation failed a check (a placeholder or markup lost); no edit is offered.
    #[error("{0}")]
    Refused(String),
}

/// Counters for `margin/status` and benchmarks.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TranslateStats {
    pub requests: u64,
    pub cache_hits: u64,
    pub model_calls: u64,
    pub retries: u64,
    pub refused: u64,
}

/// What to translate.
#[derive(Clone, Debug)]
pub struct Request {
    pub text: String,
    pub from: Option<Lang>,
    pub to: Lang,
    pub markdown: bool,
}

type Key = (String, u64, &'static str, bool);

/// Translations with a cache (successes only: a refused translation is retried next time).
pub struct Translator {
    cache: Mutex<ResultCache<Key, String>>,
    stats: Mutex<TranslateStats>,
}

impl Default for Translator {
    fn default() -> Self {
        Translator {
            cache: Mutex::new(ResultCache::new(2048)),
            stats: Mutex::default(),
        }
    }
}

fn key(engine: &Engine, req: &Request) -> Key {
    (
        engine.model_info().fingerprint.clone(),
        stable_hash(req.text.as_bytes()),
        req.to.code,
        req.markdown,
    )
}

impl Translator {
    pub fn stats(&self) -> TranslateStats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A cached translation, without running the model.
    pub fn cached(&self, engine: &Engine, req: &Request) -> Option<String> {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key(engine, req))
    }

    /// Translate `req` (cached). Runs on a blocking thread; `cancel` stops the model between
    /// decode steps.
    pub async fn translate(
        &self,
        engine: &Engine,
        req: &Request,
        priority: Priority,
        cancel: Arc<AtomicBool>,
    ) -> Result<String, Failure> {
        self.bump(|s| s.requests += 1);
        if let Some(hit) = self.cached(engine, req) {
            self.bump(|s| s.cache_hits += 1);
            return Ok(hit);
        }
        let (engine2, req2) = (engine.clone(), req.clone());
        let ran = tokio::task::spawn_blocking(move || run(&engine2, &req2, priority, &cancel))
            .await
            .map_err(|e| Failure::Model(format!("translation stopped unexpectedly: {e}")))?;
        match ran {
            Ok(t) => {
                self.bump(|s| {
                    s.model_calls += t.model_calls as u64;
                    s.retries += t.retries as u64;
                });
                self.cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key(engine, req), t.text.clone());
                Ok(t.text)
            }
            Err(f) => {
                if matches!(f, Failure::Refused(_)) {
                    self.bump(|s| s.refused += 1);
                }
                Err(f)
            }
        }
    }

    fn bump(&self, f: impl FnOnce(&mut TranslateStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// The translation of `req`, synchronously (used by the CLI and the server's blocking thread).
pub fn run(
    engine: &Engine,
    req: &Request,
    priority: Priority,
    cancel: &Arc<AtomicBool>,
) -> Result<margin_translate::Translation, Failure> {
    let budget = engine.model_info().default_budget;
    let options = TranslateOptions {
        from: req.from,
        to: req.to,
        markdown: req.markdown,
        max_chunk_tokens: (budget / 4).max(64),
    };
    let count = |s: &str| engine.count_tokens(s);
    let call = |p: &margin_translate::TranslatePrompt| -> Result<String, EngineError> {
        let prompt = PromptInput::Chat {
            system: p.system.clone(),
            user_stable: p.user_stable.clone(),
            user_tail: p.user_tail.clone(),
        };
        let mut request = GenerateRequest::new(prompt, p.max_tokens);
        request.stop = p.stop.clone();
        let mut job = Job::generate(Slot::Translate, request);
        job.priority = priority;
        job.cancel = cancel.clone();
        let out = engine.submit(job).blocking_wait()?;
        tracing::debug!(metrics = ?out.metrics, "translate call");
        tracing::trace!(system = %p.system, user = %p.user(), output = %out.text, "translate exchange");
        Ok(out.text)
    };
    translate_text(&req.text, &options, count, call).map_err(|e| match e {
        TranslateError::Model(EngineError::Cancelled { .. }) => Failure::Cancelled,
        TranslateError::Model(e) => Failure::Model(e.to_string()),
        TranslateError::Empty | TranslateError::SameLanguage { .. } => Failure::Nothing,
        other => Failure::Refused(other.to_string()),
    })
}

/// Prose regions of `text` that translation works on: Markdown blocks, comments and string
/// literals (always included here, unlike proofreading's `checkStrings`).
pub fn regions(
    text: &str,
    lang: margin_syntax::Language,
    settings: &Settings,
) -> Vec<margin_syntax::ProseRegion> {
    match crate::checking::parse_regions(text, lang, true, settings) {
        Ok((_, regions)) => regions,
        Err(e) => {
            tracing::warn!("cannot extract prose: {e}");
            Vec::new()
        }
    }
}
