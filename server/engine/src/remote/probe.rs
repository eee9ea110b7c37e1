//! The capability probe, run once when margin connects: which model (`/v1/models`), the context
//! size (`/props` of llama-server, vLLM's `max_model_len`), tokenization (`/extras/tokenize` of
//! llama-cpp-python, `/tokenize` of llama-server; else an estimate), and whether
//! `/v1/completions` with `echo` + `logprobs` returns prompt log-likelihoods that line up with
//! the tokens (checked on a counting sequence a model cannot fail: aligned log-probabilities
//! are near zero, shifted ones are not). Servers that report them one token off when the model
//! adds no BOS token (llama-cpp-python) are fixed by starting the prompt with the BOS token's
//! text, found by trying the common ones.
//!
//! Whether the model has a chat template comes from its GGUF file when the server names the
//! model by a file on this machine (llama-cpp-python does), else from llama-server's `/props`;
//! other servers are assumed to apply one. Fill-in-the-middle markers are found by asking the
//! server's tokenizer: a FIM family's three markers that are each one token. Each gap becomes
//! one plain sentence in [`ModelInfo::degraded`].

use super::http::{Client, Control};
use super::{Capabilities, RemoteConfig};
use crate::backend::FimTokens;
use crate::backend::{fingerprint, ModelInfo};
use crate::config::KvType;
use crate::error::EngineError;
use crate::gguf::{self, FIM_FAMILIES};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Context assumed when the server does not say.
const DEFAULT_CONTEXT: u32 = 2048;
/// Bytes per token assumed without a tokenizer endpoint (cautious: most text is near 4).
const DEFAULT_BYTES_PER_TOKEN: f64 = 3.0;
/// BOS texts tried when the plain prompt's log-probabilities are shifted.
const BOS_TEXTS: [&str; 6] = [
    "<|im_start|>",
    "<s>",
    "<|begin_of_text|>",
    "<bos>",
    "<|endoftext|>",
    "<|startoftext|>",
];
/// Text for measuring bytes per token.
const SAMPLE: &str = "The quick brown fox jumps over the lazy dog. Proofreading checks every \
    sentence of a document, and translation keeps the meaning. fn main() { let x = 42; }";

/// Probes the server; errors only when it cannot serve at all (unreachable, refused key,
/// unknown model, not an OpenAI-compatible server).
pub(crate) async fn probe(
    client: &Client,
    cfg: &RemoteConfig,
) -> Result<(ModelInfo, Capabilities), EngineError> {
    let ctl = Control::never();
    let models = client.json("/v1/models", None, &ctl).await?;
    let listed: Vec<&Value> = models["data"].as_array().into_iter().flatten().collect();
    let ids: Vec<&str> = listed.iter().filter_map(|m| m["id"].as_str()).collect();
    let name = match (&cfg.model, ids.first()) {
        (Some(m), _) if ids.is_empty() || ids.contains(&m.as_str()) => m.clone(),
        (Some(m), _) => {
            return Err(EngineError::Remote(format!(
                "the model server at {} has no model `{m}` (it serves: {}); check \
                 `backend.model`",
                client.root(),
                ids.join(", ")
            )))
        }
        (None, Some(first)) => (*first).to_owned(),
        (None, None) => {
            return Err(EngineError::Remote(format!(
                "the model server at {} lists no model; set `backend.model`",
                client.root()
            )))
        }
    };
    let mut degraded = Vec::new();
    let entry = listed.iter().find(|m| m["id"].as_str() == Some(&name));
    // llama-server's settings (context size, chat template); other servers have no `/props`.
    let props = client.json("/props", None, &ctl).await.ok();
    // A model the server names by a file on this machine: its own metadata.
    let local = std::path::Path::new(&name);
    let file = local.is_file().then(|| gguf::inspect(local).ok()).flatten();
    let n_ctx = match context_size(entry.copied(), props.as_ref()) {
        Some(n) => n,
        None => {
            degraded.push(format!(
                "the model server does not say its context size; margin assumes \
                 {DEFAULT_CONTEXT} tokens"
            ));
            DEFAULT_CONTEXT
        }
    };
    let bytes_per_token = match tokenize(client, &name, SAMPLE, &ctl).await.map(|t| t.len()) {
        Some(n) if n > 0 => SAMPLE.len() as f64 / n as f64,
        _ => {
            degraded.push(
                "the model server offers no tokenizer endpoint; token counts are estimated \
                 with a safety margin"
                    .to_owned(),
            );
            DEFAULT_BYTES_PER_TOKEN
        }
    };
    let score_prefix = score_prefix(client, &name, &ctl).await;
    if score_prefix.is_none() {
        degraded.push(format!(
            "the model server at {} returns no prompt log-probabilities (`/v1/completions` \
             with `echo` and `logprobs`): proofreading shows only dictionary spelling findings, \
             without the model's verification; translation and suggestions work",
            client.root()
        ));
    }
    let has_chat_template = match (&file, &props) {
        (Some(f), _) => f.has_chat_template,
        (None, Some(p)) if p.get("chat_template").is_some() => p["chat_template"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty()),
        _ => true,
    };
    if !has_chat_template {
        degraded.push(format!(
            "the model `{name}` has no chat template: proofreading uses no rewrites by the \
             model, and translation goes to the server's chat endpoint, which formats the \
             prompt its own way"
        ));
    }
    let fim = fim_markers(client, &name, &ctl).await;
    // A server that names its model by a file on this machine (llama-cpp-python, a local
    // llama-server) gets that file's fingerprint, so calibrations and caches match in-process.
    let fingerprint = match local.is_file().then(|| fingerprint(local).ok()).flatten() {
        Some(f) => f,
        None => {
            let mut h = Sha256::new();
            h.update(format!("remote\0{}\0{name}", client.root()));
            h.finalize()
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        }
    };
    let budget = DEFAULT_CONTEXT.min(n_ctx);
    let info = ModelInfo {
        path: PathBuf::new(),
        name,
        architecture: "remote".into(),
        fingerprint,
        n_params: file.as_ref().map_or(0, |f| f.n_params),
        size_bytes: file.as_ref().map_or(0, |f| f.file_size),
        n_ctx_train: n_ctx,
        n_vocab: 0,
        context_per_slot: n_ctx,
        default_budget: budget as usize,
        has_chat_template,
        can_chat: has_chat_template,
        fim: fim.as_ref().map(|(_, ids)| *ids),
        kv_type: KvType::F16,
        remote: Some(client.root().to_owned()),
        can_score: score_prefix.is_some(),
        degraded,
    };
    Ok((
        info,
        Capabilities {
            score_prefix,
            bytes_per_token,
            fim: fim.map(|(markers, _)| markers),
        },
    ))
}

