//! `textDocument/hover`: over a paragraph, comment or string literal in another
//! language than `readingLanguage`, the translation (cached by content;
//! cancelled when the client cancels the request). Text already in the
//! reading language, or too short to tell, gets no hover.

use margin_engine::Priority;
use margin_translate::lang::{detect, is_in_language};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::cancel::{cancelled, CancelOnDrop};
use crate::lsp::proofreading::Ctx;
use crate::lsp::snapshot::Snapshot;
use crate::translating::{self, target::target_at, Failure, Request};
use margin_engine::models::Task;

/// Longest text hover translates (bytes); longer regions are left to the code action.
const MAX_HOVER_BYTES: usize = 4_000;

pub async fn run(ctx: &Ctx, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let Some(snap) = Snapshot::take(&ctx.session, &position.text_document.uri)? else {
        return Ok(None);
    };
    let Ok(offset) = snap.offset(position.position) else {
        return Ok(None);
    };
    let regions = translating::regions(&snap.text, snap.lang, &snap.settings);
    let Some(target) = target_at(&snap.text, snap.lang, &regions, offset..offset) else {
        return Ok(None);
    };
    let reading = translating::reading_language(&snap.settings);
    if target.source.len() > MAX_HOVER_BYTES
        || is_in_language(&target.source, reading) != Some(false)
    {
        return Ok(None);
    }
    let Ok(engine) = ctx.engine(&snap.settings, Task::Translate).await else {
        return Ok(None);
    };
    let from = detect(&target.source);
    let request = Request {
        text: target.source.clone(),
        from,
        to: reading,
        markdown: snap.lang == margin_syntax::Language::Markdown,
    };
    let guard = CancelOnDrop::new();
    let body = match ctx
        .translator
        .translate(&engine, &request, Priority::Interactive, guard.flag())
        .await
    {
        Ok(text) => text,
        Err(Failure::Cancelled) => return Err(cancelled()),
        Err(Failure::Nothing) => return Ok(None),
        Err(Failure::Model(e)) => {
            tracing::warn!("hover translation failed: {e}");
            return Ok(None);
        }
        Err(Failure::Refused(why)) => format!("_margin could not translate this: {why}_"),
    };
    let heading = match from {
        Some(from) => format!("**{} → {}** · margin", from.name, reading.name),
        None => format!("**→ {}** · margin", reading.name),
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: format!("{heading}\n\n{body}"),
        }),
        range: Some(snap.range(target.range.clone())),
    }))
}
