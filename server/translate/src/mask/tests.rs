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
fn placeholders_are_self_masking() {
    let m = plain("Hello {name}, you have %d new messages in {{folder}}.");
    assert_eq!(
        m.text,
        "Hello {name}, you have %d new messages in {{folder}}."
    );
    assert_eq!(tokens(&m), ["{name}", "%d", "{{folder}}"]);
    assert_eq!(
        m.restore("Hallo {name}, du hast %d neue Nachrichten in {{folder}}.")
            .unwrap(),
        "Hallo {name}, du hast %d neue Nachrichten in {{folder}}."
    );
}

#[test]
fn markdown_markup_becomes_pairs_and_comes_back() {
    let src = "Click **Save** to store [the file](https://example.com/a.md \"Docs\") in `dir`.";
    let m = md(src);
    assert_eq!(
        m.text,
        "Click <1>Save</1> to store <2>the file</2> in `dir`."
    );
    assert_eq!(m.spans[3].original, "](https://example.com/a.md \"Docs\")");
    assert_eq!(
        m.spans[3].label,
        "[the file](https://example.com/a.md \"Docs\")"
    );
    assert_eq!(
        m.restore("Klicke auf <1>Speichern</1>, um <2>die Datei</2> in `dir` abzulegen.").unwrap(),
        "Klicke auf **Speichern**, um [die Datei](https://example.com/a.md \"Docs\") in `dir` abzulegen."
    );
    assert_eq!(m.restore(&m.text).unwrap(), src);
}

#[test]
fn nested_and_combined_emphasis() {
    let m = md("~~Old~~ and ***very*** new *and [linked **docs**](x.md)*.");
    assert_eq!(
        m.text,
        "<1>Old</1> and <2>very</2> new <3>and <4>linked <5>docs</5></4></3>."
    );
    let out = m
        .restore("<1>Alt</1> und <2>sehr</2> neu <3>und <4>verlinkte <5>Doku</5></4></3>.")
        .unwrap();
    assert_eq!(
        out,
        "~~Alt~~ und ***sehr*** neu *und [verlinkte **Doku**](x.md)*."
    );
}

#[test]
fn list_heading_and_quote_structure_never_reaches_the_model() {
    let src = "# Getting started\n\n- Install the *tool*\n- [ ] Run it\n\n1. First step\n2) Second step\n\n> Quoted text";
    let m = md(src);
    assert_eq!(
        m.text,
        "Getting started\nInstall the <1>tool</1>\nRun it\nFirst step\nSecond step\nQuoted text"
    );
    let out = m
        .restore("Erste Schritte\nInstalliere das <1>Werkzeug</1>\nStarte es\nErster Schritt\nZweiter Schritt\nZitierter Text")
        .unwrap();
    assert_eq!(
        out,
        "# Erste Schritte\n\n- Installiere das *Werkzeug*\n- [ ] Starte es\n\n1. Erster Schritt\n2) Zweiter Schritt\n\n> Zitierter Text"
    );
    // Blank lines between output lines are ignored.
    let spaced = "Erste Schritte\n\nInstalliere das <1>Werkzeug</1>\n\nStarte es\nErster Schritt\nZweiter Schritt\nZitierter Text";
    assert_eq!(m.restore(spaced).unwrap(), out);
    // A lost list item is an error, never a merged item.
    assert_eq!(
        m.restore("Erste Schritte\nInstalliere das <1>Werkzeug</1> Starte es\nErster Schritt\nZweiter Schritt\nZitierter Text"),
        Err(RestoreError::LineCount { expected: 6, found: 5 })
    );
}

#[test]
fn code_blocks_stay_byte_identical() {
    let src = "Run the build first.\n\n```rust\nlet answer = 42; // the answer\n```\n\n    indented code here\n\nThen read the log.\n";
    let m = md(src);
    assert_eq!(m.text, "Run the build first.\nThen read the log.");
    let out = m
        .restore("Lance d'abord la compilation.\nPuis lis le journal.")
        .unwrap();
    assert_eq!(
        out,
        "Lance d'abord la compilation.\n\n```rust\nlet answer = 42; // the answer\n```\n\n    indented code here\n\nPuis lis le journal.\n"
    );
}

