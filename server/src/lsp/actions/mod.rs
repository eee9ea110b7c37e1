//! Code actions, by feature: proofreading fixes and commands, translations,
//! code suggestions. Actions that need the model carry [`ActionData`] and get
//! their edit on `codeAction/resolve` when the client supports that.

mod progress;
pub mod proofread;
pub mod suggest;
pub mod translate;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::ls_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Command};

/// Runs a deferred action for clients without `codeAction/resolve`: computes the edit
/// and applies it with `workspace/applyEdit`.
pub const APPLY_ACTION: &str = "margin.applyAction";

/// An action whose edit needs the model: resolved lazily (`data`) when the client
/// supports it, else a command that computes and applies the edit.
pub fn deferred(title: String, data: ActionData, lazy: bool) -> CodeActionOrCommand {
    let mut action = CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        ..Default::default()
    };
    if lazy {
        action.data = Some(data.to_value());
    } else {
        action.command = Some(Command {
            title,
            command: APPLY_ACTION.to_string(),
            arguments: Some(vec![data.to_value()]),
        });
    }
    CodeActionOrCommand::CodeAction(action)
}

/// What a lazily resolved action is about (the `data` field, tagged `margin`).
#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(tag = "margin", rename_all = "lowercase")]
pub enum ActionData {
    Translate(translate::Data),
    Suggest(suggest::Data),
}

impl ActionData {
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn from_value(value: &Value) -> Option<ActionData> {
        serde_json::from_value(value.clone()).ok()
    }
}
