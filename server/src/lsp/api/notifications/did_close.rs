//! `textDocument/didClose`: forget the document.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::lsp::session::Session;

pub fn run(session: &Arc<Session>, params: DidCloseTextDocumentParams) {
    session.lock().documents.remove(&params.text_document.uri);
}
