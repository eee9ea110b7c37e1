//! Units: one captured node's prose lines, hidden and protected document
//! ranges, before adjacent units are joined (line comments, commit body
//! lines) into regions, and blank-line splitting (LaTeX text, plain text).

use std::ops::Range;

use tree_sitter::Node;

use crate::comments::{comment_shape, is_marker_text, string_lines};
use crate::map::{trimmed_lines, Hidden};
use crate::RegionKind;

/// How a unit may be joined with the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Join {
    No,
    /// An own-line line comment with this marker: joins the next unit if
    /// that is one too, same kind and marker, on the very next line.
    Line(String),
    /// Joins the next unit of the same kind on the very next line.
    Row,
}

#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub kind: RegionKind,
    /// Whole captured node(s), markers included.
    pub node: Range<usize>,
    pub first_row: usize,
    pub last_row: usize,
    pub lines: Vec<Range<usize>>,
    pub hidden: Vec<Hidden>,
    pub protected: Vec<Range<usize>>,
    pub join: Join,
}

impl Unit {
    pub fn new(kind: RegionKind, node: &Node, lines: Vec<Range<usize>>) -> Unit {
        Unit {
            kind,
            node: node.byte_range(),
            first_row: node.start_position().row,
            last_row: node.end_position().row,
            lines,
            hidden: Vec::new(),
            protected: Vec::new(),
            join: Join::No,
        }
    }
}

fn row_of(doc: &str, byte: usize) -> usize {
    doc.as_bytes()[..byte]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Whether only whitespace precedes `at` on its line.
fn starts_line(doc: &str, at: usize) -> bool {
    let ls = doc[..at].rfind('\n').map_or(0, |i| i + 1);
    doc[ls..at].trim().is_empty()
}

/// Named descendants of a string literal that must not be edited.
fn string_protected(node: &Node, out: &mut Vec<Range<usize>>) {
    let mut c = node.walk();
    for ch in node.named_children(&mut c) {
        let k = ch.kind();
        if [
            "escape",
            "interpolation",
            "substitution",
            "expansion",
            "character_reference",
        ]
        .iter()
        .any(|p| k.contains(p))
        {
            out.push(ch.byte_range());
        } else {
            string_protected(&ch, out);
        }
    }
}

/// A comment node (or a Python docstring captured as a doc comment).
pub(crate) fn comment_unit(doc: &str, node: &Node, kind: RegionKind) -> Option<Unit> {
    if node.kind() == "string" || node.kind().ends_with("_literal") {
        return Some(string_unit(doc, node, kind));
    }
    let shape = comment_shape(doc, node.byte_range())?;
    let mut u = Unit::new(kind, node, shape.lines);
    let body_end = crate::map::trim(doc, node.byte_range()).end;
    u.last_row = row_of(doc, body_end);
    let first = u
        .lines
        .iter()
        .find(|l| !l.is_empty())
        .map(|l| &doc[l.clone()]);
    let marker = first.is_some_and(is_marker_text);
    if !shape.block && !marker && starts_line(doc, node.start_byte()) {
        u.join = Join::Line(shape.marker);
    }
    Some(u)
}

pub(crate) fn string_unit(doc: &str, node: &Node, kind: RegionKind) -> Unit {
    let mut u = Unit::new(kind, node, string_lines(doc, node.byte_range()));
    string_protected(node, &mut u.protected);
    u
}

/// A node whose trimmed lines are all prose (commit subject/body lines).
pub(crate) fn lines_unit(doc: &str, node: &Node, kind: RegionKind, join: Join) -> Unit {
    let mut u = Unit::new(kind, node, trimmed_lines(doc, node.byte_range()));
    u.last_row = row_of(doc, crate::map::trim(doc, node.byte_range()).end);
    u.join = join;
    u
}

fn joinable(doc: &str, a: &Unit, b: &Unit) -> bool {
    a.kind == b.kind
        && b.first_row == a.last_row + 1
        && doc[a.node.end.min(b.node.start)..b.node.start]
            .trim()
            .is_empty()
        && match (&a.join, &b.join) {
            (Join::Line(x), Join::Line(y)) => x == y,
            (Join::Row, Join::Row) => true,
            _ => false,
        }
}

/// Join adjacent units (sorted by start) where their `Join` allows it.
pub(crate) fn join_units(doc: &str, units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        match out.last_mut() {
            Some(prev) if joinable(doc, prev, &u) => {
                prev.node.end = u.node.end;
                prev.last_row = u.last_row;
                prev.lines.extend(u.lines);
                prev.hidden.extend(u.hidden);
                prev.protected.extend(u.protected);
            }
            _ => out.push(u),
        }
    }
    out
}

/// Split units of paragraph-like kinds at blank lines.
pub(crate) fn split_blank_lines(doc: &str, units: Vec<Unit>) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        if !matches!(u.kind, RegionKind::Text | RegionKind::Paragraph)
            || !u.lines.iter().any(|l| l.is_empty())
        {
            out.push(u);
            continue;
        }
        for group in u.lines.split(|l| l.is_empty()).filter(|g| !g.is_empty()) {
            let start = group[0].start;
            let end = group[group.len() - 1].end;
            out.push(Unit {
                node: start..end,
                first_row: row_of(doc, start),
                last_row: row_of(doc, end),
                lines: group.to_vec(),
                hidden: u.hidden.clone(),
                protected: u.protected.clone(),
                ..u.clone()
            });
        }
    }
    out
}

/// Plain text: paragraphs separated by blank lines.
pub(crate) fn plain_units(doc: &str) -> Vec<Unit> {
    let lines = trimmed_lines(doc, 0..doc.len());
    let u = Unit {
        kind: RegionKind::Paragraph,
        node: 0..doc.len(),
        first_row: 0,
        last_row: row_of(doc, doc.len()),
        lines,
        hidden: Vec::new(),
        protected: Vec::new(),
        join: Join::No,
    };
    split_blank_lines(doc, vec![u])
}
