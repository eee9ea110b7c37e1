//! From a piece's scored candidates to findings: the per-edit filters (protected spans, URLs
//! and paths, code-like words, identifiers of the file, dictionary words, whitespace- and
//! quote-only edits, former line breaks), then the model's calibrated thresholds
//! (`margin_proofread::decide`), mapped back to document bytes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use margin_proofread::{
    decide, guard, message, Calibration, DropReason, Edit, EditKind, FilterConfig, FilterContext,
    Scored, Verdict,
};
use margin_syntax::ProseRegion;
use unicode_segmentation::UnicodeSegmentation;

use super::{CheckInput, Finding};

/// An edit that only removes or swaps emoji and other symbols: style, not a mistake.
fn is_symbol_edit(original: &str, replacement: &str) -> bool {
    let symbolic = |s: &str| {
        s.chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii_punctuation())
    };
    let letters = |s: &str| s.chars().any(char::is_alphanumeric);
    symbolic(original) && !letters(original) && !letters(replacement)
}

/// Words a document writes in lower case at least three times and never with a capital: its
/// own lower-case names and style ("margin", "tree-sitter"), never to be capitalised.
pub fn lowercase_names(regions: &[ProseRegion]) -> HashSet<String> {
    let mut lower: HashMap<&str, usize> = HashMap::new();
    let mut capital: HashSet<String> = HashSet::new();
    for region in regions {
        for w in region.text.unicode_words() {
            if w.chars().all(char::is_lowercase) {
                *lower.entry(w).or_default() += 1;
            } else if w.chars().next().is_some_and(char::is_uppercase) {
                capital.insert(w.to_lowercase());
            }
        }
    }
    lower
        .into_iter()
        .filter(|(w, n)| *n >= 3 && !capital.contains(*w))
        .map(|(w, _)| w.to_string())
        .collect()
}

/// Findings of the piece `piece` (a range of the region's text) from its scored candidates.
pub fn region_findings(
    region: &ProseRegion,
    piece: Range<usize>,
    scored: &[Scored],
    input: &CheckInput<'_>,
    identifiers: &HashSet<String>,
    names: &HashSet<String>,
    calibration: &Calibration,
) -> Vec<Finding> {
    let mut allowed = admissible(region, piece.clone(), scored, input, identifiers);
    allowed.retain(|s| {
        s.candidate.kind != EditKind::Capitalization || !names.contains(&s.candidate.edit.original)
    });
    let verdicts = decide(
        &allowed,
        calibration,
        &input.settings.thresholds,
        input.settings.min_confidence,
    );
    to_findings(region, piece, verdicts)
}

/// The scored candidates of a piece that the filters let through.
pub fn admissible(
    region: &ProseRegion,
    piece: Range<usize>,
    scored: &[Scored],
    input: &CheckInput<'_>,
    identifiers: &HashSet<String>,
) -> Vec<Scored> {
    if scored.is_empty() {
        return Vec::new();
    }
    let text = region.text[piece.clone()].replace('\n', " ");
    let edits: Vec<_> = scored.iter().map(|s| &s.candidate.edit).collect();
    let reasons = guard_piece(region, &piece, &edits, input, identifiers);
    let technical = is_technical(region, &piece, &text, identifiers);
    scored
        .iter()
        .zip(reasons)
        .filter_map(|(s, reason)| match reason {
            Some(reason) => {
                tracing::trace!(
                    original = s.candidate.edit.original,
                    ?reason,
                    "candidate dropped"
                );
                None
            }
            None if is_symbol_edit(&s.candidate.edit.original, &s.candidate.edit.replacement) => {
                None
            }
            None => Some(Scored {
                technical,
                ..s.clone()
            }),
        })
        .collect()
}

/// Whether each edit of a piece passes the per-edit filters. None of them depends on the
/// model's score, so the pipeline applies them before scoring too: a candidate in inline code
/// or on one of the file's identifiers costs no model time.
pub fn passes_filters(
    region: &ProseRegion,
    piece: &Range<usize>,
    edits: &[&Edit],
    input: &CheckInput<'_>,
    identifiers: &HashSet<String>,
) -> Vec<bool> {
    guard_piece(region, piece, edits, input, identifiers)
        .into_iter()
        .map(|r| r.is_none())
        .collect()
}

