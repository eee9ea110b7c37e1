//! `margin models pull hf:…` against a local stand-in for the Hugging Face hub (`hf_hub`) with
//! the hub's URLs and headers: a full download into the Hugging Face cache layout, an
//! interrupted download resumed with Range (within one run and by the next run), a wrong
//! checksum refused with nothing left that looks like a model, a renamed repository's
//! redirect, and a gated repository's 401 without a token, with a wrong one and with the
//! right one (which never reaches the storage host), from HF_TOKEN or the token file.

mod hf_hub;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hf_hub::{Drops, Hub, HubFile, COMMIT};
use margin_engine::test_support::stores::FakeHome;
use margin_engine::test_support::{write_tiny_model, TinyModelSpec};

fn model_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.gguf");
    write_tiny_model(&path, &TinyModelSpec::default()).unwrap();
    std::fs::read(path).unwrap()
}

fn margin(home: &FakeHome, hub: &Hub, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_margin"));
    for (name, value) in home.env() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    cmd.env("HF_ENDPOINT", &hub.base);
    if let Some(t) = token {
        cmd.env("HF_TOKEN", t);
    }
    cmd.args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn repo_dir(home: &FakeHome, repo: &str) -> PathBuf {
    home.roots.hf_hub[0].join(format!("models--{}", repo.replace('/', "--")))
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_full_download_lands_in_the_hugging_face_cache_layout() {
    let bytes = model_bytes();
    let sha = hf_hub::sha256(&bytes);
    let hub = Hub::start(
        vec![HubFile::new("org/Tiny-GGUF", "tiny.gguf", bytes.clone())],
        &[],
        "",
        Drops::None,
    );
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let repo = repo_dir(&home, "org/Tiny-GGUF");
    let snapshot = repo.join("snapshots").join(COMMIT).join("tiny.gguf");
    assert_eq!(PathBuf::from(&stdout), snapshot);
    assert_eq!(
        std::fs::read_link(&snapshot).unwrap(),
        PathBuf::from(format!("../../blobs/{sha}")),
        "a relative link, as the hub tools make"
    );
    assert_eq!(std::fs::read(&snapshot).unwrap(), bytes);
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/main")).unwrap(),
        COMMIT
    );
    assert_eq!(
        files_under(&repo),
        [
            format!("blobs/{sha}"),
            "refs/main".into(),
            format!("snapshots/{COMMIT}/tiny.gguf")
        ]
    );
    // The hub was asked with HEAD first (no redirect followed), then the storage host.
    let seen = hub.seen();
    assert_eq!(seen[0].method, "HEAD");
    assert!(
        seen[0].path == "/org/Tiny-GGUF/resolve/main/tiny.gguf",
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .any(|s| s.method == "GET" && s.path.starts_with(&format!("/cdn/{sha}"))));
    // The file is found where other tools find it, by every name.
    let listed = text(&margin(&home, &hub, None, &["models", "list", "--json"])).0;
    let rows: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(rows[0]["reference"], "hf:org/Tiny-GGUF/tiny.gguf");
    let path = text(&margin(
        &home,
        &hub,
        None,
        &["models", "path", "--model", "hf:org/Tiny-GGUF/tiny.gguf"],
    ))
    .0;
    assert_eq!(
        std::fs::canonicalize(path).unwrap(),
        std::fs::canonicalize(&snapshot).unwrap()
    );
    // Pulling again downloads nothing.
    let before = hub.seen().len();
    assert!(margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"]
    )
    .status
    .success());
    assert!(
        hub.seen()[before..].iter().all(|s| s.method == "HEAD"),
        "{:?}",
        &hub.seen()[before..]
    );
}

