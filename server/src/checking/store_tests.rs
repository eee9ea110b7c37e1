//! Tests of the persistent result cache: exact round trips between stores (processes) on one
//! directory, rows and files that fail a check, the size bound, and a directory that cannot be
//! used or fills up.

use super::*;
use margin_proofread::{Candidate, EditKind};

fn scored(word: &str, gain: f64) -> Arc<Vec<Scored>> {
    let text = format!("She {word} them.");
    let candidate = Candidate::new(
        &text,
        4..4 + word.len(),
        format!("{word}s"),
        EditKind::Agreement,
    );
    Arc::new(vec![Scored {
        candidate,
        gain,
        original_tokens: 3,
        variant_tokens: 4,
        surprise: 6.25,
        technical: false,
    }])
}

fn key(text: &str) -> StoreKey {
    StoreKey::new(&CheckKey::new("model-a", 7, Some("en"), text), text)
}

fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join(FILE_NAME)).unwrap()
}

#[test]
fn results_come_back_exactly_in_another_store_on_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let value = scored("eat", 0.1 + 0.2);
    ResultStore::new(dir.path(), "test").put_many(&[(key("She eat them."), value.clone())]);
    let other = ResultStore::new(dir.path(), "test");
    let got = other.get_many(&[key("She eat them."), key("Another text.")]);
    assert_eq!(
        got[0].as_deref(),
        Some(&value[..]),
        "f64 gains must round-trip bit for bit"
    );
    assert_eq!(got[1], None);
    assert_eq!((other.stats().hits, other.stats().misses), (1, 1));
    assert!(other.take_problems().is_empty());
}

#[test]
fn every_part_of_the_key_counts() {
    let base = CheckKey::new("model-a", 7, Some("en"), "Text.");
    let k = StoreKey::new(&base, "Text.");
    assert_ne!(
        k,
        StoreKey::new(&CheckKey::new("model-b", 7, Some("en"), "Text."), "Text.")
    );
    assert_ne!(
        k,
        StoreKey::new(&CheckKey::new("model-a", 8, Some("en"), "Text."), "Text.")
    );
    assert_ne!(
        k,
        StoreKey::new(&CheckKey::new("model-a", 7, Some("de"), "Text."), "Text.")
    );
    assert_ne!(k, StoreKey::new(&base, "Text!"));
}

#[test]
fn a_corrupt_or_foreign_row_is_ignored_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = ResultStore::new(dir.path(), "test");
    let (a, b) = (key("She eat them."), key("They eats them."));
    store.put_many(&[(a, scored("eat", 1.5)), (b, scored("eats", 2.5))]);
    // A damaged value (checksum no longer matches) and a row of another format version whose
    // checksum is right.
    let conn = raw(dir.path());
    conn.execute(
        "UPDATE results SET value = X'7B7D' WHERE key = ?1",
        [&a.0[..]],
    )
    .unwrap();
    let old = br#"{"format":0,"key":"x","scored":[]}"#;
    conn.execute(
        "UPDATE results SET value = ?2, sum = ?3 WHERE key = ?1",
        params![&b.0[..], &old[..], checksum(old)],
    )
    .unwrap();
    let store = ResultStore::new(dir.path(), "test");
    assert_eq!(store.get_many(&[a, b]), vec![None, None]);
    assert_eq!(store.stats().bad_rows, 2);
    store.put_many(&[(a, scored("eat", 1.5)), (b, scored("eats", 2.5))]);
    let again = ResultStore::new(dir.path(), "test").get_many(&[a, b]);
    assert_eq!(
        again,
        vec![
            Some(scored("eat", 1.5).to_vec()),
            Some(scored("eats", 2.5).to_vec())
        ]
    );
}

#[test]
fn a_file_that_is_not_a_result_cache_is_replaced_and_said_once() {
    for foreign in ["garbage", "another program's database"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        if foreign == "garbage" {
            std::fs::write(
                &path,
                b"this is not SQLite at all, just some bytes".repeat(200),
            )
            .unwrap();
        } else {
            Connection::open(&path)
                .unwrap()
                .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep?');")
                .unwrap();
        }
        let store = ResultStore::new(dir.path(), "test");
        assert_eq!(store.get_many(&[key("A.")]), vec![None], "{foreign}");
        let problems = store.take_problems();
        assert_eq!(problems.len(), 1, "{foreign}: {problems:?}");
        assert!(
            problems[0].contains(FILE_NAME) && problems[0].contains("started a new one"),
            "{foreign}: {problems:?}"
        );
        store.put_many(&[(key("A."), scored("eat", 1.0))]);
        assert!(
            ResultStore::new(dir.path(), "test").get_many(&[key("A.")])[0].is_some(),
            "{foreign}"
        );
        assert!(store.take_problems().is_empty(), "{foreign}: reported once");
    }
}

