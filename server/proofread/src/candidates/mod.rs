//! Candidate edits, proposed cheaply and verified later by the model's plain likelihood
//! (see [`crate::verify`]). Each source is its own module:
//! - [`spelling`]: words the language's dictionary does not know, with its suggestions;
//! - [`lexicon`]: confusable words and the number and tense forms of a word (data files);
//! - repeated words ("the the") as deletions, here;
//! - the model's rewrite, turned into candidates by [`from_rewrite`].
//!
//! Spelling candidates are proposed wherever a word is unknown; the others only at words the
//! caller's `suspicious` test selects (the detection pass: tokens the model found unlikely),
//! which keeps the number of candidates, and so the scoring work, small.

pub mod lexicon;
pub mod spelling;

use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::align::{align, Edit};
use crate::classify::{classify, damerau};
use crate::scan::{sensitive_spans, Sensitive};
use lexicon::Lexicon;
use spelling::Speller;

/// What kind of change a candidate is; thresholds are calibrated per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditKind {
    /// An unknown word replaced by a dictionary word.
    Spelling,
    /// A word replaced by one it is easily confused with.
    Confusable,
    /// A word replaced by another number or tense form of itself.
    Agreement,
    /// Words inserted.
    Insertion,
    /// Words removed.
    Deletion,
    /// Anything else (from the model's rewrite).
    Rewording,
    /// A lower-case word that needs a capital (a sentence start, "i", "english").
    Capitalization,
}

impl EditKind {
    /// Every kind, in a fixed order.
    pub const ALL: [EditKind; 7] = [
        EditKind::Spelling,
        EditKind::Confusable,
        EditKind::Agreement,
        EditKind::Insertion,
        EditKind::Deletion,
        EditKind::Rewording,
        EditKind::Capitalization,
    ];

    /// Lower-case name (settings, calibration files, `margin eval`).
    pub fn name(self) -> &'static str {
        match self {
            EditKind::Spelling => "spelling",
            EditKind::Confusable => "confusable",
            EditKind::Agreement => "agreement",
            EditKind::Insertion => "insertion",
            EditKind::Deletion => "deletion",
            EditKind::Rewording => "rewording",
            EditKind::Capitalization => "capitalization",
        }
    }
}

/// A proposed edit of a text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Candidate {
    pub edit: Edit,
    pub kind: EditKind,
}

impl Candidate {
    /// Whether the edit changes the first letter of the word it corrects (case aside); an
    /// insertion or deletion of a whole word does not count.
    pub fn changes_first_letter(&self) -> bool {
        let first = |s: &str| {
            s.chars()
                .next()
                .map(|c| c.to_lowercase().collect::<String>())
        };
        match (first(&self.edit.original), first(&self.edit.replacement)) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        }
    }

    /// A candidate replacing `range` of `text` with `replacement`.
    pub fn new(
        text: &str,
        range: Range<usize>,
        replacement: impl Into<String>,
        kind: EditKind,
    ) -> Candidate {
        let original = text[range.clone()].to_string();
        let replacement = replacement.into();
        let category = classify(&original, &replacement);
        Candidate {
            edit: Edit {
                range,
                original,
                replacement,
                category,
            },
            kind,
        }
    }
}

/// A word of the text and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    pub range: Range<usize>,
    pub text: &'a str,
    /// First word of its sentence.
    pub sentence_start: bool,
}

/// The words of `text` (UAX #29 words containing a letter), in order.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    for (start, sentence) in text.split_sentence_bound_indices() {
        let mut first = true;
        for (i, w) in sentence.split_word_bound_indices() {
            if w.chars().any(char::is_alphabetic) {
                out.push(Word {
                    range: start + i..start + i + w.len(),
                    text: w,
                    sentence_start: first,
                });
                first = false;
            }
        }
    }
    out
}

/// What the sources need.
pub struct Sources<'a> {
    /// The language's dictionary, when there is one.
    pub speller: Option<&'a Speller>,
    pub lexicon: &'a Lexicon,
    /// Kinds worth proposing (those the model's calibration can show); others cost scoring
    /// work for nothing.
    pub kinds: &'a [EditKind],
    /// The text starts a sentence (a paragraph; not a list item, heading, table cell, code
    /// comment or commit subject, which often start in lower case on purpose).
    pub opens_sentence: bool,
    /// The text is a fragment (a table cell), not a sentence: it gets no confusable or
    /// agreement candidates, whose verdict needs a sentence around the word.
    pub fragment: bool,
}

/// Suggestions tried per unknown word.
const SPELLING_SUGGESTIONS: usize = 5;

