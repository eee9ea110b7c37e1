//! LaTeX units: body `text` runs merged across inline material (math,
//! `\ref`, `\cite`, commands) into paragraphs, with every command token,
//! brace, math span and label/ref/cite/path argument protected, and `%`
//! comments inside a paragraph hidden.

use std::ops::Range;

use tree_sitter::Node;

use crate::map::{trimmed_lines, Hidden};
use crate::units::Unit;
use crate::RegionKind;

/// Siblings that may sit between two `text` runs of one paragraph.
const INLINE: &[&str] = &[
    "inline_formula",
    "label_reference",
    "label_reference_range",
    "citation",
    "generic_command",
    "hyperlink",
    "acronym_reference",
    "glossary_entry_reference",
    "color_reference",
    "line_comment",
];

/// Nodes protected as a whole.
const PROTECT_WHOLE: &[&str] = &[
    "inline_formula",
    "displayed_equation",
    "math_environment",
    "label_reference",
    "label_reference_range",
    "label_definition",
    "citation",
    "hyperlink",
    "graphics_include",
    "acronym_reference",
    "glossary_entry_reference",
    "color_reference",
    "curly_group_label",
    "curly_group_label_list",
    "curly_group_path",
    "curly_group_path_list",
    "curly_group_uri",
    "brack_group",
    "brack_group_key_value",
];

fn walk(node: Node, hidden: &mut Vec<Hidden>, protected: &mut Vec<Range<usize>>) {
    let kind = node.kind();
    if kind == "line_comment" {
        hidden.push(Hidden {
            range: node.byte_range(),
            protect: false,
        });
    } else if PROTECT_WHOLE.contains(&kind) {
        protected.push(node.byte_range());
    } else if node.child_count() == 0 {
        if kind != "word" {
            protected.push(node.byte_range());
        }
    } else {
        let mut c = node.walk();
        for ch in node.children(&mut c) {
            walk(ch, hidden, protected);
        }
    }
}

fn mergeable(doc: &str, a: &Node, b: &Node) -> bool {
    if a.parent() != b.parent() {
        return false;
    }
    let pieces: Vec<&str> = doc[a.end_byte()..b.start_byte()].split('\n').collect();
    if pieces.len() > 2
        && pieces[1..pieces.len() - 1]
            .iter()
            .any(|l| l.trim().is_empty())
    {
        return false;
    }
    let mut s = a.next_sibling();
    while let Some(n) = s {
        if n == *b {
            return true;
        }
        if !INLINE.contains(&n.kind()) {
            return false;
        }
        // A `% margin:` marker line separates runs.
        if n.kind() == "line_comment"
            && crate::comments::is_marker_text(doc[n.byte_range()].trim_start_matches('%'))
        {
            return false;
        }
        s = n.next_sibling();
    }
    false
}

/// Units for LaTeX captures (sorted by start, nested ones removed).
pub(crate) fn units(doc: &str, caps: &[(Node, RegionKind)]) -> Vec<Unit> {
    let mut groups: Vec<(RegionKind, Vec<Node>)> = Vec::new();
    for &(node, kind) in caps {
        match groups.last_mut() {
            Some((RegionKind::Text, g))
                if kind == RegionKind::Text && mergeable(doc, g.last().unwrap(), &node) =>
            {
                g.push(node)
            }
            _ => groups.push((kind, vec![node])),
        }
    }
    let mut out = Vec::new();
    for (kind, nodes) in groups {
        let first = nodes[0];
        let last = *nodes.last().unwrap();
        if kind == RegionKind::Comment || kind == RegionKind::DocComment {
            out.extend(crate::units::comment_unit(doc, &first, kind));
            continue;
        }
        let range = first.start_byte()..last.end_byte();
        let mut lines = trimmed_lines(doc, range.clone());
        // A `% margin:` marker line inside a run splits it like a blank line.
        for l in &mut lines {
            let t = &doc[l.clone()];
            if t.starts_with('%') && crate::comments::is_marker_text(t.trim_start_matches('%')) {
                *l = l.start..l.start;
            }
        }
        let mut u = Unit::new(kind, &first, lines);
        u.node = range;
        u.last_row = last.end_position().row;
        // Walk the runs and everything between them.
        let mut n = Some(first);
        while let Some(node) = n {
            walk(node, &mut u.hidden, &mut u.protected);
            if node == last {
                break;
            }
            n = node.next_sibling();
        }
        u.hidden.sort_by_key(|h| h.range.start);
        out.push(u);
    }
    out
}
