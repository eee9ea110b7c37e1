//! `margin bench suggest`: a user types a line in a Rust file and a Python
//! file, one keystroke at a time, asking for a suggestion after each. Time
//! to suggestion for the first (cold: nothing in the KV cache) vs the
//! following keystrokes (warm: the file context is already evaluated), the
//! prompt tokens evaluated per keystroke, how many were served from the
//! cache, and the share of model suggestions dropped by verification.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use margin_engine::Priority;
use margin_suggest::context::Task;
use margin_syntax::Language;
use serde_json::{json, Value};

use crate::suggesting::{SuggestRequest, Suggester};

const RUST: &str = r#"use std::collections::HashMap;

/// A shopping cart: item names and how many of each.
pub struct Cart {
    items: HashMap<String, u32>,
}

impl Cart {
    /// Adds `count` of `name` to the cart.
    pub fn add(&mut self, name: &str, count: u32) {
        *self.items.entry(name.to_string()).or_insert(0) += count;
    }

    /// Total number of items in the cart.
    pub fn total(&self) -> u32 {
        <|>
    }
}
"#;

const PYTHON: &str = r#"import json


class Inventory:
    """Items in stock, by name."""

    def __init__(self):
        self.items = {}

    def add(self, name, count):
        """Add count items called name."""
        self.items[name] = self.items.get(name, 0) + count

    def total(self):
        """Number of items in stock."""
        <|>
"#;

struct Typed {
    ms: f64,
    evaluated: u64,
    cached: bool,
}

fn type_line(
    runtime: &tokio::runtime::Runtime,
    engine: &margin_engine::Engine,
    suggester: &Suggester,
    fixture: &str,
    lang: Language,
    line: &str,
) -> Vec<Typed> {
    let at = fixture.find("<|>").expect("cursor marker");
    let mut out = Vec::new();
    for k in 0..=line.len().min(16) {
        let typed = &line[..k];
        let text = format!("{}{typed}{}", &fixture[..at], &fixture[at + 3..]);
        let req = SuggestRequest {
            text,
            lang,
            cursor: at + k,
            task: Task::Complete,
            max_lines: 6,
            budget: None,
        };
        let before = suggester.stats();
        let start = Instant::now();
        let _ = runtime.block_on(suggester.suggest(
            engine,
            &req,
            Priority::Interactive,
            Arc::new(AtomicBool::new(false)),
        ));
        let after = suggester.stats();
        out.push(Typed {
            ms: start.elapsed().as_secs_f64() * 1000.0,
            evaluated: after.evaluated_tokens - before.evaluated_tokens,
            cached: after.cache_hits > before.cache_hits,
        });
    }
    out
}

pub fn run(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (engine, _settings) = super::start_engine(model, threads)?;
    let suggester = Suggester::default();
    let mut runs = type_line(
        &runtime,
        &engine,
        &suggester,
        RUST,
        Language::Rust,
        "self.items.values().sum()",
    );
    runs.extend(type_line(
        &runtime,
        &engine,
        &suggester,
        PYTHON,
        Language::Python,
        "return sum(self.items.values())",
    ));
    let cold = [&runs[0]];
    let warm: Vec<&Typed> = runs
        .iter()
        .skip(1)
        .filter(|t| !t.cached && t.evaluated > 0)
        .collect();
    let mut warm_ms: Vec<f64> = warm.iter().map(|t| t.ms).collect();
    let mut warm_eval: Vec<f64> = warm.iter().map(|t| t.evaluated as f64).collect();
    let mut all_ms: Vec<f64> = runs.iter().map(|t| t.ms).collect();
    let stats = suggester.stats();
    let verified = stats.shown + stats.dropped;
    let warm_median = super::median(&mut warm_ms);
    Ok(json!({
        "model": engine.model_info().name,
        "fim": engine.model_info().fim.is_some(),
        "threads": threads,
        "keystrokes": runs.len(),
        "cold_ms": cold[0].ms,
        "cold_evaluated_tokens": cold[0].evaluated,
        "warm_median_ms": warm_median,
        "cold_over_warm": cold[0].ms / warm_median.max(1e-3),
        "warm_evaluated_tokens_median": super::median(&mut warm_eval),
        "prompt_tokens_mean": stats.prompt_tokens as f64 / stats.model_calls.max(1) as f64,
        "median_ms_all_keystrokes": super::median(&mut all_ms),
        "served_from_cache": stats.cache_hits,
        "model_calls": stats.model_calls,
        "dropped_share": if verified == 0 { 0.0 } else { stats.dropped as f64 / verified as f64 },
    }))
}
