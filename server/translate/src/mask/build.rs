//! Building the model text from a layout: one model line per translatable
//! block (its soft-wrapped lines joined by spaces), protected items as
//! themselves or as numbered tokens, and what the restore needs to put
//! the block back (range, wrap width, continuation prefix, line ending).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::layout::{Item, Layout, Role};
use super::Protected;
use crate::scan::{scan, ScanOpts};

/// Longest original kept verbatim in the model text; longer ones (and
/// multi-line ones) become `<N/>` tokens.
const MAX_SELF_MASK: usize = 64;

/// A translatable block as the restore needs it.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// Bytes of the block in the core text (first to last content byte).
    pub range: Range<usize>,
    /// The model line.
    pub line: String,
    /// Whether the block spans several source lines (re-wrapped on restore).
    pub multi: bool,
    /// Widest source line of the block, in characters.
    pub width: usize,
    /// Column where the block starts.
    pub first_col: usize,
    /// Prefix of continuation lines (`"  "`, `"> "`).
    pub cont_prefix: String,
    /// `"\n"` or `"\r\n"`.
    pub newline: &'static str,
    /// Markdown block where a line start is parsed as block structure (not
    /// a heading or table cell): a changed first word that would start a
    /// list, heading or quote gets a backslash.
    pub escape: bool,
}

/// A pair of tokens whose order the restore checks (both in one block).
#[derive(Clone, Debug)]
pub(crate) struct PairCheck {
    pub open: String,
    pub close: String,
    pub label: String,
}

/// The result of [`build`].
pub(crate) struct Built {
    pub blocks: Vec<Block>,
    pub spans: Vec<Protected>,
    pub pairs: Vec<PairCheck>,
    /// Source ranges of spans the scanner finds only in the joined model
    /// line (e.g. a code span wrapped over two lines): to become items.
    pub extra: Vec<Range<usize>>,
}

/// How to build.
pub(crate) struct BuildOpts<'a> {
    /// Items that must become tokens.
    pub force: &'a HashSet<usize>,
    /// Column the core text starts at.
    pub lead_col: usize,
    pub markdown: bool,
    pub html: bool,
}

static TOKEN_NUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"</?(\d{1,4})/?>").expect("token regex"));

/// Shortened label for messages.
fn label(s: &str) -> String {
    if s.chars().count() <= 60 {
        return s.to_string();
    }
    let cut: String = s.chars().take(57).collect();
    format!("{cut}…")
}

/// Column (characters since the start of the line) of byte `p`.
fn col(core: &str, p: usize, lead_col: usize) -> usize {
    match core[..p].rfind('\n') {
        Some(i) => core[i + 1..p].chars().count(),
        None => lead_col + core[..p].chars().count(),
    }
}

