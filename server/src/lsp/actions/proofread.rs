//! Proofreading code actions: for margin's findings under the cursor — apply
//! this fix (preferred), fix all in this paragraph, fix all in this file, add
//! the word to the workspace or user dictionary, ignore this finding in this
//! file, disable margin for this file. Everything runs in the server (edits,
//! or commands it executes), so every editor gets the same actions.

use std::collections::HashMap;

use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::checking::Finding;
use crate::lsp::proofreading::Ctx;
use crate::lsp::{from_proto, to_proto};
use crate::text::{Document, Encoding};

use crate::lsp::api::requests::execute_command::{ADD_TO_DICTIONARY, DISABLE_FILE, IGNORE_FINDING};
use crate::lsp::api::requests::unknown_document;

pub fn offer(ctx: &Ctx, params: &CodeActionParams) -> Result<Vec<CodeActionOrCommand>> {
    let uri = params.text_document.uri.clone();
    let state = ctx.session.lock();
    let enc = state.encoding;
    let doc = state
        .documents
        .get(&uri)
        .ok_or_else(|| unknown_document(&uri))?;
    let Some(found) = state
        .findings
        .get(&uri)
        .filter(|f| f.version == doc.version() && doc.in_sync())
    else {
        return Ok(Vec::new());
    };
    let Ok(wanted) = from_proto::byte_range(doc, params.range, enc) else {
        return Ok(Vec::new());
    };
    let severity = state.settings.severity;
    let has_workspace = state.workspace_root.is_some();
    let mut actions = Vec::new();
    let under: Vec<&Finding> = found
        .findings
        .iter()
        .filter(|f| f.range.start <= wanted.end && wanted.start <= f.range.end)
        .collect();
    for f in &under {
        let diagnostic = to_proto::diagnostic(doc, f, enc, severity);
        let fix = |title: String, fixes: Vec<&Finding>, preferred: bool| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit(&uri, doc, &fixes, enc)),
                is_preferred: Some(preferred),
                ..Default::default()
            })
        };
        let label = if f.replacement.is_empty() {
            "remove".to_string()
        } else {
            format!("'{}'", f.replacement)
        };
        actions.push(fix(
            format!("Fix: '{}' → {label}", f.original),
            vec![*f],
            true,
        ));
        let paragraph: Vec<&Finding> = found
            .findings
            .iter()
            .filter(|g| g.region == f.region)
            .collect();
        if paragraph.len() > 1 {
            actions.push(fix(
                format!("Fix all {} in this paragraph", paragraph.len()),
                paragraph,
                false,
            ));
        }
        if found.findings.len() > 1 {
            let all = found.findings.iter().collect();
            actions.push(fix(
                format!("Fix all {} in this file", found.findings.len()),
                all,
                false,
            ));
        }
        let word = f.original.trim();
        if !word.is_empty() && !word.contains(char::is_whitespace) {
            if has_workspace {
                actions.push(command(
                    format!("Add '{word}' to the workspace dictionary"),
                    ADD_TO_DICTIONARY,
                    json!([word, "workspace"]),
                    Some(&diagnostic),
                ));
            }
            actions.push(command(
                format!("Add '{word}' to your dictionary"),
                ADD_TO_DICTIONARY,
                json!([word, "user"]),
                Some(&diagnostic),
            ));
        }
        let finding = json!([uri.as_str(), f.original, f.replacement, f.context]);
        actions.push(command(
            "Ignore this finding in this file".into(),
            IGNORE_FINDING,
            finding,
            Some(&diagnostic),
        ));
    }
    if !under.is_empty() {
        actions.push(command(
            "Disable margin for this file".into(),
            DISABLE_FILE,
            json!([uri.as_str()]),
            None,
        ));
    }
    Ok(actions)
}

fn edit(uri: &Uri, doc: &Document, fixes: &[&Finding], enc: Encoding) -> WorkspaceEdit {
    let edits = fixes
        .iter()
        .map(|f| TextEdit {
            range: to_proto::range(doc, f.range.clone(), enc),
            new_text: f.replacement.clone(),
        })
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

/// A code action that runs one of margin's commands; `diagnostic` is the finding it is about.
fn command(
    title: String,
    name: &str,
    arguments: serde_json::Value,
    diagnostic: Option<&Diagnostic>,
) -> CodeActionOrCommand {
    let arguments = arguments.as_array().cloned();
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(diagnostic.into_iter().cloned().collect()),
        command: Some(Command {
            title,
            command: name.to_string(),
            arguments,
        }),
        ..Default::default()
    })
}
