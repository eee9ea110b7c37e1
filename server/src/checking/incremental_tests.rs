//! Incremental checking after an edit (`Tuning::incremental`, see `tails`), on the real test
//! model (`MARGIN_TEST_MODEL`; skipped without it outside CI): an edit at the start of a
//! paragraph is detected again only around the change, the candidates of the sentence it did
//! not touch keep their scores without a model call, and a one-pass checker (`margin check`)
//! does neither.

use margin_engine::Engine;
use margin_proofread::{Dictionary, Scored};
use margin_syntax::Language;

use super::test_engine::engine;
use super::{prepare, CheckInput, Checker, Tuning};
use crate::config::Settings;

/// Every scored candidate of `text` (a Markdown document), checked by `checker`.
fn scored(engine: &Engine, settings: &Settings, checker: &Checker, text: &str) -> Vec<Scored> {
    let (regions, identifiers) = prepare(text, Language::Markdown, settings).unwrap();
    let dictionary = Dictionary::default();
    let input = CheckInput::new(text, Language::Markdown, settings, &dictionary);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let pieces = runtime
        .block_on(checker.score_document(engine, &input, &regions, &identifiers, |_, _, _| {}))
        .unwrap();
    pieces
        .into_iter()
        .flatten()
        .flat_map(|(_, scored)| scored.iter().cloned().collect::<Vec<_>>())
        .collect()
}

/// The long second sentence carries the mistakes; the edit goes before the first, which is
/// long enough to hold the words detected again after the change.
const PARAGRAPH: &str = "The report about the new bridge over the river was finished by the \
    whole team last week. After many long months of careful \
    study in the old laboratory by the river, the young researchers has finally publish their \
    results in a well known journal, and they was very happy about it.\n";

fn in_second_sentence(text: &str, s: &Scored) -> bool {
    s.candidate.edit.range.start > text.find("After").unwrap()
}

#[test]
fn an_edit_at_the_start_detects_the_change_and_keeps_the_rest() {
    let Some((engine, settings)) = engine() else {
        return;
    };
    let edited = format!("Today, t{}", &PARAGRAPH[1..]);
    let checker = Checker::default();
    let before = scored(&engine, &settings, &checker, PARAGRAPH);
    let first = checker.stats();
    assert!(
        before.iter().any(|s| in_second_sentence(PARAGRAPH, s)),
        "the mistakes get candidates: {before:#?}"
    );
    let after = scored(&engine, &settings, &checker, &edited);
    let stats = checker.stats();
    // Detected again: the new words and a few after them, not the whole paragraph.
    let detected = stats.tokens_detected - first.tokens_detected;
    assert!(
        detected * 3 < first.tokens_detected,
        "{detected} tokens detected after the edit, {} at first",
        first.tokens_detected
    );
    // The second sentence's candidates: the same ones, with the same scores, from the cache.
    let shift = edited.len() - PARAGRAPH.len();
    let key = |s: &Scored, shift: usize| {
        let e = &s.candidate.edit;
        (
            e.range.start + shift,
            e.replacement.clone(),
            s.gain.to_bits(),
        )
    };
    let mut old: Vec<_> = before
        .iter()
        .filter(|s| in_second_sentence(PARAGRAPH, s))
        .map(|s| key(s, shift))
        .collect();
    let mut new: Vec<_> = after
        .iter()
        .filter(|s| in_second_sentence(&edited, s))
        .map(|s| key(s, 0))
        .collect();
    old.sort();
    new.sort();
    assert_eq!(old, new);
    let first_sentence = after.len() - new.len();
    assert_eq!(
        stats.candidates_scored - first.candidates_scored,
        first_sentence,
        "only the edited sentence's candidates go to the model"
    );

    // `margin check` (one pass): the edited paragraph is detected and scored whole.
    let one_pass = Checker::with_tuning(Tuning::one_pass());
    scored(&engine, &settings, &one_pass, PARAGRAPH);
    let first = one_pass.stats();
    let again = scored(&engine, &settings, &one_pass, &edited);
    let stats = one_pass.stats();
    assert!(stats.tokens_detected - first.tokens_detected > first.tokens_detected / 2);
    assert_eq!(
        stats.candidates_scored - first.candidates_scored,
        again.len()
    );
}
