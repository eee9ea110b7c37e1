//! `--changed-since REF`: the files as they were at a git ref, so that only new and edited
//! regions are checked. One `git cat-file --batch` process reads every file's version at the
//! ref; a file that did not exist there (or is outside the repository, or not tracked) has no
//! base, and all its regions are new.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files' texts at the base ref.
#[derive(Debug, Default)]
pub struct Base {
    /// By canonical path; files without a base version are absent.
    texts: HashMap<PathBuf, String>,
}

impl Base {
    /// The text of `path` at the base ref, when it had one.
    pub fn text_of(&self, path: &Path) -> Option<&str> {
        let path = path.canonicalize().ok()?;
        self.texts.get(&path).map(String::as_str)
    }

    /// Read the versions of `files` at `reference` in the git repository of the working
    /// directory. `Err` names the option and says what is wrong (no repository, no such ref).
    pub fn load(reference: &str, files: &[PathBuf]) -> Result<Base, String> {
        let problem = |what: String| format!("--changed-since {reference}: {what}");
        if reference.starts_with('-') || reference.contains(['\n', '\0']) {
            return Err(problem("not a git revision".into()));
        }
        let root = git(None, &["rev-parse", "--show-toplevel"])
            .map_err(|e| problem(format!("not in a git repository ({e})")))?;
        let root = PathBuf::from(root.trim())
            .canonicalize()
            .map_err(|e| problem(e.to_string()))?;
        let commit = git(
            Some(&root),
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{reference}^{{commit}}"),
            ],
        )
        .map_err(|_| problem(format!("no such commit in {}", root.display())))?;
        let commit = commit.trim();
        // Paths relative to the repository root, as git names them.
        let wanted: Vec<(PathBuf, String)> = files
            .iter()
            .filter_map(|f| {
                let full = f.canonicalize().ok()?;
                let rel = full.strip_prefix(&root).ok()?.to_str()?.to_string();
                (!rel.contains('\n')).then_some((full, rel))
            })
            .collect();
        let blobs = cat_files(&root, commit, wanted.iter().map(|(_, rel)| rel.as_str()))
            .map_err(problem)?;
        let texts = wanted
            .into_iter()
            .zip(blobs)
            .filter_map(|((full, _), blob)| Some((full, String::from_utf8(blob?).ok()?)))
            .collect();
        Ok(Base { texts })
    }
}

/// Run git and return its standard output.
fn git(dir: Option<&Path>, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let out = command
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(if err.is_empty() {
            format!("git {} failed", args.join(" "))
        } else {
            err
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The blobs of `paths` at `commit` (`None`: not there, or not a file), in order.
fn cat_files<'a>(
    root: &Path,
    commit: &str,
    paths: impl Iterator<Item = &'a str>,
) -> Result<Vec<Option<Vec<u8>>>, String> {
    let requests: String = paths.map(|p| format!("{commit}:{p}\n")).collect();
    let count = requests.lines().count();
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    // Written from another thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().ok_or("git cat-file: no stdout")?);
    let mut blobs = Vec::with_capacity(count);
    let mut header = String::new();
    for _ in 0..count {
        header.clear();
        out.read_line(&mut header)
            .map_err(|e| format!("git cat-file: {e}"))?;
        // "<oid> <type> <size>", or "<name> missing" / "<name> ambiguous".
        let fields: Vec<&str> = header.trim_end().rsplitn(3, ' ').collect();
        match fields.as_slice() {
            [size, kind, _]
                if kind.chars().all(|c| c.is_ascii_lowercase()) && size.parse::<u64>().is_ok() =>
            {
                let size: u64 = size.parse().unwrap_or(0);
                let mut body = Vec::new();
                (&mut out)
                    .take(size + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| format!("git cat-file: {e}"))?;
                body.truncate(size as usize);
                blobs.push((*kind == "blob").then_some(body));
            }
            _ if header.is_empty() => return Err("git cat-file ended early".into()),
            _ => blobs.push(None),
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn cat_file_gives_blobs_in_order_and_none_for_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, &["init", "-q"]);
        std::fs::write(d.join("a.md"), "first\n").unwrap();
        std::fs::create_dir(d.join("sub dir")).unwrap();
        std::fs::write(d.join("sub dir/b.md"), "x".repeat(100_000)).unwrap();
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "one"]);
        let blobs = cat_files(
            d,
            "HEAD",
            ["a.md", "missing.md", "sub dir/b.md", "sub dir"].into_iter(),
        )
        .unwrap();
        assert_eq!(blobs[0].as_deref(), Some(&b"first\n"[..]));
        assert_eq!(blobs[1], None);
        assert_eq!(blobs[2].as_ref().map(Vec::len), Some(100_000));
        assert_eq!(blobs[3], None, "a tree is not a file");
    }
}
