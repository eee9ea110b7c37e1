//! Whole documents for `margin translate FILE`: [`segments`] cuts a
//! document into translatable blocks and verbatim blocks (code blocks,
//! front matter, HTML blocks, link reference definitions, thematic breaks,
//! blank lines), and [`translate_document`] translates block by block and
//! splices the results back; verbatim blocks stay byte-identical and a
//! block that cannot be translated safely stays in the original language
//! and is reported.

use std::ops::Range;

use margin_syntax::tree_sitter::Node;
use margin_syntax::{Language, SyntaxTree};

use crate::prompt::TranslatePrompt;
use crate::translate::{translate_text, TranslateError, TranslateOptions};

/// A run of the document: translate it, or copy it as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in the document.
    pub range: Range<usize>,
    /// Whether the range holds prose to translate.
    pub translate: bool,
}

/// Blocks whose bytes are never translated.
const VERBATIM: &[&str] = &[
    "fenced_code_block",
    "indented_code_block",
    "html_block",
    "link_reference_definition",
    "minus_metadata",
    "plus_metadata",
    "thematic_break",
];

/// Split `text` into consecutive segments covering it exactly. Markdown:
/// one translatable segment per top-level block with inline content
/// (paragraph, heading, list, block quote, table), read with tree-sitter;
/// everything else verbatim (a code block nested in a list stays part of
/// the list segment; masking keeps it verbatim). Plain text: paragraphs
/// separated by blank lines. Translatable segments never start or end
/// with a line break; adjacent verbatim runs are merged.
pub fn segments(text: &str, markdown: bool) -> Vec<Segment> {
    let mut blocks = Vec::new();
    let parsed = markdown
        .then(|| SyntaxTree::new(Language::Markdown))
        .flatten()
        .and_then(|mut st| {
            // tree-sitter-md wants a final line break ("# Title" alone is
            // an ERROR); ranges past the end are clamped below.
            st.parse(&format!("{text}\n"));
            let tree = st.tree()?;
            leaves(tree.root_node(), &mut blocks);
            Some(())
        });
    if parsed.is_none() {
        blocks = paragraphs(text);
    }
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |range: Range<usize>, translate: bool| {
        if range.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if !translate && !last.translate => last.range.end = range.end,
            _ => out.push(Segment { range, translate }),
        }
    };
    let mut pos = 0;
    for b in blocks {
        let b = b.start.min(text.len())..b.end.min(text.len());
        if b.start < pos {
            continue;
        }
        push(pos..b.start, false);
        let body = &text[b.clone()];
        let start = b.start + (body.len() - body.trim_start_matches(['\n', '\r']).len());
        let end = b.start + body.trim_end().len();
        if start < end && text[start..end].chars().any(char::is_alphabetic) {
            push(b.start..start, false);
            push(start..end, true);
            push(end..b.end, false);
        } else {
            push(b.clone(), false);
        }
        pos = b.end;
    }
    push(pos..text.len(), false);
    out
}

/// Translatable top-level blocks (descending into sections).
fn leaves(node: Node, out: &mut Vec<Range<usize>>) {
    let mut c = node.walk();
    for child in node.children(&mut c) {
        match child.kind() {
            "section" => leaves(child, out),
            k if VERBATIM.contains(&k) => {}
            _ if has_inline(child) => out.push(child.byte_range()),
            _ => {}
        }
    }
}

fn has_inline(node: Node) -> bool {
    if matches!(node.kind(), "inline" | "pipe_table_cell") {
        return true;
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(has_inline);
    found
}

/// Plain text paragraphs: runs of non-blank lines.
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(pos),
            (true, Some(s)) => {
                out.push(s..pos);
                start = None;
            }
            _ => {}
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// A segment left in the original language, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFailure {
    /// Byte range in the source document.
    pub range: Range<usize>,
    /// The reason, as [`TranslateError`] phrases it.
    pub error: String,
}

/// A translated document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentTranslation {
    /// The document with every translatable segment that could be
    /// translated replaced; all other bytes as in the source.
    pub text: String,
    /// Segments translated.
    pub translated: usize,
    /// Segments with nothing to translate or already in the target language.
    pub skipped: usize,
    /// Segments kept in the original language because the translation was
    /// not safe (a lost span, broken lines, wrong language…).
    pub failures: Vec<SegmentFailure>,
    /// Model calls made, retries included.
    pub model_calls: usize,
}

/// Translate a whole document segment by segment (see [`segments`]; the
/// Markdown reading follows `opts.markdown`). Only a model error (or
/// cancellation) aborts; other failures keep the segment's original text
/// and are listed in [`DocumentTranslation::failures`].
pub fn translate_document<E>(
    text: &str,
    opts: &TranslateOptions,
    count: impl Fn(&str) -> usize,
    mut call: impl FnMut(&TranslatePrompt) -> Result<String, E>,
) -> Result<DocumentTranslation, E> {
    let mut doc = DocumentTranslation {
        text: String::with_capacity(text.len() * 2),
        translated: 0,
        skipped: 0,
        failures: Vec::new(),
        model_calls: 0,
    };
    for seg in segments(text, opts.markdown) {
        let src = &text[seg.range.clone()];
        if !seg.translate {
            doc.text.push_str(src);
            continue;
        }
        let counted = |p: &TranslatePrompt| {
            doc.model_calls += 1;
            call(p)
        };
        match translate_text(src, opts, &count, counted) {
            Ok(t) => {
                doc.text.push_str(&t.text);
                doc.translated += 1;
            }
            Err(TranslateError::Model(e)) => return Err(e),
            Err(TranslateError::Empty | TranslateError::SameLanguage { .. }) => {
                doc.text.push_str(src);
                doc.skipped += 1;
            }
            Err(e) => {
                doc.text.push_str(src);
                doc.failures.push(SegmentFailure {
                    range: seg.range,
                    error: e.map_model(|_| "model error").to_string(),
                });
            }
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests;
