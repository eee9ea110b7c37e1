//! Running proofreading for open documents: a check per document, debounced
//! after edits, cancelled when a newer version arrives, the edited region
//! first; results stored with the version they were computed for and
//! published only if that is still the document's version (never stale).
//! Clients that pull diagnostics get a refresh instead of a push. A first
//! check of a large document reports `$/progress` and can be cancelled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use margin_engine::Priority;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, ProgressToken, Uri};
use tower_lsp_server::Client;

use crate::checking::{prepare, CheckInput, Checker};
use crate::config::Settings;
use margin_engine::Engine;
use crate::model::ModelService;

use super::session::{DocFindings, RunningCheck, Session};
use super::to_proto;

/// Regions from which a first check reports progress.
const PROGRESS_FROM_REGIONS: usize = 16;

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
}

/// (Re)start the check of `uri` after `delay`, cancelling the one in flight.
pub fn schedule(ctx: &Ctx, uri: Uri, focus: Option<usize>, delay: Duration) {
    let cancel = Arc::new(AtomicBool::new(false));
    let mut state = ctx.session.lock();
    if let Some(old) = state.checks.remove(&uri) {
        old.cancel.store(true, Ordering::Relaxed);
        old.task.abort();
    }
    let task = tokio::spawn(run(ctx.clone(), uri.clone(), focus, delay, cancel.clone()));
    state.checks.insert(uri, RunningCheck { cancel, task, progress: None });
}

/// Stop checking `uri` (closed, disabled).
pub fn stop(session: &Session, uri: &Uri) {
    if let Some(old) = session.lock().checks.remove(uri) {
        old.cancel.store(true, Ordering::Relaxed);
        old.task.abort();
    }
}

/// Cancel the check that reports progress under `token` (the user pressed cancel).
pub fn cancel_progress(session: &Session, token: &str) {
    let state = session.lock();
    for check in state.checks.values().filter(|c| c.progress.as_deref() == Some(token)) {
        check.cancel.store(true, Ordering::Relaxed);
    }
    if let Some(flag) = state.progress_cancels.get(token) {
        flag.store(true, Ordering::Relaxed);
    }
}

async fn run(ctx: Ctx, uri: Uri, focus: Option<usize>, delay: Duration, cancel: Arc<AtomicBool>) {
    tokio::time::sleep(delay).await;
    let snapshot = {
        let mut state = ctx.session.lock();
        let settings = state.settings.clone();
        let disabled = state.is_disabled(&uri);
        // Dictionary files edited by hand (or by another margin) are picked up here.
        state.stores().dictionary.reload_if_changed();
        let dictionary = state.stores().dictionary.clone();
        let first = !state.findings.contains_key(&uri);
        match state.documents.get(&uri) {
            Some(doc) if doc.in_sync() && doc.skipped().is_none() && settings.enable && !disabled => {
                Ok(doc.language().map(|lang| (doc.text(), doc.version(), lang, settings, dictionary, first)))
            }
            Some(doc) => Err(doc.version()),
            None => Ok(None),
        }
    };
    let (text, version, language, settings, dictionary, first) = match snapshot {
        Ok(Some(snapshot)) => snapshot,
        Ok(None) => return,
        Err(version) => {
            // Disabled or not analysable: no findings for this version.
            return store_and_publish(&ctx, &uri, DocFindings { version, findings: Vec::new() }).await;
        }
    };
    let Ok(engine) = ctx.engine(&settings).await else { return };
    let prepared = {
        let (text, settings) = (text.clone(), settings.clone());
        tokio::task::spawn_blocking(move || prepare(&text, language, &settings)).await
    };
    let (regions, identifiers) = match prepared {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(e)) => return tracing::warn!(uri = uri.as_str(), "cannot extract prose: {e}"),
        Err(e) => return tracing::error!("region extraction failed: {e}"),
    };
    let progress = if first && regions.len() >= PROGRESS_FROM_REGIONS {
        begin_progress(&ctx, &uri, regions.len(), &cancel).await
    } else {
        None
    };
    let (report_tx, mut report_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
    let reporter = progress.map(|p| {
        tokio::spawn(async move {
            while let Some((done, total)) = report_rx.recv().await {
                let percent = (done * 100 / total.max(1)) as u32;
                p.report_with_message(format!("{done}/{total} regions"), percent, Some(true)).await;
            }
            p.finish().await;
        })
    });
    let input = CheckInput {
        text: &text,
        language,
        settings: &settings,
        dictionary: &dictionary,
        focus,
        cancel: cancel.clone(),
        priority: if focus.is_some() { Priority::Interactive } else { Priority::Background },
    };
    let result = ctx
        .checker
        .check_document(&engine, &input, &regions, &identifiers, |done, total| {
            let _ = report_tx.send((done, total));
        })
        .await;
    drop(report_tx);
    if let Some(reporter) = reporter {
        let _ = reporter.await;
    }
    let findings = match result {
        Ok(findings) => findings,
        Err(e) => return tracing::debug!(uri = uri.as_str(), version, "check stopped: {e}"),
    };
    let findings = {
        let mut state = ctx.session.lock();
        let stores = state.stores();
        match uri.to_file_path() {
            Some(path) => {
                let key = stores.file_key(&path);
                findings.into_iter().filter(|f| !stores.ignores.is_ignored(&key, &f.key())).collect()
            }
            None => findings,
        }
    };
    store_and_publish(&ctx, &uri, DocFindings { version, findings }).await;
}

