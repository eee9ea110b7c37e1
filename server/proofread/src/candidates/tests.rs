//! Candidate sources on real sentences.

use super::*;

fn english() -> (std::sync::Arc<Speller>, Lexicon) {
    (
        Speller::for_language("en", &[]).unwrap(),
        Lexicon::for_language("en"),
    )
}

/// Sources for a paragraph of English prose, every kind of candidate on.
fn paragraph<'a>(speller: &'a Speller, lexicon: &'a Lexicon) -> Sources<'a> {
    Sources {
        speller: Some(speller),
        lexicon,
        kinds: &EditKind::ALL,
        opens_sentence: true,
        fragment: false,
    }
}

fn replacements(cands: &[Candidate], original: &str) -> Vec<String> {
    cands
        .iter()
        .filter(|c| c.edit.original == original)
        .map(|c| c.edit.replacement.clone())
        .collect()
}

#[test]
fn misspelt_words_get_dictionary_suggestions_everywhere() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "So I think we can not live if old people could not find siences and tecnologies.";
    let cands = propose(text, &sources, |_, _| false);
    assert!(
        replacements(&cands, "siences").contains(&"sciences".to_string()),
        "{cands:#?}"
    );
    assert!(replacements(&cands, "tecnologies").contains(&"technologies".to_string()));
    assert!(cands.iter().all(|c| c.kind == EditKind::Spelling));
    // Sentence-initial capitals keep their case.
    let cands = propose("Becouse it rained, we stayed.", &sources, |_, _| false);
    assert!(
        replacements(&cands, "Becouse").contains(&"Because".to_string()),
        "{cands:#?}"
    );
}

#[test]
fn names_code_and_acronyms_are_not_spelling_candidates() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "We met Wojciech in Lunenburg to discuss the HTTPS setup of parse_args and fooBar at https://exmple.org.";
    let cands = propose(text, &sources, |_, _| false);
    assert!(cands.is_empty(), "{cands:#?}");
}

#[test]
fn suspicious_words_get_confusables_and_other_forms() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "She eat apples and their is no reason to stop.";
    let at = |w: &str| text.find(w).unwrap();
    let suspicious = |r: &Range<usize>, _| r.start == at("eat") || r.start == at("their");
    let cands = propose(text, &sources, suspicious);
    assert!(
        replacements(&cands, "eat").contains(&"eats".to_string()),
        "{cands:#?}"
    );
    assert!(
        replacements(&cands, "their").contains(&"there".to_string()),
        "{cands:#?}"
    );
    assert!(cands.iter().any(|c| c.kind == EditKind::Agreement));
    assert!(cands.iter().any(|c| c.kind == EditKind::Confusable));
    // Nothing where the model was not surprised.
    assert!(replacements(&cands, "reason").is_empty());
}

#[test]
fn forms_that_would_disagree_with_the_next_verb_are_not_proposed() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "Findings are diagnostics, and the result is shown where many student are.";
    let cands = propose(text, &sources, |_, _| true);
    assert!(
        !replacements(&cands, "Findings").contains(&"Finding".to_string()),
        "{cands:#?}"
    );
    assert!(
        !replacements(&cands, "result").contains(&"results".to_string()),
        "{cands:#?}"
    );
    // The fix that makes the noun agree is still proposed.
    assert!(
        replacements(&cands, "student").contains(&"students".to_string()),
        "{cands:#?}"
    );
}

#[test]
fn plurals_are_not_made_singular_before_a_plain_verb() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "Requests time out after a while, and the requests handler logs them.";
    let cands = propose(text, &sources, |_, _| true);
    assert!(
        !replacements(&cands, "Requests").contains(&"Request".to_string()),
        "{cands:#?}"
    );
    // Before a noun that is no verb, the singular stays a candidate ("request handler").
    assert!(
        replacements(&cands, "requests").contains(&"request".to_string()),
        "{cands:#?}"
    );
}

#[test]
fn repeated_words_become_deletions() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "We went to the the park.";
    let cands = propose(text, &sources, |_, _| true);
    let del: Vec<_> = cands
        .iter()
        .filter(|c| c.kind == EditKind::Deletion)
        .collect();
    assert_eq!(del.len(), 1, "{cands:#?}");
    assert_eq!(del[0].edit.original, " the");
}

#[test]
fn rewrite_edits_become_candidates_by_kind() {
    let cands = from_rewrite(
        "He go to school every day.",
        "He goes to the school every day.",
    );
    let kinds: Vec<_> = cands
        .iter()
        .map(|c| (c.edit.original.as_str(), c.kind))
        .collect();
    assert!(kinds.contains(&("go", EditKind::Rewording)), "{kinds:?}");
    assert!(
        cands.iter().any(|c| c.kind == EditKind::Insertion),
        "{kinds:?}"
    );
}

#[test]
fn words_know_where_sentences_start() {
    let w = words("One two. Three four!");
    let starts: Vec<_> = w
        .iter()
        .filter(|w| w.sentence_start)
        .map(|w| w.text)
        .collect();
    assert_eq!(starts, ["One", "Three"]);
}

#[test]
fn base64_hashes_and_minified_code_are_not_prose() {
    assert!(looks_like_prose(
        "She dont like apples, but she eat them anyway."
    ));
    assert!(looks_like_prose("猫が好きです。"));
    assert!(!looks_like_prose(
        "SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dA=="
    ));
    assert!(!looks_like_prose(
        "3f786850e387550fdab836ed7e6dc881de23001b 9a0364b9e99bb480dd25e1f0284c8555"
    ));
    assert!(!looks_like_prose(
        "function(a){return a.b(c)};var x=1;if(x){y(2)}else{z(3)}"
    ));
    assert!(!looks_like_prose("   "));
}

