//! `margin/status`: what the server is doing, for status commands in editors: documents,
//! cache and model-call counts, and the model of each task (where it came from, its state).
//! With `{"doctor": true}` it adds the `margin doctor` report for this workspace, as data
//! (`doctor`) and in the same words the command prints (`doctorText`).

use margin_engine::models::Task;
use serde::Serialize;
use serde_json::Value;

use crate::checking::CheckStats;
use crate::doctor::{Report, TaskModel};
use crate::lsp::proofreading::Ctx;
use crate::model::ModelState;

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub version: &'static str,
    pub position_encoding: &'static str,
    pub documents: Vec<DocumentStatus>,
    /// Proofreading's model (what older clients show).
    pub model: ModelStatus,
    /// The model of each task.
    pub models: Vec<TaskStatus>,
    pub checks: CheckStats,
    pub translations: crate::translating::TranslateStats,
    pub suggestions: crate::suggesting::SuggestStats,
    /// Completion requests answered empty because a newer one replaced them.
    pub superseded_suggestions: u64,
    /// The `margin doctor` report (when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<Report>,
    /// The same report in the words of `margin doctor` (for editors' status commands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor_text: Option<String>,
}

/// A task's model and its state.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatus {
    #[serde(flatten)]
    pub model: TaskModel,
    /// `idle`, `loading`, `ready` or `failed`.
    pub state: &'static str,
    /// Why loading the chosen model failed (a choice that failed says why in `problem`).
    pub error: Option<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ModelStatus {
    /// `idle`, `loading`, `ready` or `failed`.
    pub state: &'static str,
    /// Why loading the chosen model failed (a choice that failed says why in `problem`).
    pub error: Option<String>,
    pub name: Option<String>,
    pub path: Option<String>,
    pub context_per_slot: Option<u32>,
    /// Configured llama.cpp threads (`None`: chosen per job from free cores).
    pub threads: Option<u32>,
    /// The model server's URL when a `backend` serves the model.
    pub remote: Option<String>,
    /// What the backend cannot do and how features degrade, in plain words.
    pub degraded: Vec<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct DocumentStatus {
    pub uri: String,
    pub version: i32,
    pub language: Option<&'static str>,
    pub bytes: usize,
    pub in_sync: bool,
    /// Why the document is not analysed, if it is not.
    pub skipped: Option<String>,
    /// Findings of the current version, once its check is done (not while regions are left).
    pub findings: Option<usize>,
}

fn state_words(state: ModelState) -> (&'static str, Option<String>) {
    match state {
        ModelState::Idle => ("idle", None),
        ModelState::Loading => ("loading", None),
        ModelState::Ready => ("ready", None),
        ModelState::Failed(e) => ("failed", Some(e)),
    }
}

pub async fn run(ctx: &Ctx, params: &Value) -> Status {
    let (settings, root, mut layers) = {
        let state = ctx.session.lock();
        (
            state.settings.clone(),
            state.workspace_root.clone(),
            state.layers.clone(),
        )
    };
    let choices = ctx.model.choices(&settings).await;
    let models = choices
        .iter()
        .map(|(task, choice)| {
            let (state, error) = state_words(ctx.model.state(*task));
            let model = TaskModel::new(*task, choice);
            // A choice that failed is the `problem` already; `error` is a load failure.
            let error = error.filter(|e| model.problem.as_ref() != Some(e));
            TaskStatus {
                model,
                state,
                error,
            }
        })
        .collect();
    let roots = ctx.model.roots();
    let doctor = match params.get("doctor").and_then(Value::as_bool) {
        Some(true) => tokio::task::spawn_blocking(move || {
            let problems = layers.load_files(root.as_deref());
            let files = crate::config::user_config_path()
                .into_iter()
                .chain(root.map(|r| r.join(crate::config::WORKSPACE_FILE)));
            let config_files = files
                .map(|path| crate::doctor::ConfigFile::new(path, &problems))
                .collect();
            crate::doctor::gather(crate::doctor::Sources {
                settings: &settings,
                roots: &roots,
                config_files,
                cli_model: None,
            })
        })
        .await
        .ok(),
        _ => None,
    };
    let state = ctx.session.lock();
    let mut documents: Vec<DocumentStatus> = state
        .documents
        .iter()
        .map(|(uri, doc)| DocumentStatus {
            uri: uri.as_str().to_string(),
            version: doc.version(),
            language: doc.language().map(|l| l.name()),
            bytes: doc.len_bytes(),
            in_sync: doc.in_sync(),
            skipped: doc.skipped().map(|s| s.to_string()),
            findings: state
                .findings
                .get(uri)
                .filter(|f| f.version == doc.version() && f.complete)
                .map(|f| f.findings.len()),
        })
        .collect();
    documents.sort_by(|a, b| a.uri.cmp(&b.uri));
    let (state_name, error) = state_words(ctx.model.state(Task::Proofread));
    let info = ctx.model.info(Task::Proofread);
    let model = ModelStatus {
        state: state_name,
        error,
        name: info.as_ref().map(|i| i.name.clone()),
        path: info.as_ref().map(|i| i.path.display().to_string()),
        context_per_slot: info.as_ref().map(|i| i.context_per_slot),
        threads: state.settings.threads,
        remote: info.as_ref().and_then(|i| i.remote.clone()),
        degraded: info
            .as_ref()
            .map(|i| i.degraded.clone())
            .unwrap_or_default(),
    };
    Status {
        version: env!("CARGO_PKG_VERSION"),
        position_encoding: state.encoding.as_str(),
        documents,
        model,
        models,
        checks: ctx.checker.stats(),
        translations: ctx.translator.stats(),
        suggestions: ctx.suggester.stats(),
        superseded_suggestions: ctx
            .in_flight
            .superseded
            .load(std::sync::atomic::Ordering::Relaxed),
        doctor_text: doctor.as_ref().map(crate::doctor::text),
        doctor,
    }
}
