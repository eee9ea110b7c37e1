//! Criterion benches for the proofreading paths that need no model (region
//! extraction of a 200-paragraph document, alignment and filtering of a
//! rewrite, candidate proposal with the English dictionary, the verification
//! decision) and, with `MARGIN_TEST_MODEL`, a region check served from the
//! cache against one sent to the model. `margin bench proofread` reports the
//! end-to-end figures.

use std::collections::HashSet;

use criterion::{criterion_group, criterion_main, Criterion};
use margin::checking::{prepare, CheckInput, Checker, Tuning};
use margin::config::Settings;
use margin_engine::{Engine, EngineConfig};
use margin_proofread::{
    align, decide, filter, propose, Calibration, Dictionary, FilterConfig, FilterContext, Lexicon,
    Scored, Sources, Speller,
};
use margin_syntax::Language;

fn document() -> String {
    (0..200)
        .map(|i| format!("Paragraph {i}: she dont like apples, but she eat them anyway.\n\n"))
        .collect()
}

fn pure(c: &mut Criterion) {
    let doc = document();
    let settings = Settings::default();
    c.bench_function("regions_200_paragraphs", |b| {
        b.iter(|| prepare(&doc, Language::Markdown, &settings).unwrap())
    });
    let (input, output) = (
        "She dont like apples, but she eat them anyway.",
        "She doesn't like apples, but she eats them anyway.",
    );
    let (dictionary, identifiers, config) = (
        Dictionary::default(),
        HashSet::new(),
        FilterConfig::default(),
    );
    c.bench_function("align_and_filter_paragraph", |b| {
        b.iter(|| {
            let ctx = FilterContext {
                protected: &[],
                identifiers: &identifiers,
                dictionary: &dictionary,
                config: &config,
            };
            filter(input, align(input, output), &ctx)
        })
    });
}

fn candidates(c: &mut Criterion) {
    let speller = Speller::for_language("en", &[]).unwrap();
    let lexicon = Lexicon::for_language("en");
    let sources = Sources {
        speller: Some(&speller),
        lexicon: &lexicon,
        kinds: &margin_proofread::EditKind::ALL,
        opens_sentence: true,
        fragment: false,
    };
    let text = "So I think we can not live if old people could not find siences and tecnologies and they did not developped.";
    c.bench_function("propose_sentence_all_words", |b| {
        b.iter(|| propose(text, &sources, |_, _| true))
    });
    c.bench_function("propose_sentence_spelling_only", |b| {
        b.iter(|| propose(text, &sources, |_, _| false))
    });
    let scored: Vec<Scored> = propose(text, &sources, |_, _| true)
        .into_iter()
        .enumerate()
        .map(|(i, candidate)| Scored {
            candidate,
            gain: (i % 7) as f64,
            original_tokens: 3,
            variant_tokens: 3,
            surprise: 1.0,
            technical: false,
        })
        .collect();
    let calibration = Calibration::conservative();
    c.bench_function("decide_sentence", |b| {
        b.iter(|| decide(&scored, &calibration, &Default::default(), 0.5))
    });
}

fn with_model(c: &mut Criterion) {
    let Ok(model) = std::env::var("MARGIN_TEST_MODEL") else {
        eprintln!("MARGIN_TEST_MODEL not set: model benches skipped");
        return;
    };
    let mut config = EngineConfig::new(model);
    config.disable_kv_persistence = true;
    let engine = Engine::start(config).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = Settings::default();
    let dictionary = Dictionary::default();
    let text = "She dont like apples, but she eat them anyway.\n";
    let (regions, identifiers) = prepare(text, Language::Markdown, &settings).unwrap();
    let run = |checker: &Checker| {
        let input = CheckInput::new(text, Language::Markdown, &settings, &dictionary);
        runtime
            .block_on(checker.check_document(&engine, &input, &regions, &identifiers, |_, _, _| {}))
            .unwrap()
    };
    let cached = Checker::default();
    run(&cached);
    let mut group = c.benchmark_group("region_check");
    group.sample_size(10);
    group.bench_function("cached", |b| b.iter(|| run(&cached)));
    let uncached = Checker::with_tuning(Tuning {
        cache: false,
        ..Tuning::default()
    });
    group.bench_function("model", |b| b.iter(|| run(&uncached)));
    group.finish();
}

criterion_group!(benches, pure, candidates, with_model);
criterion_main!(benches);
