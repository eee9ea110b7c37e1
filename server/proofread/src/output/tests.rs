//! Tests of [`super`] on real sentences.

use super::*;

const IN: &str = "She dont like apples, but she eat them anyway.";
const OUT: &str = "She doesn't like apples, but she eats them anyway.";

#[test]
fn plain_reply_passes_through() {
    assert_eq!(clean(OUT, IN).unwrap(), OUT);
    assert_eq!(clean(&format!("  {OUT}\n"), IN).unwrap(), OUT);
}

#[test]
fn strips_preambles_and_labels() {
    for raw in [
        format!("Corrected text: {OUT}"),
        format!("Here is the corrected text:\n\n{OUT}"),
        format!("Sure! Here's the corrected version:\n{OUT}"),
        format!("corrected: \"{OUT}\""),
    ] {
        assert_eq!(clean(&raw, IN).unwrap(), OUT, "{raw:?}");
    }
}

#[test]
fn unwraps_quotes_and_fences() {
    for raw in [
        format!("\"{OUT}\""),
        format!("“{OUT}”"),
        format!("`{OUT}`"),
        format!("```text\n{OUT}\n```"),
    ] {
        assert_eq!(clean(&raw, IN).unwrap(), OUT, "{raw:?}");
    }
    // Quotes that were in the input stay.
    let quoted = "\"Fine,\" she said, \"let's go.\"";
    assert_eq!(clean(quoted, quoted).unwrap(), quoted);
}

#[test]
fn cuts_trailing_notes() {
    for raw in [
        format!("{OUT}\n\nNote: I changed \"dont\" to \"doesn't\"."),
        format!("{OUT}\nExplanation: subject-verb agreement."),
        format!("{OUT} (Note: the verb must agree with the subject.)"),
        format!("{OUT}\n\nI corrected two mistakes."),
        format!("{OUT}\n---\nChanges: dont → doesn't"),
    ] {
        assert_eq!(clean(&raw, IN).unwrap(), OUT, "{raw:?}");
    }
}

#[test]
fn corrected_prose_is_not_mistaken_for_chatter() {
    let input = "We kept the API stable.\nThe originl design used threads.";
    let output = "We kept the API stable.\nThe original design used threads.";
    assert_eq!(clean(output, input).unwrap(), output);
    let input = "Here's teh fix:\nrestart the server.";
    let output = "Here's the fix:\nrestart the server.";
    assert_eq!(clean(output, input).unwrap(), output);
    // Quotes inside the input and the reply are not a wrapper.
    let input = "He said \"fine\" and left";
    assert_eq!(
        clean("He said \"fine\" and left.", input).unwrap(),
        "He said \"fine\" and left."
    );
    assert_eq!(
        clean("\"He said \"fine\" and left.\"", input).unwrap(),
        "He said \"fine\" and left."
    );
}

#[test]
fn keeps_notes_that_are_in_the_input() {
    let input = "Fix the parser.\nNote: this breaks the old API.";
    assert_eq!(clean(input, input).unwrap(), input);
}

#[test]
fn cuts_a_repeated_copy() {
    assert_eq!(clean(&format!("{OUT}\n\n{OUT}"), IN).unwrap(), OUT);
    assert_eq!(clean(&format!("{OUT} {OUT}"), IN).unwrap(), OUT);
}

#[test]
fn already_correct_reply_means_unchanged() {
    let input = "The build finished without errors.";
    assert_eq!(clean("The text is already correct.", input).unwrap(), input);
}

#[test]
fn rejects_unusable_replies() {
    assert_eq!(clean("", IN), Err(Unusable::Empty));
    assert_eq!(clean("  \"\" ", IN), Err(Unusable::Empty));
    assert!(matches!(
        clean(&"apples ".repeat(40), IN),
        Err(Unusable::Runaway { .. })
    ));
    assert!(matches!(
        clean("Она не любит яблоки, но всё равно их ест.", IN),
        Err(Unusable::OtherLanguage { .. })
    ));
    let de = "Ich habe gestern einen langen Spaziergang im Park gemacht.";
    let en = "Yesterday I took a long walk in the park and it was nice.";
    assert!(matches!(clean(en, de), Err(Unusable::OtherLanguage { .. })));
    let three = "First line here.\nSecond line here.\nThird line here.";
    assert_eq!(
        clean("First line here. Second line here. Third line here.", three),
        Err(Unusable::LineMismatch {
            input: 3,
            output: 1
        })
    );
}

#[test]
fn keeps_input_edge_whitespace() {
    assert_eq!(
        clean("Fixed the bug.", " Fixd the bug.\n").unwrap(),
        " Fixed the bug.\n"
    );
}

#[test]
fn stop_strings_skip_those_in_input() {
    assert!(stop_strings().contains(&"\n\nNote".to_string()));
    let s = stop_strings_for("Intro.\n\nNote: keep this.");
    assert!(!s.contains(&"\n\nNote".to_string()));
    assert!(s.contains(&"\n\nExplanation".to_string()));
}

#[test]
fn never_panics_on_odd_input() {
    let samples = [
        "",
        "\"",
        "```",
        "“",
        "é",
        "Note:",
        "\n\n\n",
        "日本語「」",
        "```\n```",
        "'a'",
        "Corrected text:",
    ];
    for raw in samples {
        for input in samples {
            let _ = clean(raw, input);
        }
    }
}

proptest::proptest! {
    #[test]
    fn clean_never_panics(raw in "\\PC{0,80}", input in "\\PC{0,60}") {
        let _ = clean(&raw, &input);
    }

    #[test]
    fn clean_never_panics_on_structured_noise(
        raw in "(Note:|```|\"|“|”|\n|Corrected text:| |teh|日本|é|---){0,12}",
        input in "(Note|\"|\n| |teh|日本|é){0,8}",
    ) {
        let _ = clean(&raw, &input);
    }
}
