//! Alignment: turns a (cleaned) model rewrite into precise edits of the
//! input. Both texts are tokenized into word, whitespace and punctuation
//! tokens and diffed with `similar`; adjacent changed tokens become one
//! [`Edit`] with a byte range in the input, then each edit gets a
//! [`Category`] (see [`crate::classify`]) and a message.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffTag};

use crate::classify::{classify, damerau, message_for};
use crate::tokens::{tokenize, Kind, Token};

/// What kind of mistake an edit fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    Spelling,
    Grammar,
    Punctuation,
    Style,
}

/// One suggested change of the input text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    /// Byte range in the input; empty for an insertion.
    pub range: Range<usize>,
    /// `&input[range]`.
    pub original: String,
    /// What the range should become.
    pub replacement: String,
    pub category: Category,
}

/// Edits that turn `input` into `output`, in input order, non-overlapping.
pub fn align(input: &str, output: &str) -> Vec<Edit> {
    let a = tokenize(input);
    let b = tokenize(output);
    let a_s: Vec<&str> = a.iter().map(|t| &input[t.range.clone()]).collect();
    let b_s: Vec<&str> = b.iter().map(|t| &output[t.range.clone()]).collect();

    let mut hunks: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut open = false;
    // Positions come from our own cursors: `similar` may report a deletion's
    // new index (or an insertion's old index) on the far side of a
    // neighbouring equal run.
    let (mut i, mut j) = (0, 0);
    for op in capture_diff_slices(Algorithm::Myers, &a_s, &b_s) {
        let (tag, old, new) = op.as_tag_tuple();
        let (old, new) = (i..i + old.len(), j..j + new.len());
        (i, j) = (old.end, new.end);
        if tag == DiffTag::Equal {
            open = false;
            continue;
        }
        match hunks.last_mut() {
            Some(h) if open => {
                h.0.end = old.end.max(h.0.end);
                h.1.end = new.end.max(h.1.end);
            }
            _ => hunks.push((old, new)),
        }
        open = true;
    }

    rebalance(&mut hunks, &a, &b, &a_s, &b_s);
    for h in &mut hunks {
        attach_spacing_to_punct(h, &a, &b);
    }
    let hunks = peel_edge_spaces(merge_touching(hunks), &a, &b, &a_s, &b_s);

    hunks
        .into_iter()
        .map(|(old, new)| {
            let range = byte_range(&a, old, input.len());
            let rep = byte_range(&b, new, output.len());
            let original = input[range.clone()].to_string();
            let replacement = output[rep].to_string();
            let category = classify(&original, &replacement);
            Edit {
                range,
                original,
                replacement,
                category,
            }
        })
        .filter(|e| e.original != e.replacement)
        .collect()
}

/// A human-readable message for an edit, e.g.
/// `Possible spelling mistake: 'teh' → 'the'`.
pub fn message(edit: &Edit) -> String {
    message_for(&edit.original, &edit.replacement, edit.category)
}

/// Two hunks separated by one unchanged space are re-split at the space
/// pair that makes both halves most alike. Myers may pair the wrong spaces:
/// "teh maxLen" → "the max length" can come out as "teh" → "the max" and
/// "maxLen" → "length"; this picks "teh" → "the", "maxLen" → "max length".
fn rebalance(
    hunks: &mut Vec<(Range<usize>, Range<usize>)>,
    a: &[Token],
    b: &[Token],
    a_s: &[&str],
    b_s: &[&str],
) {
    const MAX_CHARS: usize = 80;
    let text = |toks: &[&str], r: Range<usize>| toks[r].concat().to_lowercase();
    let mut i = 0;
    while i + 1 < hunks.len() {
        let (h1, h2) = (hunks[i].clone(), hunks[i + 1].clone());
        let gap_ok = h2.0.start == h1.0.end + 1
            && h2.1.start == h1.1.end + 1
            && a[h1.0.end].kind == Kind::Space
            && b[h1.1.end].kind == Kind::Space;
        let old = h1.0.start..h2.0.end;
        let new = h1.1.start..h2.1.end;
        if !gap_ok
            || text(a_s, old.clone()).len() > MAX_CHARS
            || text(b_s, new.clone()).len() > MAX_CHARS
        {
            i += 1;
            continue;
        }
        let cost = |p: usize, q: usize| {
            damerau(&text(a_s, old.start..p), &text(b_s, new.start..q))
                + damerau(&text(a_s, p + 1..old.end), &text(b_s, q + 1..new.end))
        };
        let (mut best, mut best_cost) = ((h1.0.end, h1.1.end), cost(h1.0.end, h1.1.end));
        for p in old.clone().filter(|&p| a[p].kind == Kind::Space) {
            for q in new.clone().filter(|&q| b_s[q] == a_s[p]) {
                let c = cost(p, q);
                if c < best_cost {
                    (best, best_cost) = ((p, q), c);
                }
            }
        }
        let (p, q) = best;
        let halves = [
            (old.start..p, new.start..q),
            (p + 1..old.end, q + 1..new.end),
        ];
        let changed: Vec<_> = halves
            .into_iter()
            .filter(|(o, n)| a_s[o.clone()] != b_s[n.clone()])
            .collect();
        hunks.splice(i..i + 2, changed);
        i += 1;
    }
}

