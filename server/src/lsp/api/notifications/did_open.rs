//! `textDocument/didOpen`: start tracking a document.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::lsp::session::Session;
use crate::text::Document;

pub fn run(session: &Arc<Session>, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let mut state = session.lock();
    let doc = Document::new(&item.text, item.version, &item.language_id, state.settings.max_file_bytes);
    if let Some(skip) = doc.skipped() {
        tracing::info!(uri = item.uri.as_str(), "{skip}");
    }
    if doc.language().is_none() {
        tracing::debug!(uri = item.uri.as_str(), language_id = item.language_id, "no prose rules for this language");
    }
    state.documents.insert(item.uri, doc);
}