#[test]
fn an_interrupted_download_resumes_with_range() {
    let bytes = model_bytes();
    let sha = hf_hub::sha256(&bytes);
    let files = vec![HubFile::new("org/Tiny-GGUF", "tiny.gguf", bytes.clone())];
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    // Within one run: the connection drops halfway and the next attempt asks for the rest.
    let hub = Hub::start(files.clone(), &[], "", Drops::First);
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let ranges: Vec<_> = hub.seen().into_iter().filter_map(|s| s.range).collect();
    assert_eq!(ranges.len(), 1, "one resumed request");
    assert_eq!(std::fs::read(text(&out).0).unwrap(), bytes);
    // Across runs: a run that never gets the whole file leaves a partial blob that is no model…
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    let flaky = Hub::start(files.clone(), &[], "", Drops::Always(10_000));
    let out = margin(
        &home,
        &flaky,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("Re-run the command to resume"), "{stderr}");
    let blobs = repo_dir(&home, "org/Tiny-GGUF").join("blobs");
    let partial = std::fs::metadata(blobs.join(format!("{sha}.incomplete")))
        .unwrap()
        .len();
    assert!(
        partial >= 10_000 && partial < bytes.len() as u64,
        "{partial}"
    );
    assert!(
        text(&margin(&home, &flaky, None, &["models", "list", "--json"]))
            .0
            .contains("[]"),
        "nothing listed yet"
    );
    // …and the next run fetches only the rest.
    let hub = Hub::start(files, &[], "", Drops::None);
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let get = hub.seen().into_iter().find(|s| s.method == "GET").unwrap();
    assert_eq!(get.range, Some(format!("bytes={partial}-")));
    assert_eq!(std::fs::read(text(&out).0).unwrap(), bytes);
}

#[test]
fn a_wrong_checksum_is_refused_and_leaves_nothing_that_looks_like_a_model() {
    let bytes = model_bytes();
    let mut file = HubFile::new("org/Tiny-GGUF", "tiny.gguf", bytes);
    file.advertised = "f".repeat(64);
    let hub = Hub::start(vec![file], &[], "", Drops::None);
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/tiny.gguf"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("checksum mismatch") && stderr.contains(&"f".repeat(64)),
        "{stderr}"
    );
    let repo = repo_dir(&home, "org/Tiny-GGUF");
    assert!(files_under(&repo).is_empty(), "{:?}", files_under(&repo));
    let listed = text(&margin(&home, &hub, None, &["models", "list", "--json"])).0;
    assert_eq!(listed, "[]");
}

#[test]
fn a_renamed_repository_is_followed_and_a_missing_file_is_named() {
    let hub = Hub::start(
        vec![HubFile::new("org/Tiny-GGUF", "tiny.gguf", model_bytes())],
        &[],
        "",
        Drops::None,
    );
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:old-org/Tiny-GGUF/tiny.gguf"],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(hub
        .seen()
        .iter()
        .any(|s| s.path == "/org/Tiny-GGUF/resolve/main/tiny.gguf"));
    let out = margin(
        &home,
        &hub,
        None,
        &["models", "pull", "hf:org/Tiny-GGUF/huge.gguf"],
    );
    let stderr = text(&out).1;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no file `huge.gguf` in `org/Tiny-GGUF`"),
        "{stderr}"
    );
}

#[test]
fn a_gated_repository_needs_hf_token() {
    let bytes = model_bytes();
    let hub = Hub::start(
        vec![HubFile::new("meta/Gated-GGUF", "g.gguf", bytes.clone())],
        &["meta/Gated-GGUF"],
        "good-token",
        Drops::None,
    );
    let dir = tempfile::tempdir().unwrap();
    let home = FakeHome::new(dir.path());
    let pull = |token| {
        margin(
            &home,
            &hub,
            token,
            &["models", "pull", "hf:meta/Gated-GGUF/g.gguf"],
        )
    };
    let out = pull(None);
    let stderr = text(&out).1;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("401")
            && stderr.contains("gated or private")
            && stderr.contains("set HF_TOKEN"),
        "{stderr}"
    );
    let out = pull(Some("wrong-token"));
    let stderr = text(&out).1;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("token (HF_TOKEN) was not accepted"),
        "{stderr}"
    );
    assert!(!repo_dir(&home, "meta/Gated-GGUF").join("blobs").exists());
    let out = pull(Some("good-token"));
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(std::fs::read(text(&out).0).unwrap(), bytes);
    // The token went to the hub, never to the storage host it redirected to.
    let seen = hub.seen();
    assert!(seen
        .iter()
        .any(|s| s.method == "HEAD" && s.authorization.as_deref() == Some("Bearer good-token")));
    assert!(
        seen.iter()
            .filter(|s| s.path.starts_with("/cdn/"))
            .all(|s| s.authorization.is_none()),
        "{seen:?}"
    );
    // The token file `huggingface-cli login` writes serves as well as HF_TOKEN.
    let token_file = home.home.join(".cache/huggingface/token");
    std::fs::create_dir_all(token_file.parent().unwrap()).unwrap();
    std::fs::write(&token_file, "good-token\n").unwrap();
    let before = hub.seen().len();
    let out = pull(None);
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(
        hub.seen()[before].authorization.as_deref(),
        Some("Bearer good-token")
    );
}
