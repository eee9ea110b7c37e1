//! Storing and publishing a document's findings: for the version they were
//! computed for, or carried to the current version where no edit touched their
//! region since (never a stale range); pushed to the client, or, for clients
//! that pull, stored under a new result id with a refresh request. Also the
//! reporter of a running check: its progress bar and its partial findings
//! (the regions finished so far, at most every [`PARTIAL_EVERY`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::Uri;

use crate::checking::Finding;
use crate::text::Document;

use super::proofreading::{begin_progress, Ctx, PROGRESS_FROM_REGIONS};
use super::session::DocFindings;
use super::to_proto;

/// Store the findings for the current version (carried over from an older version where
/// the text did not change), then publish or ask for a pull.
pub async fn store_and_publish(ctx: &Ctx, uri: &Uri, result: DocFindings) {
    let (diagnostics, version, pull, refresh) = {
        let mut state = ctx.session.lock();
        let (enc, severity) = (state.encoding, state.settings.severity);
        let Some(doc) = state.documents.get(uri) else {
            return;
        };
        let Some(mut current) = carry_over(doc, result) else {
            return; // written for a version whose text changed since: never publish stale results
        };
        if !current.complete {
            // Until the check ends, keep what is still valid of the last findings outside the
            // regions it finished.
            if let Some(last) = state
                .findings
                .get(uri)
                .and_then(|last| carry_over(doc, last.clone()))
            {
                let regions: Vec<_> = current.findings.iter().map(|f| f.region.clone()).collect();
                let kept = last
                    .findings
                    .into_iter()
                    .filter(|f| !regions.contains(&f.region));
                current.findings.extend(kept);
                current.findings.sort_by_key(|f| f.range.start);
            }
        }
        current.result_id = NEXT_RESULT.fetch_add(1, Ordering::Relaxed);
        let diagnostics: Vec<_> = current
            .findings
            .iter()
            .map(|f| to_proto::diagnostic(doc, f, enc, severity))
            .collect();
        let version = current.version;
        state.findings.insert(uri.clone(), current);
        (
            diagnostics,
            version,
            state.client.pull_diagnostics,
            state.client.diagnostic_refresh,
        )
    };
    ctx.session.findings_changed.notify_waiters();
    if !pull {
        ctx.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
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
    result
        .findings
        .retain_mut(|f| match doc.map_range(result.version, f.region.clone()) {
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
pub struct Report {
    pub done: usize,
    pub total: usize,
    pub findings: Option<Vec<Finding>>,
}

/// When to publish the findings of the regions finished so far: not for every region (cached
/// ones finish in microseconds), at most every [`PARTIAL_EVERY`], never for the last one.
pub struct Partial {
    last: std::time::Instant,
}

/// Shortest time between two partial publications of one check.
pub const PARTIAL_EVERY: Duration = Duration::from_millis(500);

impl Partial {
    pub fn new() -> Self {
        Partial {
            last: std::time::Instant::now(),
        }
    }

    pub fn due(&mut self, done: usize, total: usize) -> bool {
        if done >= total || self.last.elapsed() < PARTIAL_EVERY {
            return false;
        }
        self.last = std::time::Instant::now();
        true
    }
}

/// Forward a check's progress to the client's progress bar, and its partial findings to the
/// diagnostics. With `progress` (a first check; its cancel flag), a progress bar appears once
/// the check says it has many regions.
pub async fn report(
    ctx: Ctx,
    uri: Uri,
    version: i32,
    progress: Option<Arc<AtomicBool>>,
    mut reports: tokio::sync::mpsc::UnboundedReceiver<Report>,
) {
    let mut cancel = progress;
    let mut progress = None;
    while let Some(Report {
        done,
        total,
        findings,
    }) = reports.recv().await
    {
        if total >= PROGRESS_FROM_REGIONS && done < total {
            if let Some(cancel) = cancel.take() {
                progress = begin_progress(&ctx, &uri, total, &cancel).await;
            }
        }
        if let Some(p) = &progress {
            let percent = (done * 100 / total.max(1)) as u32;
            p.report_with_message(format!("{done}/{total} regions"), percent, Some(true))
                .await;
        }
        if let Some(findings) = findings {
            let findings = ctx.ignored_removed(&uri, findings);
            let partial = DocFindings {
                version,
                findings,
                complete: false,
                result_id: 0,
            };
            store_and_publish(&ctx, &uri, partial).await;
        }
    }
    if let Some(p) = progress {
        p.finish().await;
    }
}
