//! A local stand-in for the Hugging Face hub, started by a test: `HEAD|GET
//! /<org>/<repo>/resolve/<revision>/<file>` answers like huggingface.co does for LFS files (a
//! 302 to a storage host with `X-Repo-Commit`, `X-Linked-Etag` (the sha256), `X-Linked-Size`
//! and `ETag`), renamed repositories get a relative 307, gated ones a 401 with
//! `X-Error-Code: GatedRepo` unless `Authorization: Bearer <token>` is right, and
//! `/cdn/<sha256>` on a second port (another origin, like the hub's CDN) serves the bytes with
//! Range support. Every request is logged so tests can check what the client sent.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file the hub serves.
#[derive(Clone)]
pub struct HubFile {
    pub repo: String,
    pub file: String,
    pub bytes: Vec<u8>,
    /// The sha256 the hub advertises (normally the bytes' own).
    pub advertised: String,
}

impl HubFile {
    pub fn new(repo: &str, file: &str, bytes: Vec<u8>) -> Self {
        HubFile {
            repo: repo.into(),
            file: file.into(),
            advertised: sha256(&bytes),
            bytes,
        }
    }
}

/// How the storage host misbehaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Drops {
    /// Never.
    None,
    /// The first download is cut off halfway.
    First,
    /// Every download is cut off after this many bytes of its body.
    Always(usize),
}

/// One request as the hub saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
    pub authorization: Option<String>,
}

pub struct Hub {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

pub const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

impl Hub {
    /// Starts serving `files`; repositories in `gated` need `Bearer <token>`.
    pub fn start(files: Vec<HubFile>, gated: &[&str], token: &str, drops: Drops) -> Hub {
        // The hub and its storage host listen on different ports: different origins, as
        // huggingface.co and its CDN are (a token must never reach the storage host).
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let storage = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let cdn = format!("http://{}", storage.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let state = Arc::new(Mutex::new(0usize)); // downloads so far
        let gated: Vec<String> = gated.iter().map(|s| s.to_string()).collect();
        let token = token.to_owned();
        for listener in [listener, storage] {
            let (files, gated, cdn, log, token, state) = (
                files.clone(),
                gated.clone(),
                cdn.clone(),
                seen.clone(),
                token.clone(),
                state.clone(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (files, gated, cdn, log, token, state) = (
                        files.clone(),
                        gated.clone(),
                        cdn.clone(),
                        log.clone(),
                        token.clone(),
                        state.clone(),
                    );
                    std::thread::spawn(move || {
                        serve(stream, &files, &gated, &token, drops, &cdn, &log, &state)
                    });
                }
            });
        }
        Hub { base, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

#[allow(clippy::too_many_arguments)]
fn serve(
    stream: TcpStream,
    files: &[HubFile],
    gated: &[String],
    token: &str,
    drops: Drops,
    cdn: &str,
    log: &Mutex<Vec<Seen>>,
    downloads: &Mutex<usize>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("/").to_owned(),
    );
    let (mut range, mut authorization) = (None, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) <= 2 {
            break;
        }
        let (name, value) = h
            .split_once(':')
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .unwrap_or_default();
        match name.as_str() {
            "range" => range = Some(value),
            "authorization" => authorization = Some(value),
            _ => {}
        }
    }
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        range: range.clone(),
        authorization: authorization.clone(),
    });
    let mut s = stream;
    let head = method == "HEAD";
    let mut respond = |status: &str, headers: &[(&str, String)], body: &[u8]| {
        let mut text = format!(
            "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str("\r\n");
        let _ = s.write_all(text.as_bytes());
        if !head {
            let _ = s.write_all(body);
        }
    };
    if let Some(rest) = path.strip_prefix("/cdn/") {
        let sha = rest.split('/').next().unwrap_or("");
        let Some(f) = files.iter().find(|f| sha256(&f.bytes) == sha) else {
            return respond("404 Not Found", &[], b"");
        };
        let start = range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
            .unwrap_or(0);
        if start >= f.bytes.len() {
            return respond("416 Range Not Satisfiable", &[], b"");
        }
        let body = &f.bytes[start..];
        let n = {
            let mut d = downloads.lock().unwrap();
            *d += 1;
            *d
        };
        let cut = match drops {
            Drops::None => None,
            Drops::First if n == 1 => Some(body.len() / 2),
            Drops::First => None,
            Drops::Always(after) => Some(after.min(body.len())),
        };
        let status = if start > 0 {
            "206 Partial Content"
        } else {
            "200 OK"
        };
        let range_header = format!("bytes {start}-{}/{}", f.bytes.len() - 1, f.bytes.len());
        let header = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\nContent-Range: {range_header}\r\nAccept-Ranges: bytes\r\n\r\n", body.len());
        let _ = s.write_all(header.as_bytes());
        let _ = s.write_all(&body[..cut.unwrap_or(body.len())]);
        let _ = s.flush();
        return; // a cut connection closes here
    }
    // /<org>/<repo>/resolve/<revision>/<file>
    let Some((repo, rest)) = path.trim_start_matches('/').split_once("/resolve/") else {
        return respond("404 Not Found", &[], b"");
    };
    let file = rest.split_once('/').map_or("", |(_, f)| f);
    if let Some(new) = repo.strip_prefix("old-") {
        return respond(
            "307 Temporary Redirect",
            &[("Location", format!("/{new}/resolve/{rest}"))],
            b"",
        );
    }
    if gated.iter().any(|g| g == repo)
        && authorization.as_deref() != Some(&format!("Bearer {token}"))
    {
        let code = ("X-Error-Code", "GatedRepo".to_owned());
        return respond(
            "401 Unauthorized",
            &[code],
            b"Access to this model is restricted.",
        );
    }
    let Some(f) = files.iter().find(|f| f.repo == repo && f.file == file) else {
        return respond(
            "404 Not Found",
            &[("X-Error-Code", "EntryNotFound".to_owned())],
            b"Entry not found",
        );
    };
    let sha = sha256(&f.bytes);
    let headers = [
        (
            "Location",
            format!("{cdn}/cdn/{sha}/{file}?X-Amz-Signature=abc"),
        ),
        ("X-Repo-Commit", COMMIT.to_owned()),
        ("X-Linked-Etag", format!("\"{}\"", f.advertised)),
        ("X-Linked-Size", f.bytes.len().to_string()),
        (
            "ETag",
            "\"5a1b2c3d4e5f60718293a4b5c6d7e8f901234567\"".to_owned(),
        ),
    ];
    respond("302 Found", &headers, b"")
}
