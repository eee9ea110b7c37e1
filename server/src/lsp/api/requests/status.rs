//! `margin/status`: what the server is doing, for status commands in editors.

use serde::Serialize;

use crate::checking::CheckStats;
use crate::lsp::proofreading::Ctx;
use crate::model::ModelState;

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub version: &'static str,
    pub position_encoding: &'static str,
    pub documents: Vec<DocumentStatus>,
    pub model: ModelStatus,
    pub checks: CheckStats,
    pub translations: crate::translating::TranslateStats,
    pub suggestions: crate::suggesting::SuggestStats,
    /// Completion requests answered empty because a newer one replaced them.
    pub superseded_suggestions: u64,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ModelStatus {
    /// `idle`, `loading`, `ready` or `failed`.
    pub state: &'static str,
    pub error: Option<String>,
    pub name: Option<String>,
    pub path: Option<String>,
    pub context_per_slot: Option<u32>,
    /// Configured llama.cpp threads (`None`: chosen per job from free cores).
    pub threads: Option<u32>,
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

pub fn run(ctx: &Ctx) -> Status {
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
    let (state_name, error) = match ctx.model.state() {
        ModelState::Idle => ("idle", None),
        ModelState::Loading => ("loading", None),
        ModelState::Ready => ("ready", None),
        ModelState::Failed(e) => ("failed", Some(e)),
    };
    let info = ctx.model.info();
    let model = ModelStatus {
        state: state_name,
        error,
        name: info.as_ref().map(|i| i.name.clone()),
        path: info.as_ref().map(|i| i.path.display().to_string()),
        context_per_slot: info.as_ref().map(|i| i.context_per_slot),
        threads: state.settings.threads,
    };
    Status {
        version: env!("CARGO_PKG_VERSION"),
        position_encoding: state.encoding.as_str(),
        documents,
        model,
        checks: ctx.checker.stats(),
        translations: ctx.translator.stats(),
        suggestions: ctx.suggester.stats(),
        superseded_suggestions: ctx
            .in_flight
            .superseded
            .load(std::sync::atomic::Ordering::Relaxed),
    }
}
