//! A tiny llama-architecture model with random weights, written as GGUF: byte-level BPE ("gpt2")
//! vocabulary (so any text tokenizes), a ChatML chat template and optional FIM tokens. Loads in
//! milliseconds, so engine tests run on a fresh clone with no network.

use super::gguf_writer::{GgufWriter, Value};
use std::path::Path;

/// ChatML template (llama.cpp recognises it by `<|im_start|>`).
pub const CHATML_TEMPLATE: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/// Shape and options of the tiny model.
#[derive(Debug, Clone)]
pub struct TinyModelSpec {
    /// Seed of the weight generator.
    pub seed: u64,
    /// `general.architecture` (change it to test the unknown-architecture error).
    pub architecture: String,
    /// Embedding width.
    pub n_embd: u32,
    /// Number of transformer blocks.
    pub n_layer: u32,
    /// Attention heads.
    pub n_head: u32,
    /// KV heads (GQA when smaller than `n_head`).
    pub n_head_kv: u32,
    /// Feed-forward width.
    pub n_ff: u32,
    /// `llama.context_length`.
    pub context_length: u32,
    /// `tokenizer.chat_template`; `None` writes no template.
    pub chat_template: Option<String>,
    /// Adds `<fim_prefix>`, `<fim_suffix>`, `<fim_middle>` tokens and their metadata ids.
    pub fim: bool,
}

impl Default for TinyModelSpec {
    fn default() -> Self {
        Self {
            seed: 42,
            architecture: "llama".into(),
            n_embd: 64,
            n_layer: 2,
            n_head: 4,
            n_head_kv: 2,
            n_ff: 128,
            context_length: 4096,
            chat_template: Some(CHATML_TEMPLATE.into()),
            fim: true,
        }
    }
}

