//! The three tasks a model serves and what each needs, from the GGUF header alone:
//!
//! * proofreading scores text by plain likelihood, which any language model can do (its
//!   rewrite source also wants a chat template, and does without one);
//! * translation needs a chat template (an instruction model);
//! * code suggestions need fill-in-the-middle tokens or a chat template.
//!
//! [`suits`] says what a model is recommended for (listings), [`can`] whether it can do a task
//! at all (with a message saying what to do when not), and [`best`] is the default rule: for
//! prose, the largest instruction model of 1–4B parameters; for code, the largest model with
//! FIM tokens of at most 4B; ties go to the store listed first, then the name.

use super::discover::Found;
use crate::gguf::GgufSummary;
use serde::{Deserialize, Serialize};

/// What a model is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Proofreading diagnostics (plain-likelihood scoring, rewrites).
    Proofread,
    /// Translations.
    Translate,
    /// Code suggestions.
    Suggest,
}

/// Larger models are too slow on a CPU for as-you-type work.
const MAX_PARAMS: u64 = 8_500_000_000;
/// "1B" models: Gemma 3 1B counts 999.9M parameters.
const PROSE_MIN: u64 = 950_000_000;
/// "4B" models: Qwen3 4B counts 4.02B.
const DEFAULT_MAX: u64 = 4_500_000_000;

impl Task {
    /// Every task.
    pub const ALL: [Task; 3] = [Task::Proofread, Task::Translate, Task::Suggest];

    /// The setting key's last part and the name used in listings.
    pub fn name(self) -> &'static str {
        match self {
            Task::Proofread => "proofread",
            Task::Translate => "translate",
            Task::Suggest => "suggest",
        }
    }

    /// What people call it ("proofreading").
    pub fn label(self) -> &'static str {
        match self {
            Task::Proofread => "proofreading",
            Task::Translate => "translation",
            Task::Suggest => "code suggestions",
        }
    }
}

/// Tasks `f` is recommended for: proofreading for models up to 8B, translation for
/// instruction models of 1–8B, suggestions for models with FIM tokens up to 8B.
pub fn suits(f: &GgufSummary) -> Vec<Task> {
    let small = f.n_params <= MAX_PARAMS;
    let mut tasks = Vec::new();
    if small {
        tasks.push(Task::Proofread);
    }
    if small && f.has_chat_template && f.n_params >= PROSE_MIN {
        tasks.push(Task::Translate);
    }
    if small && f.fim {
        tasks.push(Task::Suggest);
    }
    tasks
}

/// Whether the model `name` (header `f`) can do `task` at all; `chat_fallback` is whether a
/// `chatTemplate` setting supplies a template the model lacks.
pub fn can(task: Task, name: &str, f: &GgufSummary, chat_fallback: bool) -> Result<(), String> {
    let chat = f.has_chat_template || chat_fallback;
    let key = format!("models.{}", task.name());
    match task {
        Task::Proofread => Ok(()),
        Task::Translate if chat => Ok(()),
        Task::Suggest if chat || f.fim => Ok(()),
        Task::Translate => Err(format!(
            "`{name}` is a base model (no chat template): it can proofread but not translate. Set `{key}` to an \
             instruction model (`margin models list` shows which suit translation), or set `chatTemplate` if it is \
             an instruction model whose file lacks its template"
        )),
        Task::Suggest => Err(format!(
            "`{name}` has neither fill-in-the-middle tokens nor a chat template, so it cannot suggest code. Set \
             `{key}` to a code model with FIM tokens (`margin models list` shows which suit suggestions)"
        )),
    }
}

/// The default model for `task` among `models` and why, by the rule in the module docs.
pub fn best(task: Task, models: &[Found]) -> Option<(&Found, String)> {
    let eligible = |f: &GgufSummary| match task {
        Task::Proofread | Task::Translate => {
            f.has_chat_template && (PROSE_MIN..=DEFAULT_MAX).contains(&f.n_params)
        }
        Task::Suggest => f.fim && f.n_params <= DEFAULT_MAX,
    };
    let chosen = models
        .iter()
        .filter(|m| eligible(&m.facts))
        .min_by(|a, b| {
            b.facts
                .n_params
                .cmp(&a.facts.n_params)
                .then(a.store.cmp(&b.store))
                .then(a.reference.cmp(&b.reference))
        })?;
    let what = match task {
        Task::Suggest => "model with fill-in-the-middle tokens of at most 4B parameters",
        _ => "instruction model of 1–4B parameters",
    };
    let why = format!(
        "the largest {what} found ({}, {})",
        params_label(chosen.facts.n_params),
        chosen.store.label()
    );
    Some((chosen, why))
}

/// "3.1B", "135M".
pub fn params_label(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n => format!("{:.1}M", n as f64 / 1e6),
    }
}
