//! The models as the server and the CLI see them: one per task ([`choice`]: settings, `--model`,
//! `MARGIN_MODEL`, the default rule over the models found on this machine), each started on a
//! blocking thread the first time its task needs it. Tasks that use the same file share one
//! engine; when loading another would take the loaded ones past `maxModelMemoryMb` the least
//! recently used is unloaded first ([`budget`]). A failure (no model, a broken file, a model
//! that cannot do its task) is kept as a message for the caller to show once; everything that
//! needs no model keeps working.

pub mod budget;
pub mod choice;
pub mod remote;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use margin_engine::models::{Roots, Task};
use margin_engine::{Engine, EngineConfig, ModelInfo};
use tokio::sync::OnceCell;

pub use choice::{Choice, Chooser, Inputs, Origin};

use crate::config::{KvType, Settings};

/// The choices of all three tasks (same order as [`Task::ALL`]).
pub type Choices = Arc<Vec<(Task, Result<Choice, String>)>>;

/// The settings that decide how an engine runs, besides its file; a change starts a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelKey {
    pub task: Task,
    pub threads: Option<u32>,
    pub context_tokens: Option<u32>,
    pub kv_type: KvType,
    pub chat_template: Option<String>,
    settings: Settings,
}

impl ModelKey {
    /// Proofreading's model (what `margin check` uses).
    pub fn from_settings(settings: &Settings) -> Self {
        Self::for_task(settings, Task::Proofread)
    }

    pub fn for_task(settings: &Settings, task: Task) -> Self {
        ModelKey {
            task,
            threads: settings.threads,
            context_tokens: settings.context_tokens,
            kv_type: settings.kv_type,
            chat_template: settings.chat_template.clone(),
            settings: settings.clone(),
        }
    }

    /// For the CLI: choose the task's model (`cli` is `--model`, any reference) and build the
    /// engine configuration. When margin picked the model itself, one line on stderr says which
    /// and why.
    pub fn config(&self, cli: Option<&Path>) -> Result<EngineConfig, String> {
        let inputs = Inputs::new(&self.settings, cli.map(|p| p.to_string_lossy()).as_deref());
        let roots = Roots::from_env();
        let choice = Chooser::new(&inputs, &roots).choose(self.task)?;
        if let Some(note) = choice::default_note(&[(self.task, &Ok(choice.clone()))]) {
            eprintln!("margin: {note}");
        }
        Ok(self.engine_config(choice.path))
    }

    pub fn engine_config(&self, path: PathBuf) -> EngineConfig {
        let mut config = EngineConfig::new(path);
        config.threads = self.threads.map(|t| t as usize);
        config.context_tokens = self.context_tokens;
        config.kv_type = match self.kv_type {
            KvType::F16 => margin_engine::KvType::F16,
            KvType::Q8_0 => margin_engine::KvType::Q8_0,
        };
        config.chat_template = self.chat_template.clone();
        config
    }
}

type Slot = Arc<OnceCell<Result<Engine, String>>>;

/// Where a task's model is, for status displays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelState {
    Idle,
    Loading,
    Ready,
    Failed(String),
}

/// A started (or starting) engine.
struct Loaded {
    /// File and run settings.
    key: (PathBuf, Option<u32>, Option<u32>, KvType, Option<String>),
    slot: Slot,
    bytes: u64,
    last_used: u64,
}

#[derive(Default)]
struct State {
    choices: Option<(Inputs, Choices)>,
    loaded: Vec<Loaded>,
    /// The file each task last asked for.
    task_files: Vec<(Task, PathBuf)>,
    clock: u64,
}

#[derive(Default)]
pub struct ModelService {
    state: Mutex<State>,
    /// The stores searched (tests point them at a temporary home); `None`: from the environment.
    roots: Option<Roots>,
    /// The `backend` server, when the settings name one.
    remote: remote::Remote,
}

impl ModelService {
    /// A service searching `roots` instead of the environment's stores.
    pub fn with_roots(roots: Roots) -> Self {
        ModelService {
            state: Mutex::default(),
            roots: Some(roots),
            remote: remote::Remote::default(),
        }
    }

