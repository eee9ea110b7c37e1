//! Running proofreading for open documents: one check of one document version
//! (when and in which order is the `scheduler`'s business), the edited region
//! first; its findings are published as regions finish, not only at the end
//! (storing and publishing: `publish`). A first check of a large document
//! reports `$/progress` and can be cancelled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use margin_engine::models::Task;
use margin_engine::Priority;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, ProgressToken, Uri};
use tower_lsp_server::Client;

pub use super::publish::store_and_publish;
use super::publish::{self, Partial, Report};
use crate::checking::{proofread, CheckError, Checker, DocumentInput, Finding, UserChoices};
use crate::config::Settings;
use crate::model::ModelService;
use crate::region_limit::MAX_REGION_BYTES;
use margin_engine::Engine;

use super::scheduler::{Scheduler, Want};
use super::session::{DocFindings, Session};

/// Regions from which a first check reports progress.
pub(super) const PROGRESS_FROM_REGIONS: usize = 16;

/// Everything a background check needs.
#[derive(Clone)]
pub struct Ctx {
    pub client: Client,
    pub session: Arc<Session>,
    pub model: Arc<ModelService>,
    pub checker: Arc<Checker>,
    pub translator: Arc<crate::translating::Translator>,
    pub pending_hints: Arc<super::inline_translations::PendingHints>,
    pub suggester: Arc<crate::suggesting::Suggester>,
    pub in_flight: Arc<super::suggestions::InFlight>,
    pub scheduler: Arc<Scheduler>,
}

/// How the message about a check the model could not do begins.
const CHECK_FAILED: &str = "margin: proofreading stopped (the findings shown are from before): ";

/// Check `uri` after `delay` (edits, opens and pulls by the user make it the current document).
pub fn schedule(ctx: &Ctx, uri: Uri, focus: Option<usize>, delay: Duration, current: bool) {
    ctx.scheduler.want(
        ctx,
        uri,
        Want {
            focus,
            delay,
            current,
        },
    );
}

/// Stop checking `uri` (closed, disabled).
pub fn stop(ctx: &Ctx, uri: &Uri) {
    ctx.scheduler.stop(uri);
}

/// Cancel the work that reports progress under `token` (the user pressed cancel).
pub fn cancel_progress(ctx: &Ctx, token: &str) {
    ctx.scheduler.cancel_progress(token);
    if let Some(flag) = ctx.session.lock().progress_cancels.get(token) {
        flag.store(true, Ordering::Relaxed);
    }
}

/// Check the current version of `uri` (started by the scheduler).
pub async fn run(
    ctx: Ctx,
    uri: Uri,
    focus: Option<usize>,
    cancel: Arc<AtomicBool>,
    priority: Priority,
) {
    let snapshot = {
        let mut state = ctx.session.lock();
        let settings = state.settings.clone();
        let disabled = state.is_disabled(&uri);
        // Dictionary files edited by hand (or by another margin) are picked up here.
        state.stores().dictionary.reload_if_changed();
        let dictionary = state.stores().dictionary.clone();
        let first = !state.findings.contains_key(&uri);
        match state.documents.get(&uri) {
            Some(doc)
                if doc.in_sync() && doc.skipped().is_none() && settings.enable && !disabled =>
            {
                doc.language().map(|lang| {
                    // The document's own tree (a cheap copy): nothing is parsed again.
                    let tree = doc.syntax().and_then(|t| t.snapshot());
                    let input = DocumentInput {
                        text: doc.text(),
                        language: lang,
                        tree,
                        focus,
                        priority,
                        cancel: cancel.clone(),
                        unchanged: None,
                    };
                    Ok((input, doc.version(), settings, dictionary, first))
                })
            }
            Some(doc) => Some(Err(doc.version())),
            None => None,
        }
    };
    let (input, version, settings, dictionary, first) = match snapshot {
        Some(Ok(snapshot)) => snapshot,
        None => return,
        Some(Err(version)) => {
            // Disabled or not analysable: no findings for this version.
            return store_and_publish(&ctx, &uri, DocFindings::complete(version, Vec::new())).await;
        }
    };
    let Ok(engine) = ctx.engine(&settings, Task::Proofread).await else {
        return;
    };
    let (report_tx, report_rx) = tokio::sync::mpsc::unbounded_channel::<Report>();
    let progress = first.then(|| cancel.clone());
    let reporter = tokio::spawn(publish::report(
        ctx.clone(),
        uri.clone(),
        version,
        progress,
        report_rx,
    ));
    let mut partial = Partial::new();
    let file_key = uri
        .to_file_path()
        .map(|path| ctx.session.lock().stores().file_key(&path));
    let session = ctx.session.clone();
    let ignored = move |key: &margin_proofread::FindingKey| {
        file_key
            .as_ref()
            .is_some_and(|file| session.lock().stores().ignores.is_ignored(file, key))
    };
    let choices = UserChoices {
        disabled: false,
        dictionary: &dictionary,
        ignored: &ignored,
    };
    let result = proofread(
        &engine,
        &ctx.checker,
        input,
        &settings,
        &choices,
        |done, total, found| {
            let _ = report_tx.send(Report {
                done,
                total,
                findings: partial.due(done, total).then(|| found.to_vec()),
            });
        },
    )
    .await;
    drop(report_tx);
    let _ = reporter.await;
    for problem in ctx.checker.take_problems() {
        ctx.client
            .show_message(MessageType::WARNING, format!("margin: {problem}"))
            .await;
    }
    let checked = match result {
        Ok(checked) => {
            // A model failure is shown again if it comes back after a check that worked.
            let mut state = ctx.session.lock();
            state
                .model_errors_shown
                .retain(|m| !m.starts_with(CHECK_FAILED));
            checked
        }
        Err(CheckError::Engine(e)) => {
            // The shown findings stay (nothing is published); the user hears it once.
            tracing::warn!(uri = uri.as_str(), version, "check failed: {e}");
            let message = format!("{CHECK_FAILED}{e}");
            if ctx
                .session
                .lock()
                .model_errors_shown
                .insert(message.clone())
            {
                ctx.client.show_message(MessageType::ERROR, message).await;
            }
            return;
        }
        Err(e) => return tracing::debug!(uri = uri.as_str(), version, "check stopped: {e}"),
    };
    if !checked.unchecked.is_empty() {
        let left_out = &checked.unchecked;
        tracing::info!(
            uri = uri.as_str(),
            ?left_out,
            "over-long prose regions: only their first {MAX_REGION_BYTES} bytes are checked"
        );
    }
    store_and_publish(&ctx, &uri, DocFindings::complete(version, checked.findings)).await;
}

