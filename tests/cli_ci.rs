//! `margin check` in CI, with the real SmolLM2 model (`MARGIN_TEST_MODEL`; required under CI):
//! the persistent result cache (a second run makes no model call, one changed paragraph
//! makes one, two processes at once, shared with the editor's server), `--changed-since` in a
//! git repository the test builds, the output formats (SARIF and rdjson validated against the
//! pinned schemas in `tests/schemas/`, GitHub workflow commands by exact text) and
//! `--fail-on`. Model calls are counted from the summary line, never timed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use regex::Regex;
use serde_json::{json, Value};

/// A sentence SmolLM2 corrects ('recieve' → 'receive', at line 3, columns 4 to 11 after a
/// heading).
const MISTAKE: &str = "We recieve the letters every morning.";

fn margin_in(dir: &Path, cache: &Path, model: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_margin"));
    c.current_dir(dir)
        .env("MARGIN_CONFIG", dir.join("no-user-config.toml"))
        .env("MARGIN_CACHE_DIR", cache)
        .env("MARGIN_MODEL", model)
        .env_remove("CI")
        .arg("check");
    c
}

fn run(dir: &Path, cache: &Path, model: &str, args: &[&str]) -> Output {
    margin_in(dir, cache, model)
        .args(args)
        .output()
        .expect("margin runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// (regions, checked by the model, from cache) from the summary line.
fn counts(o: &Output) -> (usize, usize, usize) {
    let re = Regex::new(r"(\d+) regions?: (\d+) checked, (\d+) from cache").unwrap();
    let err = stderr(o);
    let c = re
        .captures(&err)
        .unwrap_or_else(|| panic!("no summary line: {err}"));
    let n = |i: usize| c[i].parse().unwrap();
    (n(1), n(2), n(3))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn docs(dir: &Path) {
    write(
        dir,
        "docs/notes.md",
        &format!("# Notes\n\n{MISTAKE}\n\nThe weather is nice today.\n"),
    );
    write(
        dir,
        "docs/guide.md",
        "# Guide\n\nRun the tests before every release.\n\nThe cache keeps results between runs.\n",
    );
    write(
        dir,
        "docs/more/faq.md",
        "# Questions\n\nAsk the team when something is unclear.\n",
    );
}

#[test]
fn a_second_run_makes_no_model_call_and_one_changed_paragraph_makes_one() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    docs(dir.path());
    let first = run(dir.path(), &cache, &model, &["docs"]);
    let (regions, checked, _) = counts(&first);
    assert!(regions >= 8 && checked == regions, "{}", stderr(&first));
    assert_eq!(first.status.code(), Some(1), "{first:?}");

    let second = run(dir.path(), &cache, &model, &["docs"]);
    assert_eq!(
        counts(&second),
        (regions, 0, regions),
        "{}",
        stderr(&second)
    );
    assert_eq!(stdout(&second), stdout(&first));
    assert_eq!(second.status.code(), Some(1));

    write(dir.path(), "docs/guide.md", "# Guide\n\nRun the tests before every release.\n\nThe cache keeps results between two runs.\n");
    let third = run(dir.path(), &cache, &model, &["docs"]);
    assert_eq!(
        counts(&third),
        (regions, 1, regions - 1),
        "{}",
        stderr(&third)
    );

    // --no-cache neither reads nor writes the store.
    let uncached = run(dir.path(), &cache, &model, &["--no-cache", "docs"]);
    assert_eq!(
        counts(&uncached),
        (regions, regions, 0),
        "{}",
        stderr(&uncached)
    );
    assert_eq!(stdout(&uncached), stdout(&first));
}

#[test]
fn two_processes_on_one_cache_at_once_finish_with_the_results_of_one_alone() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    docs(dir.path());
    write(
        dir.path(),
        "docs/extra.md",
        "# Extra\n\nHe read the book yesterday and liked it.\n\nWe will meet again next week.\n",
    );
    let alone = run(
        dir.path(),
        &dir.path().join("alone"),
        &model,
        &["--format", "json", "docs"],
    );
    let shared = dir.path().join("shared");
    let children: Vec<_> = (0..2)
        .map(|_| {
            margin_in(dir.path(), &shared, &model)
                .args(["--format", "json", "docs"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), alone.status.code(), "{}", stderr(&out));
        assert_eq!(stdout(&out), stdout(&alone));
        assert!(!stderr(&out).contains("result cache"), "{}", stderr(&out));
    }
    // Every entry the two wrote is whole: a third run finds all of them.
    let third = run(dir.path(), &shared, &model, &["--format", "json", "docs"]);
    let (regions, checked, cached) = counts(&third);
    assert_eq!((checked, cached), (0, regions), "{}", stderr(&third));
    assert_eq!(stdout(&third), stdout(&alone));
    let db = rusqlite::Connection::open(shared.join("results/proofread.sqlite3")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn the_editor_and_ci_share_one_cache() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // The in-process server uses $MARGIN_CACHE_DIR (set by TestClient::start for this process).
        let mut client = support::TestClient::start();
        let cache = PathBuf::from(std::env::var("MARGIN_CACHE_DIR").unwrap());
        client
            .initialize(
                support::capabilities(&["utf-16"]),
                json!({"model": model, "threads": 1}),
            )
            .await;
        // Checked in the editor, then free in CI.
        let edited = format!("# Edited\n\n{MISTAKE}\n\nThe editor checked this paragraph first.\n");
        write(dir.path(), "edited.md", &edited);
        client
            .open("file:///w/edited.md", "markdown", &edited)
            .await;
        client
            .checked_diagnostics("file:///w/edited.md", None)
            .await;
        let out = run(dir.path(), &cache, &model, &["edited.md"]);
        let (regions, checked, _) = counts(&out);
        assert_eq!((regions, checked), (3, 0), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("edited.md:3:4: spelling:"),
            "{}",
            stdout(&out)
        );
        // Checked in CI, then free in the editor.
        let ci = "# From CI\n\nThis paragraph was checked on the command line first.\n";
        write(dir.path(), "ci.md", ci);
        assert_eq!(counts(&run(dir.path(), &cache, &model, &["ci.md"])).1, 2);
        let before = client.request("margin/status", json!({})).await.unwrap()["checks"].clone();
        client.open("file:///w/ci.md", "markdown", ci).await;
        client.checked_diagnostics("file:///w/ci.md", None).await;
        let after = client.request("margin/status", json!({})).await.unwrap()["checks"].clone();
        assert_eq!(
            after["modelCalls"], before["modelCalls"],
            "{before} → {after}"
        );
        assert_eq!(
            after["diskHits"].as_u64().unwrap(),
            before["diskHits"].as_u64().unwrap() + 2,
            "{before} → {after}"
        );
        client.shutdown_and_exit().await;
    });
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn findings(out: &Output) -> Vec<(String, String)> {
    let items: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["file"].as_str().unwrap().to_string(),
                i["original"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn changed_since_checks_only_new_and_edited_regions() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "doc.md",
        &format!("# Doc\n\n{MISTAKE}\n\nThe weather is nice today.\n"),
    );
    write(d, "same.md", "# Same\n\nNothing changes here.\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    // The old mistake stays; one paragraph is edited, one is added with the same mistake in a
    // new sentence; an untracked file is new altogether.
    let added = "We recieve the letters every evening.";
    write(
        d,
        "doc.md",
        &format!("# Doc\n\n{MISTAKE}\n\nThe weather was nice today.\n\n{added}\n"),
    );
    write(d, "new.md", &format!("# New\n\n{MISTAKE}\n"));
    let cache = d.join("cache");
    let whole = run(
        d,
        &cache,
        &model,
        &["--format", "json", "doc.md", "new.md", "same.md"],
    );
    let since = run(
        d,
        &cache,
        &model,
        &[
            "--changed-since",
            "main",
            "--format",
            "json",
            "doc.md",
            "new.md",
            "same.md",
        ],
    );
    let (regions, _, _) = counts(&since);
    assert_eq!(
        regions,
        4,
        "edited + added paragraph of doc.md, heading + paragraph of new.md: {}",
        stderr(&since)
    );
    assert!(
        stderr(&since).contains("3 files (1 unchanged since main)"),
        "{}",
        stderr(&since)
    );
    let expected: Vec<(String, String)> = findings(&whole)
        .into_iter()
        .filter(|(file, _)| file == "new.md" || file == "doc.md")
        .collect();
    let got = findings(&since);
    assert!(
        got.iter()
            .any(|f| f == &("new.md".to_string(), "recieve".to_string())),
        "{got:?}"
    );
    assert!(
        got.len() < expected.len(),
        "the old mistake in doc.md is not reported again: {got:?} vs {expected:?}"
    );
    for f in &got {
        assert!(
            expected.contains(f),
            "{f:?} not in the whole-file run {expected:?}"
        );
    }
    // A bad ref is said once, naming the option, and the files are checked whole.
    let bad = run(
        d,
        &cache,
        &model,
        &[
            "--changed-since",
            "no-such-branch",
            "--format",
            "json",
            "doc.md",
        ],
    );
    let err = stderr(&bad);
    assert_eq!(
        err.matches("--changed-since no-such-branch").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("no such commit") && err.contains("checking whole files"),
        "{err}"
    );
    assert_eq!(
        findings(&bad),
        findings(&run(d, &cache, &model, &["--format", "json", "doc.md"]))
    );
}

fn validate(schema: &str, instance: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(schema);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

#[test]
fn every_format_carries_the_fix_and_sarif_and_rdjson_match_their_schemas() {
    let Some(model) = support::test_model() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "notes.md", &format!("# Notes\n\n{MISTAKE}\n"));
    write(d, "my docs/a, b.md", &format!("# Ä title\n\n{MISTAKE}\n"));
    let cache = d.join("cache");
    let formatted = |format: &str, extra: &[&str]| {
        let mut args = vec!["--format", format];
        args.extend_from_slice(extra);
        args.extend(["notes.md", "my docs/a, b.md"]);
        run(d, &cache, &model, &args)
    };

    let sarif = formatted("sarif", &[]);
    assert_eq!(sarif.status.code(), Some(1), "{sarif:?}");
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    validate("sarif-2.1.0.json", &log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let found = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "notes.md")
        .unwrap();
    assert_eq!(found["ruleId"], "spelling");
    assert_eq!(found["level"], "note");
    let region = json!({"startLine": 3, "startColumn": 4, "endLine": 3, "endColumn": 11});
    let replacement = &found["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        replacement,
        &json!({"deletedRegion": region, "insertedContent": {"text": "receive"}})
    );
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"my%20docs/a%2C%20b.md"), "{uris:?}");

    let rdjson = formatted("rdjson", &[]);
    let result: Value = serde_json::from_slice(&rdjson.stdout).unwrap();
    validate("rdjson.schema.json", &result);
    let found = result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["location"]["path"] == "notes.md")
        .unwrap();
    let range = json!({"start": {"line": 3, "column": 4}, "end": {"line": 3, "column": 11}});
    assert_eq!(found["location"]["range"], range);
    assert_eq!(
        found["suggestions"],
        json!([{"range": range, "text": "receive"}])
    );
    assert_eq!(
        (found["severity"].as_str(), found["code"]["value"].as_str()),
        (Some("INFO"), Some("spelling"))
    );

    let github = formatted("github", &[]);
    let lines: Vec<&str> = std::str::from_utf8(&github.stdout)
        .unwrap()
        .lines()
        .collect();
    assert!(
        lines.contains(&"::notice file=notes.md,line=3,endLine=3,col=4,endColumn=11,title=margin%3A spelling::Possible spelling mistake: 'recieve' → 'receive'"),
        "{lines:#?}"
    );
    assert!(lines.contains(&"::notice file=my docs/a%2C b.md,line=3,endLine=3,col=4,endColumn=11,title=margin%3A spelling::Possible spelling mistake: 'recieve' → 'receive'"), "{lines:#?}");
    let command = Regex::new(r"^::notice file=[^,:]+,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,title=margin%3A [a-z]+::.+$").unwrap();
    assert!(lines.iter().all(|l| command.is_match(l)), "{lines:#?}");
    let (regions, checked, _) = counts(&github);
    assert_eq!(
        checked, 0,
        "formats after the first come from the cache ({regions} regions)"
    );

    // --fail-on: the findings are at the `severity` setting's level (information by default).
    assert_eq!(
        formatted("text", &["--fail-on", "info"]).status.code(),
        Some(1)
    );
    assert_eq!(
        formatted("text", &["--fail-on", "warning"]).status.code(),
        Some(0)
    );
    assert_eq!(
        formatted("text", &["--fail-on", "never"]).status.code(),
        Some(0)
    );
    write(d, "margin.toml", "severity = \"warning\"\n");
    assert_eq!(
        formatted("text", &["--fail-on", "warning"]).status.code(),
        Some(1)
    );
    assert_eq!(
        formatted("text", &["--fail-on", "error"]).status.code(),
        Some(0)
    );
    assert!(stdout(&formatted("github", &[])).starts_with("::warning file="));
}