/// The per-edit filters' verdicts on edits of `piece` (bytes of the region's text).
fn guard_piece(
    region: &ProseRegion,
    piece: &Range<usize>,
    edits: &[&Edit],
    input: &CheckInput<'_>,
    identifiers: &HashSet<String>,
) -> Vec<Option<DropReason>> {
    let text = region.text[piece.clone()].replace('\n', " ");
    let mut protected: Vec<Range<usize>> = region
        .protected
        .iter()
        .filter(|p| p.end >= piece.start && p.start <= piece.end)
        .map(|p| p.start.saturating_sub(piece.start)..(p.end - piece.start).min(text.len()))
        .collect();
    // A former line break stands for the next line's comment marker: no edit may touch it.
    protected.extend(
        region.text[piece.clone()]
            .match_indices('\n')
            .map(|(i, _)| i..i + 1),
    );
    let config = FilterConfig {
        allow_whitespace_only: input.settings.allow_whitespace_edits,
        allow_quote_style: input.settings.allow_quote_edits,
        max_changed_share: input.settings.max_rewrite_share,
    };
    let context = FilterContext {
        protected: &protected,
        identifiers,
        dictionary: input.dictionary,
        config: &config,
    };
    guard(&text, edits, &context)
}

/// Whether a piece (its region text `text`, line breaks as spaces) is technical: prose with
/// inline code, links or other protected spans, code-like words, URLs or paths, or words of the
/// file's identifiers (see `margin_proofread::Calibration::technical`).
pub fn is_technical(
    region: &ProseRegion,
    piece: &Range<usize>,
    text: &str,
    identifiers: &HashSet<String>,
) -> bool {
    region
        .protected
        .iter()
        .any(|p| p.start < piece.end && piece.start < p.end)
        || margin_proofread::candidates::looks_technical(text)
        || text
            .unicode_words()
            .any(|w| w.chars().count() > 1 && identifiers.contains(w))
}

/// Verdicts on a piece's candidates as findings in document bytes.
pub fn to_findings(
    region: &ProseRegion,
    piece: Range<usize>,
    verdicts: Vec<Verdict>,
) -> Vec<Finding> {
    verdicts
        .into_iter()
        .map(|v| {
            let edit = v.candidate.edit;
            let start = piece.start + edit.range.start;
            let end = piece.start + edit.range.end;
            let sentence = margin_proofread::sentence_at(&region.text, start..end);
            Finding {
                message: message(&edit),
                range: region.doc_range_of(start..end),
                original: edit.original,
                replacement: edit.replacement,
                category: edit.category,
                kind: v.candidate.kind,
                confidence: v.confidence,
                region: region.doc_range.clone(),
                context: region.text[sentence].to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_names_are_words_never_capitalised_in_the_document() {
        let doc = "margin checks prose. We like margin; margin is small.\n\nThe tree-sitter grammar, tree-sitter queries and tree-sitter nodes. the end.\n";
        let (_, regions) = crate::checking::parse_regions(
            doc,
            margin_syntax::Language::Markdown,
            false,
            &Default::default(),
        )
        .unwrap();
        let names = lowercase_names(&regions);
        assert!(
            names.contains("margin") && names.contains("tree"),
            "{names:?}"
        );
        assert!(
            !names.contains("the"),
            "'The' appears capitalised: {names:?}"
        );
    }

    #[test]
    fn emoji_edits_are_not_findings_but_words_next_to_them_are() {
        assert!(is_symbol_edit("🍎", ""));
        assert!(is_symbol_edit("→", "->"));
        assert!(!is_symbol_edit("teh", "the"));
        assert!(!is_symbol_edit(",", ""));
        assert!(!is_symbol_edit("🍎 aple", "apple"));
    }
}
