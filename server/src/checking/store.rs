//! The persistent result cache: the scored candidates of each piece of prose, on disk, shared
//! by every margin process of a machine (the editor's server, `margin check` in a terminal,
//! CI, pre-commit), so a piece scored by one is free for the others and for the next run.
//!
//! One SQLite database (`<dir>/proofread.sqlite3`, WAL journal) holds rows keyed by a sha256
//! of [`FORMAT`], margin's version, the model fingerprint, the settings hash, the language and
//! the piece's text ([`StoreKey`]). SQLite does the cross-process part: readers never wait,
//! writers take turns (busy timeout), and a crash never leaves half a row. Each row carries a
//! checksum and its own key and format; a row that fails any check is ignored (a miss) and
//! rewritten by the next result. A file that is not a margin result cache (another program's
//! database, garbage) is replaced. The database is bounded: over `max_bytes` the least
//! recently used rows go (reads refresh a row's time at most once a minute).
//!
//! Problems (a read-only or full directory, a replaced file) are collected once each for the
//! caller to report, naming the directory and where it came from; the cache then stays off
//! (or read-only) for the rest of the process, and checking goes on without it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use margin_proofread::{CheckKey, Scored};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::store_db::{checksum, connect, decode, encode, evict, now_ms, Problem};

/// Version of what a row holds; bump when the scored candidates of a piece change for the same
/// model, settings and text (the pipeline's scoring), so old rows are never read again.
pub const FORMAT: u32 = 1;
/// Default bound of the database (rows are a few hundred bytes to a few KiB).
pub const DEFAULT_MAX_BYTES: u64 = 128 << 20;
/// File name inside the cache directory.
pub const FILE_NAME: &str = "proofread.sqlite3";
/// A read refreshes a row's last use only when it is older than this (fewer writes).
const TOUCH_AFTER_MS: i64 = 60_000;

/// Where a piece's result is stored: a sha256 of everything the result depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    /// The key of a piece with the in-memory `key` and the text the model sees.
    pub fn new(key: &CheckKey, text: &str) -> StoreKey {
        let mut h = Sha256::new();
        for part in [
            &FORMAT.to_le_bytes()[..],
            env!("CARGO_PKG_VERSION").as_bytes(),
            key.model_fingerprint.as_bytes(),
            &key.settings_hash.to_le_bytes(),
            key.language.as_deref().unwrap_or("").as_bytes(),
            text.as_bytes(),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        StoreKey(h.finalize().into())
    }

    pub(super) fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Counters of one process's use of the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub hits: usize,
    pub misses: usize,
    /// Rows that failed a check (checksum, format, key, JSON) and were ignored.
    pub bad_rows: usize,
    pub written: usize,
    pub evicted: usize,
}

/// The persistent result cache of one directory; opened on first use (from a blocking thread).
pub struct ResultStore {
    dir: PathBuf,
    /// Where the directory came from, for messages (`--cache-dir`, `MARGIN_CACHE_DIR`…).
    origin: String,
    max_bytes: u64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    conn: Option<Connection>,
    /// Opening was tried (and failed, when `conn` is `None`).
    tried: bool,
    /// Writes failed (read-only, disk full): read only from now on.
    read_only: bool,
    /// A failure was reported (each store reports one).
    reported: bool,
    /// Rows read whose last use should be refreshed with the next write.
    touch: Vec<StoreKey>,
    problems: Vec<String>,
    stats: StoreStats,
}

impl ResultStore {
    /// A store in `dir` (created when missing); `origin` names the setting it came from.
    pub fn new(dir: &Path, origin: &str) -> Arc<ResultStore> {
        Self::with_max_bytes(dir, origin, DEFAULT_MAX_BYTES)
    }

    /// The store the server and a plain `margin check` share: `results` in margin's cache
    /// directory (`$MARGIN_CACHE_DIR`, else ~/.cache/margin).
    pub fn shared() -> Arc<ResultStore> {
        Self::new(
            &margin_engine::margin_cache_root().join("results"),
            "margin's cache directory, MARGIN_CACHE_DIR",
        )
    }

