//! Edge cases: whitespace, trivial and binary texts, options, tokens.

use super::*;

fn md(text: &str) -> Masked {
    mask(
        text,
        MaskOptions {
            markdown: true,
            html: true,
        },
    )
}

fn plain(text: &str) -> Masked {
    mask(text, MaskOptions::default())
}

fn tokens(m: &Masked) -> Vec<&str> {
    m.spans.iter().map(|s| s.token.as_str()).collect()
}

#[test]
fn tokens_skip_numbers_the_source_uses() {
    let m = md("Press <1>Enter</1> to **confirm** the dialog.");
    // `<1>` is a react-i18next tag in the source: self-masked, and our
    // pair uses the next free number.
    assert_eq!(m.text, "Press <1>Enter</1> to <2>confirm</2> the dialog.");
    assert_eq!(
        m.restore("Drücke <1>Enter</1>, um den Dialog zu <2>bestätigen</2>.")
            .unwrap(),
        "Drücke <1>Enter</1>, um den Dialog zu **bestätigen**."
    );
}

#[test]
fn long_and_multiline_spans_use_tokens() {
    let url = "https://example.com/a/very/long/path/that/goes/on/and/on/forever/index.html";
    let m = plain(&format!("Read {url} before you start."));
    assert_eq!(m.text, "Read <1/> before you start.");
    assert_eq!(
        m.restore("Lies <1/>, bevor du anfängst.").unwrap(),
        format!("Lies {url}, bevor du anfängst.")
    );
    let m = md("Use `a\nb` here in text.");
    assert_eq!(m.text, "Use <1/> here in text.");
}

#[test]
fn whitespace_around_the_text_is_kept() {
    let m = plain("\n\n   Hello world.  \n");
    assert_eq!(m.text, "Hello world.");
    assert_eq!(
        m.restore("  Hallo Welt.\n").unwrap(),
        "\n\n   Hallo Welt.  \n"
    );
}

#[test]
fn trivial_texts() {
    for t in [
        "",
        "   \n\t",
        "`code` {name} %s",
        "42 + 7 = 49.",
        "<br/> &amp; https://example.com",
    ] {
        let m = plain(t);
        assert!(m.is_trivial(), "{t:?}");
        assert_eq!(m.text, "");
        assert_eq!(m.restore("").unwrap(), t);
    }
    assert!(md("```\ncode only\n```").is_trivial());
    assert!(!plain("Hello {name}").is_trivial());
}

#[test]
fn html_option() {
    let src = "Press <kbd>Ctrl</kbd> &amp; <kbd>C</kbd> to copy.";
    let on = plain(src);
    assert_eq!(tokens(&on), ["<kbd>", "</kbd>", "&amp;", "<kbd>", "</kbd>"]);
    let off = mask(
        src,
        MaskOptions {
            markdown: false,
            html: false,
        },
    );
    assert!(off.spans.is_empty());
    assert_eq!(md("Press <kbd>Ctrl</kbd> now.").spans.len(), 2);
}

#[test]
fn binary_and_nul_text_does_not_panic() {
    let src = "Hello\0world \u{1}\u{7f} {x}\u{fffd} end";
    for m in [plain(src), md(src)] {
        assert_eq!(m.restore(&m.text).unwrap(), src);
    }
}

#[test]
fn one_word_heading_is_translatable() {
    let m = md("# Title\n");
    assert_eq!(m.text, "Title");
    assert_eq!(m.restore("Titel").unwrap(), "# Titel\n");
}

#[test]
fn a_translation_cannot_turn_a_paragraph_into_a_list() {
    let m = md("Note\n\nSteps are listed below.");
    assert_eq!(
        m.restore("Note\n- Schritte stehen unten.").unwrap(),
        "Note\n\n\\- Schritte stehen unten."
    );
    assert_eq!(
        m.restore("Note\n1. Schritte stehen unten.").unwrap(),
        "Note\n\n1\\. Schritte stehen unten."
    );
    // In a heading a leading `1.` is plain text: no escape.
    let h = md("# Introduction");
    assert_eq!(h.restore("1. Einführung").unwrap(), "# 1. Einführung");
    // Plain text has no escapes.
    assert_eq!(
        plain("Steps below.").restore("- Schritte").unwrap(),
        "- Schritte"
    );
}

#[test]
fn math_is_protected_but_prices_are_prose() {
    let m = md("The area is $x^2$ and it costs $5 or $10 today.");
    assert_eq!(tokens(&m), ["$x^2$"]);
    assert_eq!(m.text, "The area is $x^2$ and it costs $5 or $10 today.");
    // `%1$d … %2$s` is no math.
    assert_eq!(
        tokens(&md("Found %1$d files in %2$s folders.")),
        ["%1$d", "%2$s"]
    );
}
