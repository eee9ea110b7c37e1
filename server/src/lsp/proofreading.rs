//! Running proofreading for open documents: one check of one document version
//! (when and in which order is the `scheduler`'s business), the edited region
//! first. Findings are stored for the version they were computed for, or
//! carried to the current version where the text did not change since (never
//! stale), and published as regions finish, not only at the end. Clients that
//! pull diagnostics get a refresh instead of a push. A first check of a large
//! document reports `$/progress` and can be cancelled.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use margin_engine::Priority;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, ProgressToken, Uri};
use tower_lsp_server::Client;

use crate::checking::{prepare, CheckInput, Checker, Finding};
use crate::config::Settings;
use crate::region_limit::{limit_regions, MAX_REGION_BYTES};
use crate::text::Document;
use margin_engine::Engine;
use crate::model::ModelService;

use super::scheduler::{Scheduler, Want};
use super::session::{DocFindings, Session};
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
    pub scheduler: Arc<Scheduler>,
}

/// Check `uri` after `delay` (edits, opens and pulls by the user make it the current document).
pub fn schedule(ctx: &Ctx, uri: Uri, focus: Option<usize>, delay: Duration, current: bool) {
    ctx.scheduler.want(ctx, uri, Want { focus, delay, current });
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
pub async fn run(ctx: Ctx, uri: Uri, focus: Option<usize>, cancel: Arc<AtomicBool>, priority: Priority) {
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
            return store_and_publish(&ctx, &uri, DocFindings::complete(version, Vec::new())).await;
        }
    };
    let Ok(engine) = ctx.engine(&settings).await else { return };
    let prepared = {
        let (text, settings) = (text.clone(), settings.clone());
        tokio::task::spawn_blocking(move || prepare(&text, language, &settings)).await
    };
    let (mut regions, identifiers) = match prepared {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(e)) => return tracing::warn!(uri = uri.as_str(), "cannot extract prose: {e}"),
        Err(e) => return tracing::error!("region extraction failed: {e}"),
    };
    let left_out = limit_regions(&mut regions, MAX_REGION_BYTES);
    if !left_out.is_empty() {
        tracing::info!(uri = uri.as_str(), ?left_out, "over-long prose regions: only their first {MAX_REGION_BYTES} bytes are checked");
    }
    let progress = if first && regions.len() >= PROGRESS_FROM_REGIONS {
        begin_progress(&ctx, &uri, regions.len(), &cancel).await
    } else {
        None
    };
    let (report_tx, report_rx) = tokio::sync::mpsc::unbounded_channel::<Report>();
    let reporter = tokio::spawn(report(ctx.clone(), uri.clone(), version, progress, report_rx));
    let mut partial = Partial::new();
    let input = CheckInput {
        text: &text,
        language,
        settings: &settings,
        dictionary: &dictionary,
        focus,
        cancel: cancel.clone(),
        priority,
    };
    let result = ctx
        .checker
        .check_document(&engine, &input, &regions, &identifiers, |done, total, found| {
            let _ = report_tx.send(Report { done, total, findings: partial.due(done, total).then(|| found.to_vec()) });
        })
        .await;
    drop(report_tx);
    let _ = reporter.await;
    let findings = match result {
        Ok(findings) => findings,
        Err(e) => return tracing::debug!(uri = uri.as_str(), version, "check stopped: {e}"),
    };
    let findings = ctx.ignored_removed(&uri, findings);
    store_and_publish(&ctx, &uri, DocFindings::complete(version, findings)).await;
}

