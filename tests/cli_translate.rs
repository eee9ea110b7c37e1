//! `margin translate` as a user runs it: Markdown keeps its code blocks byte
//! for byte and every block either translated with its placeholders or kept
//! and reported (exit 1); `--in-place` rewrites the file; bad input (an
//! unknown language, a binary file) exits 2 with a message and no output.

mod support;

use std::process::Command;

use support::test_model;

fn margin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_margin"));
    cmd.env("MARGIN_CONFIG", "/nonexistent/margin/config.toml");
    cmd.env(
        "MARGIN_CACHE_DIR",
        std::env::temp_dir().join(format!("margin-cli-translate-{}", std::process::id())),
    );
    cmd
}

#[test]
fn markdown_keeps_code_blocks_and_placeholders() {
    let Some(model) = test_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strings.md");
    let code = "```rust\nfn main() { println!(\"{}\", 1); }\n```\n";
    let text = format!("# Strings\n\nWelcome back, {{name}}!\n\n{code}\nDelete %s?\n");
    std::fs::write(&path, &text).unwrap();
    let out = margin()
        .args(["translate", "--to", "es", "--model", &model])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    assert!(
        stdout.contains(code),
        "code block copied byte for byte:\n{stdout}"
    );
    assert_eq!(stdout.matches("{name}").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("%s").count(), 1, "{stdout}");
    if out.status.code() == Some(1) {
        assert!(stderr.contains("kept untranslated"), "{stderr}");
    }
    // --in-place writes the same text back to the file.
    let status = margin()
        .args(["translate", "--to", "es", "--in-place", "--model", &model])
        .arg(&path)
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0 | 1)));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout);
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("a.md");
    std::fs::write(&text, "Hello.\n").unwrap();
    let out = margin()
        .args(["translate", "--to", "klingonese"])
        .arg(&text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown language `klingonese`"));
    assert!(out.stdout.is_empty());
    let binary = dir.path().join("b.bin");
    std::fs::write(&binary, b"\x00\x01\x02binary").unwrap();
    let out = margin()
        .args(["translate", "--to", "de"])
        .arg(&binary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = margin()
        .args(["translate", "--to", "de", "--in-place"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--in-place needs a file");
}
