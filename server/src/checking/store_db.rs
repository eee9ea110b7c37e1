//! The SQLite side of the persistent result cache ([`super::store`]): opening a database file
//! and telling a margin result cache from anything else, the row format (JSON with its own
//! format and key, under a checksum) and least-recently-used eviction down to the size bound.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use margin_proofread::{stable_hash, Scored};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::store::{StoreKey, FORMAT};

/// `PRAGMA application_id` of a margin result cache ("MRGN").
const APPLICATION_ID: i32 = 0x4d52_474e;
/// How long a writer waits for another process's write.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a row's value holds (JSON).
#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: String,
    scored: Vec<Scored>,
}

/// Why a file could not be opened as a margin result cache.
pub(super) enum Problem {
    /// Not a margin result cache (another program's database, garbage, a newer schema).
    Foreign(String),
    Other(rusqlite::Error),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Foreign(why) => f.write_str(why),
            Problem::Other(e) => e.fmt(f),
        }
    }
}

impl From<rusqlite::Error> for Problem {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                Problem::Foreign(format!("not a database ({e})"))
            }
            _ => Problem::Other(e),
        }
    }
}

/// Open `path` as a margin result cache (creating the schema in a new file).
///
/// SQLite answers "database is locked" without calling the busy handler in a few places that
/// several processes opening a new cache at once reach (switching to WAL, recovering the WAL
/// index), so the whole opening is tried again, with a growing pause, until the busy timeout.
pub(super) fn connect(path: &Path) -> Result<Connection, Problem> {
    let start = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match try_connect(path) {
            Err(Problem::Other(e)) if is_busy(&e) && start.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            result => return result,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn try_connect(path: &Path) -> Result<Connection, Problem> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // One statement, one snapshot: another process may be creating the file right now.
    let (id, tables): (i32, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_schema)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if id != APPLICATION_ID && !(id == 0 && tables == 0) {
        return Err(Problem::Foreign(format!(
            "not a margin result cache (application id {id:#x}, {tables} schema entries)"
        )));
    }
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS results (key BLOB PRIMARY KEY, used INTEGER NOT NULL, sum INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS results_used ON results (used);",
    )?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(conn)
}

pub(super) fn encode(key: &StoreKey, scored: &[Scored]) -> Vec<u8> {
    #[derive(Serialize)]
    struct EntryRef<'a> {
        format: u32,
        key: String,
        scored: &'a [Scored],
    }
    serde_json::to_vec(&EntryRef {
        format: FORMAT,
        key: key.hex(),
        scored,
    })
    .unwrap_or_default()
}

/// A row's scored candidates, when it passes every check.
pub(super) fn decode(key: &StoreKey, sum: i64, value: &[u8]) -> Option<Vec<Scored>> {
    if checksum(value) != sum {
        return None;
    }
    let entry: Entry = serde_json::from_slice(value).ok()?;
    (entry.format == FORMAT && entry.key == key.hex()).then_some(entry.scored)
}

pub(super) fn checksum(value: &[u8]) -> i64 {
    stable_hash(value) as i64
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Delete the least recently used rows while the database holds more than `max_bytes`; the
/// number of rows deleted. Freed pages are reused by later rows, so the file stays near the bound.
pub(super) fn evict(conn: &Connection, max_bytes: u64) -> rusqlite::Result<usize> {
    let used_bytes = || -> rusqlite::Result<u64> {
        let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok(((pages - free).max(0) * size) as u64)
    };
    let mut evicted = 0;
    let mut used = used_bytes()?;
    while used > max_bytes {
        let rows: i64 = conn.query_row("SELECT count(*) FROM results", [], |r| r.get(0))?;
        if rows == 0 {
            break;
        }
        // Down to 90 % of the bound, by the share of rows that is over it.
        let over = (used - max_bytes * 9 / 10) as f64 / used as f64;
        let n = ((rows as f64 * over).ceil() as i64).clamp(1, rows);
        evicted += conn.execute(
            "DELETE FROM results WHERE key IN (SELECT key FROM results ORDER BY used LIMIT ?1)",
            [n],
        )?;
        used = used_bytes()?;
    }
    Ok(evicted)
}
