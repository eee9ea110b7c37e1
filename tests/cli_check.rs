//! `margin check` as a user runs it: text and JSON output, exit codes
//! (0 clean, 1 findings, 2 errors), directories walked honouring
//! .gitignore, the workspace dictionary respected. Uses the real SmolLM2
//! model (`MARGIN_TEST_MODEL`; required under CI) except for error cases.

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn margin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_margin"))
        .current_dir(dir)
        .env("MARGIN_CONFIG", dir.join("no-user-config.toml"))
        .env("MARGIN_CACHE_DIR", dir.join("cache"))
        .env_remove("MARGIN_MODEL")
        .args(args)
        .output()
        .expect("margin runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn findings_in_text_and_json_with_exit_codes() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("notes.md"),
        "# Notes\n\nI has a question about the homework.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("clean.md"), "The weather is nice today.\n").unwrap();
    std::fs::create_dir(dir.path().join("build")).unwrap();
    std::fs::write(dir.path().join("build/out.md"), "I has a question.\n").unwrap();
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();

    let out = margin(dir.path(), &["check", "--model", &model, "notes.md"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("notes.md:3:3: grammar: Possible grammar mistake: 'has' → 'have'"),
        "{text}"
    );

    let out = margin(
        dir.path(),
        &["check", "--format", "json", "--model", &model, "."],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|i| !i["file"].as_str().unwrap().contains("build")),
        "gitignored dir walked: {items:#?}"
    );
    let finding = items
        .iter()
        .find(|i| i["original"] == "has")
        .expect("finding on 'has'");
    assert_eq!(
        finding["range"]["start"],
        serde_json::json!({"line": 2, "character": 2, "byte": 11})
    );
    assert_eq!(
        (
            finding["category"].as_str(),
            finding["replacement"].as_str()
        ),
        (Some("grammar"), Some("have"))
    );

    let out = margin(dir.path(), &["check", "--model", &model, "clean.md"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "");

    // A word in the workspace dictionary is never flagged.
    std::fs::create_dir(dir.path().join(".margin")).unwrap();
    std::fs::write(dir.path().join(".margin/dictionary.txt"), "has\n").unwrap();
    let out = margin(dir.path(), &["check", "--model", &model, "notes.md"]);
    assert!(!stdout(&out).contains("'has'"), "{}", stdout(&out));
}

#[test]
fn errors_exit_with_2_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), "Text.\n").unwrap();
    let out = margin(dir.path(), &["check", "notes.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("margin models pull smollm2-135m"),
        "{out:?}"
    );
    let out = margin(dir.path(), &["check", "--model", "notes.md", "notes.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a GGUF"),
        "{out:?}"
    );
    let out = margin(dir.path(), &["check", "missing.md"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn german_is_never_corrected_into_english() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let german =
        "Wir haben gestern ein schönes Haus gesehen, aber es war leider viel zu teuer für uns.\n\n\
                  Ich habe gestern ein neues Auto gekauft, aber es ist sehr teuer gewesen.\n";
    std::fs::write(dir.path().join("brief.md"), german).unwrap();
    let out = margin(
        dir.path(),
        &["check", "--format", "json", "--model", &model, "brief.md"],
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{out:?}"
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let english = [
        "the", "a", "and", "but", "we", "have", "very", "is", "was", "house", "car",
    ];
    for item in items.as_array().unwrap() {
        let replacement = item["replacement"].as_str().unwrap().to_lowercase();
        assert!(
            !replacement
                .split_whitespace()
                .any(|w| english.contains(&w.trim_matches(|c: char| !c.is_alphabetic()))),
            "English replacement offered for German text: {item:#}"
        );
    }
}

/// German with Debian's German dictionary (scripts/install-deps): a misspelling is corrected to a
/// German word, and no other kind of finding is shown, because SmolLM2's calibration was
/// measured on English only.
#[test]
fn a_german_misspelling_is_flagged_and_nothing_but_spelling_is_shown() {
    let Some(model) = support::test_model() else {
        return;
    };
    if !std::path::Path::new("/usr/share/hunspell/de_DE.dic").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "hunspell-de-de must be installed under CI"
        );
        eprintln!("skipped: no German dictionary in /usr/share/hunspell");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let german = "Der Film war sehr langweillig und viel zu lang.\n\n\
                  Das Kind spielt jeden Tag im Garten mit seinem Hund und ist sehr glüklich.\n";
    std::fs::write(dir.path().join("brief.md"), german).unwrap();
    let out = margin(
        dir.path(),
        &["check", "--format", "json", "--model", &model, "brief.md"],
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["original"] == "glüklich" && i["replacement"] == "glücklich"),
        "{items:#?}"
    );
    assert!(
        items.iter().all(|i| i["category"] == "spelling"),
        "{items:#?}"
    );
}

/// The README's own check, as a new user runs it (`scripts/proofread README.md`): at most three
/// findings (issue goal; each must be a real mistake, which the README's authors check when it
/// changes).
#[test]
fn the_readme_gets_at_most_three_findings() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    std::fs::write(dir.path().join("README.md"), &readme).unwrap();
    let out = margin(
        dir.path(),
        &["check", "--format", "json", "--model", &model, "README.md"],
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert!(items.len() <= 3, "{items:#?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 file,"),
        "summary line: {out:?}"
    );
}

#[test]
fn a_broken_dictionary_is_reported_once_on_stderr_and_checking_goes_on() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dicts")).unwrap();
    std::fs::write(dir.path().join("dicts/en.aff"), "SET UTF-8\n").unwrap();
    std::fs::write(
        dir.path().join("margin.toml"),
        "dictionaryPaths = [\"dicts\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.md"),
        "The first file is fine and has nothing wrong in it.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.md"),
        "The second file is fine too, with nothing wrong in it.\n",
    )
    .unwrap();
    let out = margin(dir.path(), &["check", "--model", &model, "a.md", "b.md"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("cannot use the spelling dictionary").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("en.dic"), "{stderr}");
    assert!(stderr.contains("2 files,"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
