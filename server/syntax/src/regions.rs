//! Prose regions: what the model sees of a document (plain text without
//! markers or indentation), with an exact map back to document bytes and the
//! plain-text spans edits must not touch.
//!
//! Design:
//! * Joining: adjacent own-line line comments (consecutive lines, same kind
//!   and marker, only whitespace between, not a `margin:` marker) form ONE
//!   region whose lines are joined with `\n`. Commit body lines likewise.
//!   A `\n` in the text maps to the document bytes between the two lines'
//!   text (line break, next line's marker and indentation).
//! * `protected`: plain-text byte ranges an edit must not touch: code spans,
//!   URLs, inline HTML, entities, string escapes/interpolations, backtick
//!   code in comments, LaTeX commands/math/refs. A zero-width range `p..p`
//!   marks hidden markup (e.g. a Markdown link destination) at `p`: an edit
//!   whose span strictly contains `p` must be rejected. See
//!   [`ProseRegion::touches_protected`].
//! * Captures of one node by several query patterns: the last pattern wins;
//!   a capture nested in another capture is dropped (outermost wins). The
//!   capture `@ignore` yields no region but claims its node, so it removes
//!   captures of that node and inside it (e.g. import paths).

use std::ops::Range;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor};

use crate::map::{Builder, OffsetMap};
use crate::queries::{self, QueryError};
use crate::units::{self, Join, Unit};
use crate::{markers, Language, SyntaxTree};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    Paragraph,
    Heading,
    ListItem,
    BlockQuote,
    TableCell,
    Comment,
    DocComment,
    StringLiteral,
    CommitSubject,
    CommitBody,
    Text,
}

impl RegionKind {
    /// From a query capture name (without `@`).
    pub fn from_capture_name(name: &str) -> Option<RegionKind> {
        Some(match name {
            "paragraph" => RegionKind::Paragraph,
            "heading" => RegionKind::Heading,
            "list_item" => RegionKind::ListItem,
            "block_quote" => RegionKind::BlockQuote,
            "table_cell" => RegionKind::TableCell,
            "comment" => RegionKind::Comment,
            "doc_comment" => RegionKind::DocComment,
            "string" => RegionKind::StringLiteral,
            "commit_subject" => RegionKind::CommitSubject,
            "commit_body" => RegionKind::CommitBody,
            "text" => RegionKind::Text,
            _ => return None,
        })
    }

    /// The capture name, without `@`.
    pub fn capture_name(self) -> &'static str {
        match self {
            RegionKind::Paragraph => "paragraph",
            RegionKind::Heading => "heading",
            RegionKind::ListItem => "list_item",
            RegionKind::BlockQuote => "block_quote",
            RegionKind::TableCell => "table_cell",
            RegionKind::Comment => "comment",
            RegionKind::DocComment => "doc_comment",
            RegionKind::StringLiteral => "string",
            RegionKind::CommitSubject => "commit_subject",
            RegionKind::CommitBody => "commit_body",
            RegionKind::Text => "text",
        }
    }
}

/// The capture name that claims a node without making a region.
pub const IGNORE_CAPTURE: &str = "ignore";

/// One prose region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProseRegion {
    pub kind: RegionKind,
    /// Plain text the model sees.
    pub text: String,
    /// Document byte range from the first to the last byte of `text`.
    pub doc_range: Range<usize>,
    /// Plain-text ranges edits must not touch (sorted; may be zero-width).
    pub protected: Vec<Range<usize>>,
    map: OffsetMap,
}

impl ProseRegion {
    /// Document offset of a plain-text byte offset. At a segment boundary
    /// (a joined line break, hidden markup) the offset maps to the end of the
    /// earlier text, e.g. the end of the previous line's text.
    pub fn doc_offset(&self, text_offset: usize) -> usize {
        self.map.left(text_offset)
    }

    /// Document byte range of a plain-text span: the start maps to the first
    /// byte of the span's text, the end to just after its last byte (so
    /// hidden markup on either side is excluded). An empty span maps like
    /// [`doc_offset`](Self::doc_offset).
    pub fn doc_range_of(&self, span: Range<usize>) -> Range<usize> {
        if span.is_empty() {
            let d = self.map.left(span.start);
            return d..d;
        }
        let s = self.map.right(span.start);
        s..self.map.left(span.end).max(s)
    }

    /// Whether an edit of plain-text `span` touches a protected range: it
    /// overlaps a non-empty one, or strictly contains a zero-width one. An
    /// insertion (empty span) touches a range it falls strictly inside.
    pub fn touches_protected(&self, span: Range<usize>) -> bool {
        self.protected.iter().any(|p| {
            if p.is_empty() || span.is_empty() {
                let (pt, r) = if p.is_empty() {
                    (p.start, &span)
                } else {
                    (span.start, p)
                };
                r.start < pt && pt < r.end
            } else {
                span.start < p.end && p.start < span.end
            }
        })
    }

    /// Stable 64-bit FNV-1a hash of kind and text (same across runs and
    /// builds).
    pub fn content_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let kind = self.kind.capture_name().as_bytes();
        for &b in kind.iter().chain([0u8].iter()).chain(self.text.as_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

/// Options for [`extract_regions`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ExtractOptions<'a> {
    /// Include `@string` captures (string literals). Off by default.
    pub include_strings: bool,
    /// Directory whose `<lang>/prose.scm` overrides the embedded query.
    pub queries_dir: Option<&'a std::path::Path>,
}

/// Regions plus non-fatal problems (an invalid override query: the embedded
/// query was used instead).
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    pub regions: Vec<ProseRegion>,
    pub warnings: Vec<QueryError>,
}

