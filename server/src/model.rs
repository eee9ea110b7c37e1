//! The model as the server and the CLI see it: resolved from settings
//! (`--model`, `model`, `MARGIN_MODEL`, the model cache), started on a
//! blocking thread the first time a feature needs it, restarted when a
//! model setting changes. A failure (no model, a broken file) is kept as a
//! message for the caller to show once; everything that needs no model keeps
//! working.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use margin_engine::{Engine, EngineConfig, ModelInfo};
use tokio::sync::OnceCell;

use crate::config::{KvType, Settings};

/// The settings that decide which engine runs; a change restarts it.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelKey {
    pub model: Option<PathBuf>,
    pub threads: Option<u32>,
    pub context_tokens: Option<u32>,
    pub kv_type: KvType,
    pub chat_template: Option<String>,
}

impl ModelKey {
    pub fn from_settings(settings: &Settings) -> Self {
        ModelKey {
            model: settings.model.clone(),
            threads: settings.threads,
            context_tokens: settings.context_tokens,
            kv_type: settings.kv_type,
            chat_template: settings.chat_template.clone(),
        }
    }

    /// Resolve the model file and build the engine configuration.
    pub fn config(&self, cli_model: Option<&std::path::Path>) -> Result<EngineConfig, String> {
        let path = margin_engine::resolve_model(cli_model, self.model.as_deref())
            .map_err(|e| e.to_string())?;
        let mut config = EngineConfig::new(path);
        config.threads = self.threads.map(|t| t as usize);
        config.context_tokens = self.context_tokens;
        config.kv_type = match self.kv_type {
            KvType::F16 => margin_engine::KvType::F16,
            KvType::Q8_0 => margin_engine::KvType::Q8_0,
        };
        config.chat_template = self.chat_template.clone();
        Ok(config)
    }
}

type Slot = Arc<OnceCell<Result<Engine, String>>>;

/// Where the model is, for status displays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelState {
    Idle,
    Loading,
    Ready,
    Failed(String),
}

#[derive(Default)]
pub struct ModelService {
    current: Mutex<Option<(ModelKey, Slot)>>,
}

impl ModelService {
    /// The engine for these settings, starting (or restarting) it if needed.
    pub async fn engine(&self, settings: &Settings) -> Result<Engine, String> {
        let key = ModelKey::from_settings(settings);
        let slot = {
            let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
            match current.as_ref() {
                Some((k, slot)) if *k == key => slot.clone(),
                _ => {
                    let slot: Slot = Arc::default();
                    *current = Some((key.clone(), slot.clone()));
                    slot
                }
            }
        };
        slot.get_or_init(|| async move {
            let started = tokio::task::spawn_blocking(move || {
                let config = key.config(None)?;
                tracing::info!(model = %config.model_path.display(), "loading model");
                Engine::start(config).map_err(|e| e.to_string())
            })
            .await;
            match started {
                Ok(Ok(engine)) => {
                    let info = engine.model_info();
                    tracing::info!(name = info.name, params = info.n_params, "model ready");
                    Ok(engine)
                }
                Ok(Err(e)) => Err(e),
                Err(e) => Err(format!("model loading stopped unexpectedly: {e}")),
            }
        })
        .await
        .clone()
    }

    /// The loaded engine, if one is ready (never starts one).
    pub fn ready(&self) -> Option<Engine> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .and_then(|(_, slot)| slot.get())
            .and_then(|r| r.as_ref().ok())
            .cloned()
    }

    pub fn state(&self) -> ModelState {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        match current.as_ref() {
            None => ModelState::Idle,
            Some((_, slot)) => match slot.get() {
                None => ModelState::Loading,
                Some(Ok(_)) => ModelState::Ready,
                Some(Err(e)) => ModelState::Failed(e.clone()),
            },
        }
    }

    pub fn info(&self) -> Option<ModelInfo> {
        self.ready().map(|e| e.model_info().clone())
    }
}