/// Store the findings for the current version (carried over from an older version where
/// the text did not change), then publish or ask for a pull.
pub async fn store_and_publish(ctx: &Ctx, uri: &Uri, result: DocFindings) {
    let (diagnostics, version, pull, refresh) = {
        let mut state = ctx.session.lock();
        let (enc, severity) = (state.encoding, state.settings.severity);
        let Some(doc) = state.documents.get(uri) else { return };
        let Some(mut current) = carry_over(doc, result) else {
            return; // written for a version whose text changed since: never publish stale results
        };
        if !current.complete {
            // Until the check ends, keep what is still valid of the last findings outside the
            // regions it finished.
            if let Some(last) = state.findings.get(uri).and_then(|last| carry_over(doc, last.clone())) {
                let regions: Vec<_> = current.findings.iter().map(|f| f.region.clone()).collect();
                let kept = last.findings.into_iter().filter(|f| !regions.contains(&f.region));
                current.findings.extend(kept);
                current.findings.sort_by_key(|f| f.range.start);
            }
        }
        current.result_id = NEXT_RESULT.fetch_add(1, Ordering::Relaxed);
        let diagnostics: Vec<_> = current.findings.iter().map(|f| to_proto::diagnostic(doc, f, enc, severity)).collect();
        let version = current.version;
        state.findings.insert(uri.clone(), current);
        (diagnostics, version, state.client.pull_diagnostics, state.client.diagnostic_refresh)
    };
    if !pull {
        ctx.client.publish_diagnostics(uri.clone(), diagnostics, Some(version)).await;
    } else if refresh {
        let _ = ctx.client.workspace_diagnostic_refresh().await;
    }
}

/// Result ids of stored findings (pull diagnostics answer "unchanged" for the same id).
static NEXT_RESULT: AtomicU64 = AtomicU64::new(1);

/// `result` moved to the document's current version, dropping findings in regions edited since;
/// `None` when its version can no longer be mapped.
fn carry_over(doc: &Document, mut result: DocFindings) -> Option<DocFindings> {
    if result.version == doc.version() {
        return Some(result);
    }
    if !doc.can_map_from(result.version) {
        return None;
    }
    result.findings.retain_mut(|f| match doc.map_range(result.version, f.region.clone()) {
        Some(region) => {
            let shift = |x: usize| (x + region.start).checked_sub(f.region.start);
            match (shift(f.range.start), shift(f.range.end)) {
                (Some(start), Some(end)) => {
                    f.range = start..end;
                    f.region = region;
                    true
                }
                _ => false,
            }
        }
        None => false,
    });
    result.version = doc.version();
    Some(result)
}

/// What a running check tells its reporter: progress, and findings so far when due.
struct Report {
    done: usize,
    total: usize,
    findings: Option<Vec<Finding>>,
}

/// When to publish the findings of the regions finished so far: not for every region (cached
/// ones finish in microseconds), at most every [`PARTIAL_EVERY`], never for the last one.
struct Partial {
    last: std::time::Instant,
}

/// Shortest time between two partial publications of one check.
const PARTIAL_EVERY: Duration = Duration::from_millis(500);

impl Partial {
    fn new() -> Self {
        Partial { last: std::time::Instant::now() }
    }

    fn due(&mut self, done: usize, total: usize) -> bool {
        if done >= total || self.last.elapsed() < PARTIAL_EVERY {
            return false;
        }
        self.last = std::time::Instant::now();
        true
    }
}

/// Forward a check's progress to the client's progress bar, and its partial findings to the
/// diagnostics.
async fn report(
    ctx: Ctx,
    uri: Uri,
    version: i32,
    progress: Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::Cancellable>>,
    mut reports: tokio::sync::mpsc::UnboundedReceiver<Report>,
) {
    while let Some(Report { done, total, findings }) = reports.recv().await {
        if let Some(p) = &progress {
            let percent = (done * 100 / total.max(1)) as u32;
            p.report_with_message(format!("{done}/{total} regions"), percent, Some(true)).await;
        }
        if let Some(findings) = findings {
            let findings = ctx.ignored_removed(&uri, findings);
            let partial = DocFindings { version, findings, complete: false, result_id: 0 };
            store_and_publish(&ctx, &uri, partial).await;
        }
    }
    if let Some(p) = progress {
        p.finish().await;
    }
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
                findings.into_iter().filter(|f| !stores.ignores.is_ignored(&key, &f.key())).collect()
            }
            None => findings,
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
    ctx.scheduler.set_progress(uri, cancel, token.clone());
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
