//! Code-suggestion actions: `Complete this line` anywhere in code,
//! `Implement this function` on a function whose body is empty or a
//! placeholder (`todo!()`, `pass`, `// TODO`…), and `Write a doc comment` on
//! a function without one. The model runs only for the action picked
//! (resolve, or the `margin.applyAction` command); a suggestion that fails
//! verification, or adds a destructive operation the code does not have, is
//! not applied and a message says so.

use std::collections::HashMap;

use margin_engine::Priority;
use margin_suggest::context::Task;
use margin_suggest::function_at;
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::lsp::cancel::{cancelled, CancelOnDrop};
use crate::lsp::proofreading::Ctx;
use crate::lsp::snapshot::Snapshot;
use crate::lsp::suggestions::{is_code, request};
use crate::suggesting::SuggestFailure;

/// What `codeAction/resolve` needs.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Data {
    pub uri: Uri,
    pub version: i32,
    pub cursor: usize,
    /// `complete`, `implement` or `doc`.
    pub task: String,
}

fn task_name(task: Task) -> &'static str {
    match task {
        Task::Complete => "complete",
        Task::ImplementFunction => "implement",
        Task::DocComment => "doc",
    }
}

fn parse_task(name: &str) -> Option<Task> {
    Some(match name {
        "complete" => Task::Complete,
        "implement" => Task::ImplementFunction,
        "doc" => Task::DocComment,
        _ => return None,
    })
}

pub fn offer(ctx: &Ctx, snap: &Snapshot, range: Range) -> Vec<CodeActionOrCommand> {
    if !snap.settings.suggest || !is_code(snap.lang) {
        return Vec::new();
    }
    let Ok(cursor) = snap.offset(range.start) else {
        return Vec::new();
    };
    let lazy = ctx.session.lock().client.code_action_resolve;
    let mut tasks = Vec::new();
    let line_end = snap.text[cursor..]
        .find('\n')
        .map_or(snap.text.len(), |i| cursor + i);
    let line_start = snap.text[..cursor].rfind('\n').map_or(0, |i| i + 1);
    if !snap.text[line_start..line_end].trim().is_empty() {
        tasks.push((Task::Complete, line_end, "Complete this line".to_string()));
    }
    if let Some(f) = function_at(&snap.text, snap.lang, None, cursor) {
        if f.body_is_empty_or_todo {
            tasks.push((
                Task::ImplementFunction,
                cursor,
                format!("Implement `{}`", f.name),
            ));
        }
        if f.doc_range.is_none() {
            tasks.push((
                Task::DocComment,
                cursor,
                format!("Write a doc comment for `{}`", f.name),
            ));
        }
    }
    tasks
        .into_iter()
        .map(|(task, at, title)| {
            let data = Data {
                uri: snap.uri.clone(),
                version: snap.version,
                cursor: at,
                task: task_name(task).into(),
            };
            super::deferred(title, super::ActionData::Suggest(data), lazy)
        })
        .collect()
}

pub async fn resolve(ctx: &Ctx, mut action: CodeAction, data: Data) -> Result<CodeAction> {
    action.edit = None;
    let snap = Snapshot::take_at(&ctx.session, &data.uri, data.version)?;
    let task = parse_task(&data.task)
        .ok_or_else(|| Error::invalid_params(format!("unknown task `{}`", data.task)))?;
    let engine = ctx
        .engine(&snap.settings, margin_engine::models::Task::Suggest)
        .await
        .map_err(Error::invalid_params)?;
    let guard = CancelOnDrop::new();
    let req = request(&snap, data.cursor.min(snap.text.len()), task);
    match ctx
        .suggester
        .suggest(&engine, &req, Priority::Interactive, guard.flag())
        .await
    {
        Ok(s) if s.warning.is_some() => {
            let warning = s.warning.unwrap_or_default();
            let message = format!("margin: {}: not applied: the suggestion would add {warning}, which the code does not do", action.title);
            ctx.client
                .show_message(MessageType::WARNING, message.clone())
                .await;
            action.disabled = Some(CodeActionDisabled { reason: message });
        }
        Ok(s) => {
            let edit = TextEdit {
                range: snap.range(s.range.clone()),
                new_text: s.text,
            };
            action.edit = Some(WorkspaceEdit {
                changes: Some(HashMap::from([(snap.uri.clone(), vec![edit])])),
                ..Default::default()
            });
        }
        Err(SuggestFailure::Cancelled) => return Err(cancelled()),
        Err(e) => {
            let message = format!("margin: {}: {e}", action.title);
            ctx.client
                .show_message(MessageType::INFO, message.clone())
                .await;
            action.disabled = Some(CodeActionDisabled { reason: message });
        }
    }
    Ok(action)
}
