//! `margin bench engine`: measures, in one process, what the engine's design is supposed to buy
//! (prefix reuse on re-checks, speculative rewrites, restore from disk, overhead against a raw
//! llama-cpp-2 loop, robustness to a busy core). Returns JSON; goals are in the field docs of
//! [`run`].

use crate::config::EngineConfig;
use crate::engine::{backend, load_model};
use crate::job::{GenerateRequest, Job, JobOutput, PromptInput, Slot};
use crate::Engine;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use serde_json::{json, Value};
use std::num::NonZeroU32;
use std::path::Path;
use std::time::{Duration, Instant};

/// Short proofreading instruction (what the model follows best; used for rewrites).
const INSTRUCTIONS: &str =
    "Correct the spelling and grammar of this paragraph. Keep the wording otherwise \
unchanged. Answer with the corrected paragraph only.\n\n";

/// A long instruction prefix with a worked example (what a persisted prefix typically holds).
const LONG_INSTRUCTIONS: &str = "You are a meticulous copy editor. Rewrite the paragraph the user gives you so \
that spelling, grammar and punctuation are correct. Keep the author's wording, tone and meaning; change only what \
is wrong. Do not add explanations, headings or quotes; answer with the corrected paragraph only. Examples of \
typical fixes: 'teh' becomes 'the', 'they was' becomes 'they were', 'its raining' becomes 'it's raining', 'alot' \
becomes 'a lot', 'could of' becomes 'could have'. British and American spellings are both fine; keep the one the \
author uses. Keep line breaks, lists and code spans exactly as they are.\n\nExample input: Their going to the \
libary tomorow, and they has promised to bring back the books they borrowed last month, even the ones that was \
overdue.\nExample output: They're going to the library tomorrow, and they have promised to bring back the books \
they borrowed last month, even the ones that were overdue.\n\nParagraph:\n";

/// ~60-word paragraphs with a few errors each.
pub const PARAGRAPHS: &[&str] = &[
    "Yesterday we walked along the river for almost three hours, and the weather were perfect the whole time. \
     We seen herons, a family of ducks and even a small otter near the old stone bridge. By the time we got home \
     everybody was tired but happy, and we promised each other to do it again next month when the leafs turn.",
    "The quarterly report have been delayed because two of the regional offices did not send there numbers on time. \
     Finance will publish a preliminary version on Friday, and the final figures should follow next week. Please \
     make sure that your team double-check all totals before submitting, since last quarter several mistake slipped \
     through and had to be corrected later.",
    "Learning a new programming language is easier when you build something real with it. Instead of reading the \
     whole manual first, pick a small project, like a command line tool or a tiny web server, and look things up as \
     you go. You will make alot of mistakes, but each one teach you something that a tutorial never could.",
];

fn engine(
    model: &Path,
    threads: Option<usize>,
    cache: Option<&Path>,
    always_draft: bool,
) -> Result<Engine, crate::EngineError> {
    let mut cfg = EngineConfig::new(model);
    cfg.threads = threads;
    cfg.always_draft = always_draft;
    match cache {
        Some(d) => cfg.cache_dir = Some(d.to_path_buf()),
        None => cfg.disable_kv_persistence = true,
    }
    Engine::start(cfg)
}

fn job_with(
    e: &Engine,
    instructions: &str,
    paragraph: &str,
    max_tokens: usize,
    draft: bool,
) -> Result<JobOutput, crate::EngineError> {
    let prompt = PromptInput::Chat {
        system: String::new(),
        user_stable: instructions.into(),
        user_tail: paragraph.into(),
    };
    let mut req = GenerateRequest::new(prompt, max_tokens);
    if draft {
        req.draft_source = Some(paragraph.into());
    }
    // Speculative runs use their own slot, which sees the same prompt sequence as the greedy
    // slot: both start from equivalent cache states (llama.cpp's numerics depend on batch
    // shapes, so comparing runs with different prefix reuse would compare apples and pears).
    let slot = if draft {
        Slot::Translate
    } else {
        Slot::Proofread
    };
    e.submit(Job::generate(slot, req)).blocking_wait()
}

