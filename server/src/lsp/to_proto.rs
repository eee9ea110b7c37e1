//! Core → protocol conversions.

use tower_lsp_server::ls_types;

use crate::text::{positions, Document, Encoding, LineCol};

pub fn position(lc: LineCol) -> ls_types::Position {
    ls_types::Position::new(lc.line, lc.col)
}

/// LSP range of a byte range in the document, counted in `enc`.
pub fn range(doc: &Document, bytes: std::ops::Range<usize>, enc: Encoding) -> ls_types::Range {
    let rope = doc.rope();
    ls_types::Range::new(
        position(positions::to_line_col(rope, bytes.start, enc)),
        position(positions::to_line_col(rope, bytes.end, enc)),
    )
}

pub fn encoding(enc: Encoding) -> ls_types::PositionEncodingKind {
    match enc {
        Encoding::Utf8 => ls_types::PositionEncodingKind::UTF8,
        Encoding::Utf16 => ls_types::PositionEncodingKind::UTF16,
        Encoding::Utf32 => ls_types::PositionEncodingKind::UTF32,
    }
}