/// Whether a dictionary suggestion is a plausible correction of `word` (lower case): close in
/// spelling (at most a third of its letters changed: a garbled word's far suggestions are
/// guesses), not a name for a common word, and not the word minus a prefix or suffix, even
/// with one letter changed besides ("nonfluoridated" is not a misspelling of "fluoridated",
/// nor British "resynchronised" of "synchronized": the fix changes the meaning).
fn plausible(word: &str, suggestion: &str) -> bool {
    let lower = suggestion.to_lowercase();
    let (n, m) = (word.chars().count(), lower.chars().count());
    let close = 3 * damerau(word, &lower) <= n.max(m);
    let name = suggestion.chars().next().is_some_and(char::is_uppercase);
    let trimmed = m + 2 <= n && {
        let head: String = word.chars().skip(n - m).collect();
        let tail: String = word.chars().take(m).collect();
        damerau(&head, &lower) <= 1 || damerau(&tail, &lower) <= 1
    };
    close && !name && !trimmed && lower != word
}

/// Whether a word is a candidate for spelling at all: letters (and apostrophes or hyphens
/// inside), no capitals after the first letter (acronyms, CamelCase), not a capitalised word
/// inside a sentence (a name), at least three letters.
fn spellable(w: &Word<'_>) -> bool {
    let t = w.text;
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let inner_caps = t.chars().skip(1).any(char::is_uppercase);
    let capital = t.chars().next().is_some_and(char::is_uppercase);
    letters >= 3
        && t.chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '\u{2019}' || c == '-')
        && !inner_caps
        && (!capital || w.sentence_start)
}

/// Same capitalisation as `like` (first letter).
fn cased(word: &str, like: &str) -> String {
    if like.chars().next().is_some_and(char::is_uppercase) {
        let mut c = word.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        word.to_string()
    }
}

/// A capital for a lower-case word that English writes capitalised ("i", "english"; from the
/// language's `capitals.txt`), or for a known word that starts the text or follows a full stop,
/// question or exclamation mark (not one of an abbreviation).
fn capitalization(text: &str, w: &Word<'_>, sources: &Sources<'_>) -> Option<Candidate> {
    if !sources.kinds.contains(&EditKind::Capitalization) || !w.text.chars().all(char::is_lowercase)
    {
        return None;
    }
    if let Some(capital) = sources.lexicon.capital(w.text) {
        return Some(Candidate::new(
            text,
            w.range.clone(),
            capital,
            EditKind::Capitalization,
        ));
    }
    let before = text[..w.range.start].trim_end();
    let after_stop = before.strip_suffix(['.', '!', '?']).is_some_and(|b| {
        let last = b
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        last.chars().last().is_some_and(char::is_alphabetic)
            && !sources.lexicon.is_abbreviation(&last.to_lowercase())
    });
    let known = sources.speller.is_some_and(|s| s.check(w.text));
    ((before.is_empty() && sources.opens_sentence || after_stop) && known).then(|| {
        Candidate::new(
            text,
            w.range.clone(),
            cased(w.text, "A"),
            EditKind::Capitalization,
        )
    })
}

/// Whether an unknown word is two known words of three letters or more written together
/// ("datastructure", "thiserror", "spellbook"): a name or a term, not a misspelling.
fn compound(speller: &Speller, word: &str) -> bool {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    (3..chars.len().saturating_sub(2)).any(|i| {
        let at = chars[i].0;
        speller.check(&word[..at]) && speller.check(&word[at..])
    })
}

/// Whether the dictionary knows `word`, trying its lower-case form for a capitalised word and
/// each part of a hyphenated one.
pub fn known(speller: &Speller, word: &str) -> bool {
    let lower = word.to_lowercase();
    speller.check(word)
        || speller.check(&lower)
        || (word.contains('-') && word.split('-').all(|p| p.is_empty() || speller.check(p)))
}

