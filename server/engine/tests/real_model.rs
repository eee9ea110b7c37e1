//! Tests on the real SmolLM2-135M model. They run when `MARGIN_TEST_MODEL` points to the GGUF;
//! with `CI` set and no `MARGIN_TEST_MODEL` they fail instead of skipping.

mod common;

use common::{chat, init_logs, INSTRUCTIONS};
use margin_engine::test_support::real_model;
use margin_engine::{
    Engine, EngineConfig, GenerateRequest, Job, JobKind, JobOutput, ScoreRequest, Slot,
};

const PARAGRAPHS: &[&str] = &[
    "Teh weather was nice yesterday, so we decided to go for a walk in the park and we seen many birds.",
    "She dont like going to the dentist, but she go every six month because her teeth is important to her.",
    "The report were finished on time, although several section needed more work before it could be sent.",
    "I has been working on this project for three years and it have taught me a lot about patience.",
];

fn engine(dir: &tempfile::TempDir) -> Option<Engine> {
    init_logs();
    let model = real_model()?;
    let mut cfg = EngineConfig::new(model);
    cfg.cache_dir = Some(dir.path().join("kv"));
    cfg.always_draft = true;
    Some(Engine::start(cfg).unwrap())
}

fn proofread(e: &Engine, p: &str, draft: bool) -> JobOutput {
    let mut req = GenerateRequest::new(chat(INSTRUCTIONS, p), 80);
    req.stop = vec!["\n\n".into()];
    if draft {
        req.draft_source = Some(p.to_owned());
    }
    // Drafted runs use their own slot that sees the same prompt sequence, so both start from
    // equivalent KV states (llama.cpp numerics depend on how a prompt was split into batches).
    let slot = if draft {
        Slot::Translate
    } else {
        Slot::Proofread
    };
    e.submit(Job::generate(slot, req)).blocking_wait().unwrap()
}

#[test]
fn real_model_chat_template_and_prefix_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let Some(e) = engine(&dir) else { return };
    assert!(e.model_info().has_chat_template);
    assert_eq!(e.model_info().default_budget, 2048);
    let a = proofread(&e, PARAGRAPHS[0], false);
    assert!(!a.text.trim().is_empty());
    // Change one word: only the tokens after the change are evaluated.
    let changed = PARAGRAPHS[0].replace("birds", "ducks");
    let b = proofread(&e, &changed, false);
    assert_eq!(
        b.metrics.prompt_tokens,
        b.metrics.reused_tokens + b.metrics.evaluated_tokens
    );
    assert_eq!(a.metrics.prompt_tokens, b.metrics.prompt_tokens);
    // Exactly the tokens from the edit on are evaluated: " ducks." plus the fixed template
    // suffix, whose length must be the same for an earlier edit.
    let c = proofread(&e, &PARAGRAPHS[0].replace("park", "ponds"), false);
    let suffix_b = b.metrics.evaluated_tokens - e.count_tokens(" ducks.");
    let suffix_c = c.metrics.evaluated_tokens - e.count_tokens(" ponds and we seen many birds.");
    assert_eq!(suffix_b, suffix_c, "{:?} {:?}", b.metrics, c.metrics);
    assert!(suffix_b <= 6, "{:?}", b.metrics);
}

#[test]
fn real_model_speculative_rewrite_is_identical_to_greedy() {
    let dir = tempfile::tempdir().unwrap();
    let Some(e) = engine(&dir) else { return };
    let (mut proposed, mut accepted) = (0, 0);
    for p in PARAGRAPHS.iter().chain(margin_engine::bench::PARAGRAPHS) {
        let plain = proofread(&e, p, false);
        let spec = proofread(&e, p, true);
        assert_eq!(spec.text, plain.text, "paragraph {p:?}");
        proposed += spec.metrics.draft_proposed;
        accepted += spec.metrics.draft_accepted;
    }
    assert!(accepted > 0, "drafts accepted: {accepted}/{proposed}");
}

#[test]
fn real_model_restore_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let Some(e) = engine(&dir) else { return };
    let first = proofread(&e, PARAGRAPHS[1], false);
    drop(e);
    let e = engine(&dir).unwrap();
    let second = proofread(&e, PARAGRAPHS[1], false);
    assert!(second.metrics.restored_tokens > 0);
    assert_eq!(
        second.metrics.evaluated_tokens,
        second.metrics.prompt_tokens - second.metrics.restored_tokens
    );
    assert_eq!(first.text, second.text);
}

#[test]
fn real_model_scores_prefer_fluent_text() {
    let dir = tempfile::tempdir().unwrap();
    let Some(e) = engine(&dir) else { return };
    let job = Job::new(
        Slot::Scratch,
        JobKind::Score(ScoreRequest {
            prompt: chat("Complete the sentence.", " The capital of France is"),
            candidates: vec![
                " Paris is the capital of France.".into(),
                " banana fork the of purple.".into(),
            ],
        }),
    );
    let out = e.submit(job).blocking_wait().unwrap();
    assert!(
        out.scores[0].total_logprob > out.scores[1].total_logprob,
        "{:?}",
        out.scores
    );
}
