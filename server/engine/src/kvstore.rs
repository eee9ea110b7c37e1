//! Persistent KV cache: the evaluated stable prefix of a slot, saved as
//! `<cache dir>/<model fingerprint>/<prefix hash>.kv`.
//!
//! File layout: `b"MARGINKV"`, format version (u32 LE), header length (u32 LE), JSON header
//! (format, model fingerprint, llama.cpp build, context size, KV type, token list, payload length
//! and sha256, and the probe: the top logits of the last prefix token), then the llama.cpp
//! sequence-state payload. Writes go to a temp file that is renamed into place. On load every
//! field is validated; anything corrupt, truncated, foreign or stale is deleted and treated as a
//! miss (the prefix is recomputed and saved again). A valid file is still not trusted until the
//! restored state reproduces the probe (see `persist`). The whole cache directory is capped in
//! size; least-recently-used files (by mtime, refreshed on load) go first.
//!
//! The payload comes from llama.cpp's `llama_state_seq_get_data_ext` (the in-memory form of
//! `state_seq_save_file`): writing it ourselves gives one self-describing file with our header
//! and checksum, atomic replacement, and validation *before* any byte reaches llama.cpp.

use llama_cpp_2::token::LlamaToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// File magic.
pub const MAGIC: &[u8; 8] = b"MARGINKV";
/// Format version; bump on any layout change (2: the logit probe).
pub const FORMAT_VERSION: u32 = 2;

/// Header of a cache file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KvHeader {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// Model fingerprint.
    pub model: String,
    /// llama.cpp build identifier.
    pub llama_build: String,
    /// Context size per sequence.
    pub n_ctx: u32,
    /// KV element type.
    pub kv_type: String,
    /// Tokens whose state the payload holds (positions `0..tokens.len()`).
    pub tokens: Vec<i32>,
    /// Payload length in bytes.
    pub payload_len: u64,
    /// Hex sha256 of the payload.
    pub payload_sha256: String,
    /// The largest logits (token id, logit) after the last prefix token, from the evaluation
    /// the payload was taken from.
    pub probe: Vec<(i32, f32)>,
}

/// The largest logits (token id, logit) of a prefix's probe token.
pub type Probe = Vec<(i32, f32)>;

/// A validated file's contents.
#[derive(Debug)]
pub struct Loaded {
    pub payload: Vec<u8>,
    pub probe: Vec<(i32, f32)>,
}

/// What makes cache files compatible with the running engine.
#[derive(Debug, Clone)]
pub struct KvStore {
    root: PathBuf,
    dir: PathBuf,
    fingerprint: String,
    llama_build: String,
    n_ctx: u32,
    kv_type: String,
    max_bytes: u64,
}

/// Hex sha256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hash naming the file of a token prefix.
pub fn prefix_hash(tokens: &[LlamaToken]) -> String {
    let bytes: Vec<u8> = tokens.iter().flat_map(|t| t.0.to_le_bytes()).collect();
    hex_sha256(&bytes)[..32].to_owned()
}

impl KvStore {
    /// Store under `root/<fingerprint>`.
    pub fn new(
        root: &Path,
        fingerprint: &str,
        llama_build: &str,
        n_ctx: u32,
        kv_type: &str,
        max_bytes: u64,
    ) -> Self {
        Self {
            root: root.to_path_buf(),
            dir: root.join(fingerprint),
            fingerprint: fingerprint.to_owned(),
            llama_build: llama_build.to_owned(),
            n_ctx,
            kv_type: kv_type.to_owned(),
            max_bytes,
        }
    }

    /// Directory holding this model's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the file for `tokens`.
    pub fn path_for(&self, tokens: &[LlamaToken]) -> PathBuf {
        self.dir.join(format!("{}.kv", prefix_hash(tokens)))
    }

    /// Whether a file for `tokens` exists (not validated).
    pub fn contains(&self, tokens: &[LlamaToken]) -> bool {
        self.path_for(tokens).is_file()
    }

