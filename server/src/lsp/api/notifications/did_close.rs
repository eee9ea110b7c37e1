//! `textDocument/didClose`: stop checking, forget the document and clear its
//! diagnostics; the memory of large documents goes back to the system.

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::lsp::proofreading::{self, Ctx};

pub async fn run(ctx: &Ctx, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    proofreading::stop(ctx, &uri);
    let (push, closed) = {
        let mut state = ctx.session.lock();
        let closed = state.documents.remove(&uri);
        (
            state.findings.remove(&uri).is_some() && !state.client.pull_diagnostics,
            closed,
        )
    };
    if let Some(doc) = closed {
        let bytes = doc.len_bytes();
        drop(doc);
        crate::memory::document_closed(bytes);
    }
    if push {
        ctx.client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}
