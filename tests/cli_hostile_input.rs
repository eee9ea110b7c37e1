//! `margin check` and `margin translate` on whatever a user (or a script) passes:
//! files that are not analysed are reported as skipped and the run is not clean;
//! FIFOs, devices and directories are named for what they are (and never block);
//! over-long prose is checked only up to a bound, and says so; input is read only
//! up to `maxFileBytes`; a closed standard output is an error. The model here is
//! the tiny test model: what is checked is the handling, not the findings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use margin_engine::test_support::{write_tiny_model, TinyModelSpec};

struct Dir {
    dir: tempfile::TempDir,
    model: PathBuf,
}

fn setup() -> Dir {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny.gguf");
    write_tiny_model(&model, &TinyModelSpec::default()).unwrap();
    std::fs::write(dir.path().join("ok.md"), "The weather is nice today.\n").unwrap();
    Dir { dir, model }
}

impl Dir {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn margin(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("margin runs")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_margin"));
        c.current_dir(self.dir.path())
            .env("MARGIN_CONFIG", self.path("no-user-config.toml"))
            .env("MARGIN_CACHE_DIR", self.path("cache"))
            .env("MARGIN_MODEL", &self.model);
        c
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn fifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn check_reports_what_it_skipped_and_is_not_clean() {
    let d = setup();
    std::fs::write(d.path("nul.md"), "Some text\0 with a NUL byte.\n").unwrap();
    std::fs::write(d.path("huge.md"), "word ".repeat(500_000)).unwrap(); // over the 2 MB default
    for (file, reason) in [
        ("nul.md", "contains NUL bytes"),
        ("huge.md", "over maxFileBytes"),
    ] {
        let out = d.margin(&["check", file]);
        assert_eq!(out.status.code(), Some(2), "{file}: {out:?}");
        assert!(
            stderr(&out).contains(&format!("{file}: skipped: ")) && stderr(&out).contains(reason),
            "{file}: {}",
            stderr(&out)
        );
    }
    // Mixed with a clean file, the run still is not clean.
    let out = d.margin(&["check", "ok.md", "nul.md"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("1 file(s) not fully checked"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fifos_devices_and_directories_are_named_for_what_they_are() {
    let d = setup();
    fifo(&d.path("pipe.md"));
    let started = Instant::now();
    for (path, what) in [
        (
            d.path("pipe.md").display().to_string(),
            "a FIFO (named pipe)",
        ),
        ("/dev/zero".into(), "a character device"),
        ("/dev/null".into(), "a character device"),
    ] {
        let out = d.margin(&["check", &path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {out:?}");
        assert!(
            stderr(&out).contains(&format!("skipped: {what}, not a regular file")),
            "{path}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("no such file"),
            "{path}: {}",
            stderr(&out)
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "a FIFO must not block"
    );
    let out = d.margin(&["check", "--model", d.dir.path().to_str().unwrap(), "ok.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("is a directory, not a GGUF file")
            && err.contains("tiny.gguf")
            && !err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_one_megabyte_line_is_checked_only_up_to_the_bound_and_says_so() {
    let d = setup();
    let line: String = "the cat sat on the mat and she eat them ".repeat(26_000);
    std::fs::write(d.path("long.md"), format!("{line}\n")).unwrap();
    let out = d.margin(&["check", "long.md"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("long.md: skipped: ") && err.contains("over-long prose regions"),
        "{err}"
    );
}

#[test]
fn translate_reads_no_more_than_the_limit_and_never_blocks_on_a_fifo() {
    let d = setup();
    fifo(&d.path("pipe.md"));
    for (path, what) in [
        (
            d.path("pipe.md").display().to_string(),
            "a FIFO (named pipe)",
        ),
        ("/dev/zero".into(), "a character device"),
    ] {
        let out = d.margin(&["translate", "--to", "de", &path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {out:?}");
        assert!(stderr(&out).contains(what), "{path}: {}", stderr(&out));
    }
    // Endless input on stdin: read up to the limit, then refused.
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = d
        .command()
        .args(["translate", "--to", "de", "-"])
        .stdin(zero)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("more than maxFileBytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn translate_to_a_closed_stdout_is_an_error() {
    let d = setup();
    let bin = env!("CARGO_BIN_EXE_margin");
    let out = d.command().arg("--version").output().unwrap();
    assert!(out.status.success());
    let script = format!("exec '{bin}' translate --to de ok.md >&-");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(d.dir.path())
        .envs(d.command().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("standard output is closed"),
        "{}",
        stderr(&out)
    );
}
