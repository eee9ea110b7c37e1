//! `textDocument/didChange`: apply incremental edits in order. An edit that
//! cannot be applied (range outside the text) marks the document out of sync
//! until a full-text change or a reopen brings it back; nothing panics.

use std::time::Duration;

use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, MessageType};

use crate::lsp::from_proto;
use crate::lsp::proofreading::{self, Ctx};

pub fn run(ctx: &Ctx, params: DidChangeTextDocumentParams) {
    let (client, session) = (&ctx.client, &ctx.session);
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let mut state = session.lock();
    let enc = state.encoding;
    let Some(doc) = state.documents.get_mut(&uri) else {
        tracing::warn!(
            uri = uri.as_str(),
            "didChange for a document that is not open; ignored"
        );
        return;
    };
    let mut failure = None;
    let mut focus = None;
    for change in params.content_changes {
        match change.range {
            None => {
                doc.replace_all(&change.text, version);
                focus = None;
            }
            Some(_) if !doc.in_sync() => {}
            Some(range) => {
                let applied = from_proto::byte_range(doc, range, enc)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| {
                        focus = Some(bytes.start);
                        doc.apply_edit(bytes, &change.text)
                            .map_err(|e| e.to_string())
                    });
                if let Err(e) = applied {
                    doc.mark_out_of_sync();
                    failure = Some(e);
                }
            }
        }
    }
    if doc.in_sync() {
        doc.finish_edits(version);
    }
    let check = doc.in_sync() && doc.language().is_some();
    let debounce = Duration::from_millis(state.settings.debounce_ms);
    drop(state);
    if check {
        proofreading::schedule(ctx, uri.clone(), focus, debounce, true);
    } else {
        proofreading::stop(ctx, &uri);
    }
    if let Some(e) = failure {
        let message = format!(
            "margin: lost sync with {} ({e}); reopen the file to resume",
            uri.as_str()
        );
        tracing::warn!("{message}");
        let client = client.clone();
        tokio::spawn(async move { client.log_message(MessageType::WARNING, message).await });
    }
}
