//! Bad model inputs give typed, actionable errors instead of crashes.

mod common;

use common::*;
use margin_engine::test_support::TinyModelSpec;
use margin_engine::{Engine, EngineConfig, EngineError, GenerateRequest, Job, ModelError, Slot};

fn start(path: &std::path::Path) -> EngineError {
    Engine::start(EngineConfig::new(path)).unwrap_err()
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = start(&dir.path().join("nope.gguf"));
    assert!(
        matches!(err, EngineError::Model(ModelError::NotFound { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("margin models pull smollm2-135m"));
}

#[test]
fn not_gguf() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("readme.gguf");
    std::fs::write(&p, "# this is markdown, not a model\n").unwrap();
    assert!(matches!(
        start(&p),
        EngineError::Model(ModelError::NotGguf { .. })
    ));
    std::fs::write(&p, "GG").unwrap();
    assert!(matches!(
        start(&p),
        EngineError::Model(ModelError::NotGguf { .. })
    ));
    assert!(matches!(
        start(dir.path()),
        EngineError::Model(ModelError::NotGguf { .. })
    ));
}

#[test]
fn truncated_gguf() {
    let t = tiny();
    let bytes = std::fs::read(&t.model).unwrap();
    for cut in [10, 200, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&t.model, &bytes[..cut]).unwrap();
        let err = start(&t.model);
        assert!(
            matches!(err, EngineError::Model(ModelError::Truncated { .. })),
            "cut {cut}: {err}"
        );
    }
}

#[test]
fn unknown_architecture() {
    let t = tiny_with(TinyModelSpec {
        architecture: "frobnicator".into(),
        ..Default::default()
    });
    let err = start(&t.model);
    assert!(
        matches!(&err, EngineError::Model(ModelError::UnknownArchitecture { architecture, .. }) if architecture == "frobnicator"),
        "{err}"
    );
}

#[test]
fn no_chat_template() {
    let t = tiny_with(TinyModelSpec {
        chat_template: None,
        fim: false,
        ..Default::default()
    });
    let e = t.engine();
    assert!(!e.model_info().has_chat_template);
    let r = e
        .submit(Job::generate(
            Slot::Proofread,
            GenerateRequest::new(chat("a", "b"), 2),
        ))
        .blocking_wait();
    let err = r.unwrap_err();
    assert!(matches!(err, EngineError::NoChatTemplate { .. }), "{err}");
    assert!(err.to_string().contains("chat_template"));
    let r = e
        .submit(Job::generate(
            Slot::Suggest,
            GenerateRequest::new(
                margin_engine::PromptInput::Fim {
                    prefix: "a".into(),
                    suffix: "b".into(),
                },
                2,
            ),
        ))
        .blocking_wait();
    assert!(matches!(r, Err(EngineError::NoFim)));
    // A configured fallback template makes chat prompts work.
    let mut cfg = t.config();
    cfg.chat_template = Some("chatml".into());
    let e = Engine::start(cfg).unwrap();
    let out = e
        .submit(Job::generate(
            Slot::Proofread,
            GenerateRequest::new(chat("a", "b"), 2),
        ))
        .blocking_wait()
        .unwrap();
    assert!(out.metrics.prompt_tokens > 10);
}
