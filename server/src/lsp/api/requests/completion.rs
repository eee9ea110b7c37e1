//! `textDocument/completion`: at most one item, margin's verified code
//! suggestion, marked as an AI suggestion. It replaces the word being typed
//! (so the editor's own filtering keeps working) and the list is incomplete,
//! so the editor asks again as the user types (answered from the cache).
//! Every failure answers an empty list, never an error. A suggestion that
//! adds a destructive operation is flagged in its label and detail.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::proofreading::Ctx;
use crate::lsp::suggestions;

pub async fn run(ctx: &Ctx, params: CompletionParams) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let mut items = Vec::new();
    if let Some((snap, s)) =
        suggestions::at_cursor(ctx, &position.text_document.uri, position.position).await
    {
        let word_start = snap.text[..s.range.start]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(s.range.start, |(i, _)| i);
        let typed = &snap.text[word_start..s.range.start];
        let new_text = format!("{typed}{}", s.text);
        let first_line = new_text.lines().next().unwrap_or_default().trim();
        let label: String = if first_line.chars().count() > 60 {
            format!("{}…", first_line.chars().take(60).collect::<String>())
        } else {
            first_line.to_string()
        };
        let (label, detail, warning) = match &s.warning {
            Some(w) => (
                format!("⚠ {label}"),
                format!("margin · AI suggestion · WARNING: {w}"),
                format!("**⚠ Warning: {w}**, which the code around it does not do.\n\n"),
            ),
            None => (
                label,
                "margin · AI suggestion (local model)".into(),
                String::new(),
            ),
        };
        items.push(CompletionItem {
            label,
            label_details: Some(CompletionItemLabelDetails {
                detail: None,
                description: Some("margin AI".into()),
            }),
            kind: Some(CompletionItemKind::TEXT),
            detail: Some(detail),
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!(
                    "{warning}```{}\n{}\n```",
                    snap.lang.name().to_ascii_lowercase(),
                    new_text
                ),
            })),
            filter_text: Some(new_text.clone()),
            insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: snap.range(word_start..s.range.end),
                new_text,
            })),
            sort_text: Some("~margin".into()),
            ..Default::default()
        });
    }
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: true,
        items,
    })))
}
