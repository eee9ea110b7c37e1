//! Precision filters: drop edits a careful human would not want. Edits that
//! touch protected spans (inline code, URLs from the syntax layer), URLs and
//! file paths found in the text, identifiers or dictionary words; edits that
//! only change whitespace or quote style; and all edits of a region the
//! model rewrote too much (a hallucinated rewrite, not a proofread).

use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::align::Edit;
use crate::classify::norm_quotes;
use crate::dictionary::Dictionary;
use crate::scan::{sensitive_spans, Sensitive};
use crate::tokens::{is_blank, words};

/// Tunable filter settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterConfig {
    /// Keep edits that only change whitespace.
    pub allow_whitespace_only: bool,
    /// Keep edits that only change quote style (`'` vs `’`, `"` vs `“”`).
    pub allow_quote_style: bool,
    /// Drop every edit when they change more than this share of the
    /// region's words. A single changed word is always allowed, and two
    /// when the region has at least four words.
    pub max_changed_share: f32,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            allow_whitespace_only: false,
            allow_quote_style: false,
            max_changed_share: 0.30,
        }
    }
}

/// What the filters know about the region.
#[derive(Clone, Copy, Debug)]
pub struct FilterContext<'a> {
    /// Plain-text ranges edits must not touch (from `ProseRegion::protected`).
    pub protected: &'a [Range<usize>],
    /// Identifiers of the file (see [`identifiers_from_tree`]).
    pub identifiers: &'a HashSet<String>,
    pub dictionary: &'a Dictionary,
    pub config: &'a FilterConfig,
}

/// Why an edit was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DropReason {
    Protected,
    UrlOrPath,
    Identifier,
    Dictionary,
    WhitespaceOnly,
    QuoteStyle,
    /// Adds or removes line breaks (document structure, e.g. comment lines).
    LineBreak,
    RewriteTooLarge,
}

/// Edits split into those to show and those dropped (with the reason).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filtered {
    pub kept: Vec<Edit>,
    pub dropped: Vec<(Edit, DropReason)>,
}

/// Apply all filters to `edits` of `input` (the region's plain text).
pub fn filter(input: &str, edits: Vec<Edit>, ctx: &FilterContext<'_>) -> Filtered {
    let spans = sensitive_spans(input);
    let mut out = Filtered::default();
    for e in edits {
        match drop_reason(&e, &spans, ctx) {
            Some(r) => out.dropped.push((e, r)),
            None => out.kept.push(e),
        }
    }
    let total = words(input).len() as f32;
    let changed: usize = out.kept.iter().map(changed_words).sum();
    // Short regions may carry two real fixes (40% of a 5-word sentence).
    let allowed = (ctx.config.max_changed_share * total).max((total / 2.0).min(2.0));
    if changed > 1 && changed as f32 > allowed {
        out.dropped
            .extend(out.kept.drain(..).map(|e| (e, DropReason::RewriteTooLarge)));
    }
    out
}

/// For each edit of `input`, why it must not be shown (`None`: it may be), by the per-edit
/// filters of [`filter`] (everything but the size of the whole rewrite).
pub fn guard(input: &str, edits: &[&Edit], ctx: &FilterContext<'_>) -> Vec<Option<DropReason>> {
    let spans = sensitive_spans(input);
    edits.iter().map(|e| drop_reason(e, &spans, ctx)).collect()
}

/// The words of `text` whose edits the identifier and dictionary filters drop, sorted and
/// without repeats. Candidates those filters reject are not scored at all, so a cached result
/// of `text` holds only when this list is the same (it is part of the cache key).
pub fn filtered_words(
    text: &str,
    identifiers: &HashSet<String>,
    dictionary: &Dictionary,
) -> Vec<String> {
    let mut out: Vec<String> = words(text)
        .into_iter()
        .filter(|w| dictionary.contains(w) || (w.chars().count() > 1 && identifiers.contains(*w)))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn drop_reason(
    e: &Edit,
    spans: &[(Range<usize>, Sensitive)],
    ctx: &FilterContext<'_>,
) -> Option<DropReason> {
    if ctx.protected.iter().any(|p| touches(&e.range, p)) {
        return Some(DropReason::Protected);
    }
    let touched = |k: Sensitive| {
        spans
            .iter()
            .any(|(span, kind)| *kind == k && touches(&e.range, span))
    };
    if touched(Sensitive::UrlOrPath) {
        return Some(DropReason::UrlOrPath);
    }
    let new_words = words(&e.replacement);
    let changed: Vec<&str> = words(&e.original)
        .into_iter()
        .filter(|w| !new_words.contains(w))
        .collect();
    if changed.iter().any(|w| ctx.dictionary.contains(w)) {
        return Some(DropReason::Dictionary);
    }
    if touched(Sensitive::Code)
        || changed
            .iter()
            .any(|w| w.chars().count() > 1 && ctx.identifiers.contains(*w))
    {
        return Some(DropReason::Identifier);
    }
    if e.original.matches('\n').count() != e.replacement.matches('\n').count() {
        return Some(DropReason::LineBreak);
    }
    let blank = |s: &str| s.is_empty() || is_blank(s);
    if !ctx.config.allow_whitespace_only && blank(&e.original) && blank(&e.replacement) {
        return Some(DropReason::WhitespaceOnly);
    }
    if !ctx.config.allow_quote_style && norm_quotes(&e.original) == norm_quotes(&e.replacement) {
        return Some(DropReason::QuoteStyle);
    }
    None
}

/// Whether an edit of `r` touches span `p` (same rule as
/// `ProseRegion::touches_protected`): overlap of non-empty ranges; an empty
/// one counts when strictly inside the other.
fn touches(r: &Range<usize>, p: &Range<usize>) -> bool {
    if p.is_empty() || r.is_empty() {
        let (pt, outer) = if p.is_empty() {
            (p.start, r)
        } else {
            (r.start, p)
        };
        outer.start < pt && pt < outer.end
    } else {
        r.start < p.end && p.start < r.end
    }
}

/// Words an edit changes; punctuation-only (and apostrophe-style-only)
/// edits count zero.
/// How many of the region's words an edit changes: the input words it
/// replaces, or half the words it inserts ("dont" → "does not" changes one
/// word; a ten-word insertion counts as five).
fn changed_words(e: &Edit) -> usize {
    let (no, nr) = (norm_quotes(&e.original), norm_quotes(&e.replacement));
    let (o, r) = (words(&no), words(&nr));
    if o == r {
        0
    } else {
        o.len().max(r.len().div_ceil(2)).max(1)
    }
}

/// Text of every node whose kind contains "identifier" (`identifier`,
/// `field_identifier`, `type_identifier`, `property_identifier` …).
pub fn identifiers_from_tree(
    text: &str,
    tree: &margin_syntax::tree_sitter::Tree,
) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.kind().contains("identifier") {
            if let Some(s) = text.get(node.byte_range()) {
                if !s.is_empty() {
                    out.insert(s.to_string());
                }
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
