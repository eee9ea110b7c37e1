//! Shared helpers for engine integration tests: tiny model files and engine start-up.
#![allow(dead_code)]

use margin_engine::test_support::{write_tiny_model, TinyModelSpec};
use margin_engine::{
    Engine, EngineConfig, GenerateRequest, Job, JobOutput, Prompt, PromptInput, Slot,
};
use std::path::PathBuf;

pub struct Tiny {
    pub dir: tempfile::TempDir,
    pub model: PathBuf,
}

/// Prints engine and llama.cpp logs when `MARGIN_TEST_LOG` is set (e.g. `debug`).
pub fn init_logs() {
    if let Ok(filter) = std::env::var("MARGIN_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

pub fn tiny_with(spec: TinyModelSpec) -> Tiny {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny.gguf");
    write_tiny_model(&model, &spec).unwrap();
    Tiny { dir, model }
}

pub fn tiny() -> Tiny {
    tiny_with(TinyModelSpec::default())
}

impl Tiny {
    pub fn config(&self) -> EngineConfig {
        let mut cfg = EngineConfig::new(&self.model);
        cfg.threads = Some(1);
        cfg.context_tokens = Some(512);
        cfg.cache_dir = Some(self.dir.path().join("kv"));
        cfg.min_persist_tokens = 8;
        cfg.always_draft = true;
        cfg
    }

    pub fn engine(&self) -> Engine {
        Engine::start(self.config()).unwrap()
    }
}

pub fn raw(stable: &str, tail: &str) -> PromptInput {
    PromptInput::Raw(Prompt {
        stable: stable.into(),
        tail: tail.into(),
    })
}

pub fn chat(user_stable: &str, user_tail: &str) -> PromptInput {
    PromptInput::Chat {
        system: "You are a careful proofreader.".into(),
        user_stable: user_stable.into(),
        user_tail: user_tail.into(),
    }
}

pub fn run(engine: &Engine, slot: Slot, req: GenerateRequest) -> JobOutput {
    engine
        .submit(Job::generate(slot, req))
        .blocking_wait()
        .unwrap()
}

pub fn greedy(engine: &Engine, prompt: PromptInput, max_tokens: usize) -> JobOutput {
    run(
        engine,
        Slot::Proofread,
        GenerateRequest::new(prompt, max_tokens),
    )
}

pub const INSTRUCTIONS: &str = "Rewrite the paragraph below with correct spelling and grammar. \
Keep the meaning and the wording otherwise the same, and answer with the paragraph only.\n\n";
