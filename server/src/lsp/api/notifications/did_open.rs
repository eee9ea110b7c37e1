//! `textDocument/didOpen`: start tracking a document and check it.

use std::time::Duration;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::lsp::proofreading::{self, Ctx};
use crate::text::Document;

pub fn run(ctx: &Ctx, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let uri = item.uri.clone();
    let mut state = ctx.session.lock();
    let doc = Document::new(
        &item.text,
        item.version,
        &item.language_id,
        state.settings.max_file_bytes,
    );
    if let Some(skip) = doc.skipped() {
        tracing::info!(uri = item.uri.as_str(), "{skip}");
    }
    if doc.language().is_none() {
        tracing::debug!(
            uri = item.uri.as_str(),
            language_id = item.language_id,
            "no prose rules for this language"
        );
    }
    let analysable = doc.language().is_some() && doc.skipped().is_none();
    state.documents.insert(item.uri, doc);
    state.findings.remove(&uri);
    drop(state);
    if analysable {
        proofreading::schedule(ctx, uri, None, Duration::ZERO, true);
    }
}
