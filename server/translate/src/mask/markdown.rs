//! The Markdown layout, read with tree-sitter-md: content lines of every
//! `inline` / `pipe_table_cell` node (block continuations, markers, pipes
//! left out), blocks split at hard line breaks, and the inline tree's code
//! spans, tags, entities, autolinks, escapes, math, emphasis and links as
//! protected items.

use std::ops::Range;

use margin_syntax::tree_sitter::Node;
use margin_syntax::{collect_inlines, Language, SyntaxTree};

use super::layout::{plain, trim, Item, Layout, Line, Role};
use crate::scan::{scan, ScanOpts, SpanKind};

/// Layout of Markdown: the lines of every `inline` / `pipe_table_cell`
/// node, split into blocks at hard line breaks, with code spans, tags,
/// entities, autolinks, escapes, math, emphasis and links as items.
pub(crate) fn markdown(text: &str, html: bool) -> Layout {
    let Some(mut st) = SyntaxTree::new(Language::Markdown) else {
        return plain(text, html);
    };
    // tree-sitter-md wants a final line break ("# Title" alone is an ERROR).
    let src = format!("{text}\n");
    st.parse(&src);
    let Some(tree) = st.tree() else {
        return plain(text, html);
    };
    let mut inlines = Vec::new();
    collect_inlines(tree.root_node(), &mut inlines);
    let mut layout = Layout::default();
    let mut pairs = 0;
    for node in inlines {
        let mut breaks = Vec::new();
        if let Some(it) = st.inline_tree(&node) {
            walk(
                it.root_node(),
                &Walk { src: &src, html },
                &mut layout.items,
                &mut breaks,
                &mut pairs,
            );
        }
        let mut new_block = true;
        for line in inline_lines(&src, &node) {
            let line = trim(text, line.start.min(text.len())..line.end.min(text.len()));
            let brk = breaks.iter().find(|&&b| b >= line.start && b <= line.end);
            match brk {
                Some(&b) => {
                    layout.push_line(trim(text, line.start..b), &mut new_block);
                    new_block = true;
                }
                None => layout.push_line(line, &mut new_block),
            }
        }
    }
    for it in &mut layout.items {
        it.range.end = it.range.end.min(text.len());
        it.label.end = it.label.end.min(text.len());
    }
    layout
        .items
        .retain(|i| !i.range.is_empty() && !splits_placeholder(text, &layout.lines, i));
    layout.scan_rest(text, ScanOpts { html, code: true });
    layout
}

/// tree-sitter-md reads `$…$` as math even across placeholders
/// (`%1$d and %2$s`): such a math item is dropped so the scanner sees the
/// placeholders.
fn splits_placeholder(text: &str, lines: &[Line], item: &Item) -> bool {
    if item.kind != SpanKind::Code || !text[item.range.clone()].starts_with('$') {
        return false;
    }
    let r = &item.range;
    lines
        .iter()
        .filter(|l| l.range.start <= r.start && r.start < l.range.end)
        .any(|l| {
            scan(
                &text[l.range.clone()],
                ScanOpts {
                    html: false,
                    code: false,
                },
            )
            .iter()
            .any(|f| {
                let (s, e) = (l.range.start + f.range.start, l.range.start + f.range.end);
                (s < r.start && e > r.start) || (s < r.end && e > r.end)
            })
        })
}

/// The trimmed lines of an inline node, without block continuations
/// (`>` markers, list indentation) at their start.
fn inline_lines(text: &str, node: &Node) -> Vec<Range<usize>> {
    let mut c = node.walk();
    let conts: Vec<Range<usize>> = node
        .named_children(&mut c)
        .map(|n| n.byte_range())
        .collect();
    let range = node.byte_range();
    let mut out = Vec::new();
    let mut start = range.start;
    loop {
        let end = text[start..range.end]
            .find('\n')
            .map_or(range.end, |i| start + i);
        let mut s = trim(text, start..end).start;
        while let Some(c) = conts
            .iter()
            .find(|c| c.start <= s && c.end > s && c.start >= start)
        {
            s = trim(text, c.end.min(end)..end).start;
        }
        out.push(trim(text, s.min(end)..end));
        if end >= range.end {
            break;
        }
        start = end + 1;
    }
    out
}

const LINKS: &[&str] = &[
    "inline_link",
    "image",
    "full_reference_link",
    "collapsed_reference_link",
    "shortcut_link",
];

fn is_emphasis(kind: &str) -> bool {
    matches!(kind, "emphasis" | "strong_emphasis" | "strikethrough")
}

