//! Which model each task uses, and why: `--model` (CLI), then the task's own setting
//! (`models.proofread`, `models.translate`, `models.suggest`), then `model`, then
//! `$MARGIN_MODEL` (each a model reference), then the default rule over the models found on
//! this machine ([`margin_engine::models::task::best`]: for prose the largest instruction
//! model of 1–4B parameters, for code the largest with FIM tokens of at most 4B), else
//! margin's fallback model (SmolLM2-135M) from its own cache. A task whose model cannot do it
//! (a base model asked to translate) gets a message that says so and what to set.

use std::cell::OnceCell;
use std::path::PathBuf;

use margin_engine::gguf::{self, GgufSummary};
use margin_engine::models::{self, task, Discovery, Roots, Store, Task};
use margin_engine::ModelError;
use serde::Serialize;

use crate::config::Settings;

/// Where a task's model came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Origin {
    /// `--model` on the command line.
    Cli,
    /// The task's own setting, `models.<task>`.
    TaskSetting,
    /// The `model` setting.
    ModelSetting,
    /// `$MARGIN_MODEL`.
    Environment,
    /// Nothing set: the default rule picked it.
    Default { why: String },
    /// Nothing set and nothing suitable found: margin's fallback model.
    Fallback { why: String },
}

impl Origin {
    /// Plain words for listings ("setting `models.translate`").
    pub fn describe(&self, task: Task) -> String {
        match self {
            Origin::Cli => "--model".into(),
            Origin::TaskSetting => format!("setting `models.{}`", task.name()),
            Origin::ModelSetting => "setting `model`".into(),
            Origin::Environment => "$MARGIN_MODEL".into(),
            Origin::Default { why } | Origin::Fallback { why } => format!("default: {why}"),
        }
    }

    /// Whether margin picked it (nothing was set).
    pub fn is_default(&self) -> bool {
        matches!(self, Origin::Default { .. } | Origin::Fallback { .. })
    }
}

/// The model a task uses.
#[derive(Clone, Debug)]
pub struct Choice {
    pub task: Task,
    /// The reference (as given, or the one `margin models list` shows).
    pub reference: String,
    /// The GGUF file.
    pub path: PathBuf,
    pub store: Option<Store>,
    pub origin: Origin,
    pub facts: GgufSummary,
}

impl Choice {
    /// `general.name`, else the reference.
    pub fn name(&self) -> String {
        self.facts
            .name
            .clone()
            .unwrap_or_else(|| self.reference.clone())
    }
}

/// What a choice depends on besides the stores: the settings and `--model`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Inputs {
    pub cli: Option<String>,
    pub task_models: crate::config::TaskModels,
    pub model: Option<String>,
    pub env: Option<String>,
    pub chat_template: bool,
}

impl Inputs {
    /// From settings, `--model` and the environment.
    pub fn new(settings: &Settings, cli: Option<&str>) -> Self {
        Inputs {
            cli: cli.map(str::to_owned),
            task_models: settings.models.clone(),
            model: settings.model.clone(),
            env: std::env::var("MARGIN_MODEL")
                .ok()
                .filter(|s| !s.trim().is_empty()),
            chat_template: settings.chat_template.is_some(),
        }
    }
}

/// Chooses models for tasks, reading the stores at most once.
pub struct Chooser<'a> {
    inputs: &'a Inputs,
    roots: &'a Roots,
    found: OnceCell<Discovery>,
}

impl<'a> Chooser<'a> {
    pub fn new(inputs: &'a Inputs, roots: &'a Roots) -> Self {
        Chooser {
            inputs,
            roots,
            found: OnceCell::new(),
        }
    }

    /// Every model found (read on first use).
    pub fn discovery(&self) -> &Discovery {
        self.found.get_or_init(|| models::discover(self.roots))
    }