#[test]
fn soft_wrapped_paragraph_is_joined_and_rewrapped() {
    let src = "> The quick brown fox jumps over\r\n> the lazy dog while `cargo build`\r\n> runs in the background.";
    let m = md(src);
    assert_eq!(
        m.text,
        "The quick brown fox jumps over the lazy dog while `cargo build` runs in the background."
    );
    let out = m
        .restore("Der schnelle braune Fuchs springt über den faulen Hund, während `cargo build` im Hintergrund läuft.")
        .unwrap();
    assert_eq!(
        out,
        "> Der schnelle braune Fuchs\r\n> springt über den faulen Hund,\r\n> während `cargo build` im\r\n> Hintergrund läuft."
    );
    // Never wider than the widest source line (34 characters).
    for line in out.split("\r\n") {
        assert!(line.chars().count() <= 34, "{line:?}");
    }
}

#[test]
fn rewrap_never_starts_a_line_with_a_list_marker() {
    let src = "Values are listed below in order\nof importance for everyone.";
    let m = md(src);
    let out = m
        .restore(
            "Werte stehen unten in der Reihenfolge - 1. Wichtigkeit für alle, die sie brauchen.",
        )
        .unwrap();
    for line in out.lines().skip(1) {
        assert!(!line.starts_with("- ") && !line.starts_with("1. "), "{out}");
    }
    assert_eq!(
        out.replace('\n', " "),
        "Werte stehen unten in der Reihenfolge - 1. Wichtigkeit für alle, die sie brauchen."
    );
}

#[test]
fn hard_line_breaks_split_blocks() {
    let m = md("First line  \nsecond line\\\nthird line");
    assert_eq!(m.text, "First line\nsecond line\nthird line");
    assert_eq!(
        m.restore("Erste\nzweite\ndritte").unwrap(),
        "Erste  \nzweite\\\ndritte"
    );
}

#[test]
fn errors_name_the_span() {
    let m = md("Hello {name}, open **Settings** and see <https://example.com>.");
    assert_eq!(
        m.text,
        "Hello {name}, open <1>Settings</1> and see <https://example.com>."
    );
    let err = |out: &str| m.restore(out).unwrap_err();
    assert_eq!(
        err("Hallo, öffne <1>Einstellungen</1> und siehe <https://example.com>."),
        RestoreError::Missing {
            span: "{name}".into()
        }
    );
    assert_eq!(
        err("Hallo {name}, öffne Einstellungen</1> und siehe <https://example.com>."),
        RestoreError::Missing {
            span: "**Settings**".into()
        }
    );
    assert_eq!(
        err("Hallo {name} {name}, öffne <1>Einstellungen</1> und <https://example.com>."),
        RestoreError::Duplicated {
            span: "{name}".into()
        }
    );
    assert_eq!(
        err("Hallo {name}, öffne <1>Einstellungen</1> und %s <https://example.com>."),
        RestoreError::Invented { span: "%s".into() }
    );
    assert_eq!(
        err("Hallo {name}, öffne </1>Einstellungen<1> und siehe <https://example.com>."),
        RestoreError::Misplaced {
            span: "**Settings**".into()
        }
    );
    assert_eq!(
        err("Hallo {name}, öffne <1>Einstellungen</1> <2/> und <https://example.com>."),
        RestoreError::Invented {
            span: "<2/>".into()
        }
    );
    assert_eq!(err("   "), RestoreError::Empty);
}

#[test]
fn tables_and_front_matter() {
    let src = "---\ntitle: Guide\n---\n\n| Name | Meaning |\n|------|---------|\n| `x` | The first value |\n";
    let m = md(src);
    assert_eq!(m.text, "Name\nMeaning\nThe first value");
    let out = m.restore("Nom\nSignification\nLa première valeur").unwrap();
    assert_eq!(out, "---\ntitle: Guide\n---\n\n| Nom | Signification |\n|------|---------|\n| `x` | La première valeur |\n");
}

#[test]
fn plain_lists_and_paragraphs() {
    let src = "Steps to follow:\n- open the file\n  and read it\n- close it\n\nDone now.";
    let m = plain(src);
    assert_eq!(
        m.text,
        "Steps to follow:\nopen the file and read it\nclose it\nDone now."
    );
    assert_eq!(m.restore(&m.text).unwrap(), src);
    let out = m
        .restore("Schritte:\nöffne die Datei und lies sie\nschließe sie\nFertig.")
        .unwrap();
    // The wrapped item is re-wrapped (at least 20 columns) with its
    // continuation indent; the one-line item stays on one line.
    assert_eq!(
        out,
        "Schritte:\n- öffne die Datei und\n  lies sie\n- schließe sie\n\nFertig."
    );
}

#[test]
fn token_ranges_cover_every_span() {
    let m = md("Set {name} and **bold** at https://example.com now.");
    let got: Vec<&str> = m.token_ranges().into_iter().map(|r| &m.text[r]).collect();
    assert_eq!(got, ["{name}", "<1>", "</1>", "https://example.com"]);
}