/// Keep the findings if they are for the current version, then publish or ask for a pull.
pub async fn store_and_publish(ctx: &Ctx, uri: &Uri, result: DocFindings) {
    let (diagnostics, pull, refresh) = {
        let mut state = ctx.session.lock();
        let (enc, severity) = (state.encoding, state.settings.severity);
        let Some(doc) = state.documents.get(uri) else { return };
        if doc.version() != result.version {
            return; // a newer version is being checked; never publish stale results
        }
        let diagnostics: Vec<_> = result.findings.iter().map(|f| to_proto::diagnostic(doc, f, enc, severity)).collect();
        state.findings.insert(uri.clone(), result.clone());
        (diagnostics, state.client.pull_diagnostics, state.client.diagnostic_refresh)
    };
    ctx.session.findings_changed.notify_waiters();
    if !pull {
        ctx.client.publish_diagnostics(uri.clone(), diagnostics, Some(result.version)).await;
    } else if refresh {
        let _ = ctx.client.workspace_diagnostic_refresh().await;
    }
}

impl Ctx {
    /// The session is over: cancel every check and progress-reporting job.
    pub fn stop_all(&self) {
        let mut state = self.session.lock();
        for (_, check) in state.checks.drain() {
            check.cancel.store(true, Ordering::Relaxed);
            check.task.abort();
        }
        for flag in state.progress_cancels.values() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// The engine for `settings` (started on first use). A failure (no model, a broken file)
    /// is shown to the user once per distinct message and returned.
    pub async fn engine(&self, settings: &Settings) -> Result<Engine, String> {
        let message = match self.model.engine(settings).await {
            Ok(engine) => return Ok(engine),
            Err(message) => message,
        };
        let show = {
            let mut state = self.session.lock();
            let new = state.model_error_shown.as_deref() != Some(message.as_str());
            state.model_error_shown = Some(message.clone());
            new
        };
        tracing::warn!("model unavailable: {message}");
        if show {
            self.client.show_message(MessageType::ERROR, format!("margin: {message}")).await;
        }
        Err(message)
    }
}

async fn begin_progress(
    ctx: &Ctx,
    uri: &Uri,
    regions: usize,
    cancel: &Arc<AtomicBool>,
) -> Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::Cancellable>> {
    if !ctx.session.lock().client.work_done_progress {
        return None;
    }
    let token = format!("margin-check-{}", uri.as_str());
    ctx.client.create_work_done_progress(ProgressToken::String(token.clone())).await.ok()?;
    if let Some(check) = ctx.session.lock().checks.get_mut(uri) {
        if Arc::ptr_eq(&check.cancel, cancel) {
            check.progress = Some(token.clone());
        }
    }
    let name = uri.as_str().rsplit('/').next().unwrap_or("document").to_string();
    let progress = ctx
        .client
        .progress(NumberOrString::String(token), format!("margin: checking {name}"))
        .with_percentage(0)
        .with_cancel_button()
        .with_message(format!("0/{regions} regions"))
        .begin()
        .await;
    Some(progress)
}
