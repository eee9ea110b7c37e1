//! `textDocument/didClose`: stop checking, forget the document and clear its
//! diagnostics.

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::lsp::proofreading::{self, Ctx};

pub async fn run(ctx: &Ctx, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    proofreading::stop(ctx, &uri);
    let push = {
        let mut state = ctx.session.lock();
        state.documents.remove(&uri);
        state.findings.remove(&uri).is_some() && !state.client.pull_diagnostics
    };
    if push {
        ctx.client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}