#[test]
fn far_suggestions_names_and_trimmed_words_are_not_proposed() {
    assert!(plausible("siences", "sciences"));
    assert!(plausible("becouse", "because"));
    assert!(
        !plausible("axcedant", "antecedent"),
        "more than a third of the letters changed"
    );
    assert!(!plausible("tanmant", "Tasman"), "a name for a common word");
    assert!(
        !plausible("nonfluoridated", "fluoridated"),
        "a prefix dropped"
    );
    assert!(!plausible("knowledgement", "knowledge"), "a suffix dropped");
    assert!(
        !plausible("resynchronised", "synchronized"),
        "a prefix dropped and a letter changed"
    );
    assert!(
        plausible("untill", "until"),
        "one letter too many is a misspelling"
    );
    assert!(plausible("becuase", "because"));
}

#[test]
fn only_the_kinds_asked_for_are_proposed() {
    let (speller, lexicon) = english();
    let sources = Sources {
        speller: Some(&speller),
        lexicon: &lexicon,
        kinds: &[EditKind::Spelling],
        opens_sentence: true,
        fragment: false,
    };
    let cands = propose(
        "She eat siences and their is no reason.",
        &sources,
        |_, _| true,
    );
    assert!(
        !cands.is_empty() && cands.iter().all(|c| c.kind == EditKind::Spelling),
        "{cands:#?}"
    );
}

#[test]
fn lower_case_names_and_sentence_starts_get_capitals() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let cands = propose(
        "first, i think english is easy. then we go.",
        &sources,
        |_, _| false,
    );
    let caps: Vec<_> = cands
        .iter()
        .filter(|c| c.kind == EditKind::Capitalization)
        .map(|c| c.edit.replacement.as_str())
        .collect();
    assert_eq!(caps, ["First", "I", "English", "Then"], "{cands:#?}");
    // A list item or comment may start in lower case.
    let item = Sources {
        opens_sentence: false,
        ..sources
    };
    let cands = propose("returns the value. then stops.", &item, |_, _| false);
    let caps: Vec<_> = cands
        .iter()
        .filter(|c| c.kind == EditKind::Capitalization)
        .map(|c| c.edit.replacement.as_str())
        .collect();
    assert_eq!(caps, ["Then"], "{cands:#?}");
    // Not after a comma or an abbreviation.
    let cands = propose(
        "We use foo here, then stop, e.g. when done.",
        &sources,
        |_, _| false,
    );
    assert!(
        cands.iter().all(|c| c.kind != EditKind::Capitalization),
        "{cands:#?}"
    );
}

#[test]
fn two_known_words_written_together_are_a_name_not_a_misspelling() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let cands = propose(
        "We use thiserror and a datastructure from spellbook here.",
        &sources,
        |_, _| false,
    );
    assert!(cands.is_empty(), "{cands:#?}");
    assert!(compound(&speller, "datastructure") && !compound(&speller, "siences"));
}

#[test]
fn hyphenated_words_and_table_cells_get_no_forms() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let cands = propose(
        "The lines are re-indented to the surrounding code.",
        &sources,
        |_, _| true,
    );
    assert!(replacements(&cands, "indented").is_empty(), "{cands:#?}");
    assert!(!replacements(&cands, "code").is_empty(), "{cands:#?}");
    let cell = Sources {
        fragment: true,
        opens_sentence: false,
        ..sources
    };
    let cands = propose("from model size", &cell, |_, _| true);
    assert!(cands.is_empty(), "{cands:#?}");
    // Spelling still counts in a table cell.
    let cands = propose("from modle size", &cell, |_, _| true);
    assert!(
        replacements(&cands, "modle").contains(&"model".to_string()),
        "{cands:#?}"
    );
}

#[test]
fn each_kind_asks_for_its_own_suspicion() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let cands = propose(
        "She eat apples and their is no reason.",
        &sources,
        |_, kind| kind == EditKind::Confusable,
    );
    assert!(
        cands.iter().any(|c| c.kind == EditKind::Confusable),
        "{cands:#?}"
    );
    assert!(
        cands.iter().all(|c| c.kind != EditKind::Agreement),
        "{cands:#?}"
    );
}

#[test]
fn first_letter_changes_are_told_apart_from_later_ones() {
    let text = "Use ureq and teh Alot.";
    let at = |w: &str| text.find(w).unwrap();
    let c =
        |w: &str, to: &str| Candidate::new(text, at(w)..at(w) + w.len(), to, EditKind::Spelling);
    assert!(c("ureq", "freq").changes_first_letter());
    assert!(!c("teh", "the").changes_first_letter());
    assert!(!c("Alot", "a lot").changes_first_letter(), "case aside");
    assert!(!c("teh ", "").changes_first_letter(), "a deletion");
}

#[test]
fn imperatives_opening_a_sentence_are_not_made_past() {
    let (speller, lexicon) = english();
    let sources = paragraph(&speller, &lexicon);
    let text = "Find the library. Use it when the build finds nothing.";
    let cands = propose(text, &sources, |_, _| true);
    for (word, past) in [("Find", "Found"), ("Use", "Used")] {
        let forms = replacements(&cands, word);
        assert!(!forms.contains(&past.to_string()), "{word}: {cands:#?}");
    }
    // Their -s forms are still candidates, and so are past forms inside a sentence.
    assert!(
        replacements(&cands, "Use").contains(&"Uses".to_string()),
        "{cands:#?}"
    );
    assert!(
        replacements(&cands, "finds").contains(&"found".to_string()),
        "{cands:#?}"
    );
}
