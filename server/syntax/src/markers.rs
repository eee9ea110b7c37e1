//! Ignore markers, found by scanning the document text in any language.
//!
//! A marker is a comment that *starts its line* and whose text begins with a
//! `margin:` directive, e.g. `// margin:ignore`, `# margin:disable`,
//! `<!-- margin:enable -->`, `% margin:disable-file`. Prose that merely
//! mentions a directive mid-line is not a marker.
//!
//! Semantics, applied to extracted regions:
//! * Regions lying on a marker's line (the marker comment itself) are dropped.
//! * `margin:disable-file` anywhere: no regions at all.
//! * `margin:disable` … `margin:enable` (or end of file): regions overlapping
//!   that span are dropped.
//! * `margin:ignore`: if a region contains the marker (e.g. a block comment
//!   that starts with it) that region is dropped; otherwise the first region
//!   starting after the marker's line is dropped.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    Ignore,
    Disable,
    Enable,
    DisableFile,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub kind: MarkerKind,
    /// Document range of the marker's line (without its line break).
    pub line: Range<usize>,
    /// Offset of `margin:`.
    pub at: usize,
    /// Start of the next line.
    pub next: usize,
}

const OPENERS: &[&str] = &["<!--", "/*", "//", "#", "--", "%", ";", "*"];

/// Parse one line; `Some` if it is a marker line.
fn parse_line(line: &str) -> Option<(MarkerKind, usize)> {
    let body = line.trim_start();
    let opener = OPENERS.iter().find(|o| body.starts_with(*o))?;
    let c = opener.chars().next()?;
    let mut rest = &body[opener.len()..];
    if opener.len() <= 2 && *opener != "/*" {
        rest = rest.trim_start_matches(c);
    }
    let rest = rest.trim_start_matches(['!', '*']).trim_start();
    let at = line.len() - rest.len();
    let word = rest.strip_prefix("margin:")?;
    let end = word
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'))
        .unwrap_or(word.len());
    let kind = match &word[..end] {
        "ignore" => MarkerKind::Ignore,
        "disable" => MarkerKind::Disable,
        "enable" => MarkerKind::Enable,
        "disable-file" => MarkerKind::DisableFile,
        _ => return None,
    };
    Some((kind, at))
}

/// All marker lines of `doc`, in order.
pub(crate) fn scan(doc: &str) -> Vec<Marker> {
    let mut out = Vec::new();
    if !doc.contains("margin:") {
        return out;
    }
    let mut start = 0;
    for line in doc.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some((kind, at)) = parse_line(content) {
            out.push(Marker {
                kind,
                line: start..start + content.len(),
                at: start + at,
                next: start + line.len(),
            });
        }
        start += line.len();
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Indices of regions (given by their node ranges, in document order) to
/// keep under `markers`.
pub(crate) fn keep(nodes: &[Range<usize>], markers: &[Marker], doc_len: usize) -> Vec<bool> {
    let mut keep = vec![true; nodes.len()];
    if markers.iter().any(|m| m.kind == MarkerKind::DisableFile) {
        return vec![false; nodes.len()];
    }
    let on_marker_line = |r: &Range<usize>| {
        markers
            .iter()
            .any(|m| r.start >= m.line.start && r.end <= m.next && r.start <= m.at)
    };
    for (k, r) in keep.iter_mut().zip(nodes) {
        if on_marker_line(r) {
            *k = false;
        }
    }
    let mut disabled: Option<usize> = None;
    let mut spans = Vec::new();
    for m in markers {
        match m.kind {
            MarkerKind::Disable if disabled.is_none() => disabled = Some(m.line.start),
            MarkerKind::Enable => {
                if let Some(s) = disabled.take() {
                    spans.push(s..m.line.end.max(s + 1));
                }
            }
            _ => {}
        }
    }
    if let Some(s) = disabled {
        spans.push(s..doc_len.max(s + 1));
    }
    for (k, r) in keep.iter_mut().zip(nodes) {
        if spans.iter().any(|s| overlaps(s, r)) {
            *k = false;
        }
    }
    for m in markers.iter().filter(|m| m.kind == MarkerKind::Ignore) {
        let containing = nodes
            .iter()
            .position(|r| r.start <= m.at && m.at < r.end && !on_marker_line(r));
        let target = containing.or_else(|| {
            nodes
                .iter()
                .position(|r| r.start >= m.line.end && !on_marker_line(r))
        });
        if let Some(i) = target {
            keep[i] = false;
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_marker_lines() {
        let k = |s: &str| parse_line(s).map(|x| x.0);
        assert_eq!(k("// margin:ignore"), Some(MarkerKind::Ignore));
        assert_eq!(k("  # margin:disable"), Some(MarkerKind::Disable));
        assert_eq!(k("<!-- margin:enable -->"), Some(MarkerKind::Enable));
        assert_eq!(k("% margin:disable-file"), Some(MarkerKind::DisableFile));
        assert_eq!(k("-- margin:ignore next"), Some(MarkerKind::Ignore));
        assert_eq!(k("/* margin:ignore */"), Some(MarkerKind::Ignore));
        assert_eq!(k("/// margin:ignore"), Some(MarkerKind::Ignore));
        assert_eq!(k("Use margin:ignore to skip"), None);
        assert_eq!(k("// see margin:ignore"), None);
        assert_eq!(k("// margin:ignored"), None);
        assert_eq!(k("// margin:disable-filex"), None);
    }
}
