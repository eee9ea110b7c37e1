//! What the CLI reads and writes, whatever path the user names: regular files
//! are read up to the size limit (never more, `/dev/zero` included); a FIFO, a
//! device or a directory is named for what it is and never opened (a FIFO
//! would block forever); a file that is not analysed (too large, NUL bytes,
//! not UTF-8) is "skipped" with the reason, for the caller to report and count;
//! and standard output that was closed is an error, not a silent success.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use margin_engine::models::file_kind;

use crate::text::document::Skip;

/// A file the CLI was asked to read.
#[derive(Debug)]
pub enum Input {
    Text(String),
    /// Not analysed, and why ("contains NUL bytes (binary?); not analysed").
    Skipped(String),
}

/// Why a file given to the CLI has no findings to show.
#[derive(Debug)]
pub enum FileProblem {
    /// Not analysed (reported as "skipped: …" and counted: the run is not clean).
    Skipped(String),
    /// It could not be checked at all.
    Failed(String),
}

impl From<String> for FileProblem {
    fn from(e: String) -> Self {
        FileProblem::Failed(e)
    }
}

/// The text of the file at `path`, or why there is none.
pub fn text_of(path: &Path, max_bytes: usize) -> Result<String, FileProblem> {
    match read_file(path, max_bytes)? {
        Input::Text(text) => Ok(text),
        Input::Skipped(why) => Err(FileProblem::Skipped(why)),
    }
}

/// Read the file at `path` as text of at most `max_bytes`. `Err` only when it cannot be read
/// at all (it does not exist, no permission).
pub fn read_file(path: &Path, max_bytes: usize) -> Result<Input, String> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => e.to_string(),
    })?;
    if !meta.is_file() {
        return Ok(Input::Skipped(format!(
            "{}, not a regular file",
            file_kind(&meta)
        )));
    }
    if meta.len() > max_bytes as u64 {
        return Ok(Input::Skipped(
            Skip::TooLarge {
                bytes: meta.len() as usize,
                limit: max_bytes,
            }
            .to_string(),
        ));
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    decode(
        read_bounded(file, max_bytes).map_err(|e| e.to_string())?,
        max_bytes,
    )
}

/// Read standard input as text of at most `max_bytes` (more is skipped, not buffered).
pub fn read_stdin(max_bytes: usize) -> Result<Input, String> {
    let bytes = read_bounded(io::stdin().lock(), max_bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    decode(bytes, max_bytes)
}

/// Up to `max_bytes + 1` bytes: one more than allowed tells "too large" without reading on.
fn read_bounded(reader: impl Read, max_bytes: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max_bytes as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn decode(bytes: Vec<u8>, max_bytes: usize) -> Result<Input, String> {
    if bytes.len() > max_bytes {
        // Read no further: the real size is unknown (a stream, or a file that grew).
        return Ok(Input::Skipped(format!(
            "more than maxFileBytes ({max_bytes}) bytes; not analysed"
        )));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Input::Skipped("not UTF-8 text; not analysed".into()));
    };
    match Skip::of_text(&text, max_bytes) {
        Some(skip) => Ok(Input::Skipped(skip.to_string())),
        None => Ok(Input::Text(text)),
    }
}

/// Whether standard output was closed when margin started (`>&-`). The Rust runtime reopens a
/// closed stdout on `/dev/null` read-write, so writes to it would "succeed" and nothing would
/// be written; a user's own `>/dev/null` is write-only. Linux only (elsewhere: `false`).
pub fn stdout_closed() -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let target = fs::read_link("/proc/self/fd/1").ok();
    let flags = fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            let line = info
                .lines()
                .find_map(|l| l.strip_prefix("flags:"))?
                .trim()
                .to_string();
            u32::from_str_radix(&line, 8).ok()
        });
    const ACCESS_MODE: u32 = 0o3;
    const READ_WRITE: u32 = 0o2;
    target.is_some_and(|t| t == Path::new("/dev/null"))
        && flags.is_some_and(|f| f & ACCESS_MODE == READ_WRITE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_directories_are_named_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let skipped = |p: &Path| match read_file(p, 1000) {
            Ok(Input::Skipped(why)) => why,
            other => panic!("{}: {other:?}", p.display()),
        };
        assert_eq!(skipped(dir.path()), "a directory, not a regular file");
        assert_eq!(
            skipped(Path::new("/dev/zero")),
            "a character device, not a regular file"
        );
        assert_eq!(
            skipped(Path::new("/dev/null")),
            "a character device, not a regular file"
        );
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        assert_eq!(skipped(&fifo), "a FIFO (named pipe), not a regular file");
        assert_eq!(
            read_file(&dir.path().join("missing"), 10).unwrap_err(),
            "no such file or directory"
        );
    }

    #[test]
    fn too_large_binary_and_non_utf8_files_are_skipped_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            fs::write(&p, bytes).unwrap();
            p
        };
        let why = |p: std::path::PathBuf| match read_file(&p, 100).unwrap() {
            Input::Skipped(why) => why,
            Input::Text(t) => panic!("read {t:?}"),
        };
        assert!(why(write("big.md", &[b'a'; 101])).contains("over maxFileBytes (100)"));
        assert!(why(write("nul.md", b"a\0b")).contains("NUL"));
        assert!(why(write("latin1.md", b"caf\xe9")).contains("not UTF-8"));
        assert!(
            matches!(read_file(&write("ok.md", b"fine"), 100), Ok(Input::Text(t)) if t == "fine")
        );
        // A stream is read only up to the limit.
        let bytes = read_bounded(io::repeat(0), 1 << 20).unwrap();
        assert_eq!(bytes.len(), (1 << 20) + 1);
        assert!(
            matches!(decode(bytes, 1 << 20), Ok(Input::Skipped(why)) if why.contains("more than maxFileBytes"))
        );
    }
}