/// A space change at either end of a word hunk becomes its own hunk
/// ("teh\n" → "the " is "teh" → "the" plus "\n" → " "), so word fixes never
/// swallow line breaks; unchanged edge spaces are dropped.
fn peel_edge_spaces(
    hunks: Vec<(Range<usize>, Range<usize>)>,
    a: &[Token],
    b: &[Token],
    a_s: &[&str],
    b_s: &[&str],
) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out = Vec::with_capacity(hunks.len());
    for (mut o, mut n) in hunks {
        let mut tail = None;
        if o.len() > 1
            && n.len() > 1
            && a[o.start].kind == Kind::Space
            && b[n.start].kind == Kind::Space
        {
            if a_s[o.start] != b_s[n.start] {
                out.push((o.start..o.start + 1, n.start..n.start + 1));
            }
            o.start += 1;
            n.start += 1;
        }
        if o.len() > 1
            && n.len() > 1
            && a[o.end - 1].kind == Kind::Space
            && b[n.end - 1].kind == Kind::Space
        {
            if a_s[o.end - 1] != b_s[n.end - 1] {
                tail = Some((o.end - 1..o.end, n.end - 1..n.end));
            }
            o.end -= 1;
            n.end -= 1;
        }
        out.push((o, n));
        out.extend(tail);
    }
    out
}

/// A whitespace-only hunk next to an unchanged punctuation token takes that
/// token in ("apples ," → "apples,"), so that the edit reads as a
/// punctuation fix rather than an invisible whitespace change.
fn attach_spacing_to_punct(h: &mut (Range<usize>, Range<usize>), a: &[Token], b: &[Token]) {
    let all_space = |toks: &[Token]| toks.iter().all(|t| t.kind == Kind::Space);
    if !all_space(&a[h.0.clone()]) || !all_space(&b[h.1.clone()]) {
        return;
    }
    let next_punct = h.0.end < a.len()
        && a[h.0.end].kind == Kind::Punct
        && h.1.end < b.len()
        && b[h.1.end].kind == Kind::Punct;
    let prev_punct = h.0.start > 0
        && a[h.0.start - 1].kind == Kind::Punct
        && h.1.start > 0
        && b[h.1.start - 1].kind == Kind::Punct;
    let deletion_like = h.0.len() >= h.1.len();
    if next_punct && (deletion_like || !prev_punct) {
        h.0.end += 1;
        h.1.end += 1;
    } else if prev_punct {
        h.0.start -= 1;
        h.1.start -= 1;
    }
}

/// Merge hunks that overlap or touch (in input tokens).
fn merge_touching(hunks: Vec<(Range<usize>, Range<usize>)>) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::with_capacity(hunks.len());
    for h in hunks {
        match out.last_mut() {
            Some(p) if h.0.start <= p.0.end && h.1.start <= p.1.end => {
                p.0.end = p.0.end.max(h.0.end);
                p.1.end = p.1.end.max(h.1.end);
            }
            _ => out.push(h),
        }
    }
    out
}

/// Byte range of a token index range; an empty one sits before token
/// `start` (i.e. at the end of the previous token).
fn byte_range(toks: &[Token], r: Range<usize>, len: usize) -> Range<usize> {
    let start = toks.get(r.start).map_or(len, |t| t.range.start);
    if r.is_empty() {
        return start..start;
    }
    start..toks[r.end - 1].range.end
}

#[cfg(test)]
mod tests;
