//! Criterion benches for the engine paths behind `margin bench engine`, on
//! the real model (`MARGIN_TEST_MODEL`): re-checking a paragraph with the
//! instruction prefix warm against a cold prompt, and a proofreading rewrite
//! with plain greedy decoding against speculative drafting from the input.

use criterion::{criterion_group, criterion_main, Criterion};
use margin_engine::{Engine, EngineConfig, GenerateRequest, Job, PromptInput, Slot};

const SYSTEM: &str =
    "You are a careful proofreader. Fix spelling, grammar and punctuation mistakes in the text \
the user sends. Reply with only the corrected text.";
const PARAGRAPH: &str =
    "The quick brown fox jump over the lazy dog while the farmer watch from the porch, \
wondering whether the fence he build last summer would hold.";

fn chat(text: &str) -> PromptInput {
    PromptInput::Chat {
        system: SYSTEM.to_string(),
        user_stable: String::new(),
        user_tail: text.to_string(),
    }
}

fn engine_paths(c: &mut Criterion) {
    let Ok(model) = std::env::var("MARGIN_TEST_MODEL") else {
        eprintln!("MARGIN_TEST_MODEL not set: engine benches skipped");
        return;
    };
    let mut config = EngineConfig::new(model);
    config.disable_kv_persistence = true;
    let engine = Engine::start(config).unwrap();
    let run = |slot: Slot, text: &str, draft: bool, max: usize| {
        let mut req = GenerateRequest::new(chat(text), max);
        if draft {
            req.draft_source = Some(text.to_string());
        }
        engine
            .submit(Job::generate(slot, req))
            .blocking_wait()
            .unwrap()
    };
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    let mut n = 0u32;
    group.bench_function("recheck_warm_prefix", |b| {
        b.iter(|| {
            n += 1;
            run(Slot::Proofread, &format!("{PARAGRAPH} ({n})"), false, 1)
        })
    });
    group.bench_function("cold_prompt", |b| {
        b.iter(|| {
            n += 1;
            // A different system text each time: nothing to reuse.
            let mut req = GenerateRequest::new(
                PromptInput::Chat {
                    system: format!("{n} {SYSTEM}"),
                    user_stable: String::new(),
                    user_tail: PARAGRAPH.into(),
                },
                1,
            );
            req.stop.clear();
            engine
                .submit(Job::generate(Slot::Scratch, req))
                .blocking_wait()
                .unwrap()
        })
    });
    group.bench_function("rewrite_greedy", |b| {
        b.iter(|| run(Slot::Translate, PARAGRAPH, false, 64))
    });
    group.bench_function("rewrite_speculative", |b| {
        b.iter(|| run(Slot::Suggest, PARAGRAPH, true, 64))
    });
    group.finish();
}

criterion_group!(benches, engine_paths);
criterion_main!(benches);