    /// The stores this service searches.
    pub fn roots(&self) -> Roots {
        self.roots.clone().unwrap_or_else(Roots::from_env)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The choices of every task for these settings (computed once per distinct settings, on a
    /// blocking thread: discovery reads the stores).
    pub async fn choices(&self, settings: &Settings) -> Choices {
        let inputs = Inputs::new(settings, None);
        if let Some((known, choices)) = &self.lock().choices {
            if *known == inputs {
                return choices.clone();
            }
        }
        let roots = self.roots();
        let i = inputs.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let chooser = Chooser::new(&i, &roots);
            Task::ALL
                .iter()
                .map(|&t| (t, chooser.choose(t)))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|e| {
            Task::ALL
                .iter()
                .map(|&t| {
                    (
                        t,
                        Err(format!("choosing a model stopped unexpectedly: {e}")),
                    )
                })
                .collect()
        });
        let choices: Choices = Arc::new(computed);
        self.lock().choices = Some((inputs, choices.clone()));
        choices
    }

    /// The engine for `task` under these settings, starting it if needed (and unloading the
    /// least recently used others when the memory budget requires).
    pub async fn engine(&self, settings: &Settings, task: Task) -> Result<Engine, String> {
        if let Some(b) = &settings.backend {
            let _ = task; // one server serves every task
            return self.remote.engine(b).await;
        }
        let choices = self.choices(settings).await;
        let choice = choices
            .iter()
            .find(|(t, _)| *t == task)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| Err("no such task".into()))?;
        let mk = ModelKey::for_task(settings, task);
        let key = (
            choice.path.clone(),
            mk.threads,
            mk.context_tokens,
            mk.kv_type,
            mk.chat_template.clone(),
        );
        let slot = {
            let mut state = self.lock();
            state.clock += 1;
            let now = state.clock;
            state.task_files.retain(|(t, _)| *t != task);
            state.task_files.push((task, choice.path.clone()));
            match state.loaded.iter_mut().find(|l| l.key == key) {
                Some(l) => {
                    l.last_used = now;
                    l.slot.clone()
                }
                None => {
                    let bytes = budget::estimate(&choice.facts, settings);
                    let limit = budget::limit_bytes(settings);
                    for gone in
                        budget::evict(&mut state.loaded, bytes, limit, |l| (l.bytes, l.last_used))
                    {
                        tracing::info!(model = %gone.key.0.display(), "unloading the least recently used model (maxModelMemoryMb)");
                    }
                    let slot: Slot = Arc::default();
                    state.loaded.push(Loaded {
                        key,
                        slot: slot.clone(),
                        bytes,
                        last_used: now,
                    });
                    slot
                }
            }
        };
        slot.get_or_init(|| async move {
            let config = mk.engine_config(choice.path.clone());
            let started = tokio::task::spawn_blocking(move || {
                tracing::info!(model = %config.model_path.display(), task = task.name(), "loading model");
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

    fn slot_of(&self, task: Task) -> Option<Slot> {
        let state = self.lock();
        let (_, file) = state.task_files.iter().find(|(t, _)| *t == task)?;
        state
            .loaded
            .iter()
            .find(|l| &l.key.0 == file)
            .map(|l| l.slot.clone())
    }

    /// The loaded engine of `task`, if one is ready (never starts one).
    pub fn ready(&self, task: Task) -> Option<Engine> {
        if let Some(engine) = self.remote.ready() {
            return Some(engine);
        }
        self.slot_of(task)
            .and_then(|slot| slot.get().and_then(|r| r.as_ref().ok()).cloned())
    }

    /// The state of `task`'s model.
    pub fn state(&self, task: Task) -> ModelState {
        match self.remote.state() {
            Some(Ok(())) => return ModelState::Ready,
            Some(Err(e)) => return ModelState::Failed(e),
            None => {}
        }
        let failed = self.lock().choices.as_ref().and_then(|(_, c)| {
            c.iter()
                .find(|(t, _)| *t == task)
                .and_then(|(_, c)| c.clone().err())
        });
        if let Some(e) = failed {
            return ModelState::Failed(e);
        }
        match self.slot_of(task) {
            None => ModelState::Idle,
            Some(slot) => match slot.get() {
                None => ModelState::Loading,
                Some(Ok(_)) => ModelState::Ready,
                Some(Err(e)) => ModelState::Failed(e.clone()),
            },
        }
    }

    pub fn info(&self, task: Task) -> Option<ModelInfo> {
        self.ready(task).map(|e| e.model_info().clone())
    }

    /// The choices last computed (for status), if any.
    pub fn last_choices(&self) -> Option<Choices> {
        self.lock().choices.as_ref().map(|(_, c)| c.clone())
    }

    /// Files of the engines started and not unloaded, with their estimated bytes.
    pub fn loaded(&self) -> Vec<(PathBuf, u64)> {
        self.lock()
            .loaded
            .iter()
            .map(|l| (l.key.0.clone(), l.bytes))
            .collect()
    }
}
