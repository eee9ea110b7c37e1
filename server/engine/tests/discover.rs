//! Discovery and model references over fake but real-format stores in a temporary home
//! (Ollama manifests and blobs, LM Studio, a Hugging Face cache with symlinked snapshots,
//! llama.cpp's and margin's caches), with the bad input each store can hold: unreadable
//! directories, broken symlinks, truncated and non-GGUF files, manifests of unknown versions or
//! naming a missing blob, vision projectors. Bad entries are skipped with a reason; the good
//! models are all still listed. Also the header facts listings show.

use margin_engine::gguf;
use margin_engine::models::{discover, resolve, task, Store, Task};
use margin_engine::test_support::gguf_writer::{GgufWriter, Value};
use margin_engine::test_support::stores::FakeHome;
use margin_engine::test_support::{write_tiny_model, TinyModelSpec};
use margin_engine::ModelError;

fn tiny(spec: TinyModelSpec) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.gguf");
    write_tiny_model(&path, &spec).unwrap();
    std::fs::read(path).unwrap()
}

/// A home with one good model per store and one bad entry of every kind.
fn populated(home: &std::path::Path) -> FakeHome {
    let fake = FakeHome::new(home);
    let chat = tiny(TinyModelSpec {
        fim: false,
        ..Default::default()
    });
    let coder = tiny(TinyModelSpec {
        seed: 7,
        chat_template: None,
        ..Default::default()
    });
    let base = tiny(TinyModelSpec {
        seed: 9,
        chat_template: None,
        fim: false,
        ..Default::default()
    });
    fake.ollama("tiny", "latest", &chat);
    fake.ollama("someone/coder", "q4", &coder);
    fake.ollama_manifest(
        "gone",
        "1b",
        &format!(r#"{{"schemaVersion":2,"layers":[{{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{}"}}]}}"#, "ab".repeat(32)),
    );
    fake.ollama_manifest("old", "v1", r#"{"schemaVersion":1,"fsLayers":[]}"#);
    fake.ollama_manifest("garbled", "x", "{not json");
    fake.lmstudio("lmstudio-community", "Tiny-GGUF", "tiny-q8_0.gguf", &chat);
    fake.lmstudio(
        "lmstudio-community",
        "Tiny-GGUF",
        "notes.gguf",
        b"# a Markdown file named .gguf\n",
    );
    fake.lmstudio(
        "lmstudio-community",
        "Tiny-GGUF",
        "cut.gguf",
        &chat[..chat.len() / 2],
    );
    fake.lmstudio("other", "Base-GGUF", "tiny.gguf", &base);
    let mut projector = GgufWriter::new();
    projector
        .kv("general.architecture", Value::Str("clip".into()))
        .tensor("v.w", &[4], vec![0.0; 4]);
    fake.lmstudio(
        "lmstudio-community",
        "Tiny-GGUF",
        "mmproj-tiny.gguf",
        &projector.to_bytes(),
    );
    fake.hf("org/Tiny-GGUF", &"c".repeat(40), "tiny.gguf", &coder);
    let gone = fake.hf("org/Gone-GGUF", &"d".repeat(40), "gone.gguf", &base);
    std::fs::remove_file(std::fs::canonicalize(&gone).unwrap()).unwrap();
    fake.flat(true, "SmolLM2-135M-Instruct.Q4_1.gguf", &chat);
    fake.flat(false, "org_repo_tiny-base.gguf", &base);
    fake.flat(false, "org_repo_big-00002-of-00003.gguf", &base);
    fake
}

#[test]
fn every_store_is_listed_and_bad_entries_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let fake = populated(dir.path());
    // An unreadable store: Ollama's manifests directory is a file.
    let unreadable = tempfile::tempdir().unwrap();
    std::fs::write(unreadable.path().join("manifests"), "x").unwrap();
    let mut roots = fake.roots.clone();
    roots.ollama.push(unreadable.path().to_path_buf());
    let found = discover(&roots);
    let names: Vec<(Store, &str)> = found
        .models
        .iter()
        .map(|m| (m.store, m.short.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (Store::Margin, "smollm2-135m"),
            (Store::HuggingFace, "hf:org/Tiny-GGUF/tiny.gguf"),
            (Store::Ollama, "ollama:someone/coder:q4"),
            (Store::Ollama, "ollama:tiny:latest"),
            (
                Store::LmStudio,
                "lmstudio:lmstudio-community/tiny-q8_0.gguf"
            ),
            (Store::LmStudio, "lmstudio:other/tiny.gguf"),
            (Store::LlamaCpp, "org_repo_tiny-base"),
        ]
    );
    let reason = |needle: &str| {
        found
            .skipped
            .iter()
            .find(|s| s.path.to_string_lossy().contains(needle))
            .map(|s| s.reason.clone())
            .unwrap_or_else(|| panic!("{needle} not skipped: {:?}", found.skipped))
    };
    assert!(reason("gone/1b").contains("missing"));
    assert!(reason("old/v1").contains("schema version 1 is unknown"));
    assert!(reason("garbled/x").contains("not JSON"));
    assert!(reason("notes.gguf").contains("not a GGUF model"));
    assert!(reason("cut.gguf").contains("truncated"));
    assert!(reason("mmproj-tiny.gguf").contains("vision projector"));
    assert!(reason("gone.gguf").contains("broken symlink"));
    assert!(reason("00002-of-00003").contains("split model"));
    assert!(
        reason(&unreadable.path().join("manifests").display().to_string()).contains("cannot read")
    );
    assert_eq!(found.skipped.len(), 9, "{:?}", found.skipped);
    // Header facts: the Ollama coder has FIM tokens and no template; the blob is the file.
    let coder = found
        .models
        .iter()
        .find(|m| m.short == "ollama:someone/coder:q4")
        .unwrap();
    assert!(coder.facts.fim && !coder.facts.has_chat_template);
    assert!(coder.file.to_string_lossy().contains("blobs/sha256-"));
    assert_eq!(task::suits(&coder.facts), [Task::Proofread, Task::Suggest]);
    let hf = found
        .models
        .iter()
        .find(|m| m.store == Store::HuggingFace)
        .unwrap();
    assert!(
        hf.location.to_string_lossy().contains("snapshots/cccc"),
        "{}",
        hf.location.display()
    );
    assert!(
        hf.file.to_string_lossy().contains("/blobs/"),
        "the link is followed: {}",
        hf.file.display()
    );
}

#[test]
fn every_reference_form_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let fake = populated(dir.path());
    let r = |s: &str| resolve(s, &fake.roots).map(|r| (r.reference, r.path));
    let ollama_blob = r("ollama:tiny").unwrap().1;
    assert_eq!(
        r("ollama:tiny:latest").unwrap(),
        ("ollama:tiny:latest".into(), ollama_blob.clone())
    );
    assert_eq!(
        r("ollama:registry.ollama.ai/library/tiny:latest")
            .unwrap()
            .1,
        ollama_blob
    );
    assert_eq!(
        r("ollama:someone/coder:q4").unwrap().0,
        "ollama:someone/coder:q4"
    );
    let lm = r("lmstudio:lmstudio-community/tiny-q8_0.gguf").unwrap();
    assert!(lm
        .1
        .ends_with("lmstudio-community/Tiny-GGUF/tiny-q8_0.gguf"));
    for short in [
        "lmstudio:lmstudio-community/tiny-q8_0",
        "lmstudio:lmstudio-community/Tiny-GGUF/tiny-q8_0.gguf",
        "lmstudio:tiny-q8_0",
    ] {
        assert_eq!(r(short).unwrap().1, lm.1, "{short}");
    }
    let hf = r("hf:org/Tiny-GGUF/tiny.gguf").unwrap();
    assert_eq!(
        r("hf:org/Tiny-GGUF").unwrap().1,
        hf.1,
        "the only GGUF of the repository"
    );
    assert_eq!(
        r("smollm2-135m").unwrap().1,
        fake.roots.margin.join("SmolLM2-135M-Instruct.Q4_1.gguf")
    );
    let path = fake.roots.llama_cpp[0].join("org_repo_tiny-base.gguf");
    assert_eq!(r(&path.display().to_string()).unwrap().1, path);
    // Short names from the listing work without their store prefix.
    assert_eq!(r("org_repo_tiny-base").unwrap().1, path);
    assert_eq!(r("tiny:latest").unwrap().1, ollama_blob);
    assert!(
        r("someone/coder:q4")
            .unwrap_err()
            .to_string()
            .contains("does not exist"),
        "a slash means a path"
    );
}