    /// The model for `task` and where it came from; the message says what to do otherwise.
    pub fn choose(&self, task: Task) -> Result<Choice, String> {
        let i = self.inputs;
        let explicit = [
            (i.cli.as_deref(), Origin::Cli),
            (i.task_models.get(task), Origin::TaskSetting),
            (i.model.as_deref(), Origin::ModelSetting),
            (i.env.as_deref(), Origin::Environment),
        ];
        if let Some((Some(reference), origin)) = explicit.into_iter().find(|(r, _)| r.is_some()) {
            let resolved = models::resolve(reference, self.roots)
                .map_err(|e| format!("{} names no usable model: {e}", origin.describe(task)))?;
            let facts = match resolved.facts {
                Some(facts) => facts,
                None => gguf::inspect(&resolved.path).map_err(|e| e.to_string())?,
            };
            let choice = Choice {
                task,
                reference: resolved.reference,
                path: resolved.path,
                store: resolved.store,
                origin,
                facts,
            };
            return self.capable(choice);
        }
        if let Some((found, why)) = task::best(task, &self.discovery().models) {
            let origin = Origin::Default { why };
            let choice = Choice {
                task,
                reference: found.short.clone(),
                path: found.file.clone(),
                store: Some(found.store),
                origin,
                facts: found.facts.clone(),
            };
            return Ok(choice);
        }
        let no_model = || {
            let searched = vec![
                "--model".into(),
                format!("settings `models.{}` and `model`", task.name()),
                "$MARGIN_MODEL".into(),
                "the model stores (`margin models list`)".into(),
            ];
            ModelError::NoModel { searched }.to_string()
        };
        let path = models::cached_fallback(&self.roots.margin).ok_or_else(no_model)?;
        let facts = gguf::inspect(&path).map_err(|e| e.to_string())?;
        let why = match task {
            Task::Suggest => "no model with fill-in-the-middle tokens of at most 4B parameters was found, so margin's own cached model is used",
            _ => "no instruction model of 1–4B parameters was found, so margin's own cached model is used",
        };
        let reference = self
            .discovery()
            .models
            .iter()
            .find(|m| m.file == path)
            .map_or_else(|| path.display().to_string(), |m| m.short.clone());
        self.capable(Choice {
            task,
            reference,
            path,
            store: Some(Store::Margin),
            origin: Origin::Fallback { why: why.into() },
            facts,
        })
    }

    fn capable(&self, choice: Choice) -> Result<Choice, String> {
        task::can(
            choice.task,
            &choice.name(),
            &choice.facts,
            self.inputs.chat_template,
        )?;
        Ok(choice)
    }
}

/// The one message that says which models margin picked by itself and why, and how to choose
/// others; `None` when every task's model was set.
pub fn default_note(choices: &[(Task, &Result<Choice, String>)]) -> Option<String> {
    let picked: Vec<&Choice> = choices
        .iter()
        .filter_map(|(_, c)| c.as_ref().ok())
        .filter(|c| c.origin.is_default())
        .collect();
    if picked.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut done: Vec<&PathBuf> = Vec::new();
    for c in &picked {
        if done.contains(&&c.path) {
            continue;
        }
        done.push(&c.path);
        let tasks: Vec<&str> = picked
            .iter()
            .filter(|o| o.path == c.path)
            .map(|o| o.task.label())
            .collect();
        let why = match &c.origin {
            Origin::Default { why } | Origin::Fallback { why } => why.as_str(),
            _ => "",
        };
        let verb = if tasks.len() > 1 { "use" } else { "uses" };
        parts.push(format!(
            "{} {verb} {} ({why})",
            join_words(&tasks),
            c.reference
        ));
    }
    Some(format!(
        "{}. Choose another with the `model` setting or `models.proofread`, `models.translate`, `models.suggest` (`margin models list` shows the models on this machine)",
        parts.join("; ")
    ))
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => capitalized(one),
        [init @ .., last] => format!("{} and {last}", capitalized(&init.join(", "))),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
