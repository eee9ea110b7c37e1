//! `textDocument/diagnostic` (pull): the findings of the document's current
//! version, waiting for its check when it is not done yet.

use std::time::Duration;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::proofreading::{self, Ctx};
use crate::lsp::to_proto;

/// How long a pull waits for a check before answering with what it has.
const WAIT: Duration = Duration::from_secs(120);

pub async fn run(ctx: &Ctx, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let notified = ctx.session.findings_changed.notified();
        let (ready, scheduled) = {
            let state = ctx.session.lock();
            let doc = state.documents.get(&uri).ok_or_else(|| super::unknown_document(&uri))?;
            let current = state.findings.get(&uri).filter(|f| f.version == doc.version());
            let ready = current.map(|f| {
                let (enc, severity) = (state.encoding, state.settings.severity);
                f.findings.iter().map(|x| to_proto::diagnostic(doc, x, enc, severity)).collect::<Vec<_>>()
            });
            let unanalysable = doc.skipped().is_some() || doc.language().is_none() || !doc.in_sync();
            (if unanalysable { Some(ready.unwrap_or_default()) } else { ready }, state.checks.contains_key(&uri))
        };
        if let Some(items) = ready {
            return Ok(report(items));
        }
        if !scheduled {
            proofreading::schedule(ctx, uri.clone(), None, Duration::ZERO);
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Ok(report(Vec::new()));
        }
    }
}

fn report(items: Vec<Diagnostic>) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
    }))
}
