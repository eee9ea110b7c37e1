//! `textDocument/inlayHint`: inline translations of foreign-language comments
//! and strings when `inlineTranslations` is on (see `lsp::inline_translations`).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::inline_translations;
use crate::lsp::proofreading::Ctx;
use crate::lsp::snapshot::Snapshot;

pub fn run(ctx: &Ctx, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    let Some(snap) = Snapshot::take(&ctx.session, &params.text_document.uri)? else {
        return Ok(Some(Vec::new()));
    };
    let range = snap.byte_range(params.range).unwrap_or(0..snap.text.len());
    Ok(Some(inline_translations::hints(ctx, &snap, range)))
}