fn job(
    e: &Engine,
    paragraph: &str,
    max_tokens: usize,
    draft: bool,
) -> Result<JobOutput, crate::EngineError> {
    job_with(e, INSTRUCTIONS, paragraph, max_tokens, draft)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Runs all measurements. Fields:
/// * `recheck_evaluated_fraction`: after a warm check of a paragraph, the same prompt with its
///   last word changed; evaluated tokens ÷ prompt tokens (goal ≤ 0.05);
/// * `speculative_speedup` / `speculative_identical`: greedy decode time ÷ speculative decode
///   time on proofreading rewrites with the engine's default draft policy, outputs
///   byte-identical (goal ≥ 2.5, true); `speculative.forced` always drafts 8 tokens;
/// * `restore_speedup`: TTFT with the instruction prefix computed from scratch ÷ restored from
///   disk in a fresh engine (goal ≥ 3);
/// * `throughput_vs_raw`: margin's prefill and decode tokens/s ÷ a minimal raw llama-cpp-2 loop;
/// * `contention_slowdown`: proofreading latency with one core kept busy by a spinning thread ÷
///   idle, default thread policy (goal ≤ 2).
pub fn run(model: &Path, threads: Option<usize>) -> Result<Value, crate::EngineError> {
    let tmp = std::env::temp_dir().join(format!("margin-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let e = engine(model, threads, None, false)?;
    let info = e.model_info().clone();

    // Re-check after a one-word edit at the end of the paragraph (prompt with a worked example).
    let p = PARAGRAPHS[0];
    job_with(&e, LONG_INSTRUCTIONS, p, 1, false)?;
    let last = p.rfind(' ').unwrap_or(0);
    let edited = format!("{} turns.", &p[..last]);
    let r = job_with(&e, LONG_INSTRUCTIONS, &edited, 1, false)?;
    let recheck = r.metrics.evaluated_tokens as f64 / r.metrics.prompt_tokens as f64;

    // Speculative rewrites: engine default (cost model decides) and always drafting.
    let forced = engine(model, threads, None, true)?;
    let mut spec = serde_json::Map::new();
    let (mut speedup_auto, mut identical) = (0.0, true);
    for (name, eng) in [("auto", &e), ("forced", &forced)] {
        let (mut t_greedy, mut t_spec, mut proposed, mut accepted, mut generated) =
            (0.0, 0.0, 0, 0, 0);
        for p in PARAGRAPHS {
            let g = job(eng, p, 160, false)?;
            let s = job(eng, p, 160, true)?;
            identical &= g.text == s.text;
            t_greedy += secs(g.metrics.decode_time);
            t_spec += secs(s.metrics.decode_time);
            proposed += s.metrics.draft_proposed;
            accepted += s.metrics.draft_accepted;
            generated += g.metrics.generated_tokens;
        }
        let speedup = t_greedy / t_spec.max(1e-9);
        if name == "auto" {
            speedup_auto = speedup;
        }
        spec.insert(
            name.into(),
            json!({"speedup": speedup, "generated_tokens": generated, "draft_proposed": proposed,
            "draft_accepted": accepted, "greedy_s": t_greedy, "speculative_s": t_spec}),
        );
    }
    drop(forced);

    // Restore from disk vs from scratch (fresh engines; one generated token = TTFT).
    let scratch = engine(model, threads, None, false)?;
    let t = Instant::now();
    let cold = job_with(&scratch, LONG_INSTRUCTIONS, PARAGRAPHS[1], 1, false)?;
    let ttft_cold = secs(t.elapsed());
    drop(scratch);
    job_with(
        &engine(model, threads, Some(&tmp), false)?,
        LONG_INSTRUCTIONS,
        PARAGRAPHS[2],
        1,
        false,
    )?; // persists
    let restored_engine = engine(model, threads, Some(&tmp), false)?;
    let t = Instant::now();
    let warm = job_with(&restored_engine, LONG_INSTRUCTIONS, PARAGRAPHS[1], 1, false)?;
    let ttft_restored = secs(t.elapsed());
    drop(restored_engine);

    // Throughput: margin vs raw loop on the same prompt length and generation length.
    let m = job(
        &engine(model, threads, None, false)?,
        PARAGRAPHS[2],
        64,
        false,
    )?;
    let margin_prefill = m.metrics.evaluated_tokens as f64 / secs(m.metrics.prefill_time);
    let margin_decode = m.metrics.generated_tokens as f64 / secs(m.metrics.decode_time);
    let (raw_prefill, raw_decode, batch_ms) = raw_loop(
        model,
        m.metrics.threads,
        m.metrics.prompt_tokens,
        m.metrics.generated_tokens.max(1),
    )?;

    // Contention: default thread policy, one core busy with another process.
    let policy_engine = engine(model, None, None, false)?;
    job(&policy_engine, PARAGRAPHS[1], 1, false)?;
    std::thread::sleep(Duration::from_millis(1200));
    let idle = job(&policy_engine, PARAGRAPHS[0], 48, false)?;
    let t_idle = secs(idle.metrics.prefill_time + idle.metrics.decode_time);
    let spinner = Spinner::start();
    std::thread::sleep(Duration::from_millis(1500));
    // Same slot state and prompt as the idle run.
    let busy = job(&policy_engine, PARAGRAPHS[1], 1, false)
        .and_then(|_| job(&policy_engine, PARAGRAPHS[0], 48, false));
    drop(spinner);
    let busy = busy?;
    let t_busy = secs(busy.metrics.prefill_time + busy.metrics.decode_time);
    let _ = std::fs::remove_dir_all(&tmp);

    Ok(json!({
        "model": info.name,
        "n_params": info.n_params,
        "physical_cores": crate::threads::physical_cores(),
        "threads": m.metrics.threads,
        "recheck_evaluated_fraction": recheck,
        "recheck": {"prompt_tokens": r.metrics.prompt_tokens, "evaluated_tokens": r.metrics.evaluated_tokens},
        "speculative_speedup": speedup_auto,
        "speculative_identical": identical,
        "speculative": spec,
        "restore_speedup": ttft_cold / ttft_restored.max(1e-9),
        "restore": {"ttft_scratch_s": ttft_cold, "ttft_restored_s": ttft_restored,
                    "restored_tokens": warm.metrics.restored_tokens, "prompt_tokens": cold.metrics.prompt_tokens,
                    "evaluated_tokens_restored": warm.metrics.evaluated_tokens},
        "throughput_vs_raw": {"prefill": margin_prefill / raw_prefill, "decode": margin_decode / raw_decode,
                              "margin_prefill_tok_s": margin_prefill, "margin_decode_tok_s": margin_decode,
                              "raw_prefill_tok_s": raw_prefill, "raw_decode_tok_s": raw_decode,
                              "verify_batch_ms": batch_ms},
        "contention_slowdown": t_busy / t_idle.max(1e-9),
        "contention": {"idle_s": t_idle, "busy_s": t_busy, "threads_idle": idle.metrics.threads,
                       "threads_busy": busy.metrics.threads,
                       "idle_tokens": idle.metrics.evaluated_tokens + idle.metrics.generated_tokens,
                       "busy_tokens": busy.metrics.evaluated_tokens + busy.metrics.generated_tokens},
    }))
}

/// Keeps one core busy (a separate spinning process, like a compiler would be) until dropped.
struct Spinner(Option<std::process::Child>);

impl Spinner {
    fn start() -> Self {
        Spinner(
            std::process::Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .spawn()
                .ok(),
        )
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The measurement behind the thread policy: prefill and decode time of one proofreading job
/// for fixed thread counts 1..=physical cores, idle and with one core kept busy.
pub fn thread_matrix(model: &Path) -> Result<Value, crate::EngineError> {
    let mut rows = Vec::new();
    for threads in 1..=crate::threads::physical_cores().max(2) {
        let e = engine(model, Some(threads), None, false)?;
        job(&e, PARAGRAPHS[1], 1, false)?; // warm-up
        for busy in [false, true] {
            let _spin = busy.then(Spinner::start);
            std::thread::sleep(Duration::from_millis(200));
            // A different paragraph each time so the prompt tail is really evaluated.
            let mut prefill = 0.0;
            let mut decode = 0.0;
            for p in [PARAGRAPHS[0], PARAGRAPHS[2]] {
                let r = job(&e, p, 32, false)?;
                prefill += secs(r.metrics.prefill_time) / r.metrics.evaluated_tokens as f64 * 1e3;
                decode +=
                    secs(r.metrics.decode_time) / r.metrics.generated_tokens.max(1) as f64 * 1e3;
            }
            rows.push(json!({"threads": threads, "busy_core": busy,
                             "prefill_ms_per_token": prefill / 2.0, "decode_ms_per_token": decode / 2.0}));
        }
    }
    Ok(Value::Array(rows))
}

/// Minimal llama-cpp-2 loop: prefill `n_prompt` tokens in one batch, then `n_gen` greedy steps.
/// Returns (prefill tok/s, decode tok/s, ms per verification batch by size).
fn raw_loop(
    model: &Path,
    threads: usize,
    n_prompt: usize,
    n_gen: usize,
) -> Result<(f64, f64, Value), crate::EngineError> {
    let be = |e: String| crate::EngineError::Backend(e);
    let (model, _) = load_model(model)?;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(2048))
        .with_n_batch(2048)
        .with_n_threads(threads as i32)
        .with_n_threads_batch(threads as i32);
    let mut ctx = model
        .new_context(backend(), params)
        .map_err(|e| be(e.to_string()))?;
    let text = format!("{INSTRUCTIONS}{}", PARAGRAPHS.join(" "));
    let mut tokens = model.vocab().tokenize(text.as_bytes(), true, false);
    tokens.truncate(n_prompt);
    let mut batch = LlamaBatch::new(2048, 1);
    batch
        .add_sequence(&tokens, 0, false)
        .map_err(|e| be(e.to_string()))?;
    let t = Instant::now();
    ctx.decode(&mut batch).map_err(|e| be(e.to_string()))?;
    let prefill = tokens.len() as f64 / secs(t.elapsed());
    let mut pos = tokens.len() as i32;
    let mut last = batch.n_tokens() - 1;
    let t = Instant::now();
    for _ in 0..n_gen {
        let tok = crate::generate::argmax(ctx.get_logits_ith(last));
        batch.clear();
        batch
            .add(tok, pos, &[0], true)
            .map_err(|e| be(e.to_string()))?;
        ctx.decode(&mut batch).map_err(|e| be(e.to_string()))?;
        pos += 1;
        last = 0;
    }
    let decode = n_gen as f64 / secs(t.elapsed());
    // Cost of verifying a batch of b tokens with logits at every position (speculative step).
    let mut batch_ms = serde_json::Map::new();
    let mem_pos = pos;
    for b in [1usize, 2, 4, 8, 16] {
        let reps = 5;
        let t = Instant::now();
        for _ in 0..reps {
            batch.clear();
            for i in 0..b {
                batch
                    .add(tokens[i % tokens.len()], mem_pos + i as i32, &[0], true)
                    .map_err(|e| be(e.to_string()))?;
            }
            ctx.decode(&mut batch).map_err(|e| be(e.to_string()))?;
            ctx.clear_kv_cache_seq(Some(0), Some(mem_pos as u32), None)
                .map_err(|e| be(e.to_string()))?;
        }
        batch_ms.insert(b.to_string(), json!(secs(t.elapsed()) * 1e3 / reps as f64));
    }
    Ok((prefill, decode, Value::Object(batch_ms)))
}
