//! Tests of [`super`] on real sentences.

use super::*;

fn check_ranges(input: &str, edits: &[Edit]) {
    for e in edits {
        assert_eq!(&input[e.range.clone()], e.original, "{e:?}");
    }
    for w in edits.windows(2) {
        assert!(w[0].range.end <= w[1].range.start, "{edits:?}");
    }
}

/// Applying the edits to the input gives the output.
fn apply(input: &str, edits: &[Edit]) -> String {
    let mut s = input.to_string();
    for e in edits.iter().rev() {
        s.replace_range(e.range.clone(), &e.replacement);
    }
    s
}

#[test]
fn dont_and_eat_are_two_grammar_edits() {
    let input = "She dont like apples, but she eat them anyway.";
    let output = "She doesn't like apples, but she eats them anyway.";
    let edits = align(input, output);
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert_eq!(edits[0].range, 4..8);
    assert_eq!(edits[0].original, "dont");
    assert_eq!(edits[0].replacement, "doesn't");
    assert_eq!(edits[0].category, Category::Grammar);
    assert_eq!(edits[1].range, 30..33);
    assert_eq!(edits[1].original, "eat");
    assert_eq!(edits[1].replacement, "eats");
    assert_eq!(edits[1].category, Category::Grammar);
    assert_eq!(
        message(&edits[1]),
        "Possible grammar mistake: 'eat' → 'eats'"
    );
    assert_eq!(apply(input, &edits), output);
}

#[test]
fn missing_comma_is_an_insertion_at_end_of_word() {
    let input = "However the plan failed.";
    let edits = align(input, "However, the plan failed.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].range, 7..7);
    assert_eq!(edits[0].replacement, ",");
    assert_eq!(edits[0].category, Category::Punctuation);
    assert_eq!(message(&edits[0]), "Missing punctuation: add ','");
}

#[test]
fn space_before_comma_takes_the_comma() {
    let input = "I like apples , pears and plums.";
    let edits = align(input, "I like apples, pears and plums.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].original, " ,");
    assert_eq!(edits[0].replacement, ",");
    assert_eq!(edits[0].range, 13..15);
    assert_eq!(edits[0].category, Category::Punctuation);
    check_ranges(input, &edits);
}

#[test]
fn missing_space_after_comma() {
    let input = "Apples,pears and plums.";
    let edits = align(input, "Apples, pears and plums.");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].original.as_str(), edits[0].replacement.as_str()),
        (",", ", ")
    );
    assert_eq!(edits[0].category, Category::Punctuation);
}

#[test]
fn apostrophe_fix_is_spelling() {
    let edits = align("I dont know.", "I don't know.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].range, 2..6);
    assert_eq!(edits[0].category, Category::Spelling);
    assert_eq!(
        message(&edits[0]),
        "Possible spelling mistake: 'dont' → 'don't'"
    );
}

#[test]
fn typos_are_separate_spelling_edits() {
    let input = "Teh quick brwn fox jumps over the lazy dog.";
    let edits = align(input, "The quick brown fox jumps over the lazy dog.");
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e.category == Category::Spelling));
    assert_eq!(edits[0].original, "Teh");
    assert_eq!(edits[1].original, "brwn");
    assert_eq!(
        message(&edits[0]),
        "Possible spelling mistake: 'Teh' → 'The'"
    );
}

#[test]
fn duplicated_word_is_removal() {
    let input = "We saw the the cat yesterday.";
    let edits = align(input, "We saw the cat yesterday.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].replacement, "");
    assert_eq!(edits[0].original.trim(), "the");
    assert_eq!(edits[0].category, Category::Grammar);
    assert_eq!(message(&edits[0]), "Consider removing 'the'");
    assert_eq!(apply(input, &edits), "We saw the cat yesterday.");
}

#[test]
fn missing_word_is_insertion() {
    let input = "I went the store.";
    let edits = align(input, "I went to the store.");
    assert_eq!(edits.len(), 1);
    assert!(edits[0].range.is_empty());
    assert_eq!(edits[0].replacement.trim(), "to");
    assert_eq!(edits[0].category, Category::Grammar);
    assert_eq!(message(&edits[0]), "Possible missing word: add 'to'");
    assert_eq!(apply(input, &edits), "I went to the store.");
}

#[test]
fn rewording_is_style() {
    let input = "The results were really very good overall.";
    let edits = align(input, "The results were excellent overall.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].original, "really very good");
    assert_eq!(edits[0].category, Category::Style);
}

#[test]
fn words_pair_with_their_closest_counterparts() {
    let input = "It reads teh maxLen setting.";
    let edits = align(input, "It reads the max length setting.");
    let pairs: Vec<_> = edits
        .iter()
        .map(|e| (e.original.as_str(), e.replacement.as_str()))
        .collect();
    assert_eq!(pairs, vec![("teh", "the"), ("maxLen", "max length")]);
}

#[test]
fn word_fix_does_not_swallow_a_line_break() {
    let input = "It reads teh\nfile.";
    let edits = align(input, "It reads the file.");
    let pairs: Vec<_> = edits
        .iter()
        .map(|e| (e.original.as_str(), e.replacement.as_str()))
        .collect();
    assert_eq!(pairs, vec![("teh", "the"), ("\n", " ")]);
}

#[test]
fn identical_text_gives_no_edits() {
    assert!(align("Nothing to fix here.", "Nothing to fix here.").is_empty());
    assert!(align("", "").is_empty());
}

#[test]
fn cjk_ranges_are_exact() {
    let input = "我很喜欢吃苹果，但是他不喜欢。";
    let output = "我很喜欢吃苹果，但是她不喜欢。";
    let edits = align(input, output);
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].original, "他");
    assert_eq!(edits[0].replacement, "她");
    assert_eq!(edits[0].range, 30..33);
    check_ranges(input, &edits);
    assert_eq!(apply(input, &edits), output);
}

#[test]
fn emoji_and_multiline_ranges_are_exact() {
    let input = "Great work 🎉 on teh release!\nThe docs are updatd too.";
    let output = "Great work 🎉 on the release!\nThe docs are updated too.";
    let edits = align(input, output);
    assert_eq!(edits.len(), 2, "{edits:?}");
    check_ranges(input, &edits);
    assert_eq!(edits[0].original, "teh");
    assert_eq!(edits[0].range.start, input.find("teh").unwrap());
    assert_eq!(edits[1].original, "updatd");
    assert_eq!(edits[1].range.start, input.find("updatd").unwrap());
    assert_eq!(apply(input, &edits), output);
}

#[test]
fn appended_text_is_insertion_at_end() {
    let input = "It works";
    let edits = align(input, "It works.");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].range, 8..8);
    assert_eq!(edits[0].replacement, ".");
}

proptest::proptest! {
    /// Edits are exact, ordered and reproduce the output.
    #[test]
    fn edits_reproduce_the_output(
        input in "(teh|the|cat|dont|don't| |  |,|\\.|\n|日本|é|👋🏽|'|“|x_y){0,16}",
        output in "(teh|the|cat|dont|don't| |  |,|\\.|\n|日本|é|👋🏽|'|“|x_y){0,16}",
    ) {
        let edits = align(&input, &output);
        check_ranges(&input, &edits);
        proptest::prop_assert_eq!(apply(&input, &edits), output);
        for e in &edits {
            let _ = message(e);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(input in "\\PC{0,40}", output in "\\PC{0,40}") {
        let edits = align(&input, &output);
        check_ranges(&input, &edits);
        proptest::prop_assert_eq!(apply(&input, &edits), output);
    }
}
