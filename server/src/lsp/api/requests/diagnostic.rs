//! `textDocument/diagnostic` (pull): the findings stored for the document's
//! current version (complete, or the regions checked so far), "unchanged" when
//! the client already has them, or an empty report while the check runs; the
//! check is scheduled if needed. A client that supports
//! `workspace/diagnostic/refresh` gets the answer at once and a refresh when
//! the check ends. One that does not (Neovim 0.11) would never ask again, so
//! its pull waits for the check, at most [`WAIT_WITHOUT_REFRESH`]: as a task
//! that input, other requests and `$/cancelRequest` never wait for.

use std::time::Duration;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::proofreading::{self, Ctx};
use crate::lsp::to_proto;

/// Longest a pull waits for its check when the client cannot be asked to pull again.
const WAIT_WITHOUT_REFRESH: Duration = Duration::from_secs(60);

pub async fn run(
    ctx: &Ctx,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let deadline = tokio::time::Instant::now() + WAIT_WITHOUT_REFRESH;
    loop {
        let changed = ctx.session.findings_changed.notified();
        let (report, complete, refresh) = known(ctx, &uri, params.previous_result_id.as_deref())?;
        if !complete && !ctx.scheduler.is_scheduled(&uri) {
            proofreading::schedule(ctx, uri.clone(), None, Duration::ZERO, false);
        }
        if complete || refresh || tokio::time::timeout_at(deadline, changed).await.is_err() {
            return Ok(report);
        }
    }
}

/// The report for what is stored now; whether the check of the current version is complete;
/// whether the client can be asked to pull again.
fn known(
    ctx: &Ctx,
    uri: &Uri,
    previous: Option<&str>,
) -> Result<(DocumentDiagnosticReportResult, bool, bool)> {
    let state = ctx.session.lock();
    let doc = state
        .documents
        .get(uri)
        .ok_or_else(|| super::unknown_document(uri))?;
    let unanalysable = doc.skipped().is_some() || doc.language().is_none() || !doc.in_sync();
    let refresh = state.client.diagnostic_refresh;
    Ok(
        match state
            .findings
            .get(uri)
            .filter(|f| f.version == doc.version())
        {
            Some(found) => {
                let result_id = found.result_id.to_string();
                let report = if previous == Some(result_id.as_str()) {
                    unchanged(result_id)
                } else {
                    let (enc, severity) = (state.encoding, state.settings.severity);
                    full(
                        found
                            .findings
                            .iter()
                            .map(|f| to_proto::diagnostic(doc, f, enc, severity))
                            .collect(),
                        result_id,
                    )
                };
                (report, found.complete || unanalysable, refresh)
            }
            None => (
                full(Vec::new(), format!("pending-{}", doc.version())),
                unanalysable,
                refresh,
            ),
        },
    )
}

fn full(items: Vec<Diagnostic>, result_id: String) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items,
            },
        },
    ))
}

fn unchanged(result_id: String) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
        RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
        },
    ))
}