    pub fn with_max_bytes(dir: &Path, origin: &str, max_bytes: u64) -> Arc<ResultStore> {
        Arc::new(ResultStore {
            dir: dir.to_path_buf(),
            origin: origin.to_string(),
            max_bytes,
            state: Mutex::default(),
        })
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    pub fn stats(&self) -> StoreStats {
        self.lock().stats
    }

    /// Problems since the last call, each once (for the CLI's stderr or the editor).
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().problems)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stored results of `keys` (`None`: not stored, or a row that failed a check). Blocks.
    pub fn get_many(&self, keys: &[StoreKey]) -> Vec<Option<Vec<Scored>>> {
        let mut state = self.lock();
        let mut out = vec![None; keys.len()];
        if !self.ensure_open(&mut state) {
            return out;
        }
        let now = now_ms();
        let mut touch = Vec::new();
        let (mut hits, mut bad) = (0, 0);
        let Some(conn) = state.conn.as_ref() else {
            return out;
        };
        let read = (|| -> rusqlite::Result<()> {
            let mut select =
                conn.prepare_cached("SELECT used, sum, value FROM results WHERE key = ?1")?;
            for (slot, key) in out.iter_mut().zip(keys) {
                let row: Option<(i64, i64, Vec<u8>)> = select
                    .query_row([&key.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let Some((used, sum, value)) = row else {
                    continue;
                };
                match decode(key, sum, &value) {
                    Some(scored) => {
                        hits += 1;
                        *slot = Some(scored);
                        if now - used > TOUCH_AFTER_MS {
                            touch.push(*key);
                        }
                    }
                    None => bad += 1,
                }
            }
            Ok(())
        })();
        if let Err(e) = read {
            self.failed(&mut state, READ, &e);
        }
        state.touch.extend(touch);
        state.stats.hits += hits;
        state.stats.bad_rows += bad;
        state.stats.misses += keys.len() - hits;
        out
    }

    /// Store the results of pieces (replacing what was there), then keep the bound. Blocks.
    pub fn put_many(&self, entries: &[(StoreKey, Arc<Vec<Scored>>)]) {
        let mut state = self.lock();
        if entries.is_empty() || !self.ensure_open(&mut state) || state.read_only {
            return;
        }
        let touch = std::mem::take(&mut state.touch);
        let Some(conn) = state.conn.as_mut() else {
            return;
        };
        let written = (|| -> rusqlite::Result<usize> {
            let now = now_ms();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO results (key, used, sum, value) VALUES (?1, ?2, ?3, ?4)")?;
                for (key, scored) in entries {
                    let value = encode(key, scored);
                    insert.execute(params![&key.0[..], now, checksum(&value), value])?;
                }
                let mut refresh =
                    tx.prepare_cached("UPDATE results SET used = ?2 WHERE key = ?1")?;
                for key in &touch {
                    refresh.execute(params![&key.0[..], now])?;
                }
            }
            tx.commit()?;
            Ok(entries.len())
        })();
        match written {
            Ok(n) => state.stats.written += n,
            Err(e) => return self.failed(&mut state, "cannot be written", &e),
        }
        match state
            .conn
            .as_ref()
            .map(|c| evict(c, self.max_bytes))
            .transpose()
        {
            Ok(n) => state.stats.evicted += n.unwrap_or(0),
            Err(e) => self.failed(&mut state, "cannot be trimmed", &e),
        }
    }

    /// Open the database once; false when there is none to use.
    fn ensure_open(&self, state: &mut State) -> bool {
        if !state.tried {
            state.tried = true;
            match self.open() {
                Ok((conn, replaced)) => {
                    if let Some(why) = replaced {
                        state.problems.push(format!(
                            "result cache {}: {why}; started a new one",
                            self.path().display()
                        ));
                    }
                    state.conn = Some(conn);
                }
                Err(e) => state.problems.push(format!(
                    "result cache off: cannot use {} ({}): {e}; checking goes on without it",
                    self.dir.display(),
                    self.origin
                )),
            }
        }
        state.conn.is_some()
    }

    /// Open (or create) the database; a file that is not a margin result cache is replaced,
    /// and the reason returned.
    fn open(&self) -> Result<(Connection, Option<String>), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        match connect(&self.path()) {
            Ok(conn) => Ok((conn, None)),
            Err(Problem::Foreign(why)) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = self.path().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
                connect(&self.path())
                    .map(|c| (c, Some(why)))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// A failed read or write, reported once: a write failure leaves the store read-only, a
    /// corrupt database is closed (the next process replaces it).
    fn failed(&self, state: &mut State, what: &str, e: &rusqlite::Error) {
        let code = e.sqlite_error_code();
        if matches!(
            code,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
        ) {
            state.conn = None;
        }
        if what != READ {
            state.read_only = true;
        }
        if std::mem::replace(&mut state.reported, true) {
            return;
        }
        let hint = match code {
            Some(ErrorCode::DiskFull) => " (disk full)",
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                " (read-only?)"
            }
            _ => "",
        };
        state.problems.push(format!(
            "result cache {} ({}) {what}{hint}: {e}; checking goes on, results of this run are not saved there",
            self.path().display(),
            self.origin
        ));
    }
}

/// What a failed read is called in messages.
const READ: &str = "cannot be read";

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