/// GPT-2's reversible byte -> printable char mapping.
pub fn byte_to_char(b: u8) -> char {
    let printable =
        (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
    if printable {
        return char::from(b);
    }
    // Non-printable bytes map to 256 + their rank among non-printable bytes.
    let rank = (0..b)
        .filter(|&x| {
            !((b'!'..=b'~').contains(&x)
                || (0xA1..=0xAC).contains(&x)
                || (0xAE..=0xFF).contains(&x))
        })
        .count() as u32;
    char::from_u32(256 + rank).expect("valid char")
}

fn mapped(s: &str) -> String {
    s.bytes().map(byte_to_char).collect()
}

const MERGES: &[(&str, &str)] = &[
    (" ", "t"),
    ("h", "e"),
    (" t", "he"),
    ("i", "n"),
    ("in", "g"),
    ("e", "r"),
    (" ", "a"),
    ("o", "n"),
    ("r", "e"),
    ("a", "n"),
    ("an", "d"),
    (" ", "s"),
    (" ", "w"),
    ("o", "r"),
];

struct Rng(u64);
impl Rng {
    fn next_f32(&mut self) -> f32 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((v >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.next_f32() * scale).collect()
    }
}

/// Writes the tiny model to `path`.
pub fn write_tiny_model(path: &Path, spec: &TinyModelSpec) -> std::io::Result<()> {
    let mut tokens: Vec<String> = (0..=255u8).map(|b| byte_to_char(b).to_string()).collect();
    let mut types = vec![1i32; 256];
    let mut merges = Vec::new();
    for (a, b) in MERGES {
        merges.push(format!("{} {}", mapped(a), mapped(b)));
        tokens.push(mapped(&format!("{a}{b}")));
        types.push(1);
    }
    let mut special = |name: &str, tokens: &mut Vec<String>| {
        tokens.push(name.to_owned());
        types.push(3);
        (tokens.len() - 1) as u32
    };
    let eot = special("<|endoftext|>", &mut tokens);
    let _im_start = special("<|im_start|>", &mut tokens);
    let im_end = special("<|im_end|>", &mut tokens);
    let fim_ids = spec.fim.then(|| {
        (
            special("<fim_prefix>", &mut tokens),
            special("<fim_suffix>", &mut tokens),
            special("<fim_middle>", &mut tokens),
        )
    });
    let n_vocab = tokens.len();
    let scores: Vec<f32> = (0..n_vocab).map(|i| -(i as f32)).collect();

    let arch = spec.architecture.as_str();
    let head_dim = spec.n_embd / spec.n_head;
    let mut w = GgufWriter::new();
    w.kv("general.architecture", Value::Str(arch.into()))
        .kv("general.name", Value::Str("margin-tiny-test".into()))
        .kv(
            &format!("{arch}.context_length"),
            Value::U32(spec.context_length),
        )
        .kv(&format!("{arch}.embedding_length"), Value::U32(spec.n_embd))
        .kv(&format!("{arch}.block_count"), Value::U32(spec.n_layer))
        .kv(
            &format!("{arch}.feed_forward_length"),
            Value::U32(spec.n_ff),
        )
        .kv(
            &format!("{arch}.attention.head_count"),
            Value::U32(spec.n_head),
        )
        .kv(
            &format!("{arch}.attention.head_count_kv"),
            Value::U32(spec.n_head_kv),
        )
        .kv(
            &format!("{arch}.rope.dimension_count"),
            Value::U32(head_dim),
        )
        .kv(&format!("{arch}.rope.freq_base"), Value::F32(10000.0))
        .kv(
            &format!("{arch}.attention.layer_norm_rms_epsilon"),
            Value::F32(1e-5),
        )
        .kv("tokenizer.ggml.model", Value::Str("gpt2".into()))
        .kv("tokenizer.ggml.pre", Value::Str("gpt-2".into()))
        .kv("tokenizer.ggml.tokens", Value::StrArray(tokens))
        .kv("tokenizer.ggml.token_type", Value::I32Array(types))
        .kv("tokenizer.ggml.scores", Value::F32Array(scores))
        .kv("tokenizer.ggml.merges", Value::StrArray(merges))
        .kv("tokenizer.ggml.bos_token_id", Value::U32(eot))
        .kv("tokenizer.ggml.eos_token_id", Value::U32(im_end))
        .kv("tokenizer.ggml.padding_token_id", Value::U32(eot))
        .kv("tokenizer.ggml.add_bos_token", Value::Bool(false));
    if let Some((pre, suf, mid)) = fim_ids {
        w.kv("tokenizer.ggml.fim_pre_token_id", Value::U32(pre))
            .kv("tokenizer.ggml.fim_suf_token_id", Value::U32(suf))
            .kv("tokenizer.ggml.fim_mid_token_id", Value::U32(mid));
    }
    if let Some(t) = &spec.chat_template {
        w.kv("tokenizer.chat_template", Value::Str(t.clone()));
    }

    let e = u64::from(spec.n_embd);
    let ff = u64::from(spec.n_ff);
    let kv = u64::from(head_dim * spec.n_head_kv);
    let v = n_vocab as u64;
    let mut rng = Rng(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let ones = |n: u64| vec![1.0f32; n as usize];
    let proj = 1.0 / (spec.n_embd as f32).sqrt();
    w.tensor("token_embd.weight", &[e, v], rng.vec((e * v) as usize, 1.0));
    w.tensor("output_norm.weight", &[e], ones(e));
    w.tensor("output.weight", &[e, v], rng.vec((e * v) as usize, 1.0));
    for l in 0..spec.n_layer {
        let p = |s: &str| format!("blk.{l}.{s}.weight");
        w.tensor(&p("attn_norm"), &[e], ones(e));
        w.tensor(&p("attn_q"), &[e, e], rng.vec((e * e) as usize, proj));
        w.tensor(&p("attn_k"), &[e, kv], rng.vec((e * kv) as usize, proj));
        w.tensor(&p("attn_v"), &[e, kv], rng.vec((e * kv) as usize, proj));
        w.tensor(&p("attn_output"), &[e, e], rng.vec((e * e) as usize, proj));
        w.tensor(&p("ffn_norm"), &[e], ones(e));
        w.tensor(&p("ffn_gate"), &[e, ff], rng.vec((e * ff) as usize, proj));
        w.tensor(&p("ffn_up"), &[e, ff], rng.vec((e * ff) as usize, proj));
        w.tensor(
            &p("ffn_down"),
            &[ff, e],
            rng.vec((ff * e) as usize, 1.0 / (ff as f32).sqrt()),
        );
    }
    w.write(path)
}