#[test]
fn unusable_references_say_why_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let fake = populated(dir.path());
    let err = |s: &str| resolve(s, &fake.roots).unwrap_err();
    // Ambiguity lists the candidates.
    let e = err("tiny");
    assert!(
        matches!(e, ModelError::Ambiguous { ref candidates, .. } if candidates.len() == 3),
        "{e}"
    );
    let msg = e.to_string();
    for candidate in [
        "ollama:tiny:latest",
        "lmstudio:other/tiny.gguf",
        "hf:org/Tiny-GGUF/tiny.gguf",
    ] {
        assert!(msg.contains(candidate), "{msg}");
    }
    assert!(msg.contains("name one of them"), "{msg}");
    // A manifest naming a missing blob.
    let msg = err("ollama:gone:1b").to_string();
    assert!(
        msg.contains("cannot be used") && msg.contains("missing"),
        "{msg}"
    );
    let msg = err("ollama:qwen2.5:3b").to_string();
    assert!(
        msg.contains("ollama pull qwen2.5:3b") && msg.contains("margin models list"),
        "{msg}"
    );
    let msg = err("lmstudio:nobody/nothing").to_string();
    assert!(
        msg.contains("LM Studio") && msg.contains("found there: lmstudio:"),
        "{msg}"
    );
    assert!(matches!(
        err("hf:org/Other-GGUF/x.gguf"),
        ModelError::NotDownloaded { .. }
    ));
    assert!(err("hf:org/Other-GGUF/x.gguf")
        .to_string()
        .contains("margin models pull hf:org/Other-GGUF/x.gguf"));
    let msg = err("hf:org/Gone-GGUF/gone.gguf").to_string();
    assert!(msg.contains("broken symlink"), "{msg}");
    // A catalog model not pulled yet.
    assert!(err("qwen2.5-3b")
        .to_string()
        .contains("margin models pull qwen2.5-3b"));
    assert!(matches!(
        err("no-such-model"),
        ModelError::UnknownName { .. }
    ));
    assert!(matches!(
        err("ollama:a/b/c/d"),
        ModelError::BadReference { .. }
    ));
}