/// Delimiter runs of an emphasis node: (end of the opening run, start of
/// the closing run).
fn delimiter_bounds(node: Node) -> (usize, usize) {
    let mut c = node.walk();
    let kids: Vec<Node> = node.children(&mut c).collect();
    let mut open = node.start_byte();
    for k in &kids {
        if k.kind() != "emphasis_delimiter" || k.start_byte() != open {
            break;
        }
        open = k.end_byte();
    }
    let mut close = node.end_byte();
    for k in kids.iter().rev() {
        if k.kind() != "emphasis_delimiter" || k.end_byte() != close {
            break;
        }
        close = k.start_byte();
    }
    (open, close)
}

/// Whether `$…$` / `$$…$$` is math by GitHub's rules (no space inside the
/// dollars, no digit after the closing one), not prose like
/// "costs $5 or $10".
fn plausible_math(s: &str, after: &str) -> bool {
    let n = if s.starts_with("$$") && s.ends_with("$$") && s.len() > 4 {
        2
    } else {
        1
    };
    let inner = &s[n.min(s.len())..s.len().saturating_sub(n).max(n.min(s.len()))];
    !inner.is_empty()
        && !inner.starts_with(char::is_whitespace)
        && !inner.ends_with(char::is_whitespace)
        && (n == 2 || !inner.contains('$'))
        && !after.starts_with(|c: char| c.is_ascii_digit())
}

struct Walk<'a> {
    src: &'a str,
    html: bool,
}

fn walk(node: Node, w: &Walk, items: &mut Vec<Item>, breaks: &mut Vec<usize>, pairs: &mut usize) {
    let (src, html) = (w.src, w.html);
    let kind = node.kind();
    let verbatim = match kind {
        "latex_block" if !plausible_math(&src[node.byte_range()], &src[node.end_byte()..]) => {
            return
        }
        "code_span" | "latex_block" => Some(SpanKind::Code),
        "uri_autolink" | "email_autolink" => Some(SpanKind::Url),
        "entity_reference" | "numeric_character_reference" => Some(SpanKind::Html),
        "html_tag" if html => Some(SpanKind::Html),
        "html_tag" => return,
        "backslash_escape" => Some(SpanKind::Escape),
        _ => None,
    };
    if let Some(kind) = verbatim {
        let r = node.byte_range();
        items.push(Item {
            range: r.clone(),
            kind,
            role: Role::Verbatim,
            label: r,
        });
        return;
    }
    if kind == "hard_line_break" {
        breaks.push(node.start_byte());
        return;
    }
    let mut pair = |open: Range<usize>, close: Range<usize>, items: &mut Vec<Item>| {
        let label = open.start..close.end;
        let p = *pairs;
        *pairs += 1;
        items.push(Item {
            range: open,
            kind: SpanKind::Markup,
            role: Role::Open(p),
            label: label.clone(),
        });
        items.push(Item {
            range: close,
            kind: SpanKind::Markup,
            role: Role::Close(p),
            label,
        });
    };
    let whole = |items: &mut Vec<Item>| {
        let r = node.byte_range();
        items.push(Item {
            range: r.clone(),
            kind: SpanKind::Markup,
            role: Role::Verbatim,
            label: r,
        });
    };
    let mut c = node.walk();
    if is_emphasis(kind) {
        let (mut open, mut close) = delimiter_bounds(node);
        if open >= close {
            return whole(items);
        }
        // `~~x~~` and `***x***` nest same-extent nodes: one pair for all.
        let mut inner = node;
        loop {
            let mut c = inner.walk();
            let content: Vec<Node> = inner
                .children(&mut c)
                .filter(|k| k.kind() != "emphasis_delimiter")
                .collect();
            match content.as_slice() {
                [only]
                    if is_emphasis(only.kind())
                        && only.start_byte() == open
                        && only.end_byte() == close =>
                {
                    let (o, cl) = delimiter_bounds(*only);
                    if o >= cl {
                        break;
                    }
                    (open, close, inner) = (o, cl, *only);
                }
                _ => break,
            }
        }
        pair(node.start_byte()..open, close..node.end_byte(), items);
        let mut c = inner.walk();
        for k in inner
            .children(&mut c)
            .filter(|k| k.kind() != "emphasis_delimiter")
        {
            walk(k, w, items, breaks, pairs);
        }
        return;
    }
    if LINKS.contains(&kind) {
        let text = node
            .children(&mut c)
            .find(|k| matches!(k.kind(), "link_text" | "image_description"));
        match text {
            Some(t) if t.end_byte() > t.start_byte() => {
                pair(
                    node.start_byte()..t.start_byte(),
                    t.end_byte()..node.end_byte(),
                    items,
                );
                walk(t, w, items, breaks, pairs);
            }
            _ => whole(items),
        }
        return;
    }
    for k in node.children(&mut c) {
        walk(k, w, items, breaks, pairs);
    }
}
