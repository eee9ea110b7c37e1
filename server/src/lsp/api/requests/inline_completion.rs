//! `textDocument/inlineCompletion` (LSP 3.18): margin's verified code
//! suggestion as ghost text at the cursor. Failures answer an empty list, and
//! so does a suggestion with a destructive-operation warning (ghost text has
//! nowhere to show it).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::proofreading::Ctx;
use crate::lsp::suggestions;

pub async fn run(
    ctx: &Ctx,
    params: InlineCompletionParams,
) -> Result<Option<InlineCompletionResponse>> {
    let position = params.text_document_position;
    let mut items = Vec::new();
    let found = suggestions::at_cursor(ctx, &position.text_document.uri, position.position).await;
    if let Some((snap, s)) = found.filter(|(_, s)| s.warning.is_none()) {
        items.push(InlineCompletionItem {
            insert_text: s.text.clone(),
            filter_text: None,
            insert_text_format: None,
            range: Some(snap.range(s.range.clone())),
            command: None,
        });
    }
    Ok(Some(InlineCompletionResponse::List(InlineCompletionList {
        items,
    })))
}