#[test]
fn header_facts_parameters_quantization_context_template_fim() {
    let dir = tempfile::tempdir().unwrap();
    let spec = TinyModelSpec::default();
    let path = dir.path().join("tiny.gguf");
    write_tiny_model(&path, &spec).unwrap();
    let f = gguf::inspect(&path).unwrap();
    assert!(f.has_chat_template && f.fim);
    assert_eq!(f.context_length, Some(4096));
    assert_eq!(f.quantization.as_deref(), Some("F32"));
    assert_eq!((f.shape.n_layer, f.shape.n_head_kv), (Some(2), Some(2)));
    // Embeddings + output (64 × vocab each) + norms + 2 layers.
    assert!(f.n_params > 2 * 64 * 256, "{}", f.n_params);
    // FIM recognised by the marker texts alone (Qwen2.5-Coder style), file type named.
    let mut w = GgufWriter::new();
    w.kv("general.architecture", Value::Str("qwen2".into()))
        .kv("general.file_type", Value::U32(15))
        .kv("qwen2.context_length", Value::U32(32768))
        .kv(
            "tokenizer.ggml.tokens",
            Value::StrArray(
                ["a", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"]
                    .map(String::from)
                    .to_vec(),
            ),
        )
        .kv("tokenizer.ggml.scores", Value::F32Array(vec![0.0; 4]))
        .tensor("w", &[3, 2], vec![0.0; 6]);
    let p = dir.path().join("coder.gguf");
    w.write(&p).unwrap();
    let f = gguf::inspect(&p).unwrap();
    assert!(f.fim && !f.has_chat_template);
    assert_eq!(
        (f.quantization.as_deref(), f.context_length, f.n_params),
        (Some("Q4_K_M"), Some(32768), 6)
    );
    // Only two of the three markers: no FIM.
    let mut w2 = GgufWriter::new();
    w2.kv("general.architecture", Value::Str("qwen2".into()))
        .kv(
            "tokenizer.ggml.tokens",
            Value::StrArray(
                ["<|fim_prefix|>", "<|fim_suffix|>"]
                    .map(String::from)
                    .to_vec(),
            ),
        )
        .tensor("w", &[2], vec![0.0; 2]);
    w2.write(&p).unwrap();
    assert!(!gguf::inspect(&p).unwrap().fim);
}