impl Ctx {
    /// The session is over: cancel every check and progress-reporting job.
    pub fn stop_all(&self) {
        self.scheduler.stop_all();
        let state = self.session.lock();
        for flag in state.progress_cancels.values() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// `findings` without those the user ignored in this file.
    pub fn ignored_removed(&self, uri: &Uri, findings: Vec<Finding>) -> Vec<Finding> {
        let mut state = self.session.lock();
        let stores = state.stores();
        match uri.to_file_path() {
            Some(path) => {
                let key = stores.file_key(&path);
                findings
                    .into_iter()
                    .filter(|f| !stores.ignores.is_ignored(&key, &f.key()))
                    .collect()
            }
            None => findings,
        }
    }

    /// The engine of `task` for `settings` (started on first use). A failure (no model, a
    /// broken file, a model that cannot do the task) is shown to the user once per distinct
    /// message and returned. When margin picked models itself, one message says which and why.
    pub async fn engine(&self, settings: &Settings, task: Task) -> Result<Engine, String> {
        if settings.backend.is_some() {
            return self.remote_engine(settings, task).await;
        }
        let choices = self.model.choices(settings).await;
        let pairs: Vec<(Task, &Result<crate::model::Choice, String>)> =
            choices.iter().map(|(t, c)| (*t, c)).collect();
        if let Some(note) = crate::model::choice::default_note(&pairs) {
            let new = {
                let mut state = self.session.lock();
                let new = state.model_note_shown.as_deref() != Some(note.as_str());
                state.model_note_shown = Some(note.clone());
                new
            };
            if new {
                tracing::info!("{note}");
                self.client
                    .show_message(MessageType::INFO, format!("margin: {note}"))
                    .await;
            }
        }
        let message = match self.model.engine(settings, task).await {
            Ok(engine) => return Ok(engine),
            Err(message) => message,
        };
        let show = {
            let mut state = self.session.lock();
            state.model_errors_shown.insert(message.clone())
        };
        tracing::warn!("model unavailable: {message}");
        if show {
            self.client
                .show_message(MessageType::ERROR, format!("margin: {message}"))
                .await;
        }
        Err(message)
    }

    /// [`Ctx::engine`] for a `backend` server: its degradations and a failure are each shown
    /// once (and logged to stderr).
    async fn remote_engine(&self, settings: &Settings, task: Task) -> Result<Engine, String> {
        let result = self.model.engine(settings, task).await;
        let (kind, messages) = match &result {
            Ok(engine) => (MessageType::WARNING, engine.model_info().degraded.clone()),
            Err(message) => (MessageType::ERROR, vec![message.clone()]),
        };
        for message in messages {
            let show = self
                .session
                .lock()
                .model_errors_shown
                .insert(message.clone());
            if show {
                tracing::warn!("model server: {message}");
                self.client
                    .show_message(kind, format!("margin: {message}"))
                    .await;
            }
        }
        result
    }
}

pub(super) async fn begin_progress(
    ctx: &Ctx,
    uri: &Uri,
    regions: usize,
    cancel: &Arc<AtomicBool>,
) -> Option<
    tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::Cancellable>,
> {
    if !ctx.session.lock().client.work_done_progress {
        return None;
    }
    let token = format!("margin-check-{}", uri.as_str());
    ctx.client
        .create_work_done_progress(ProgressToken::String(token.clone()))
        .await
        .ok()?;
    ctx.scheduler.set_progress(uri, cancel, token.clone());
    let name = uri
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or("document")
        .to_string();
    let progress = ctx
        .client
        .progress(
            NumberOrString::String(token),
            format!("margin: checking {name}"),
        )
        .with_percentage(0)
        .with_cancel_button()
        .with_message(format!("0/{regions} regions"))
        .begin()
        .await;
    Some(progress)
}
