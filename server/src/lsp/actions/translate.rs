//! Translation code actions: `Translate to <Language>` (replace) and
//! `Translate to <Language> (insert below)` for the selection, or the
//! paragraph, comment or string literal under the cursor, one pair per
//! language in `translateTargets`. The model runs only for the action picked:
//! on `codeAction/resolve`, or (clients without resolve) through the
//! `margin.applyAction` command, which applies the edit itself. A translation
//! that lost a placeholder or markup is never applied: a message says why.

use std::collections::HashMap;

use margin_engine::Priority;
use margin_translate::lang::{detect, is_in_language, parse_language, Lang};
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::progress::Progress;
use crate::lsp::cancel::{cancelled, CancelOnDrop};
use crate::lsp::proofreading::Ctx;
use crate::lsp::snapshot::Snapshot;
use crate::translating::target::{target_at, Target};
use crate::translating::{self, Failure, Request};
use margin_engine::models::Task;

/// Longest selection offered for translation (bytes).
pub const MAX_SELECTION_BYTES: usize = 64 * 1024;
/// Selections from this size report progress.
const PROGRESS_FROM_BYTES: usize = 1500;

/// What `codeAction/resolve` needs to compute the edit.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Data {
    pub uri: Uri,
    pub version: i32,
    pub start: usize,
    pub end: usize,
    pub to: String,
    pub below: bool,
}

pub fn offer(ctx: &Ctx, snap: &Snapshot, range: Range) -> Vec<CodeActionOrCommand> {
    let Ok(selection) = snap.byte_range(range) else {
        return Vec::new();
    };
    let regions = translating::regions(&snap.text, snap.lang, &snap.settings);
    let Some(target) = target_at(&snap.text, snap.lang, &regions, selection.clone()) else {
        return Vec::new();
    };
    if target.source.len() > MAX_SELECTION_BYTES {
        let reason = format!(
            "the selection is too long to translate ({} KiB; at most {} KiB)",
            target.source.len() / 1024,
            MAX_SELECTION_BYTES / 1024
        );
        return vec![disabled("Translate".into(), reason)];
    }
    let lazy = ctx.session.lock().client.code_action_resolve;
    let mut actions = Vec::new();
    for to in translating::translate_targets(&snap.settings) {
        if is_in_language(&target.source, to) == Some(true) {
            continue;
        }
        for below in [false, true] {
            let data = Data {
                uri: snap.uri.clone(),
                version: snap.version,
                start: selection.start,
                end: selection.end,
                to: to.code.into(),
                below,
            };
            actions.push(super::deferred(
                title(to, below),
                super::ActionData::Translate(data),
                lazy,
            ));
        }
    }
    actions
}

/// `codeAction/resolve` for a translate action: the edit, or no edit and a message saying why.
pub async fn resolve(ctx: &Ctx, mut action: CodeAction, data: Data) -> Result<CodeAction> {
    action.edit = None;
    let snap = Snapshot::take_at(&ctx.session, &data.uri, data.version)?;
    let to = parse_language(&data.to)
        .ok_or_else(|| Error::invalid_params(format!("unknown language `{}`", data.to)))?;
    let regions = translating::regions(&snap.text, snap.lang, &snap.settings);
    let target = target_at(&snap.text, snap.lang, &regions, data.start..data.end)
        .ok_or_else(|| Error::invalid_params("nothing to translate here"))?;
    match translate(ctx, &snap, &target, to, true).await {
        Ok(text) => action.edit = Some(edit(&snap, &target, &text, data.below)),
        Err(Failure::Cancelled) => return Err(cancelled()),
        Err(e) => {
            let message = format!("margin: not translated to {}: {e}", to.name);
            ctx.client
                .show_message(MessageType::WARNING, message.clone())
                .await;
            action.disabled = Some(CodeActionDisabled { reason: message });
        }
    }
    Ok(action)
}

fn title(to: Lang, below: bool) -> String {
    if below {
        format!("Translate to {} (insert below)", to.name)
    } else {
        format!("Translate to {}", to.name)
    }
}

fn disabled(title: String, reason: String) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("{title} — {reason}"),
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        disabled: Some(CodeActionDisabled { reason }),
        ..Default::default()
    })
}

async fn translate(
    ctx: &Ctx,
    snap: &Snapshot,
    target: &Target,
    to: Lang,
    progress: bool,
) -> std::result::Result<String, Failure> {
    let engine = ctx
        .engine(&snap.settings, Task::Translate)
        .await
        .map_err(Failure::Model)?;
    let markdown = target.kind == crate::translating::target::TargetKind::Markdown;
    let request = Request {
        text: target.source.clone(),
        from: detect(&target.source),
        to,
        markdown,
    };
    let guard = CancelOnDrop::new();
    let report = if progress && target.source.len() >= PROGRESS_FROM_BYTES {
        Progress::begin(
            ctx,
            format!("margin: translating to {}", to.name),
            guard.flag(),
        )
        .await
    } else {
        None
    };
    let result = ctx
        .translator
        .translate(&engine, &request, Priority::Interactive, guard.flag())
        .await;
    if let Some(report) = report {
        report.finish(ctx).await;
    }
    result
}

fn edit(snap: &Snapshot, target: &Target, translated: &str, below: bool) -> WorkspaceEdit {
    let edit = if below {
        let (at, text) = target.insertion_below(&snap.text, translated);
        TextEdit {
            range: snap.range(at..at),
            new_text: text,
        }
    } else {
        TextEdit {
            range: snap.range(target.range.clone()),
            new_text: target.replacement(translated),
        }
    };
    WorkspaceEdit {
        changes: Some(HashMap::from([(snap.uri.clone(), vec![edit])])),
        ..Default::default()
    }
}
