//! Completion-style suggestion requests: one in flight per document. A newer
//! request cancels the older one (which still gets its one answer: an empty
//! list), each waits `suggestDebounceMs` before running the model, and a
//! result is returned only if the document is still at the version it was
//! computed for.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use margin_engine::Priority;
use margin_suggest::context::Task;
use tower_lsp_server::ls_types::{Position, Uri};

use super::cancel::CancelOnDrop;
use super::proofreading::Ctx;
use super::snapshot::Snapshot;
use crate::suggesting::{SuggestFailure, SuggestRequest, Suggestion};

/// The in-flight suggestion request of each document.
#[derive(Default)]
pub struct InFlight {
    next: AtomicU64,
    by_doc: Mutex<HashMap<Uri, (u64, Arc<AtomicBool>)>>,
    /// Requests answered empty because a newer one replaced them.
    pub superseded: AtomicU64,
}

/// Languages suggestions are offered in (those with a code grammar).
pub fn is_code(lang: margin_syntax::Language) -> bool {
    use margin_syntax::Language::*;
    matches!(
        lang,
        Rust | Python | JavaScript | TypeScript | Tsx | Go | C | Cpp | Lua | Bash
    )
}

/// A suggestion at `position` for a completion-style request, or `None` (superseded,
/// cancelled, off, nothing verified). Never an error: bad positions and unparsable files
/// give `None`.
pub async fn at_cursor(ctx: &Ctx, uri: &Uri, position: Position) -> Option<(Snapshot, Suggestion)> {
    let snap = Snapshot::take(&ctx.session, uri).ok().flatten()?;
    if !snap.settings.suggest || !is_code(snap.lang) {
        return None;
    }
    let cursor = snap.offset(position).ok()?;
    let guard = CancelOnDrop::new();
    let id = ctx.in_flight.next.fetch_add(1, Ordering::Relaxed);
    if let Some((_, old)) = ctx
        .in_flight
        .by_doc
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(uri.clone(), (id, guard.flag()))
    {
        old.store(true, Ordering::SeqCst);
    }
    let result = run(ctx, &snap, cursor, &guard).await;
    {
        let mut map = ctx
            .in_flight
            .by_doc
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if map.get(uri).is_some_and(|(i, _)| *i == id) {
            map.remove(uri);
        }
    }
    if guard.0.load(Ordering::SeqCst) {
        ctx.in_flight.superseded.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    let suggestion = result?;
    snap.is_current(&ctx.session).then_some((snap, suggestion))
}

async fn run(
    ctx: &Ctx,
    snap: &Snapshot,
    cursor: usize,
    guard: &CancelOnDrop,
) -> Option<Suggestion> {
    tokio::time::sleep(Duration::from_millis(snap.settings.suggest_debounce_ms)).await;
    if guard.0.load(Ordering::SeqCst) {
        return None;
    }
    let engine = ctx
        .engine(&snap.settings, margin_engine::models::Task::Suggest)
        .await
        .ok()?;
    let request = request(snap, cursor, Task::Complete);
    match ctx
        .suggester
        .suggest(&engine, &request, Priority::Interactive, guard.flag())
        .await
    {
        Ok(s) => Some(s),
        Err(SuggestFailure::Cancelled) => None,
        Err(e) => {
            tracing::debug!("no suggestion: {e}");
            None
        }
    }
}

/// The core request for a snapshot.
pub fn request(snap: &Snapshot, cursor: usize, task: Task) -> SuggestRequest {
    SuggestRequest {
        text: snap.text.clone(),
        lang: snap.lang,
        cursor,
        task,
        max_lines: snap.settings.max_lines,
        budget: snap.settings.context_tokens.map(|t| t as usize),
    }
}
