//! Files that several margin processes change (dictionaries, ignored findings):
//! every change is a read-modify-write under an advisory lock on a sidecar
//! `.<name>.lock` file (std's `File::lock`, waited for up to [`LOCK_TIMEOUT`]),
//! reading what is on disk now, so nobody's write is lost, and each write is
//! atomic (a temporary file renamed over the old one).

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long a change waits for another process's change to finish.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// Change the file at `path` under its lock: `change` gets the current content (`None`
/// when the file does not exist) and returns the new content, or `None` to leave it.
pub fn update<T>(
    path: &Path,
    change: impl FnOnce(Option<String>) -> io::Result<(Option<String>, T)>,
) -> io::Result<T> {
    let _lock = lock(path)?;
    let current = match fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (new, result) = change(current)?;
    if let Some(new) = new {
        write_atomic(path, new.as_bytes())?;
    }
    Ok(result)
}

/// The lock file of `path`, locked (released when dropped).
fn lock(path: &Path) -> io::Result<File> {
    let dir = parent(path);
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock_path = dir.join(format!(".{name}.lock"));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)?;
    let deadline = Instant::now() + LOCK_TIMEOUT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(TryLockError::WouldBlock) => {
                let message = format!(
                    "{} is locked by another margin process (waited {LOCK_TIMEOUT:?})",
                    path.display()
                );
                return Err(io::Error::new(io::ErrorKind::TimedOut, message));
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Write `bytes` to `path` through a temporary sibling file and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp: PathBuf = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_updates_from_many_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("counter.txt");
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..25 {
                        update(&path, |current| {
                            let n: u32 = current.as_deref().unwrap_or("0").trim().parse().unwrap();
                            Ok((Some((n + 1).to_string()), ()))
                        })
                        .unwrap();
                    }
                });
            }
        });
        assert_eq!(fs::read_to_string(&path).unwrap(), "200");
    }

    #[test]
    fn a_held_lock_times_out_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("words.txt");
        let _held = lock(&path).unwrap();
        let started = Instant::now();
        let error = update(&path, |_| Ok((Some("x".into()), ()))).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(
            error
                .to_string()
                .contains("locked by another margin process"),
            "{error}"
        );
        assert!(started.elapsed() >= LOCK_TIMEOUT);
        assert!(!path.exists());
    }
}