/// Prose regions of `text` in document order. `tree` should be `text`'s
/// parse; if it is `None` (or of another language) the text is parsed here.
/// `PlainText`: paragraphs split on blank lines. `Err` only if the embedded
/// query of `lang` is broken.
pub fn extract_regions(
    text: &str,
    tree: Option<&SyntaxTree>,
    lang: Language,
    opts: &ExtractOptions,
) -> Result<Extracted, QueryError> {
    let marks = markers::scan(text);
    let mut out = Extracted::default();
    if marks
        .iter()
        .any(|m| m.kind == markers::MarkerKind::DisableFile)
    {
        return Ok(out);
    }
    let owned;
    let tree = match tree {
        Some(t) if t.language() == lang && t.tree().is_some() => Some(t),
        _ => match SyntaxTree::new(lang) {
            Some(mut t) => {
                t.parse(text);
                owned = t;
                Some(&owned)
            }
            None => None,
        },
    };
    let mut units = match tree {
        None => units::plain_units(text),
        Some(st) => {
            let loaded = queries::load(lang, opts.queries_dir)?;
            out.warnings.extend(loaded.warning);
            let caps = captures(st, &loaded.query, text, opts.include_strings);
            let mut v = units_for(st, text, lang, &caps);
            v.sort_by_key(|u| u.node.start);
            units::split_blank_lines(text, units::join_units(text, v))
        }
    };
    if lang == Language::GitCommit {
        let cut = commit_cutoff(text);
        units.retain(|u| u.node.start < cut);
    }
    let mut regions: Vec<(Range<usize>, ProseRegion)> = Vec::new();
    for u in units {
        if let Some(r) = build(text, u) {
            regions.push(r);
        }
    }
    let nodes: Vec<Range<usize>> = regions.iter().map(|(n, _)| n.clone()).collect();
    let keep = markers::keep(&nodes, &marks, text.len());
    out.regions = regions
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|((_, r), _)| r)
        .collect();
    Ok(out)
}

/// Captured nodes, deduplicated and sorted, with their kinds.
fn captures<'t>(
    st: &'t SyntaxTree,
    query: &tree_sitter::Query,
    text: &str,
    include_strings: bool,
) -> Vec<(Node<'t>, RegionKind)> {
    let Some(tree) = st.tree() else {
        return Vec::new();
    };
    // `None`: not a region capture; `Some(None)`: `@ignore`.
    let kinds: Vec<Option<Option<RegionKind>>> = query
        .capture_names()
        .iter()
        .map(|n| match *n {
            IGNORE_CAPTURE => Some(None),
            n => RegionKind::from_capture_name(n).map(Some),
        })
        .collect();
    let mut all: Vec<(Node, Option<RegionKind>, usize)> = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures() {
            if let Some(kind) = kinds[c.index as usize] {
                all.push((c.node, kind, m.pattern_index));
            }
        }
    }
    // Same range: the last pattern wins. Then outermost wins.
    all.sort_by_key(|(n, _, p)| {
        (
            n.start_byte(),
            std::cmp::Reverse(n.end_byte()),
            std::cmp::Reverse(*p),
        )
    });
    all.dedup_by_key(|(n, _, _)| n.byte_range());
    let mut out: Vec<(Node, Option<RegionKind>)> = Vec::new();
    let mut covered = 0;
    for (n, k, _) in all {
        if n.end_byte() <= covered && !out.is_empty() {
            continue;
        }
        covered = covered.max(n.end_byte());
        out.push((n, k));
    }
    out.into_iter()
        .filter_map(|(n, k)| Some((n, k?)))
        .filter(|(_, k)| include_strings || *k != RegionKind::StringLiteral)
        .collect()
}

fn units_for(
    st: &SyntaxTree,
    text: &str,
    lang: Language,
    caps: &[(Node, RegionKind)],
) -> Vec<Unit> {
    match lang {
        Language::Latex => return crate::latex::units(text, caps),
        Language::Markdown => {
            return caps
                .iter()
                .map(|(n, k)| crate::markdown::unit(st, text, n, *k))
                .collect()
        }
        _ => {}
    }
    let mut out = Vec::new();
    for (node, kind) in caps {
        let kind = *kind;
        out.extend(match kind {
            RegionKind::StringLiteral => Some(units::string_unit(text, node, kind)),
            RegionKind::CommitSubject => {
                let mut u = units::lines_unit(text, node, kind, Join::No);
                let mut c = node.walk();
                u.protected
                    .extend(node.named_children(&mut c).map(|n| n.byte_range()));
                Some(u)
            }
            RegionKind::CommitBody => Some(units::lines_unit(text, node, kind, Join::Row)),
            RegionKind::Comment | RegionKind::DocComment => units::comment_unit(text, node, kind),
            _ => Some(units::lines_unit(text, node, kind, Join::No)),
        });
    }
    out
}

/// Start of the scissors line or of a `diff --git` line (end if none).
fn commit_cutoff(text: &str) -> usize {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        if l.starts_with("diff --git ") || (l.starts_with('#') && l.contains(">8")) {
            return start;
        }
        start += line.len();
    }
    text.len()
}

fn build(text: &str, mut u: Unit) -> Option<(Range<usize>, ProseRegion)> {
    u.hidden.sort_by_key(|h| h.range.start);
    let (plain, map, mut protected) =
        Builder::new(text).build(&u.lines, &u.hidden, &u.protected)?;
    crate::protect::scan(&plain, u.kind, &mut protected);
    Some((
        u.node,
        ProseRegion {
            kind: u.kind,
            doc_range: map.doc_span(),
            text: plain,
            protected,
            map,
        },
    ))
}
