//! The cursor window: whole lines of the enclosing function (or lines around
//! the cursor), with the signature pinned, cut to a token budget line by
//! line. Dropped runs of lines become one `// ...` line.

use std::ops::Range;

use margin_syntax::Language;

use super::render::elide_comment;
use super::Task;
use crate::outline::Def;
use crate::text::{indentation, Lines};

/// Without an enclosing function: lines considered before / after the cursor.
const PLAIN_BEFORE: usize = 40;
const PLAIN_AFTER: usize = 20;
/// Inside a function: at most this many lines before / after the cursor.
pub(crate) const MAX_BEFORE: usize = 120;
pub(crate) const MAX_AFTER: usize = 40;
const HARD: u8 = 2;
const SOFT: u8 = 1;
/// A suffix line costs this many prefix lines (prefix is kept ~3:1).
const SUFFIX_WEIGHT: usize = 3;

/// The lines a window may show and the order they are given up in.
pub(crate) struct Window<'a> {
    text: &'a str,
    lines: Lines<'a>,
    cursor: usize,
    /// Cursor line.
    c: usize,
    first: usize,
    last: usize,
    /// Lines that are always shown, by index - first: `HARD` (the
    /// signature) or `SOFT` (with `ImplementFunction`, the doc comment).
    pinned: Vec<u8>,
    /// Optional lines, most important first, with their side (prefix?).
    order: Vec<(usize, bool)>,
    /// Task shows the function top-down instead of around the cursor.
    top_down: bool,
    /// Token count of each line in `first..=last` (0 when not a candidate).
    tok: Vec<usize>,
    /// Tokens of the cursor line's text before / after the cursor.
    cursor_tok: (usize, usize),
    marker: String,
}

/// Which lines a window keeps.
#[derive(Clone, Debug)]
pub(crate) struct Selection {
    kept: Vec<bool>,
    cursor_prefix: bool,
    cursor_suffix: bool,
    /// Show `// ...` where lines were dropped.
    markers: bool,
}

/// The rendered window.
pub(crate) struct Rendered {
    pub prefix: String,
    pub suffix: String,
    /// Kept lines (1-based, inclusive) and their byte span.
    pub lines: (usize, usize),
    pub span: Range<usize>,
}

