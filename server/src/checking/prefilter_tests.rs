//! Candidates the per-edit filters drop are never scored: on the real test model
//! (`MARGIN_TEST_MODEL`; skipped without it outside CI), a misspelling inside inline code costs
//! no model time, while a misspelling in the prose around it is scored.

use margin_proofread::Dictionary;
use margin_syntax::Language;

use super::test_engine::engine;
use super::{decide, prepare, CheckInput, Checker, Tuning};

#[test]
fn a_misspelling_in_inline_code_is_not_scored_and_the_one_in_prose_is() {
    let Some((engine, settings)) = engine() else {
        return;
    };
    // The code's words are the document's names (`recieved` there is not a misspelling);
    // the prose's `recieve` is another word.
    let text = "We recieve the letters every morning. Call `read_recieved files` first.\n";
    let (regions, identifiers) = prepare(text, Language::Markdown, &settings).unwrap();
    let dictionary = Dictionary::default();
    let input = CheckInput::new(text, Language::Markdown, &settings, &dictionary);
    let checker = Checker::with_tuning(Tuning {
        cache: false,
        ..Tuning::default()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let scored = runtime
        .block_on(checker.score_document(&engine, &input, &regions, &identifiers, |_, _, _| {}))
        .unwrap();
    let (region, pieces) = (&regions[0], &scored[0]);
    assert!(!region.protected.is_empty(), "inline code is protected");
    let mut on_prose = 0;
    for (range, scored) in pieces {
        let edits: Vec<_> = scored.iter().map(|s| &s.candidate.edit).collect();
        let passes = decide::passes_filters(region, range, &edits, &input, &identifiers);
        assert!(
            passes.iter().all(|&p| p),
            "a filtered candidate was scored: {scored:#?}"
        );
        on_prose += scored
            .iter()
            .filter(|s| s.candidate.edit.original == "recieve")
            .count();
    }
    assert!(on_prose > 0, "the misspelling in prose is a candidate");
    let stats = checker.stats();
    assert_eq!(stats.candidates, stats.candidates_scored);

    // Scored in full: the model prefers the correction.
    let receive = pieces
        .iter()
        .flat_map(|(_, scored)| scored.iter())
        .find(|s| s.candidate.edit.replacement == "receive")
        .expect("recieve → receive is scored");
    assert!(receive.gain > 0.0, "{receive:#?}");
}
