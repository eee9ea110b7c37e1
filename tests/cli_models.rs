//! `margin models list`, `margin models path` and `margin doctor` over fake but real-format
//! stores in a temporary home (Ollama, LM Studio, Hugging Face cache, llama.cpp, margin's
//! cache): the listing and its JSON, every reference form, ambiguity, a manifest pointing at a
//! missing blob, the default choice per task by the stated rule with its one message, a base
//! model asked to translate, and the doctor report.

use std::path::Path;
use std::process::{Command, Output};

use margin_engine::test_support::stores::{header_only, FakeHome};
use margin_engine::test_support::{write_tiny_model, TinyModelSpec};
use serde_json::Value;

fn tiny(spec: TinyModelSpec) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.gguf");
    write_tiny_model(&path, &spec).unwrap();
    std::fs::read(path).unwrap()
}

fn margin(home: &FakeHome, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_margin"));
    for (name, value) in home.env() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    cmd.current_dir(&home.home).args(args).output().unwrap()
}

fn run(home: &FakeHome, args: &[&str]) -> (i32, String, String) {
    let o = margin(home, args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Small real models (loadable) in every store, a broken manifest, and margin's fallback.
fn small_models(dir: &Path) -> FakeHome {
    let home = FakeHome::new(dir);
    let chat = tiny(TinyModelSpec {
        fim: false,
        ..Default::default()
    });
    let base = tiny(TinyModelSpec {
        seed: 3,
        chat_template: None,
        fim: false,
        ..Default::default()
    });
    home.ollama("tiny", "latest", &chat);
    home.ollama_manifest("gone", "1b", &format!(r#"{{"schemaVersion":2,"layers":[{{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{}"}}]}}"#, "e".repeat(64)));
    home.lmstudio("other", "Base-GGUF", "tiny.gguf", &base);
    home.hf("org/Tiny-GGUF", &"c".repeat(40), "tiny.gguf", &chat);
    home.flat(true, "SmolLM2-135M-Instruct.Q4_1.gguf", &chat);
    home
}

/// Header-only models of real sizes: what a writer's machine holds.
fn real_sizes(dir: &Path) -> FakeHome {
    let home = FakeHome::new(dir);
    home.ollama(
        "qwen2.5",
        "3b",
        &header_only("qwen2", "Qwen2.5 3B Instruct", 3_090_000_000, true, false),
    );
    home.ollama(
        "llama3.1",
        "70b",
        &header_only(
            "llama",
            "Llama 3.1 70B Instruct",
            70_600_000_000,
            true,
            false,
        ),
    );
    home.lmstudio(
        "lmstudio-community",
        "Qwen2.5-Coder-1.5B-GGUF",
        "Qwen2.5-Coder-1.5B-Q8_0.gguf",
        &header_only("qwen2", "Qwen2.5 Coder 1.5B", 1_540_000_000, false, true),
    );
    home.hf(
        "unsloth/gemma-3-1b-it-GGUF",
        &"a".repeat(40),
        "gemma-3-1b-it-Q4_K_M.gguf",
        &header_only("gemma3", "Gemma 3 1B", 999_885_952, true, false),
    );
    home.flat(
        false,
        "base-2b.gguf",
        &header_only("llama", "Base 2B", 2_000_000_000, false, false),
    );
    home
}

#[test]
fn models_list_shows_every_store_with_facts_and_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let home = real_sizes(dir.path());
    let (code, table, stderr) = run(&home, &["models", "list"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("SUITS") && lines[0].contains("FILE"),
        "{table}"
    );
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {table}"))
    };
    let qwen = row("ollama:qwen2.5:3b ");
    for cell in ["Ollama", "3.1B", "Q4_K_M", "32768", "proofread,translate"] {
        assert!(qwen.contains(cell), "{cell} in {qwen}");
    }
    assert!(
        row("ollama:llama3.1:70b").contains(" -  "),
        "70B suits nothing here: {table}"
    );
    let coder = row("lmstudio:lmstudio-community/Qwen2.5-Coder-1.5B-Q8_0.gguf");
    assert!(
        coder.contains("LM Studio") && coder.contains("proofread,suggest"),
        "{coder}"
    );
    // A catalog file in the Hugging Face cache is listed by its catalog name.
    assert!(row("gemma3-1b ").contains("Hugging Face cache"), "{table}");
    assert!(row("base-2b").contains("llama.cpp cache"));
    let (code, json, _) = run(&home, &["models", "list", "--json"]);
    assert_eq!(code, 0);
    let rows: Value = serde_json::from_str(&json).unwrap();
    let coder = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["store"] == "lmstudio")
        .unwrap();
    assert_eq!(
        (
            coder["fim"].as_bool(),
            coder["chatTemplate"].as_bool(),
            coder["params"].as_u64()
        ),
        (Some(true), Some(false), Some(1_540_000_000))
    );
    assert_eq!(coder["suits"], serde_json::json!(["proofread", "suggest"]));
    let gemma = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "gemma3-1b")
        .unwrap();
    assert_eq!(
        gemma["reference"],
        "hf:unsloth/gemma-3-1b-it-GGUF/gemma-3-1b-it-Q4_K_M.gguf"
    );
    // Nothing anywhere: a hint, not an error.
    let empty = tempfile::tempdir().unwrap();
    let (code, text, _) = run(&FakeHome::new(empty.path()), &["models", "list"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("No models found") && text.contains("margin models pull"),
        "{text}"
    );
}

#[test]
fn references_name_models_in_every_store_and_ambiguity_lists_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let home = small_models(dir.path());
    let path = |reference: &str| run(&home, &["models", "path", "--model", reference]);
    for reference in [
        "ollama:tiny",
        "lmstudio:other/tiny.gguf",
        "hf:org/Tiny-GGUF/tiny.gguf",
        "smollm2-135m",
        "tiny:latest",
    ] {
        let (code, out, err) = path(reference);
        assert_eq!(code, 0, "{reference}: {err}");
        assert!(Path::new(out.trim()).is_file(), "{reference}: {out}");
        assert!(
            !err.contains("margin:"),
            "an explicit choice needs no note: {err}"
        );
    }
    let (code, _, err) = path("tiny");
    assert_eq!(code, 2);
    assert!(
        err.contains("matches 3 models")
            && err.contains("ollama:tiny:latest")
            && err.contains("lmstudio:other/tiny.gguf"),
        "{err}"
    );
    let (code, _, err) = path("ollama:gone:1b");
    assert_eq!(code, 2);
    assert!(
        err.contains("--model names no usable model") && err.contains("missing"),
        "{err}"
    );
    // `models list` still shows the good ones, and says something was skipped.
    let (_, list, err) = run(&home, &["models", "list"]);
    assert_eq!(list.lines().count(), 5, "{list}");
    assert!(err.contains("1 file(s) skipped"), "{err}");
}

#[test]
fn the_default_rule_picks_per_task_and_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = real_sizes(dir.path());
    let blob = |r: &str| run(&home, &["models", "path", "--model", r]).1;
    let (code, out, err) = run(&home, &["models", "path", "--task", "proofread"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        blob("ollama:qwen2.5:3b"),
        "the largest 1–4B instruction model"
    );
    assert_eq!(err.matches("margin:").count(), 1, "{err}");
    assert!(err.contains("Proofreading uses ollama:qwen2.5:3b (the largest instruction model of 1–4B parameters found (3.1B, Ollama))"), "{err}");
    assert!(
        err.contains("`models.proofread`") && err.contains("margin models list"),
        "{err}"
    );
    let (_, out, err) = run(&home, &["models", "path", "--task", "suggest"]);
    assert_eq!(
        out,
        blob("lmstudio:lmstudio-community/Qwen2.5-Coder-1.5B-Q8_0.gguf"),
        "{err}"
    );
    assert!(err.contains("fill-in-the-middle"), "{err}");
    // A setting wins over the rule; a task's own setting over `model`.
    std::fs::create_dir_all(home.home.join(".config/margin")).unwrap();
    std::fs::write(
        home.home.join(".config/margin/config.toml"),
        "model = \"hf:unsloth/gemma-3-1b-it-GGUF\"\n[models]\nsuggest = \"ollama:qwen2.5:3b\"\n",
    )
    .unwrap();
    let (_, out, err) = run(&home, &["models", "path", "--task", "translate"]);
    assert!(out.contains("gemma-3-1b-it"), "{out} {err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(
        run(&home, &["models", "path", "--task", "suggest"]).1,
        blob("ollama:qwen2.5:3b")
    );
}

#[test]
fn a_base_model_asked_to_translate_gets_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let home = real_sizes(dir.path());
    std::fs::create_dir_all(home.home.join(".config/margin")).unwrap();
    std::fs::write(
        home.home.join(".config/margin/config.toml"),
        "[models]\ntranslate = \"base-2b\"\nproofread = \"base-2b\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&home, &["models", "path", "--task", "translate"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`Base 2B` is a base model (no chat template): it can proofread but not translate"
        ),
        "{err}"
    );
    assert!(
        err.contains("Set `models.translate` to an instruction model"),
        "{err}"
    );
    let (code, _, err) = run(&home, &["models", "path", "--task", "proofread"]);
    assert_eq!(code, 0, "plain likelihood needs no template: {err}");
    let (code, _, err) = run(&home, &["translate", "--to", "de", "-"]);
    assert_eq!(code, 2);
    assert!(err.contains("can proofread but not translate"), "{err}");
}