/// Build blocks and spans. Items in `force` become tokens even when they
/// could be kept verbatim. `lead_col` is the column the core starts at.
pub(crate) fn build(core: &str, layout: &Layout, o: &BuildOpts) -> Built {
    let (force, lead_col) = (o.force, o.lead_col);
    let items = &layout.items;
    // Group lines into blocks; merge a block into the previous one when an
    // item crosses the boundary (never happens with tree-sitter items).
    let mut groups: Vec<Vec<Range<usize>>> = Vec::new();
    for l in &layout.lines {
        // Items are sorted and disjoint, so their ends are sorted too.
        let crossing = groups.last().and_then(|g| g.last()).is_some_and(|last| {
            let k = items.partition_point(|i| i.range.start < last.end);
            k > 0 && items[k - 1].range.end > l.range.start
        });
        match groups.last_mut() {
            Some(g) if !l.new_block || crossing => g.push(l.range.clone()),
            _ => groups.push(vec![l.range.clone()]),
        }
    }
    let used: HashSet<usize> = TOKEN_NUM
        .captures_iter(core)
        .filter_map(|c| c[1].parse().ok())
        .collect();
    let mut next_num = 0;
    let mut alloc = || loop {
        next_num += 1;
        if !used.contains(&next_num) {
            return next_num;
        }
    };
    let mut pair_nums: HashMap<usize, usize> = HashMap::new();
    let mut out = Built {
        blocks: Vec::new(),
        spans: Vec::new(),
        pairs: Vec::new(),
        extra: Vec::new(),
    };
    for lines in groups {
        let range = lines[0].start..lines[lines.len() - 1].end;
        let lo = items.partition_point(|i| i.range.start < range.start);
        let hi = items.partition_point(|i| i.range.start < range.end);
        let items: Vec<(usize, &Item)> = (lo..hi).map(|i| (i, &layout.items[i])).collect();
        if !has_prose(core, &lines, &items) {
            continue;
        }
        // An item may end after the last line (never with these layouts):
        // the block then owns those bytes too.
        let range = range.start
            ..items
                .iter()
                .map(|(_, i)| i.range.end)
                .fold(range.end, usize::max);
        let mut line = String::new();
        // Copied source text (model offset, source offset, length) and
        // token ranges in the model line.
        let mut copied: Vec<(usize, usize, usize)> = Vec::new();
        let mut token_ranges: Vec<Range<usize>> = Vec::new();
        let mut pos = range.start;
        let mut next = items.iter().peekable();
        let mut opened: HashMap<usize, String> = HashMap::new();
        for l in &lines {
            if l.end <= pos {
                continue;
            }
            if l.start > pos && !line.is_empty() && !line.ends_with(' ') {
                line.push(' ');
            }
            let mut p = pos.max(l.start);
            while p < l.end {
                match next.peek() {
                    // An item starting before `p` (in a gap) cannot happen
                    // with these layouts; skip it rather than slice backwards.
                    Some((_, it)) if it.range.start < p => {
                        debug_assert!(false, "item {:?} starts before {p}", it.range);
                        next.next();
                    }
                    Some((idx, it)) if it.range.start < l.end => {
                        copied.push((line.len(), p, it.range.start - p));
                        line.push_str(&core[p..it.range.start]);
                        let original = &core[it.range.clone()];
                        let token = match it.role {
                            Role::Verbatim
                                if !force.contains(idx)
                                    && original.len() <= MAX_SELF_MASK
                                    && !original.contains(['\n', '\r']) =>
                            {
                                original.to_string()
                            }
                            Role::Verbatim => format!("<{}/>", alloc()),
                            Role::Open(n) => {
                                let num = *pair_nums.entry(n).or_insert_with(&mut alloc);
                                opened.insert(n, format!("<{num}>"));
                                format!("<{num}>")
                            }
                            Role::Close(n) => {
                                let num = *pair_nums.entry(n).or_insert_with(&mut alloc);
                                let close = format!("</{num}>");
                                if let Some(open) = opened.remove(&n) {
                                    let label = label(&core[it.label.clone()]);
                                    out.pairs.push(PairCheck {
                                        open,
                                        close: close.clone(),
                                        label,
                                    });
                                }
                                close
                            }
                        };
                        token_ranges.push(line.len()..line.len() + token.len());
                        line.push_str(&token);
                        out.spans.push(Protected {
                            original: original.to_string(),
                            token,
                            kind: it.kind,
                            label: label(&core[it.label.clone()]),
                            item: *idx,
                        });
                        p = it.range.end;
                        next.next();
                    }
                    _ => {
                        copied.push((line.len(), p, l.end - p));
                        line.push_str(&core[p..l.end]);
                        p = l.end;
                    }
                }
            }
            pos = p;
        }
        out.extra.extend(unmasked_spans(
            &line,
            &copied,
            &token_ranges,
            &layout.items,
            o.html,
        ));
        let gaps: Vec<&str> = lines
            .windows(2)
            .map(|w| &core[w[0].end..w[1].start])
            .collect();
        let last_gap = gaps.last().copied().unwrap_or("");
        out.blocks.push(Block {
            width: lines
                .iter()
                .map(|l| col(core, l.end, lead_col))
                .max()
                .unwrap_or(0),
            first_col: col(core, range.start, lead_col),
            cont_prefix: last_gap.rsplit('\n').next().unwrap_or("").to_string(),
            newline: if gaps.iter().any(|g| g.contains("\r\n")) {
                "\r\n"
            } else {
                "\n"
            },
            multi: lines.len() > 1,
            escape: o.markdown && {
                let line_start = core[..range.start].rfind('\n').map_or(0, |i| i + 1);
                !core[line_start..range.start].contains(['#', '|'])
            },
            range,
            line,
        });
    }
    out
}

/// Whether the block has a letter outside its protected items.
fn has_prose(core: &str, lines: &[Range<usize>], items: &[(usize, &Item)]) -> bool {
    lines.iter().any(|l| {
        let mut p = l.start;
        for (_, it) in items
            .iter()
            .filter(|(_, i)| i.range.end > l.start && i.range.start < l.end)
        {
            if it.range.start > p && core[p..it.range.start].chars().any(char::is_alphabetic) {
                return true;
            }
            p = p.max(it.range.end);
        }
        p < l.end && core[p..l.end].chars().any(char::is_alphabetic)
    })
}

/// Spans the scanner finds in a model line outside its tokens, mapped back
/// to source ranges that overlap no item.
fn unmasked_spans(
    line: &str,
    copied: &[(usize, usize, usize)],
    tokens: &[Range<usize>],
    items: &[Item],
    html: bool,
) -> Vec<Range<usize>> {
    let src_start = |a: usize| {
        copied
            .iter()
            .find(|(m, _, n)| *m <= a && a < m + n)
            .map(|(m, s, _)| s + (a - m))
    };
    let src_end = |b: usize| {
        copied
            .iter()
            .find(|(m, _, n)| *m < b && b <= m + n)
            .map(|(m, s, _)| s + (b - m))
    };
    scan(line, ScanOpts { html, code: true })
        .into_iter()
        .filter(|f| {
            !tokens
                .iter()
                .any(|t| t.start < f.range.end && f.range.start < t.end)
        })
        .filter_map(|f| Some(src_start(f.range.start)?..src_end(f.range.end)?))
        .filter(|r| {
            !items
                .iter()
                .any(|i| i.range.start < r.end && r.start < i.range.end)
        })
        .collect()
}
