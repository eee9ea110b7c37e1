//! Inline translations (`inlineTranslations: true`): an inlay hint at the end
//! of each comment or string literal in another language than
//! `readingLanguage`. Hints come only from the translation cache, so the
//! request answers at once; missing translations are computed in the
//! background (lowest priority, one at a time) and the client is asked to
//! refresh its hints (`workspace/inlayHint/refresh`) when they are ready.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use margin_engine::Priority;
use margin_syntax::RegionKind;
use margin_translate::lang::{detect, is_in_language};
use tower_lsp_server::ls_types::*;

use super::proofreading::Ctx;
use super::snapshot::Snapshot;
use crate::translating::{self, target::target_at, Request};
use margin_engine::models::Task;

/// Longest hint label, in characters (the full translation is in the tooltip).
const MAX_LABEL_CHARS: usize = 80;

/// Translations being computed for hints (by text and target), so each is queued once.
#[derive(Default)]
pub struct PendingHints(Mutex<HashSet<(String, &'static str)>>);

/// The hints for `range` of the document, and what still has to be translated.
pub fn hints(ctx: &Ctx, snap: &Snapshot, range: Range<usize>) -> Vec<InlayHint> {
    if !snap.settings.inline_translations
        || matches!(
            snap.lang,
            margin_syntax::Language::Markdown | margin_syntax::Language::PlainText
        )
    {
        return Vec::new();
    }
    let reading = translating::reading_language(&snap.settings);
    let regions = translating::regions(&snap.text, snap.lang, &snap.settings);
    let engine = ctx.model.ready(Task::Translate);
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for region in regions.iter().filter(|r| {
        matches!(
            r.kind,
            RegionKind::Comment | RegionKind::DocComment | RegionKind::StringLiteral
        )
    }) {
        if region.doc_range.end < range.start || region.doc_range.start > range.end {
            continue;
        }
        let at = region.doc_range.start;
        let Some(target) = target_at(&snap.text, snap.lang, &regions, at..at) else {
            continue;
        };
        if is_in_language(&target.source, reading) != Some(false) {
            continue;
        }
        let request = Request {
            text: target.source.clone(),
            from: detect(&target.source),
            to: reading,
            markdown: false,
        };
        match engine
            .as_ref()
            .and_then(|e| ctx.translator.cached(e, &request))
        {
            Some(translation) => out.push(hint(snap, region.doc_range.end, &translation)),
            None => missing.push(request),
        }
    }
    if !missing.is_empty() {
        queue(ctx, snap, missing);
    }
    out
}

fn hint(snap: &Snapshot, end: usize, translation: &str) -> InlayHint {
    let line_end = snap.text[end..]
        .find('\n')
        .map_or(snap.text.len(), |i| end + i);
    let one_line = translation.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut label: String = one_line.chars().take(MAX_LABEL_CHARS).collect();
    if label.len() < one_line.len() {
        label.push('…');
    }
    InlayHint {
        position: snap.range(line_end..line_end).start,
        label: InlayHintLabel::String(format!("→ {label}")),
        kind: None,
        text_edits: None,
        tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: format!("**margin** · translation\n\n{translation}"),
        })),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

fn queue(ctx: &Ctx, snap: &Snapshot, requests: Vec<Request>) {
    let fresh: Vec<Request> = {
        let mut pending = ctx
            .pending_hints
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        requests
            .into_iter()
            .filter(|r| pending.insert((r.text.clone(), r.to.code)))
            .collect()
    };
    if fresh.is_empty() {
        return;
    }
    let (ctx, settings) = (ctx.clone(), snap.settings.clone());
    tokio::spawn(async move {
        let mut done = 0;
        if let Ok(engine) = ctx.model.engine(&settings, Task::Translate).await {
            for request in &fresh {
                let cancel = Arc::new(AtomicBool::new(false));
                match ctx
                    .translator
                    .translate(&engine, request, Priority::Background, cancel)
                    .await
                {
                    Ok(_) => done += 1,
                    Err(e) => tracing::debug!("inline translation skipped: {e}"),
                }
            }
        }
        {
            let mut pending = ctx
                .pending_hints
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            for r in &fresh {
                pending.remove(&(r.text.clone(), r.to.code));
            }
        }
        if done > 0 && ctx.session.lock().client.inlay_hint_refresh {
            let _ = ctx.client.inlay_hint_refresh().await;
        }
    });
}