/// Candidates for `text`. `suspicious(range)` says whether the model found the word at `range`
/// unlikely enough to try confusables, other forms and deletions there.
/// `suspicious(range, kind)`: whether the model found the word at `range` unlikely enough to
/// try candidates of `kind` there (spelling and capitalization are tried everywhere).
pub fn propose(
    text: &str,
    sources: &Sources<'_>,
    suspicious: impl Fn(&Range<usize>, EditKind) -> bool,
) -> Vec<Candidate> {
    let code: Vec<Range<usize>> = sensitive_spans(text)
        .into_iter()
        .filter(|(_, k)| matches!(k, Sensitive::Code | Sensitive::UrlOrPath))
        .map(|(r, _)| r)
        .collect();
    let in_code = |r: &Range<usize>| code.iter().any(|c| c.start < r.end && r.start < c.end);
    let words = words(text);
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if in_code(&w.range) {
            continue;
        }
        let lower = w.text.to_lowercase();
        if let Some(c) = capitalization(text, w, sources) {
            out.push(c);
            continue;
        }
        if let Some(speller) = sources.speller {
            let dictionary = |f: &str| speller.check(f);
            let unknown = spellable(w) && !known(speller, w.text);
            if unknown
                && !sources.lexicon.known_by_parts(&lower, dictionary)
                && !compound(speller, &lower)
            {
                if sources.kinds.contains(&EditKind::Spelling) {
                    for s in speller
                        .suggest(&lower)
                        .into_iter()
                        .filter(|s| plausible(&lower, s))
                        .take(SPELLING_SUGGESTIONS)
                    {
                        out.push(Candidate::new(
                            text,
                            w.range.clone(),
                            cased(&s, w.text),
                            EditKind::Spelling,
                        ));
                    }
                }
                continue;
            }
        }
        // Part of a hyphenated word ("re-indented", "well-known"): its forms are not the word's.
        if sources.fragment || hyphenated(text, &w.range) {
            continue;
        }
        if sources.kinds.contains(&EditKind::Confusable)
            && suspicious(&w.range, EditKind::Confusable)
        {
            for alt in sources.lexicon.confusables(&lower) {
                out.push(Candidate::new(
                    text,
                    w.range.clone(),
                    cased(alt, w.text),
                    EditKind::Confusable,
                ));
            }
        }
        if sources.kinds.contains(&EditKind::Agreement) && suspicious(&w.range, EditKind::Agreement)
        {
            let dictionary = |f: &str| sources.speller.is_none_or(|s| s.check(f));
            let next = words
                .get(i + 1)
                .filter(|n| text[w.range.end..n.range.start].trim().is_empty())
                .map(|n| n.text.to_lowercase())
                .unwrap_or_default();
            // A plain verb opening a sentence is an imperative ("Find the library …"): made
            // past ("Found") it is no correction; its -s and -ing forms stay candidates.
            let imperative = w.sentence_start
                && w.text.starts_with(char::is_uppercase)
                && sources.lexicon.plain_verb(&lower, dictionary);
            for form in sources.lexicon.forms(&lower, dictionary) {
                let before_verb = || {
                    sources.lexicon.is_plural_of(&form, &lower)
                        && sources.lexicon.plain_verb(&next, dictionary)
                };
                if sources.lexicon.breaks_agreement(&lower, &form, &next)
                    || before_verb()
                    || (imperative && !(form.ends_with('s') || form.ends_with("ing")))
                {
                    continue;
                }
                out.push(Candidate::new(
                    text,
                    w.range.clone(),
                    cased(&form, w.text),
                    EditKind::Agreement,
                ));
            }
        }
        // A word written twice ("the the"): remove the second one with the space before it.
        let deletion =
            sources.kinds.contains(&EditKind::Deletion) && suspicious(&w.range, EditKind::Deletion);
        if let Some(prev) = i.checked_sub(1).map(|p| &words[p]).filter(|_| deletion) {
            let between = &text[prev.range.end..w.range.start];
            if prev.text.eq_ignore_ascii_case(w.text)
                && !between.is_empty()
                && between.trim().is_empty()
            {
                out.push(Candidate::new(
                    text,
                    prev.range.end..w.range.end,
                    "",
                    EditKind::Deletion,
                ));
            }
        }
    }
    out
}

/// Whether the word at `range` is joined to another by a hyphen.
fn hyphenated(text: &str, range: &Range<usize>) -> bool {
    let joined = |s: Option<&str>| s.is_some_and(|s| s.starts_with('-'));
    let before = text[..range.start].chars().rev().collect::<String>();
    joined(Some(before.as_str()).filter(|b| b.chars().nth(1).is_some_and(char::is_alphanumeric)))
        || joined(
            Some(&text[range.end..])
                .filter(|a| a.chars().nth(1).is_some_and(char::is_alphanumeric)),
        )
}

/// Whether `text` reads as prose: at least half of its visible characters are in words (letters,
/// with inner apostrophes or hyphens, and light punctuation around). Base64, hashes, minified
/// code and tables of numbers are not prose and get no candidates.
pub fn looks_like_prose(text: &str) -> bool {
    let chunks: Vec<&str> = text.split_whitespace().collect();
    let total: usize = chunks.iter().map(|c| c.chars().count()).sum();
    let wordy: usize = chunks
        .iter()
        .filter(|c| {
            let core = c.trim_matches(|ch: char| !ch.is_alphanumeric());
            let long_ascii = core.is_ascii() && core.len() > 24;
            !core.is_empty()
                && !long_ascii
                && core
                    .chars()
                    .all(|ch| ch.is_alphabetic() || matches!(ch, '\'' | '-' | '\u{2019}'))
        })
        .map(|c| c.chars().count())
        .sum();
    total > 0 && wordy * 2 >= total
}

/// Whether `text` reads as technical: it has code-like words, URLs or file paths in it
/// (`snake_case`, `HashMap`, `parse()`, `src/main.rs`, `https://…`).
pub fn looks_technical(text: &str) -> bool {
    !sensitive_spans(text).is_empty()
}

/// The edits of a model rewrite of `text` as candidates (kind from what changed).
pub fn from_rewrite(text: &str, rewrite: &str) -> Vec<Candidate> {
    align(text, rewrite)
        .into_iter()
        .map(|edit| {
            let kind = if edit.replacement.trim().is_empty() {
                EditKind::Deletion
            } else if edit.original.trim().is_empty() {
                EditKind::Insertion
            } else {
                EditKind::Rewording
            };
            Candidate { edit, kind }
        })
        .collect()
}

#[cfg(test)]
mod tests;
