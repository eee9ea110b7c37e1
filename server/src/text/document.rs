//! An open document: its text as a rope, the client's version, its language,
//! and a tree-sitter tree kept current by incremental edits.
//!
//! Edits arrive as byte ranges (the `lsp` layer converts positions first);
//! each edit is applied to the rope and described to the tree as an
//! `InputEdit` in bytes and byte-column points, and the tree is reparsed
//! with the old tree once per batch of edits.

use std::ops::Range;

use margin_syntax::{Language, SyntaxTree};
use ropey::Rope;
use tree_sitter::InputEdit;

use super::edit_log::EditLog;
use super::positions::{self, Encoding, LineCol, PositionError};

/// Why a document is not analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    TooLarge { bytes: usize, limit: usize },
    Binary,
}

impl Skip {
    /// Why `text` would not be analysed under a `max_bytes` limit, if it would not.
    pub fn of_text(text: &str, max_bytes: usize) -> Option<Skip> {
        Skip::of(text.len(), max_bytes, || text.contains('\0'))
    }

    /// The one rule: too large first (no scan of a huge text), then NUL bytes.
    fn of(bytes: usize, max_bytes: usize, has_nul: impl FnOnce() -> bool) -> Option<Skip> {
        if bytes > max_bytes {
            Some(Skip::TooLarge {
                bytes,
                limit: max_bytes,
            })
        } else if has_nul() {
            Some(Skip::Binary)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::TooLarge { bytes, limit } => {
                write!(
                    f,
                    "{bytes} bytes is over maxFileBytes ({limit}); not analysed"
                )
            }
            Skip::Binary => write!(f, "contains NUL bytes (binary?); not analysed"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("edit range {start}..{end} is outside the document ({len} bytes)")]
    OutOfBounds {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error(transparent)]
    Position(#[from] PositionError),
}

pub struct Document {
    rope: Rope,
    version: i32,
    language_id: String,
    language: Option<Language>,
    syntax: Option<SyntaxTree>,
    /// False after an edit could not be applied: the text no longer matches the client's.
    in_sync: bool,
    max_bytes: usize,
    skip: Option<Skip>,
    edits: EditLog,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: &str, max_bytes: usize) -> Self {
        let language = Language::from_language_id(language_id);
        let mut doc = Document {
            rope: Rope::from_str(text),
            version,
            language_id: language_id.to_string(),
            language,
            syntax: None,
            in_sync: true,
            max_bytes,
            skip: None,
            edits: EditLog::new(version),
        };
        doc.reset_syntax();
        doc
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }
    pub fn text(&self) -> String {
        self.rope.to_string()
    }
    pub fn version(&self) -> i32 {
        self.version
    }
    pub fn language_id(&self) -> &str {
        &self.language_id
    }
    pub fn language(&self) -> Option<Language> {
        self.language
    }
    pub fn syntax(&self) -> Option<&SyntaxTree> {
        self.syntax.as_ref()
    }
    pub fn in_sync(&self) -> bool {
        self.in_sync
    }
    /// Why the document is not analysed, if it is not.
    pub fn skipped(&self) -> Option<&Skip> {
        self.skip.as_ref()
    }
    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Where `range` of version `from` is in the current text, if no edit since touched it.
    pub fn map_range(&self, from: i32, range: Range<usize>) -> Option<Range<usize>> {
        self.edits.map(from, range)
    }

    /// Whether ranges of version `from` can still be mapped to the current text.
    pub fn can_map_from(&self, from: i32) -> bool {
        self.edits.reaches(from)
    }

    /// Byte range of a position range in `enc`.
    pub fn byte_range(
        &self,
        start: LineCol,
        end: LineCol,
        enc: Encoding,
    ) -> Result<Range<usize>, PositionError> {
        positions::to_range(&self.rope, start, end, enc)
    }

    /// Replace the whole text (a full-document change); brings the document back in sync.
    pub fn replace_all(&mut self, text: &str, version: i32) {
        self.rope = Rope::from_str(text);
        self.version = version;
        self.in_sync = true;
        self.edits.reset(version);
        self.reset_syntax();
    }

    /// Apply one edit given as a byte range; call [`Document::finish_edits`] after a batch.
    pub fn apply_edit(&mut self, range: Range<usize>, new_text: &str) -> Result<(), EditError> {
        let len = self.rope.len_bytes();
        if range.start > range.end || range.end > len {
            return Err(EditError::OutOfBounds {
                start: range.start,
                end: range.end,
                len,
            });
        }
        let start_position = positions::to_point(&self.rope, range.start);
        let old_end_position = positions::to_point(&self.rope, range.end);
        let start_char = self.rope.byte_to_char(range.start);
        let end_char = self.rope.byte_to_char(range.end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.edits.record(range.clone(), new_text.len());
        let new_end_byte = range.start + new_text.len();
        let edit = InputEdit {
            start_byte: range.start,
            old_end_byte: range.end,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position: positions::to_point(&self.rope, new_end_byte),
        };
        if let Some(syntax) = self.syntax.as_mut() {
            syntax.edit(&edit);
        }
        Ok(())
    }

    /// End a batch of edits: record the version and reparse incrementally.
    pub fn finish_edits(&mut self, version: i32) {
        self.version = version;
        self.edits.finish(version);
        self.refresh_skip();
        if self.skip.is_some() {
            self.syntax = None;
            return;
        }
        if self.syntax.is_none() {
            self.reset_syntax();
            return;
        }
        let text = self.rope.to_string();
        if let Some(syntax) = self.syntax.as_mut() {
            syntax.parse(&text);
        }
    }

    /// Mark the text as no longer matching the client's (after a failed edit).
    pub fn mark_out_of_sync(&mut self) {
        self.in_sync = false;
        self.edits.reset(i32::MAX);
    }

    fn refresh_skip(&mut self) {
        let rope = &self.rope;
        self.skip = Skip::of(rope.len_bytes(), self.max_bytes, || {
            rope.chunks().any(|c| c.contains('\0'))
        });
    }

    fn reset_syntax(&mut self) {
        self.refresh_skip();
        self.syntax = None;
        if self.skip.is_some() {
            return;
        }
        if let Some(mut syntax) = self.language.and_then(SyntaxTree::new) {
            syntax.parse(&self.rope.to_string());
            self.syntax = Some(syntax);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_the_tree_equal_to_a_fresh_parse() {
        let mut doc = Document::new("fn main() {\n    // helo wrld\n}\n", 1, "rust", 1 << 20);
        let at = doc.text().find("helo").unwrap();
        doc.apply_edit(at..at + 4, "hello").unwrap();
        let at = doc.text().find("wrld").unwrap();
        doc.apply_edit(at..at + 4, "world 🌍").unwrap();
        doc.finish_edits(2);
        assert_eq!(doc.text(), "fn main() {\n    // hello world 🌍\n}\n");
        let fresh = Document::new(&doc.text(), 2, "rust", 1 << 20);
        assert_eq!(doc.syntax().unwrap().dump(), fresh.syntax().unwrap().dump());
    }

    #[test]
    fn out_of_bounds_edit_is_an_error_not_a_panic() {
        let mut doc = Document::new("short", 1, "markdown", 1 << 20);
        assert!(matches!(
            doc.apply_edit(3..99, "x"),
            Err(EditError::OutOfBounds { .. })
        ));
        assert_eq!(doc.text(), "short");
    }

    #[test]
    fn large_and_binary_files_are_not_analysed() {
        let doc = Document::new(&"word ".repeat(100), 1, "markdown", 64);
        assert!(matches!(doc.skipped(), Some(Skip::TooLarge { .. })));
        assert!(doc.syntax().is_none());
        let doc = Document::new("a\0b", 1, "rust", 1 << 20);
        assert_eq!(doc.skipped(), Some(&Skip::Binary));
        let mut doc = Document::new("ok", 1, "rust", 1 << 20);
        assert!(doc.skipped().is_none() && doc.syntax().is_some());
        doc.apply_edit(0..0, "\0").unwrap();
        doc.finish_edits(2);
        assert_eq!(doc.skipped(), Some(&Skip::Binary));
    }
}
