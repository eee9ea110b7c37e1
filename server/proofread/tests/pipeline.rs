//! End to end on real documents: regions from margin-syntax, a realistic
//! raw model reply, cleanup, alignment, filters, ignores, document ranges.

use std::collections::HashSet;

use margin_proofread::*;
use margin_syntax::{extract_regions, ExtractOptions, Language, ProseRegion, SyntaxTree};

fn regions(doc: &str, lang: Language) -> Vec<ProseRegion> {
    extract_regions(doc, None, lang, &ExtractOptions::default())
        .unwrap()
        .regions
}

fn run(region: &ProseRegion, reply: &str, ids: &HashSet<String>, dict: &Dictionary) -> Filtered {
    let edits = edits_from_reply(&region.text, reply).unwrap();
    let config = FilterConfig::default();
    let ctx = FilterContext {
        protected: &region.protected,
        identifiers: ids,
        dictionary: dict,
        config: &config,
    };
    filter(&region.text, edits, &ctx)
}

#[test]
fn markdown_paragraph_with_chatty_reply() {
    let doc =
        "# Intro\n\nRun `cargo biuld` befor you open teh editor, see https://margin.dev/docs.\n";
    let rs = regions(doc, Language::Markdown);
    let region = rs
        .iter()
        .find(|r| r.text.contains("befor"))
        .expect("paragraph region");
    let fixed = region
        .text
        .replace("biuld", "build")
        .replace("befor", "before")
        .replace("teh", "the")
        .replace("margin.dev", "margin.io");
    let reply = format!("Sure! Here is the corrected text:\n\n\"{fixed}\"\n\nNote: I fixed three spelling mistakes.");
    let f = run(region, &reply, &HashSet::new(), &Dictionary::default());

    let kept: Vec<(&str, &str)> = f
        .kept
        .iter()
        .map(|e| (e.original.as_str(), e.replacement.as_str()))
        .collect();
    assert_eq!(kept, vec![("befor", "before"), ("teh", "the")]);
    let reasons: HashSet<DropReason> = f.dropped.iter().map(|(_, r)| *r).collect();
    assert!(
        reasons.contains(&DropReason::Protected),
        "inline code edit must be dropped: {:?}",
        f.dropped
    );
    assert!(reasons
        .iter()
        .all(|r| matches!(r, DropReason::Protected | DropReason::UrlOrPath)));
    // Edits map back to the document exactly.
    for e in &f.kept {
        assert_eq!(&doc[region.doc_range_of(e.range.clone())], e.original);
        assert_eq!(e.category, Category::Spelling);
    }
    assert_eq!(
        message(&f.kept[1]),
        "Possible spelling mistake: 'teh' → 'the'"
    );
}

#[test]
fn rust_comment_keeps_identifiers() {
    let doc = "/// Returns teh number of tokens that `count_tokens` has seen so far in\n\
               /// the buffer; the tokenizer caches it.\nfn count_tokens(tokenizer: &Tokenizer) -> usize { 0 }\n";
    let mut tree = SyntaxTree::new(Language::Rust).unwrap();
    tree.parse(doc);
    let ids = identifiers_from_tree(doc, tree.tree().unwrap());
    let rs = regions(doc, Language::Rust);
    let region = rs
        .iter()
        .find(|r| r.text.contains("teh"))
        .expect("doc comment region");
    // The model "fixes" an identifier and a real typo.
    let reply = region
        .text
        .replace("teh", "the")
        .replace("tokenizer caches", "Tokenizer caches");
    let f = run(region, &reply, &ids, &Dictionary::default());
    assert_eq!(f.kept.len(), 1, "{:?}", f);
    assert_eq!(f.kept[0].original, "teh");
    assert_eq!(f.dropped.len(), 1);
    assert_eq!(f.dropped[0].1, DropReason::Identifier);
}

#[test]
fn german_region_stays_german() {
    let input = "Ich habe gestern ein langen Spaziergang im Park gemacht.";
    let prompt = build(input, Some("de"));
    assert!(prompt.system.contains("German"));
    assert_eq!(prompt.user, input);
    let edits = edits_from_reply(
        input,
        "Ich habe gestern einen langen Spaziergang im Park gemacht.",
    )
    .unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].original.as_str(), edits[0].replacement.as_str()),
        ("ein", "einen")
    );
    let translated = edits_from_reply(
        input,
        "Yesterday I took a long walk in the park and it was nice.",
    );
    assert!(
        matches!(translated, Err(Unusable::OtherLanguage { .. })),
        "{translated:?}"
    );
}

#[test]
fn ignored_finding_is_recognised_after_unrelated_edit() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join(".margin/ignored.json");
    let text = "Margin is an offline assistant. It proofreads teh comments.";
    let e = &edits_from_reply(
        text,
        "Margin is an offline assistant. It proofreads the comments.",
    )
    .unwrap()[0];
    let (mut store, _) = IgnoreStore::open(&store_path);
    store
        .ignore(
            "src/lib.rs",
            FindingKey::new(text, e.range.clone(), &e.original, &e.replacement),
        )
        .unwrap();

    let edited = "Margin is a local, offline assistant. It proofreads teh comments.";
    let e2 = &edits_from_reply(
        edited,
        "Margin is a local, offline assistant. It proofreads the comments.",
    )
    .unwrap()[0];
    let (store, warn) = IgnoreStore::open(&store_path);
    assert!(warn.is_none());
    assert!(store.is_ignored(
        "src/lib.rs",
        &FindingKey::new(edited, e2.range.clone(), &e2.original, &e2.replacement)
    ));
}

#[test]
fn workspace_dictionary_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".margin/dictionary.txt");
    let mut dict = Dictionary::load(std::slice::from_ref(&path));
    let input = "We parse the rope with ropey and llama.";
    let edits = edits_from_reply(input, "We parse the rope with rope and llama.").unwrap();
    let config = FilterConfig::default();
    let ids = HashSet::new();
    let run = |d: &Dictionary| {
        filter(
            input,
            edits.clone(),
            &FilterContext {
                protected: &[],
                identifiers: &ids,
                dictionary: d,
                config: &config,
            },
        )
    };
    assert_eq!(run(&dict).kept.len(), 1);
    assert!(add_word(&path, "ropey").unwrap());
    assert!(dict.reload_if_changed());
    let f = run(&dict);
    assert!(f.kept.is_empty());
    assert_eq!(f.dropped[0].1, DropReason::Dictionary);
}

#[test]
fn long_region_is_split_and_cached() {
    let text =
        "First sentence has a typo in teh middle. Second one is fine. Third one is also fine.";
    let pieces = split(text, 45, str::len);
    assert_eq!(pieces.len(), 2);
    let mut cache: ResultCache<CheckKey, Vec<Edit>> = ResultCache::new(16);
    let first = &text[pieces[0].clone()];
    let key = CheckKey::new("smollm2-135m-q8", 1, Some("en"), first);
    assert!(cache.get(&key).is_none());
    let edits = edits_from_reply(
        first,
        "First sentence has a typo in the middle. Second one is fine.",
    )
    .unwrap();
    cache.insert(key.clone(), edits.clone());
    assert_eq!(cache.get(&key), Some(edits));
    assert_eq!((cache.hits(), cache.misses()), (1, 1));
}
