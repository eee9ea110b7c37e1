//! `textDocument/diagnostic` (pull): what is known now, never a wait. The
//! findings stored for the document's current version (complete, or the
//! regions checked so far), "unchanged" when the client already has them, or
//! an empty report while the check runs; the check is scheduled if needed and
//! `workspace/diagnostic/refresh` makes the client pull again when it ends.

use std::time::Duration;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::proofreading::{self, Ctx};
use crate::lsp::to_proto;

pub async fn run(ctx: &Ctx, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let (report, complete) = {
        let state = ctx.session.lock();
        let doc = state.documents.get(&uri).ok_or_else(|| super::unknown_document(&uri))?;
        let unanalysable = doc.skipped().is_some() || doc.language().is_none() || !doc.in_sync();
        match state.findings.get(&uri).filter(|f| f.version == doc.version()) {
            Some(found) => {
                let result_id = found.result_id.to_string();
                let report = if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
                    unchanged(result_id)
                } else {
                    let (enc, severity) = (state.encoding, state.settings.severity);
                    full(found.findings.iter().map(|f| to_proto::diagnostic(doc, f, enc, severity)).collect(), result_id)
                };
                (report, found.complete || unanalysable)
            }
            None => (full(Vec::new(), format!("pending-{}", doc.version())), unanalysable),
        }
    };
    if !complete && !ctx.scheduler.is_scheduled(&uri) {
        proofreading::schedule(ctx, uri, None, Duration::ZERO, false);
    }
    Ok(report)
}

fn full(items: Vec<Diagnostic>, result_id: String) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: Some(result_id), items },
    }))
}

fn unchanged(result_id: String) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
        related_documents: None,
        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
    }))
}
