//! The second real model, Gemma 3 270M (`MARGIN_TEST_GEMMA`; required under CI): a
//! multilingual *base* model without a chat template. Plain-likelihood scoring (what
//! proofreading decides with) works with it in English and German, its header says what
//! listings show, and a chat job gets the "no chat template" error instead of a crash.

mod common;

use common::init_logs;
use margin_engine::test_support::{real_gemma, sentence_variant as variant};
use margin_engine::{
    gguf, Engine, EngineConfig, EngineError, GenerateRequest, Job, JobKind, LikelihoodRequest,
    PromptInput, ScoreText, Slot,
};

fn engine() -> Option<Engine> {
    init_logs();
    let mut cfg = EngineConfig::new(real_gemma()?);
    cfg.threads = Some(1);
    cfg.context_tokens = Some(512);
    cfg.disable_kv_persistence = true;
    Some(Engine::start(cfg).unwrap())
}

#[test]
fn the_header_says_base_model_multilingual_sizes() {
    let Some(path) = real_gemma() else { return };
    let f = gguf::inspect(&path).unwrap();
    assert_eq!(f.architecture, "gemma3");
    assert!(!f.has_chat_template && !f.fim);
    assert_eq!(f.quantization.as_deref(), Some("Q4_K_M"));
    assert_eq!(f.context_length, Some(32768));
    assert!(
        (260_000_000..280_000_000).contains(&f.n_params),
        "{}",
        f.n_params
    );
    assert_eq!(
        margin_engine::models::task::suits(&f),
        [margin_engine::models::Task::Proofread]
    );
}

#[test]
fn plain_likelihood_prefers_corrections_in_english_and_german() {
    let Some(e) = engine() else { return };
    assert!(!e.model_info().has_chat_template && !e.model_info().can_chat);
    let en = "She dont like apples, but she eat them anyway.";
    let de = "Ich habe gestern ein Buch gelest und es hat mir gefallen.";
    let texts = vec![
        ScoreText {
            text: en.into(),
            variants: vec![variant(en, "eat", "eats"), variant(en, "apples", "aples")],
        },
        ScoreText {
            text: de.into(),
            variants: vec![
                variant(de, "gelest", "gelesen"),
                variant(de, "Buch", "Buhc"),
            ],
        },
    ];
    let req = LikelihoodRequest {
        preamble: "\n".into(),
        texts,
    };
    let out = e
        .submit(Job::new(Slot::Proofread, JobKind::Likelihood(req)))
        .blocking_wait()
        .unwrap()
        .texts;
    let (en, de) = (&out[0].variants, &out[1].variants);
    assert!(en[0].gain() > 0.0, "'she eats' beats 'she eat': {en:?}");
    assert!(en[1].gain() < 0.0, "a misspelling is less likely: {en:?}");
    assert!(de[0].gain() > 0.0, "'gelesen' beats 'gelest': {de:?}");
    assert!(de[1].gain() < 0.0, "a misspelling is less likely: {de:?}");
}

#[test]
fn a_chat_job_is_refused_with_the_no_template_message() {
    let Some(e) = engine() else { return };
    let prompt = PromptInput::Chat {
        system: "Translate to German.".into(),
        user_stable: String::new(),
        user_tail: "Hello.".into(),
    };
    let err = e
        .submit(Job::generate(
            Slot::Translate,
            GenerateRequest::new(prompt, 8),
        ))
        .blocking_wait()
        .unwrap_err();
    assert!(matches!(err, EngineError::NoChatTemplate { .. }), "{err}");
    // Scoring still works afterwards.
    let req = LikelihoodRequest {
        preamble: "\n".into(),
        texts: vec![ScoreText::plain("Guten Morgen.")],
    };
    assert!(e
        .submit(Job::new(Slot::Proofread, JobKind::Likelihood(req)))
        .blocking_wait()
        .is_ok());
}
