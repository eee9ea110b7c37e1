//! Persistent KV cache: restore after restart gives the same logits as recomputation, and
//! corrupt, truncated or foreign files are ignored, deleted and rebuilt. Files that pass every
//! header and checksum test but hold the wrong state (a payload llama.cpp rejects, bit flips
//! with a recomputed checksum) are caught by the logit probe, and never poison later sessions.

mod common;

use common::*;
use margin_engine::{Engine, Job, JobKind, JobOutput, ScoreRequest, Slot};
use std::path::PathBuf;

fn score(e: &Engine, tail: &str) -> JobOutput {
    score_with(e, INSTRUCTIONS, tail)
}

fn score_with(e: &Engine, instructions: &str, tail: &str) -> JobOutput {
    let job = Job::new(
        Slot::Proofread,
        JobKind::Score(ScoreRequest {
            prompt: chat(instructions, tail),
            candidates: vec![
                "The cat sat on the mat.".into(),
                "zz top".into(),
                "a".into(),
            ],
        }),
    );
    e.submit(job).blocking_wait().unwrap()
}

fn kv_files(t: &Tiny) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for m in std::fs::read_dir(t.dir.path().join("kv"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(m.path()).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out
}

fn assert_same_scores(a: &JobOutput, b: &JobOutput) {
    for (x, y) in a.scores.iter().zip(&b.scores) {
        for (p, q) in x.token_logprobs.iter().zip(&y.token_logprobs) {
            // f16 KV and differently split batches: equal within float tolerance.
            assert!((p - q).abs() < 1e-3 * p.abs().max(1.0), "{p} vs {q}");
        }
    }
}

#[test]
fn restored_prefix_gives_same_logits_as_recomputation() {
    let t = tiny();
    let tail = "Teh cat sat on teh mat.";
    let first = score(&t.engine(), tail);
    assert_eq!(first.metrics.restored_tokens, 0);
    assert_eq!(first.metrics.reused_tokens, 0);
    let files = kv_files(&t);
    assert_eq!(files.len(), 1, "one stable prefix persisted");
    // Fresh engine (restart): the stable prefix comes from disk, only the tail is evaluated.
    let e2 = t.engine();
    let second = score(&e2, tail);
    assert!(second.metrics.restored_tokens > 0);
    assert_eq!(second.metrics.reused_tokens, second.metrics.restored_tokens);
    assert_eq!(
        second.metrics.evaluated_tokens,
        first.metrics.prompt_tokens - second.metrics.restored_tokens
    );
    assert_same_scores(&first, &second);
    // And the same as an engine that never persists anything.
    let mut cfg = t.config();
    cfg.disable_kv_persistence = true;
    let third = score(&Engine::start(cfg).unwrap(), tail);
    assert_same_scores(&third, &second);
    // Greedy generation after a restore matches too.
    let g1 = greedy(&t.engine(), chat(INSTRUCTIONS, "Another paragraph."), 12);
    let g2 = greedy(&t.engine(), chat(INSTRUCTIONS, "Another paragraph."), 12);
    assert!(g2.metrics.restored_tokens > 0);
    assert_eq!(g1.text, g2.text);
}

fn corrupt_and_check(corrupt: impl Fn(&PathBuf)) {
    let t = tiny();
    let tail = "Teh cat sat on teh mat.";
    let first = score(&t.engine(), tail);
    let file = kv_files(&t).pop().unwrap();
    corrupt(&file);
    let e = t.engine();
    let second = score(&e, tail);
    assert_eq!(
        second.metrics.restored_tokens, 0,
        "invalid file must not be used"
    );
    assert_eq!(second.metrics.evaluated_tokens, first.metrics.prompt_tokens);
    assert_same_scores(&first, &second);
    // It was rebuilt: the next restart restores again.
    let third = score(&t.engine(), tail);
    assert!(third.metrics.restored_tokens > 0);
    assert_same_scores(&first, &third);
}

#[test]
fn corrupt_payload_is_ignored_and_rebuilt() {
    corrupt_and_check(|f| {
        let mut b = std::fs::read(f).unwrap();
        let n = b.len();
        b[n - 100] ^= 0xff;
        std::fs::write(f, b).unwrap();
    });
}

#[test]
fn truncated_file_is_ignored_and_rebuilt() {
    corrupt_and_check(|f| {
        let b = std::fs::read(f).unwrap();
        std::fs::write(f, &b[..b.len() / 2]).unwrap();
    });
}

#[test]
fn garbage_and_foreign_files_are_ignored_and_rebuilt() {
    corrupt_and_check(|f| std::fs::write(f, b"not a cache file at all").unwrap());
    corrupt_and_check(|f| {
        // Valid layout but a header claiming another model.
        let b = std::fs::read(f).unwrap();
        let hlen = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
        let mut h: serde_json::Value = serde_json::from_slice(&b[16..16 + hlen]).unwrap();
        h["model"] = "0000000000000000".into();
        let hj = serde_json::to_vec(&h).unwrap();
        let mut out = b[..12].to_vec();
        out.extend_from_slice(&(hj.len() as u32).to_le_bytes());
        out.extend_from_slice(&hj);
        out.extend_from_slice(&b[16 + hlen..]);
        std::fs::write(f, out).unwrap();
    });
}

#[test]
fn cache_directory_is_capped() {
    let t = tiny();
    let mut cfg = t.config();
    let e = Engine::start(cfg.clone()).unwrap();
    for i in 0..3 {
        greedy(&e, chat(&format!("{INSTRUCTIONS} variant {i} "), "x"), 1);
    }
    let files = kv_files(&t);
    assert_eq!(files.len(), 3);
    let one = std::fs::metadata(&files[0]).unwrap().len();
    drop(e);
    cfg.kv_cache_max_bytes = one * 2 + one / 2;
    let e = Engine::start(cfg).unwrap();
    greedy(&e, chat(&format!("{INSTRUCTIONS} variant 9 "), "x"), 1);
    assert_eq!(
        kv_files(&t).len(),
        2,
        "LRU eviction keeps the directory under the cap"
    );
}

/// Replace a file's payload, keeping a valid header: length and checksum recomputed.
fn rewrite_payload(f: &PathBuf, change: impl FnOnce(&mut Vec<u8>)) {
    let b = std::fs::read(f).unwrap();
    let hlen = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
    let mut h: serde_json::Value = serde_json::from_slice(&b[16..16 + hlen]).unwrap();
    let mut payload = b[16 + hlen..].to_vec();
    change(&mut payload);
    h["payload_len"] = payload.len().into();
    h["payload_sha256"] = margin_engine::kvstore::hex_sha256(&payload).into();
    let hj = serde_json::to_vec(&h).unwrap();
    let mut out = b[..12].to_vec();
    out.extend_from_slice(&(hj.len() as u32).to_le_bytes());
    out.extend_from_slice(&hj);
    out.extend_from_slice(&payload);
    std::fs::write(f, out).unwrap();
}

fn file_for(t: &Tiny, before: &[PathBuf]) -> PathBuf {
    kv_files(t)
        .into_iter()
        .find(|f| !before.contains(f))
        .expect("a new KV file")
}

#[test]
fn a_payload_llama_cpp_rejects_never_leads_to_a_short_file() {
    let t = tiny();
    let tail = "Teh cat sat on teh mat.";
    // Two prefixes that share their start (the slot keeps that part between jobs).
    let other = INSTRUCTIONS.replace("paragraph below", "text below");
    let e = t.engine();
    score_with(&e, &other, tail);
    let before = kv_files(&t);
    let good = score_with(&e, INSTRUCTIONS, tail);
    let file = file_for(&t, &before);
    let size = std::fs::metadata(&file).unwrap().len();
    drop(e);

    // Valid header and checksum, a payload llama.cpp cannot read.
    rewrite_payload(&file, |p| p.truncate(p.len() / 3));
    let e = t.engine();
    score_with(&e, &other, tail); // restores the other prefix: the slot holds the shared start
    let rebuilt = score_with(&e, INSTRUCTIONS, tail);
    assert_eq!(rebuilt.metrics.restored_tokens, 0);
    assert_same_scores(&good, &rebuilt);
    assert_eq!(
        std::fs::metadata(&file).unwrap().len(),
        size,
        "the rebuilt file holds the whole prefix"
    );
    drop(e);

    // Every later session restores the rebuilt file and gets the same answers.
    for _ in 0..2 {
        let later = score_with(&t.engine(), INSTRUCTIONS, tail);
        assert!(later.metrics.restored_tokens > 0);
        assert_same_scores(&good, &later);
    }
}

#[test]
fn bit_flips_behind_a_recomputed_checksum_are_caught_by_the_probe() {
    let t = tiny();
    let tail = "Teh cat sat on teh mat.";
    let good = score(&t.engine(), tail);
    let file = kv_files(&t).pop().unwrap();
    // Flip bits in the last values of the sequence's V cache (plain data llama.cpp accepts as it
    // is; the payload ends with the empty other streams' 4-byte cell counts) and make the
    // checksum match again.
    rewrite_payload(&file, |p| {
        let n = p.len();
        for b in &mut p[n - n / 32..n - 64] {
            *b ^= 0x40;
        }
    });
    let second = score(&t.engine(), tail);
    assert_eq!(
        second.metrics.restored_tokens, 0,
        "a state that does not reproduce its logits is not used"
    );
    assert_same_scores(&good, &second);
    let third = score(&t.engine(), tail);
    assert!(third.metrics.restored_tokens > 0, "rebuilt");
    assert_same_scores(&good, &third);
}
