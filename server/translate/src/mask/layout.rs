//! Layout: which bytes of a text are translatable content (lines grouped
//! into blocks) and which protected items sit inside them. Everything
//! outside the content lines (list markers, `#`, `>`, indentation, table
//! pipes, code blocks, blank lines) is structure and never reaches the
//! model. Markdown is read with tree-sitter-md; plain text with a small
//! line scanner that knows list markers and `>` quotes (the Markdown
//! reading is in `markdown.rs`).

use std::ops::Range;

use crate::scan::{scan, ScanOpts, SpanKind};

/// One content line (trimmed); `new_block` starts a new model line.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub range: Range<usize>,
    pub new_block: bool,
}

/// How an item stands in for markup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Kept as it is (placeholder, code, tag, URL…).
    Verbatim,
    /// Opening half of pair `n` (`**`, `[`).
    Open(usize),
    /// Closing half of pair `n` (`**`, `](url)`).
    Close(usize),
}

/// A protected item: its bytes, kind, role and the text that names it in
/// messages (the whole construct for a pair).
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub range: Range<usize>,
    pub kind: SpanKind,
    pub role: Role,
    pub label: Range<usize>,
}

/// Content lines and protected items (sorted, non-overlapping).
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub lines: Vec<Line>,
    pub items: Vec<Item>,
}

/// `r` without surrounding whitespace.
pub(crate) fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    start..(r.start + s.trim_end().len()).max(start)
}

impl Layout {
    pub(crate) fn push_line(&mut self, range: Range<usize>, new_block: &mut bool) {
        if range.is_empty() {
            return;
        }
        self.lines.push(Line {
            range,
            new_block: *new_block,
        });
        *new_block = false;
    }

    /// Add verbatim items for `ranges` (non-overlapping, not overlapping
    /// existing items), classified by the scanner.
    pub(crate) fn add_verbatim(&mut self, text: &str, mut ranges: Vec<Range<usize>>) {
        ranges.sort_by_key(|r| r.start);
        ranges.dedup_by(|b, a| b.start < a.end);
        for range in ranges {
            let kind = scan(&text[range.clone()], ScanOpts::ALL)
                .first()
                .map_or(SpanKind::Code, |f| f.kind);
            self.items.push(Item {
                label: range.clone(),
                range,
                kind,
                role: Role::Verbatim,
            });
        }
        self.items.sort_by_key(|i| i.range.start);
    }

    /// Add the scanner's spans found in content not covered by items.
    pub(crate) fn scan_rest(&mut self, text: &str, opts: ScanOpts) {
        self.items.sort_by_key(|i| i.range.start);
        let mut extra = Vec::new();
        for line in &self.lines {
            let lr = line.range.clone();
            let mut pos = lr.start;
            let lo = self.items.partition_point(|i| i.range.end <= lr.start);
            let hi = self.items.partition_point(|i| i.range.start < lr.end);
            let covered = self.items[lo..hi.max(lo)].iter();
            let mut gaps: Vec<Range<usize>> = Vec::new();
            for it in covered {
                if it.range.start > pos {
                    gaps.push(pos..it.range.start);
                }
                pos = pos.max(it.range.end);
            }
            if pos < line.range.end {
                gaps.push(pos..line.range.end);
            }
            for g in gaps {
                for f in scan(&text[g.clone()], opts) {
                    let range = g.start + f.range.start..g.start + f.range.end;
                    extra.push(Item {
                        label: range.clone(),
                        range,
                        kind: f.kind,
                        role: Role::Verbatim,
                    });
                }
            }
        }
        self.items.extend(extra);
        self.items.sort_by_key(|i| i.range.start);
    }
}

/// Layout of plain text: paragraphs of lines with the same indentation;
/// a list marker (`-`, `*`, `+`, `•`, `1.`, `1)`) or a change of quote
/// depth starts a new block.
pub(crate) fn plain(text: &str, html: bool) -> Layout {
    let mut layout = Layout::default();
    let mut new_block = true;
    let mut prev: Option<(usize, usize)> = None; // (content column, quote depth)
    let mut start = 0;
    while start <= text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let (prefix_len, depth, marker) = plain_prefix(line);
        let content = trim(text, start + prefix_len..end);
        if content.is_empty() {
            new_block = true;
            prev = None;
        } else {
            let col = text[start..content.start].chars().count();
            if marker || prev != Some((col, depth)) {
                new_block = true;
            }
            layout.push_line(content, &mut new_block);
            prev = Some((col, depth));
        }
        start = end + 1;
    }
    layout.scan_rest(text, ScanOpts { html, code: true });
    layout
}

/// Length of a plain line's structural prefix, its quote depth and whether
/// it has a list marker.
fn plain_prefix(line: &str) -> (usize, usize, bool) {
    let b = line.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    ws(&mut i);
    let mut depth = 0;
    while i < b.len() && b[i] == b'>' {
        depth += 1;
        i += 1;
        ws(&mut i);
    }
    let rest = &line[i..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker_len = if rest.starts_with(['-', '*', '+']) {
        1
    } else if rest.starts_with('•') {
        '•'.len_utf8()
    } else if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
        digits + 1
    } else {
        0
    };
    let after = &rest[marker_len..];
    if marker_len > 0 && (after.starts_with([' ', '\t']) || after.trim().is_empty()) {
        i += marker_len;
        ws(&mut i);
        return (i, depth, true);
    }
    (i, depth, false)
}
