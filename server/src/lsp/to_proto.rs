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

pub fn severity(s: crate::config::Severity) -> ls_types::DiagnosticSeverity {
    use crate::config::Severity::*;
    match s {
        Error => ls_types::DiagnosticSeverity::ERROR,
        Warning => ls_types::DiagnosticSeverity::WARNING,
        Information => ls_types::DiagnosticSeverity::INFORMATION,
        Hint => ls_types::DiagnosticSeverity::HINT,
    }
}

/// A finding as a diagnostic: range on the original words, category as code.
pub fn diagnostic(
    doc: &Document,
    f: &crate::checking::Finding,
    enc: Encoding,
    severity: crate::config::Severity,
) -> ls_types::Diagnostic {
    ls_types::Diagnostic {
        range: range(doc, f.range.clone(), enc),
        severity: Some(self::severity(severity)),
        code: Some(ls_types::NumberOrString::String(
            f.category_name().to_string(),
        )),
        source: Some("margin".to_string()),
        message: f.message.clone(),
        data: Some(serde_json::json!({"original": f.original, "replacement": f.replacement})),
        ..Default::default()
    }
}