impl<'a> Window<'a> {
    /// The window for `cursor` (clamped) in the functions `chain` around it
    /// (outermost first): the outermost bounds the window, every signature
    /// in the chain is pinned.
    pub fn new(
        text: &'a str,
        lang: Language,
        cursor: usize,
        chain: &[&Def],
        task: Task,
        count: &dyn Fn(&str) -> usize,
    ) -> Window<'a> {
        let lines = Lines::new(text);
        let c = lines.line_of(cursor);
        let end_line =
            |end: usize| lines.line_of(text.get(..end).map_or(end, |t| t.trim_end().len()));
        let (first, last, pin) = match (chain.first(), chain.last()) {
            (Some(outer), Some(inner)) => {
                let mut pin = Vec::new();
                for d in chain {
                    let pin_end = match &d.body {
                        Some(b) if text.get(b.start..).is_some_and(|t| t.starts_with('{')) => {
                            lines.line_of(b.start)
                        }
                        Some(_) => end_line(d.signature_end(text)),
                        None => end_line(d.range.end),
                    };
                    pin.push((lines.line_of(d.start), pin_end, HARD));
                }
                if task == Task::ImplementFunction {
                    if let Some(doc) = &inner.doc {
                        pin.push((lines.line_of(doc.start), end_line(doc.end), SOFT));
                    }
                }
                let o = outer.outer();
                (lines.line_of(o.start).min(c), end_line(o.end).max(c), pin)
            }
            _ => (
                c.saturating_sub(PLAIN_BEFORE),
                (c + PLAIN_AFTER).min(lines.len() - 1),
                Vec::new(),
            ),
        };
        let pinned: Vec<u8> = (first..=last)
            .map(|i| {
                pin.iter()
                    .filter(|&&(a, b, _)| a <= i && i <= b)
                    .map(|p| p.2)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let top_down = task != Task::Complete;
        let lo = first.max(c.saturating_sub(MAX_BEFORE));
        let hi = last.min(c + MAX_AFTER);
        let mut order: Vec<(usize, bool)> = (lo..=hi)
            .filter(|&i| i != c && pinned[i - first] == 0)
            .map(|i| (i, i < c))
            .collect();
        if !top_down {
            order.sort_by_key(|&(i, pre)| {
                if pre {
                    (c - i, 0)
                } else {
                    ((i - c) * SUFFIX_WEIGHT, 1)
                }
            });
        }
        let mut tok = vec![0; last - first + 1];
        for i in
            (first..=last).filter(|&i| i != c && (pinned[i - first] > 0 || (lo..=hi).contains(&i)))
        {
            tok[i - first] = count(&text[lines.full(i)]);
        }
        let line = lines.full(c);
        let cursor_tok = (
            count(&text[line.start..cursor]),
            count(&text[cursor..line.end]),
        );
        let marker = elide_comment(lang);
        Window {
            text,
            lines,
            cursor,
            c,
            first,
            last,
            pinned,
            order,
            top_down,
            tok,
            cursor_tok,
            marker,
        }
    }

    /// Bytes the window may cover (the whole function, or the plain lines).
    pub fn max_span(&self) -> Range<usize> {
        self.lines.full(self.first).start..self.lines.full(self.last).end
    }

    /// Tokens of everything the window could show (stable while the cursor
    /// moves inside one function).
    pub fn full_tokens(&self) -> usize {
        self.tok.iter().sum::<usize>() + self.cursor_tok.0 + self.cursor_tok.1
    }

    /// The best selection within `budget` tokens (counted exactly with
    /// `count`), and whether it fits. When even the pinned lines and the
    /// cursor line do not fit, the cursor line's parts are given up (unless
    /// they are part of the signature) and `false` is returned.
    pub fn select(&self, budget: usize, count: &dyn Fn(&str) -> usize) -> (Selection, bool) {
        let hard = |soft: bool| -> Vec<bool> {
            self.pinned
                .iter()
                .map(|&p| p == HARD || (soft && p == SOFT))
                .collect()
        };
        let mut sel = Selection {
            kept: hard(true),
            cursor_prefix: true,
            cursor_suffix: true,
            markers: true,
        };
        let pinned: usize = (0..self.tok.len())
            .filter(|&i| sel.kept[i])
            .map(|i| self.tok[i])
            .sum();
        let base = pinned + self.cursor_tok.0 + self.cursor_tok.1;
        if base <= budget {
            let mut all = sel.clone();
            for &(i, _) in &self.order {
                all.kept[i - self.first] = true;
            }
            let r = self.render(&all);
            if count(&r.prefix) + count(&r.suffix) <= budget {
                return (all, true);
            }
            let marker = count(&self.marker) + 1;
            let mut remaining = budget - base;
            let mut added = Vec::new();
            let (mut blocked_pre, mut blocked_suf) = (false, false);
            for &(i, pre) in &self.order {
                if (pre && blocked_pre) || (!pre && blocked_suf) {
                    continue;
                }
                let cost = self.tok[i - self.first] + if added.is_empty() { 2 * marker } else { 0 };
                if cost <= remaining {
                    remaining -= cost;
                    sel.kept[i - self.first] = true;
                    added.push(i);
                } else if self.top_down {
                    break;
                } else if pre {
                    blocked_pre = true;
                } else {
                    blocked_suf = true;
                }
            }
            'fit: loop {
                let r = self.render(&sel);
                let total = count(&r.prefix) + count(&r.suffix);
                if total <= budget {
                    return (sel, true);
                }
                // Give back lines worth the excess (at least one), least important first.
                let mut freed = 0;
                while freed < total - budget {
                    let Some(i) = added.pop() else { break 'fit };
                    sel.kept[i - self.first] = false;
                    freed += self.tok[i - self.first].max(1);
                }
            }
        }
        // Give up the `// ...` lines, the rest of the cursor line, a pinned
        // doc comment, then the cursor line's start; never the signature.
        let on_sig = self.pinned[self.c - self.first] == HARD;
        for (pre, suf, soft) in [
            (true, true, true),
            (true, false, true),
            (true, false, false),
            (false, false, false),
        ] {
            sel = Selection {
                kept: hard(soft),
                cursor_prefix: pre || on_sig,
                cursor_suffix: suf || on_sig,
                markers: false,
            };
            let r = self.render(&sel);
            if count(&r.prefix) + count(&r.suffix) <= budget {
                break;
            }
        }
        (sel, false)
    }

    /// Prefix and suffix text of a selection.
    pub fn render(&self, sel: &Selection) -> Rendered {
        let (text, lines, c) = (self.text, &self.lines, self.c);
        let mut prefix = String::new();
        let mut suffix = String::new();
        let mut kept_lines = Vec::new();
        let mut gap: Option<usize> = None;
        for i in self.first..=self.last {
            let out = if i <= c { &mut prefix } else { &mut suffix };
            let shown = if i == c {
                sel.cursor_prefix || sel.cursor_suffix
            } else {
                sel.kept[i - self.first]
            };
            if !shown && i != c {
                gap = gap.or(Some(i));
                continue;
            }
            if let Some(g) = gap.take() {
                if sel.markers && (i > c || !kept_lines.is_empty()) {
                    let ind = (g..i)
                        .map(|j| lines.text(j))
                        .find(|l| !l.trim().is_empty())
                        .map_or("", indentation);
                    out.push_str(&format!("{ind}{}\n", self.marker));
                }
            }
            if i == c {
                let line = lines.full(c);
                if sel.cursor_prefix {
                    prefix.push_str(&text[line.start..self.cursor]);
                }
                if sel.cursor_suffix {
                    suffix.push_str(&text[self.cursor..line.end]);
                } else if (c + 1..=self.last)
                    .any(|j| sel.kept[j - self.first] && self.pinned[j - self.first] == HARD)
                {
                    // The cursor is above the signature (in its doc comment): the rest of the
                    // cursor line goes, the signature below it stays.
                    suffix.push('\n');
                } else {
                    // Nothing after the cursor is shown then.
                    return self.finish(prefix, suffix, kept_lines, c);
                }
            } else {
                out.push_str(&text[lines.full(i)]);
            }
            kept_lines.push(i);
        }
        self.finish(prefix, suffix, kept_lines, c)
    }

    fn finish(&self, prefix: String, suffix: String, mut kept: Vec<usize>, c: usize) -> Rendered {
        if kept.is_empty() {
            kept.push(c);
        }
        let (a, b) = (kept[0], kept[kept.len() - 1]);
        let span = self.lines.full(a).start..self.lines.full(b).end;
        Rendered {
            prefix,
            suffix,
            lines: (a + 1, b + 1),
            span,
        }
    }
}
