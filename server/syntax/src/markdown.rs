//! Markdown units: a captured block node's `inline` / `pipe_table_cell`
//! content, read through tree-sitter-md's inline trees.
//!
//! * Text keeps the words of emphasis and links; emphasis delimiters, link
//!   brackets and escaping backslashes are hidden (not in the text). A hidden
//!   link destination / reference label leaves a zero-width protected point
//!   where it was, so an edit spanning it is rejected.
//! * Code spans, autolinks, inline HTML, `$math$` and entities stay in the
//!   text verbatim and are protected.
//! * Block continuation (`>` markers, list indentation), heading `#`s and
//!   table pipes are never part of the text; each line is trimmed.

use std::ops::Range;

use tree_sitter::Node;

use crate::map::{trim, Hidden};
use crate::units::Unit;
use crate::{RegionKind, SyntaxTree};

const PROTECTED: &[&str] = &[
    "code_span",
    "uri_autolink",
    "email_autolink",
    "html_tag",
    "latex_block",
    "entity_reference",
    "numeric_character_reference",
];

const LINKS: &[&str] = &[
    "inline_link",
    "image",
    "full_reference_link",
    "collapsed_reference_link",
];

/// The `inline` and `pipe_table_cell` nodes under `node` of a Markdown block tree, in
/// document order (each holds text parsed by the inline grammar).
pub fn collect_inlines<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    if matches!(node.kind(), "inline" | "pipe_table_cell") {
        out.push(node);
        return;
    }
    let mut c = node.walk();
    for ch in node.children(&mut c) {
        collect_inlines(ch, out);
    }
}

fn walk_inline(node: Node, hidden: &mut Vec<Hidden>, protected: &mut Vec<Range<usize>>) {
    let kind = node.kind();
    if PROTECTED.contains(&kind) {
        protected.push(node.byte_range());
        return;
    }
    match kind {
        "emphasis_delimiter" => {
            hidden.push(Hidden {
                range: node.byte_range(),
                protect: false,
            });
            return;
        }
        "backslash_escape" | "hard_line_break" => {
            let s = node.start_byte();
            if kind == "backslash_escape" || node.child_count() > 0 {
                hidden.push(Hidden {
                    range: s..s + 1,
                    protect: false,
                });
            }
            return;
        }
        _ => {}
    }
    let mut c = node.walk();
    if LINKS.contains(&kind) {
        let text = node
            .children(&mut c)
            .find(|ch| matches!(ch.kind(), "link_text" | "image_description"));
        match text {
            Some(t) => {
                hidden.push(Hidden {
                    range: node.start_byte()..t.start_byte(),
                    protect: false,
                });
                hidden.push(Hidden {
                    range: t.end_byte()..node.end_byte(),
                    protect: true,
                });
                walk_inline(t, hidden, protected);
            }
            // No text (`[](url)`): nothing readable, protect it all.
            None => protected.push(node.byte_range()),
        }
        return;
    }
    for ch in node.children(&mut c) {
        walk_inline(ch, hidden, protected);
    }
}

/// The unit for a captured Markdown block node.
pub(crate) fn unit(st: &SyntaxTree, doc: &str, node: &Node, kind: RegionKind) -> Unit {
    let mut inlines = Vec::new();
    collect_inlines(*node, &mut inlines);
    let mut u = Unit::new(kind, node, Vec::new());
    for inl in inlines {
        let mut c = inl.walk();
        let conts: Vec<Range<usize>> = inl.named_children(&mut c).map(|n| n.byte_range()).collect();
        let range = inl.byte_range();
        let mut start = range.start;
        loop {
            let end = doc[start..range.end]
                .find('\n')
                .map_or(range.end, |i| start + i);
            let mut s = trim(doc, start..end).start.max(start);
            // Skip block continuations (`> `, list indentation) at line start.
            while let Some(c) = conts
                .iter()
                .find(|c| c.start <= s && c.end > s && c.start >= start)
            {
                s = trim(doc, c.end.min(end)..end).start;
            }
            u.lines.push(trim(doc, s.min(end)..end));
            if end >= range.end {
                break;
            }
            start = end + 1;
        }
        if let Some(it) = st.inline_tree(&inl) {
            walk_inline(it.root_node(), &mut u.hidden, &mut u.protected);
        }
    }
    u.hidden.sort_by_key(|h| (h.range.start, h.range.end));
    u
}
