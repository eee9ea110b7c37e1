use super::*;
use crate::parse_language;

const README: &str = "---\ntitle: margin\n---\n\n# margin\n\nAn offline editor assistant that runs a **small** model.\n\n\
```sh\ncargo install --path .\n```\n\n<div align=\"center\">\n<img src=\"logo.png\">\n</div>\n\n\
- Proofreading in `Markdown`\n- Translations\n\n---\n\n| Command | Meaning |\n|---|---|\n| `serve` | Start the server |\n\n\
[docs]: https://example.com/docs\n\nSee the [docs] for more.\n\n    indented code\n";

fn texts(text: &str, markdown: bool) -> Vec<(bool, &str)> {
    segments(text, markdown)
        .into_iter()
        .map(|s| (s.translate, &text[s.range]))
        .collect()
}

#[test]
fn markdown_segments_cover_the_document() {
    let segs = segments(README, true);
    let joined: String = segs.iter().map(|s| &README[s.range.clone()]).collect();
    assert_eq!(joined, README);
    let translated: Vec<&str> = texts(README, true)
        .into_iter()
        .filter(|(t, _)| *t)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        translated,
        [
            "# margin",
            "An offline editor assistant that runs a **small** model.",
            "- Proofreading in `Markdown`\n- Translations",
            "| Command | Meaning |\n|---|---|\n| `serve` | Start the server |",
            "See the [docs] for more.",
        ]
    );
    for verbatim in [
        "---\ntitle: margin\n---",
        "```sh\ncargo install --path .\n```",
        "<div align=\"center\">",
        "    indented code",
        "[docs]: https://example.com/docs",
    ] {
        assert!(
            texts(README, true)
                .iter()
                .any(|(t, s)| !t && s.contains(verbatim)),
            "{verbatim}"
        );
    }
    // Verbatim runs are merged: no two in a row.
    assert!(segs.windows(2).all(|w| w[0].translate || w[1].translate));
}

#[test]
fn plain_segments_are_paragraphs() {
    let text = "First paragraph\nstill first.\n\n\nSecond one.\n   \n";
    assert_eq!(
        texts(text, false),
        [
            (true, "First paragraph\nstill first."),
            (false, "\n\n\n"),
            (true, "Second one."),
            (false, "\n   \n")
        ]
    );
    assert!(segments("", true).is_empty());
    assert_eq!(texts("```\nx\n```\n", true), [(false, "```\nx\n```\n")]);
}

#[derive(Debug, PartialEq, Eq)]
struct Stop;

fn opts() -> TranslateOptions {
    TranslateOptions {
        from: None,
        to: parse_language("fr").unwrap(),
        markdown: true,
        max_chunk_tokens: 200,
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A tiny phrasebook "model" into French; unknown lines lose their spans.
fn phrasebook(p: &TranslatePrompt) -> Result<String, Stop> {
    Ok(p.user_tail
        .lines()
        .map(|l| match l {
            "margin" => "margin".to_string(),
            "An offline editor assistant that runs a <1>small</1> model." => {
                "Un assistant d'édition hors ligne qui exécute un <1>petit</1> modèle.".into()
            }
            "Proofreading in `Markdown`" => "Relecture en `Markdown`".into(),
            "Translations" => "Traductions".into(),
            "Command" => "Commande".into(),
            "Meaning" => "Signification".into(),
            "Start the server" => "Démarrer le serveur".into(),
            _ => "Voir la documentation pour plus de détails.".into(),
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

#[test]
fn translates_block_by_block_and_keeps_verbatim_bytes() {
    let doc = translate_document(README, &opts(), words, phrasebook).unwrap();
    assert!(doc.text.starts_with("---\ntitle: margin\n---\n\n# margin\n\nUn assistant d'édition hors ligne qui exécute un **petit** modèle.\n\n```sh\ncargo install --path .\n```\n\n<div align=\"center\">"), "{}", doc.text);
    assert!(doc
        .text
        .contains("- Relecture en `Markdown`\n- Traductions\n\n---\n\n"));
    assert!(doc
        .text
        .contains("| Commande | Signification |\n|---|---|\n| `serve` | Démarrer le serveur |"));
    // The last paragraph lost `[docs]`: kept in English, reported.
    assert!(doc.text.ends_with(
        "[docs]: https://example.com/docs\n\nSee the [docs] for more.\n\n    indented code\n"
    ));
    assert_eq!(doc.failures.len(), 1);
    assert_eq!(
        doc.failures[0].error,
        "the translation dropped `[docs]`; no edit offered"
    );
    assert_eq!(
        &README[doc.failures[0].range.clone()],
        "See the [docs] for more."
    );
    // "margin" alone: nothing to tell, so it is translated (echo allowed).
    assert_eq!((doc.translated, doc.skipped), (4, 0));
    assert_eq!(doc.model_calls, 4 + 2);
}

#[test]
fn model_error_aborts_the_document() {
    let mut calls = 0;
    let r = translate_document(README, &opts(), words, |_: &TranslatePrompt| {
        calls += 1;
        Err::<String, _>(Stop)
    });
    assert_eq!(r, Err(Stop));
    assert_eq!(calls, 1);
}

#[test]
fn one_word_heading_without_final_newline() {
    assert_eq!(
        texts("Intro text.\n\n# Title", true),
        [(true, "Intro text."), (false, "\n\n"), (true, "# Title")]
    );
}
