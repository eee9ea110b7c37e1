//! Protocol → core conversions.

use std::ops::Range;

use tower_lsp_server::ls_types;

use crate::text::{Document, Encoding, LineCol, PositionError};

pub fn line_col(position: ls_types::Position) -> LineCol {
    LineCol::new(position.line, position.character)
}

/// Byte range of an LSP range in the document, counted in the negotiated encoding.
pub fn byte_range(
    doc: &Document,
    range: ls_types::Range,
    enc: Encoding,
) -> Result<Range<usize>, PositionError> {
    doc.byte_range(line_col(range.start), line_col(range.end), enc)
}

/// The negotiated encoding from the client's offer.
pub fn encoding(capabilities: &ls_types::ClientCapabilities) -> Encoding {
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    Encoding::negotiate(offered.into_iter().flatten().map(|kind| kind.as_str()))
}
