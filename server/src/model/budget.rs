//! How much memory a model takes and how much the loaded ones may take together
//! (`maxModelMemoryMb`, by default half the machine's memory). A model's estimate is its file
//! (mapped weights) plus its KV cache (four task sequences of the context each gets) plus a
//! compute allowance; loading one that would pass the limit unloads the least recently used
//! others first (never the one being loaded: a model larger than the limit still runs alone).

use margin_engine::gguf::GgufSummary;

use crate::config::{KvType, Settings};

/// Working buffers llama.cpp allocates besides weights and KV cache (measured around 30–150
/// MB for 135M–3B models at margin's context sizes).
const COMPUTE_BYTES: u64 = 160 << 20;
/// Sequences in one engine's context (proofread, translate, suggest, scratch).
const SEQUENCES: u64 = margin_engine::Slot::ALL.len() as u64;

/// Estimated bytes of a model with header `facts` under `settings`.
pub fn estimate(facts: &GgufSummary, settings: &Settings) -> u64 {
    let per_value = match settings.kv_type {
        KvType::F16 => 2,
        KvType::Q8_0 => 1,
    };
    let budget = u64::from(
        settings
            .context_tokens
            .unwrap_or_else(|| margin_engine::default_budget(facts.n_params)),
    );
    let context = facts
        .context_length
        .map_or(budget, |train| budget.min(train.max(64)));
    let kv = facts
        .shape
        .kv_bytes_per_token(per_value)
        .unwrap_or(facts.file_size / 8192)
        * context
        * SEQUENCES;
    facts.file_size + kv + COMPUTE_BYTES + scoring_copy_bytes(facts)
}

/// The F16 copy of the weights that scoring runs on, for a small Q4_1 or Q5_1 model
/// (`margin_engine::scoring_weights`).
fn scoring_copy_bytes(facts: &GgufSummary) -> u64 {
    #[cfg(feature = "llama")]
    return margin_engine::scoring_weights::copy_bytes(facts).unwrap_or(0);
    #[cfg(not(feature = "llama"))]
    {
        let _ = facts;
        0
    }
}

/// The limit in bytes: `maxModelMemoryMb`, else half of the machine's memory (4 GiB when it
/// cannot be read).
pub fn limit_bytes(settings: &Settings) -> u64 {
    match settings.max_model_memory_mb {
        Some(mb) => mb << 20,
        None => total_memory().map_or(4 << 30, |t| t / 2),
    }
}

/// Total memory from `/proc/meminfo` (Linux).
pub fn total_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Removes the least recently used of `loaded` until `incoming` more bytes fit under `limit`
/// (or none are left); returns the removed ones. `size_and_use` gives (bytes, last use).
pub fn evict<T>(
    loaded: &mut Vec<T>,
    incoming: u64,
    limit: u64,
    size_and_use: impl Fn(&T) -> (u64, u64),
) -> Vec<T> {
    let mut gone = Vec::new();
    while !loaded.is_empty()
        && loaded.iter().map(|l| size_and_use(l).0).sum::<u64>() + incoming > limit
    {
        let oldest = (0..loaded.len())
            .min_by_key(|&i| size_and_use(&loaded[i]).1)
            .unwrap_or(0);
        gone.push(loaded.remove(oldest));
    }
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_go_until_the_new_one_fits() {
        // (bytes, last use)
        let mut loaded = vec![(300, 1), (300, 3), (300, 2)];
        let gone = evict(&mut loaded, 300, 1000, |l| *l);
        assert_eq!(gone, [(300, 1)]);
        assert_eq!(loaded, [(300, 3), (300, 2)]);
        // Exactly at the limit fits.
        let gone = evict(&mut loaded, 700, 1000, |l| *l);
        assert_eq!(gone, [(300, 2)]);
        assert_eq!(loaded, [(300, 3)]);
        let gone = evict(&mut loaded, 701, 1000, |l| *l);
        assert_eq!(gone, [(300, 3)]);
        // Larger than the limit: it runs alone.
        let mut loaded = vec![(10, 1)];
        assert_eq!(evict(&mut loaded, 5000, 1000, |l| *l).len(), 1);
        assert!(evict(&mut loaded, 5000, 1000, |l| *l).is_empty());
    }

    #[test]
    fn a_model_costs_its_file_its_kv_cache_and_buffers() {
        let mut facts = margin_engine::gguf::GgufSummary {
            version: 3,
            architecture: "llama".into(),
            name: None,
            has_chat_template: true,
            tensor_count: 1,
            file_size: 100 << 20,
            n_params: 135_000_000,
            quantization: None,
            context_length: Some(8192),
            fim: false,
            shape: Default::default(),
        };
        facts.shape.n_layer = Some(30);
        facts.shape.n_embd = Some(576);
        facts.shape.n_head = Some(9);
        facts.shape.n_head_kv = Some(3);
        let settings = Settings::default();
        // 30 layers × 3 KV heads × (64 + 64) × 2 bytes × 2048 tokens × 4 sequences = 180 MiB.
        assert_eq!(
            estimate(&facts, &settings),
            (100 << 20) + (180 << 20) + COMPUTE_BYTES
        );
        let q8 = Settings {
            kv_type: KvType::Q8_0,
            ..Settings::default()
        };
        assert_eq!(
            estimate(&facts, &q8),
            (100 << 20) + (90 << 20) + COMPUTE_BYTES
        );
        // A Q4_1 model this small is scored on an F16 copy: two bytes per parameter more.
        facts.quantization = Some("Q4_1".into());
        #[cfg(feature = "llama")]
        assert_eq!(
            estimate(&facts, &settings),
            (100 << 20) + (180 << 20) + COMPUTE_BYTES + 270_000_000
        );
        assert_eq!(
            limit_bytes(&Settings {
                max_model_memory_mb: Some(512),
                ..Settings::default()
            }),
            512 << 20
        );
    }
}
