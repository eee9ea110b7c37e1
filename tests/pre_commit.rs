//! The `margin-check` pre-commit hook as a user installs it: pre-commit from PyPI, pinned
//! (`scripts/install-test-tools` puts it in `target/test-tools/pre-commit`), a temporary
//! repository whose `.pre-commit-config.yaml` points at a copy of this repository's
//! `.pre-commit-hooks.yaml`, hooks installed with `pre-commit install`, and real `git commit`s:
//! a misspelled Markdown line is refused, a clean commit passes, a commit message with a
//! mistake is refused in the `commit-msg` stage. Real SmolLM2 model (`MARGIN_TEST_MODEL`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The pinned pre-commit, or `None` (skipped) outside CI when it is not installed.
fn pre_commit() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/pre-commit");
    if dir.join("pre_commit/__init__.py").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "scripts/install-test-tools installs pre-commit under CI ({})",
        dir.display()
    );
    eprintln!("skipped: run scripts/install-test-tools to install the pinned pre-commit");
    None
}

struct Env {
    tmp: tempfile::TempDir,
    tools: PathBuf,
    model: String,
}

impl Env {
    fn command(&self, program: &str, dir: &Path) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_margin")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut c = Command::new(program);
        c.current_dir(dir)
            .env("PATH", path)
            .env("PYTHONPATH", &self.tools)
            .env("PRE_COMMIT_HOME", self.tmp.path().join("pre-commit-home"))
            .env("MARGIN_MODEL", &self.model)
            .env("MARGIN_CACHE_DIR", self.tmp.path().join("cache"))
            .env("MARGIN_CONFIG", self.tmp.path().join("no-config.toml"))
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE");
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.command("git", dir).args(args).output().unwrap()
    }

    fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git(dir, args);
        assert!(out.status.success(), "git {args:?}: {}", both(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_commit_with_a_misspelled_markdown_line_is_refused_and_a_clean_one_passes() {
    let Some(model) = support::test_model() else {
        return;
    };
    let Some(tools) = pre_commit() else { return };
    let env = Env {
        tmp: tempfile::tempdir().unwrap(),
        tools,
        model,
    };
    // The hooks repository: this repository's hook definitions, committed.
    let hooks = env.tmp.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    env.ok(&hooks, &["init", "-q"]);
    env.ok(&hooks, &["add", "."]);
    env.ok(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = env.ok(&hooks, &["rev-parse", "HEAD"]);

    let work = env.tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    env.ok(&work, &["init", "-q"]);
    let config = format!(
        "default_install_hook_types: [pre-commit, commit-msg]\nrepos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: margin-check\n",
        hooks.display()
    );
    std::fs::write(work.join(".pre-commit-config.yaml"), config).unwrap();
    let install = env
        .command("python3", &work)
        .args(["-m", "pre_commit", "install"])
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", both(&install));

    // A misspelled line: the commit is refused, and margin says where.
    std::fs::write(
        work.join("notes.md"),
        "# Notes\n\nWe recieve the letters every morning.\n",
    )
    .unwrap();
    env.ok(&work, &["add", "."]);
    let refused = env.git(&work, &["commit", "-m", "Add notes"]);
    assert!(!refused.status.success(), "{}", both(&refused));
    assert!(
        both(&refused)
            .contains("notes.md:3:4: spelling: Possible spelling mistake: 'recieve' → 'receive'"),
        "{}",
        both(&refused)
    );

    // Fixed: the commit passes.
    std::fs::write(
        work.join("notes.md"),
        "# Notes\n\nWe receive the letters every morning.\n",
    )
    .unwrap();
    env.ok(&work, &["add", "."]);
    let passed = env.git(&work, &["commit", "-m", "Add notes"]);
    assert!(passed.status.success(), "{}", both(&passed));
    assert!(
        both(&passed).contains("margin (proofreading)"),
        "the hook ran: {}",
        both(&passed)
    );

    // The commit-msg stage checks the message.
    std::fs::write(
        work.join("more.md"),
        "# More\n\nThe weather is nice today.\n",
    )
    .unwrap();
    env.ok(&work, &["add", "."]);
    let message = env.git(
        &work,
        &["commit", "-m", "We recieve the letters every morning."],
    );
    assert!(!message.status.success(), "{}", both(&message));
    assert!(
        both(&message).contains("COMMIT_EDITMSG:1:"),
        "{}",
        both(&message)
    );
}
