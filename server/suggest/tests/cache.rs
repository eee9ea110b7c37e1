//! `SuggestionCache`: exact hits, typed-through hits, misses when the text
//! after the cursor changed, and LRU eviction.

use margin_suggest::SuggestionCache;

const PREFIX: &str = "fn total(items: &[u32]) -> u32 {\n    let mut sum = 0;\n    ";
const SUFFIX: &str = "\n    sum\n}\n";

#[test]
fn exact_and_typed_through() {
    let mut cache = SuggestionCache::default();
    assert_eq!(cache.lookup(PREFIX, SUFFIX), None);
    cache.insert(PREFIX, SUFFIX, "for i in items {\n        sum += i;\n    }");
    assert_eq!(
        cache.lookup(PREFIX, SUFFIX).as_deref(),
        Some("for i in items {\n        sum += i;\n    }")
    );
    // The user typed the start of the suggestion: serve the rest.
    let typed = format!("{PREFIX}for i in");
    assert_eq!(
        cache.lookup(&typed, SUFFIX).as_deref(),
        Some(" items {\n        sum += i;\n    }")
    );
    let typed = format!("{PREFIX}for i in items {{\n        sum");
    assert_eq!(
        cache.lookup(&typed, SUFFIX).as_deref(),
        Some(" += i;\n    }")
    );
    // Typed all of it: nothing left to show.
    let typed = format!("{PREFIX}for i in items {{\n        sum += i;\n    }}");
    assert_eq!(cache.lookup(&typed, SUFFIX), None);
    // Typed something else.
    let typed = format!("{PREFIX}while");
    assert_eq!(cache.lookup(&typed, SUFFIX), None);
    // Deleted back past the cached prefix.
    assert_eq!(cache.lookup(&PREFIX[..PREFIX.len() - 2], SUFFIX), None);
}

#[test]
fn suffix_change_misses() {
    let mut cache = SuggestionCache::default();
    cache.insert(PREFIX, SUFFIX, "sum += 1;");
    assert_eq!(cache.lookup(PREFIX, "\n    sum * 2\n}\n"), None);
    assert_eq!(
        cache.lookup(&format!("{PREFIX}sum"), "\n    sum * 2\n}\n"),
        None
    );
    assert_eq!(
        cache.lookup(&format!("{PREFIX}sum"), SUFFIX).as_deref(),
        Some(" += 1;")
    );
}

#[test]
fn exact_match_wins_and_insert_replaces() {
    let mut cache = SuggestionCache::default();
    cache.insert(PREFIX, SUFFIX, "sum += 1;");
    let longer = format!("{PREFIX}sum");
    cache.insert(&longer, SUFFIX, " -= 2;");
    assert_eq!(cache.lookup(&longer, SUFFIX).as_deref(), Some(" -= 2;"));
    cache.insert(&longer, SUFFIX, " *= 3;");
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.lookup(&longer, SUFFIX).as_deref(), Some(" *= 3;"));
    cache.insert(PREFIX, SUFFIX, "");
    assert_eq!(cache.len(), 2, "empty suggestions are not stored");
}

#[test]
fn lru_eviction() {
    let mut cache = SuggestionCache::new(3);
    cache.insert("a", "", "1");
    cache.insert("b", "", "2");
    cache.insert("c", "", "3");
    // Touch "a" so "b" is the least recently used.
    assert_eq!(cache.lookup("a", "").as_deref(), Some("1"));
    cache.insert("d", "", "4");
    assert_eq!(cache.len(), 3);
    assert_eq!(cache.lookup("b", ""), None);
    assert_eq!(cache.lookup("a", "").as_deref(), Some("1"));
    assert_eq!(cache.lookup("c", "").as_deref(), Some("3"));
    assert_eq!(cache.lookup("d", "").as_deref(), Some("4"));
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn multibyte_text() {
    let mut cache = SuggestionCache::default();
    cache.insert("let s = \"", "\";", "héllo wörld");
    assert_eq!(
        cache.lookup("let s = \"hé", "\";").as_deref(),
        Some("llo wörld")
    );
    // A prefix that ends inside a cached entry's multi-byte char never panics.
    cache.insert("é", "", "x");
    assert_eq!(cache.lookup("\u{e9}", "").as_deref(), Some("x"));
    assert_eq!(cache.lookup("e", ""), None);
}