#[test]
fn least_recently_used_rows_go_when_the_bound_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let bound = 200 * 1024;
    let store = ResultStore::with_max_bytes(dir.path(), "test", bound);
    let big = |i: usize| {
        Arc::new(
            (0..20)
                .flat_map(|j| scored(&format!("word{i}x{j}"), j as f64).to_vec())
                .collect::<Vec<_>>(),
        )
    };
    let first: Vec<StoreKey> = (0..10).map(|i| key(&format!("first {i}"))).collect();
    store.put_many(
        &first
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, big(i)))
            .collect::<Vec<_>>(),
    );
    // Make them old, then read one of them: it becomes recently used again (with the next write).
    raw(dir.path())
        .execute("UPDATE results SET used = 0", [])
        .unwrap();
    assert!(store.get_many(&[first[0]])[0].is_some());
    let mut later = Vec::new();
    while store.stats().evicted == 0 {
        assert!(later.len() < 200, "nothing evicted: {:?}", store.stats());
        let k = key(&format!("later {}", later.len()));
        store.put_many(&[(k, big(later.len()))]);
        later.push(k);
    }
    let bytes: i64 = raw(dir.path())
        .query_row("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size", [], |r| r.get(0))
        .unwrap();
    assert!(
        bytes as u64 <= bound,
        "{bytes} bytes in use over the bound {bound}"
    );
    let survived = store.get_many(&first);
    assert!(survived[0].is_some(), "the row read recently stays");
    assert!(
        survived[1..].iter().any(Option::is_none),
        "rows not used for longest go first"
    );
    assert!(
        store.get_many(&later).iter().all(Option::is_some),
        "newer rows stay"
    );
}

#[test]
fn an_unusable_directory_is_reported_once_and_nothing_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // A directory under a regular file cannot be created (whoever runs the test, root too).
    let store = ResultStore::new(&file.join("cache"), "--cache-dir");
    assert_eq!(store.get_many(&[key("A.")]), vec![None]);
    store.put_many(&[(key("A."), scored("eat", 1.0))]);
    assert_eq!(store.get_many(&[key("A.")]), vec![None]);
    let problems = store.take_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("--cache-dir") && problems[0].contains("a-file"),
        "{problems:?}"
    );
}

#[test]
fn a_full_disk_is_reported_once_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = ResultStore::new(dir.path(), "--cache-dir");
    store.put_many(&[(key("A."), scored("eat", 1.0))]);
    // SQLite answers SQLITE_FULL when the database may not grow: what a full disk gives.
    let pages: i64 = store
        .lock()
        .conn
        .as_ref()
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let _: i64 = store
        .lock()
        .conn
        .as_ref()
        .unwrap()
        .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })
        .unwrap();
    let many: Vec<_> = (0..200)
        .map(|i| (key(&format!("text {i}")), scored(&format!("w{i}"), 1.0)))
        .collect();
    store.put_many(&many);
    store.put_many(&many);
    let problems = store.take_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("disk full") && problems[0].contains("--cache-dir"),
        "{problems:?}"
    );
    assert!(
        store.get_many(&[key("A.")])[0].is_some(),
        "what was stored is still read"
    );
}

#[test]
fn stores_on_many_threads_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let dir = dir.path();
            s.spawn(move || {
                // One store per thread: separate connections, as separate processes have.
                let store = ResultStore::new(dir, "test");
                for i in 0..50 {
                    store.put_many(&[
                        (key(&format!("{t} {i}")), scored("eat", i as f64)),
                        (key("shared"), scored("eat", 9.0)),
                    ]);
                }
                assert!(store.take_problems().is_empty());
            });
        }
    });
    let store = ResultStore::new(dir.path(), "test");
    let keys: Vec<StoreKey> = (0..4)
        .flat_map(|t| (0..50).map(move |i| key(&format!("{t} {i}"))))
        .chain([key("shared")])
        .collect();
    let got = store.get_many(&keys);
    assert!(got.iter().all(Option::is_some));
    assert_eq!(store.stats().bad_rows, 0);
}

#[test]
fn many_stores_opening_a_new_cache_at_the_same_instant_all_use_it() {
    // Creating the file, switching it to WAL and making the schema all take locks; a store that
    // meets another's lock waits its turn instead of turning the cache off.
    for _round in 0..15 {
        let dir = tempfile::tempdir().unwrap();
        let start = std::sync::Barrier::new(6);
        std::thread::scope(|s| {
            for t in 0..6 {
                let (dir, start) = (dir.path(), &start);
                s.spawn(move || {
                    let store = ResultStore::new(dir, "test");
                    start.wait();
                    store.put_many(&[(key(&format!("{t}")), scored("eat", 1.0))]);
                    assert_eq!(store.take_problems(), Vec::<String>::new());
                });
            }
        });
    }
}