    /// Atomically writes the state of `tokens` with its `probe`, then enforces the size cap.
    pub fn save(
        &self,
        tokens: &[LlamaToken],
        payload: &[u8],
        probe: &[(i32, f32)],
    ) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let header = KvHeader {
            format: FORMAT_VERSION,
            model: self.fingerprint.clone(),
            llama_build: self.llama_build.clone(),
            n_ctx: self.n_ctx,
            kv_type: self.kv_type.clone(),
            tokens: tokens.iter().map(|t| t.0).collect(),
            payload_len: payload.len() as u64,
            payload_sha256: hex_sha256(payload),
            probe: probe.to_vec(),
        };
        let json = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
        let path = self.path_for(tokens);
        let tmp = self.dir.join(format!(
            ".{}.{}.tmp",
            prefix_hash(tokens),
            std::process::id()
        ));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(MAGIC)?;
            f.write_all(&FORMAT_VERSION.to_le_bytes())?;
            f.write_all(&(json.len() as u32).to_le_bytes())?;
            f.write_all(&json)?;
            f.write_all(payload)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        self.evict();
        Ok(path)
    }

    /// Loads and validates the state for exactly `tokens`. Invalid files are deleted.
    pub fn load(&self, tokens: &[LlamaToken]) -> Option<Loaded> {
        let path = self.path_for(tokens);
        let bytes = std::fs::read(&path).ok()?;
        match self.validate(&bytes, tokens) {
            Ok((range, probe)) => {
                if let Ok(f) = std::fs::File::options().append(true).open(&path) {
                    let _ = f.set_modified(SystemTime::now());
                }
                Some(Loaded {
                    payload: bytes[range].to_vec(),
                    probe,
                })
            }
            Err(why) => {
                tracing::warn!(path = %path.display(), why, "discarding invalid KV cache file");
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Deletes the file for `tokens` (e.g. when llama.cpp rejected its payload).
    pub fn remove(&self, tokens: &[LlamaToken]) {
        let _ = std::fs::remove_file(self.path_for(tokens));
    }

    /// The payload's byte range and the probe of a valid file.
    fn validate(
        &self,
        bytes: &[u8],
        tokens: &[LlamaToken],
    ) -> Result<(std::ops::Range<usize>, Probe), &'static str> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err("bad magic");
        }
        if u32::from_le_bytes(bytes[8..12].try_into().unwrap()) != FORMAT_VERSION {
            return Err("format version");
        }
        let hlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let body = 16usize
            .checked_add(hlen)
            .filter(|&e| e <= bytes.len())
            .ok_or("truncated header")?;
        let h: KvHeader =
            serde_json::from_slice(&bytes[16..body]).map_err(|_| "unparsable header")?;
        if h.format != FORMAT_VERSION {
            return Err("format version");
        }
        if h.model != self.fingerprint {
            return Err("other model");
        }
        if h.llama_build != self.llama_build {
            return Err("other llama.cpp build");
        }
        if h.n_ctx != self.n_ctx || h.kv_type != self.kv_type {
            return Err("other context shape");
        }
        if h.tokens.len() != tokens.len() || h.tokens.iter().zip(tokens).any(|(a, b)| *a != b.0) {
            return Err("token mismatch");
        }
        if (bytes.len() - body) as u64 != h.payload_len {
            return Err("truncated payload");
        }
        if hex_sha256(&bytes[body..]) != h.payload_sha256 {
            return Err("payload checksum");
        }
        if h.probe.is_empty() || h.probe.iter().any(|(_, v)| !v.is_finite()) {
            return Err("no probe");
        }
        Ok((body..bytes.len(), h.probe))
    }

    /// Deletes least-recently-used files until the whole root is under the cap; also removes
    /// temp files left by crashed writers (older than an hour).
    pub fn evict(&self) {
        let mut files = Vec::new();
        let Ok(models) = std::fs::read_dir(&self.root) else {
            return;
        };
        for m in models.flatten() {
            let Ok(entries) = std::fs::read_dir(m.path()) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.metadata() else { continue };
                let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".tmp") {
                    if mtime.elapsed().map(|d| d.as_secs() > 3600).unwrap_or(false) {
                        let _ = std::fs::remove_file(e.path());
                    }
                    continue;
                }
                files.push((mtime, meta.len(), e.path()));
            }
        }
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            tracing::debug!(path = %path.display(), "evicting KV cache file");
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}