#[test]
fn doctor_reports_models_stores_caches_config_and_editors() {
    let dir = tempfile::tempdir().unwrap();
    let home = real_sizes(dir.path());
    home.ollama_manifest("broken", "x", "{");
    std::fs::create_dir_all(home.home.join(".config/margin")).unwrap();
    std::fs::write(
        home.home.join(".config/margin/config.toml"),
        "threads = 0\n[models]\ntranslate = \"ollama:nothere\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(home.home.join(".config/helix")).unwrap();
    std::fs::write(
        home.home.join(".config/helix/languages.toml"),
        "[language-server.margin]\ncommand = \"margin\"\n",
    )
    .unwrap();
    let (code, json, err) = run(&home, &["doctor", "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&json).unwrap();
    let model = |task: &str| {
        r["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["task"] == task)
            .unwrap()
            .clone()
    };
    assert_eq!(model("proofread")["reference"], "ollama:qwen2.5:3b");
    assert_eq!(model("proofread")["origin"]["kind"], "default");
    assert!(model("translate")["problem"]
        .as_str()
        .unwrap()
        .contains("setting `models.translate` names no usable model"));
    assert_eq!(model("suggest")["params"], "1.5B");
    assert!(r["defaultNote"]
        .as_str()
        .unwrap()
        .contains("Proofreading uses ollama:qwen2.5:3b"));
    assert!(r["backend"]["name"].as_str().unwrap().contains("llama.cpp"));
    assert!(r["threads"]["physicalCores"].as_u64().unwrap() >= 1);
    let ollama = r["stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["store"] == "ollama")
        .unwrap();
    assert_eq!(ollama["models"], 2);
    assert!(ollama["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("not JSON"));
    let caches = r["caches"].as_array().unwrap();
    assert!(
        caches
            .iter()
            .any(|c| c["name"] == "Ollama" && c["bytes"].as_u64().unwrap() > 0),
        "{caches:?}"
    );
    let config = &r["configFiles"][0];
    assert_eq!(config["exists"], true);
    assert!(
        config["problems"][0]
            .as_str()
            .unwrap()
            .contains("`threads`"),
        "{config}"
    );
    assert!(r["dictionaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["source"] == "built in"));
    let editor = |name: &str| {
        r["editors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["setUp"]
            .clone()
    };
    assert_eq!(
        (editor("Helix"), editor("VS Code"), editor("Neovim")),
        (Value::Bool(true), Value::Bool(false), Value::Bool(false))
    );
    // The plain report says the same in words.
    let (code, text, _) = run(&home, &["doctor"]);
    assert_eq!(code, 0);
    for words in [
        "Models",
        "proofreading",
        "ollama:qwen2.5:3b",
        "default: the largest instruction model",
        "Model stores",
        "skipped",
        "Caches",
        "Config files",
        "1 problem(s)",
        "Helix",
        "set up",
    ] {
        assert!(text.contains(words), "{words} in:\n{text}");
    }
    assert!(!text.contains('\x1b'), "no colour when not on a terminal");
}
