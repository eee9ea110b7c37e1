//! `textDocument/codeAction`: proofreading fixes for findings under the
//! cursor, then translations, then code suggestions (each only when the
//! client asked for that kind).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::actions::{proofread, suggest, translate};
use crate::lsp::proofreading::Ctx;
use crate::lsp::snapshot::Snapshot;

pub async fn run(ctx: &Ctx, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let wants = |kind: &CodeActionKind| match &params.context.only {
        None => true,
        Some(only) => only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        }),
    };
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        actions.extend(proofread::offer(ctx, &params)?);
    }
    if wants(&CodeActionKind::REFACTOR_REWRITE) {
        // One copy of the document for both kinds of model-backed actions.
        if let Some(snap) = Snapshot::take(&ctx.session, &params.text_document.uri)? {
            actions.extend(translate::offer(ctx, &snap, params.range));
            actions.extend(suggest::offer(ctx, &snap, params.range));
        }
    }
    Ok(Some(actions))
}