/// The context size: vLLM's `max_model_len` in the model list, else llama-server's `/props`.
fn context_size(entry: Option<&Value>, props: Option<&Value>) -> Option<u32> {
    if let Some(n) = entry.and_then(|m| m["max_model_len"].as_u64()) {
        return Some(n as u32);
    }
    let props = props?;
    let n = props["default_generation_settings"]["n_ctx"]
        .as_u64()
        .or_else(|| props["n_ctx"].as_u64())?;
    Some(n as u32)
}

/// Token ids of `text` by the server's tokenizer (special tokens parsed), if it has an
/// endpoint for it.
async fn tokenize(client: &Client, model: &str, text: &str, ctl: &Control) -> Option<Vec<i64>> {
    let ids = |v: &Value| -> Option<Vec<i64>> {
        let t = v["tokens"].as_array()?;
        // llama-server answers `{"id", "piece"}` objects when asked for pieces; plain ids else.
        t.iter()
            .map(|x| x.as_i64().or_else(|| x["id"].as_i64()))
            .collect()
    };
    let body = json!({"input": text, "model": model});
    if let Ok(v) = client.json("/extras/tokenize", Some(&body), ctl).await {
        if let Some(t) = ids(&v) {
            return Some(t);
        }
    }
    let body =
        json!({"content": text, "add_special": false, "parse_special": true, "model": model});
    let v = client.json("/tokenize", Some(&body), ctl).await.ok()?;
    ids(&v)
}

/// The first FIM family whose three markers the server's tokenizer reads as one token each
/// (as many tokens as a one-letter text, which also counts a BOS the endpoint may add), with
/// their ids.
async fn fim_markers(
    client: &Client,
    model: &str,
    ctl: &Control,
) -> Option<([String; 3], FimTokens)> {
    let one = tokenize(client, model, "x", ctl).await?.len();
    'families: for family in FIM_FAMILIES {
        let mut ids = [0i32; 3];
        for (k, marker) in family.iter().enumerate() {
            if marker.starts_with('\u{2581}') {
                continue 'families; // SentencePiece's spelling of a marker, not text to send
            }
            let t = tokenize(client, model, marker, ctl).await?;
            if t.len() != one {
                continue 'families;
            }
            ids[k] = *t.last()? as i32;
        }
        tracing::debug!(
            ?family,
            "the model server's model has fill-in-the-middle markers"
        );
        return Some((
            family.map(str::to_owned),
            FimTokens {
                prefix: ids[0],
                suffix: ids[1],
                middle: ids[2],
            },
        ));
    }
    None
}

/// The prompt start that makes the server's echoed log-probabilities line up, if any does.
async fn score_prefix(client: &Client, model: &str, ctl: &Control) -> Option<String> {
    let count: String = (1..=24).map(|i| format!("{i}, ")).collect();
    for prefix in std::iter::once("").chain(BOS_TEXTS) {
        let body = json!({
            "model": model,
            "prompt": format!("{prefix}\n{count}"),
            "echo": true,
            "logprobs": 1,
            "max_tokens": 1,
            "temperature": 0.0,
        });
        let v = match client.json("/v1/completions", Some(&body), ctl).await {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!("no prompt log-probabilities: {e}");
                return None;
            }
        };
        let lp = &v["choices"][0]["logprobs"];
        let Some(scores) = lp["token_logprobs"].as_array() else {
            return None; // the server ignores `logprobs`
        };
        let values: Vec<f64> = scores.iter().filter_map(Value::as_f64).collect();
        if values.len() < 8 {
            return None; // no echo: only the generated token is scored
        }
        // The second half of the prompt (the generated token last is left out).
        let tail = &values[values.len() / 2..values.len() - 1];
        let mean = tail.iter().sum::<f64>() / tail.len() as f64;
        tracing::debug!(prefix, mean, "prompt log-probability alignment");
        if mean > -2.5 {
            return Some(prefix.to_owned());
        }
    }
    None
}
