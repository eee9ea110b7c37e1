//! Pre-flight inspection of GGUF files before llama.cpp sees them: magic, version, metadata,
//! tensor table and expected data size. llama.cpp may abort on some malformed inputs, so
//! missing, non-GGUF and truncated files are rejected here with typed [`ModelError`]s. The same
//! pass gathers what model listings show: parameters, quantization, context length, chat
//! template, fill-in-the-middle tokens, and the shape that memory estimates need.

mod reader;
mod types;

use crate::error::ModelError;
use reader::{Reader, Scalar};
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;
pub(crate) use types::FIM_FAMILIES;
use types::{file_type_name, tensor_type_name, type_size, FIM_KEYS};

/// What the header says about a model file.
#[derive(Debug, Clone)]
pub struct GgufSummary {
    /// GGUF version (2 or 3).
    pub version: u32,
    /// `general.architecture`.
    pub architecture: String,
    /// `general.name`, if present.
    pub name: Option<String>,
    /// Whether `tokenizer.chat_template` is present.
    pub has_chat_template: bool,
    /// Number of tensors.
    pub tensor_count: u64,
    /// File size in bytes.
    pub file_size: u64,
    /// Parameters: the elements of all tensors (of this file, for a split model).
    pub n_params: u64,
    /// Quantization: the name of `general.file_type` ("Q4_K_M"), else of the tensor type
    /// holding most parameters.
    pub quantization: Option<String>,
    /// Training context length (`<arch>.context_length`).
    pub context_length: Option<u64>,
    /// Whether the vocabulary has fill-in-the-middle tokens (named by id in the metadata, or
    /// the marker texts of a FIM-trained family).
    pub fim: bool,
    /// Layer shape, for memory estimates.
    pub shape: Shape,
}

/// The numbers that size a model's KV cache (all from `<arch>.*` keys; missing ones `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// `block_count`.
    pub n_layer: Option<u64>,
    /// `embedding_length`.
    pub n_embd: Option<u64>,
    /// `attention.head_count`.
    pub n_head: Option<u64>,
    /// `attention.head_count_kv` (defaults to `n_head`).
    pub n_head_kv: Option<u64>,
    /// `attention.key_length` (defaults to `n_embd / n_head`).
    pub key_length: Option<u64>,
    /// `attention.value_length` (defaults to the key length).
    pub value_length: Option<u64>,
}

impl Shape {
    /// KV cache bytes per token of context at `bytes_per_value` (2 for f16), if the shape is
    /// known.
    pub fn kv_bytes_per_token(&self, bytes_per_value: u64) -> Option<u64> {
        let head_kv = self.n_head_kv.or(self.n_head)?;
        let key = self
            .key_length
            .or_else(|| Some(self.n_embd? / self.n_head?.max(1)))?;
        let value = self.value_length.unwrap_or(key);
        Some(self.n_layer? * head_kv * (key + value) * bytes_per_value)
    }
}

/// Architectures llama.cpp (the pinned build) can load; used only to turn a load failure into
/// an actionable "unknown architecture" message.
pub const KNOWN_ARCHITECTURES: &[&str] = &[
    "llama",
    "llama4",
    "deci",
    "falcon",
    "grok",
    "gpt2",
    "gptj",
    "gptneox",
    "mpt",
    "baichuan",
    "starcoder",
    "refact",
    "bert",
    "nomic-bert",
    "jina-bert-v2",
    "bloom",
    "stablelm",
    "qwen",
    "qwen2",
    "qwen2moe",
    "qwen2vl",
    "qwen3",
    "qwen3moe",
    "phi2",
    "phi3",
    "phimoe",
    "plamo",
    "codeshell",
    "orion",
    "internlm2",
    "minicpm",
    "minicpm3",
    "gemma",
    "gemma2",
    "gemma3",
    "gemma3n",
    "starcoder2",
    "mamba",
    "mamba2",
    "xverse",
    "command-r",
    "cohere2",
    "dbrx",
    "olmo",
    "olmo2",
    "olmoe",
    "openelm",
    "arctic",
    "deepseek",
    "deepseek2",
    "chatglm",
    "glm4",
    "bitnet",
    "t5",
    "t5encoder",
    "jais",
    "nemotron",
    "exaone",
    "exaone4",
    "rwkv6",
    "rwkv7",
    "granite",
    "granitemoe",
    "chameleon",
    "plm",
    "bailingmoe",
    "dots1",
    "arcee",
    "ernie4_5",
    "hunyuan-moe",
    "smollm3",
    "lfm2",
    "falcon-h1",
    "gpt-oss",
    "seed_oss",
    "apertus",
    "granitehybrid",
];

/// Checks that `path` is a complete, plausible GGUF model and summarises its header.
pub fn inspect(path: &Path) -> Result<GgufSummary, ModelError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ModelError::NotFound {
            path: path.to_path_buf(),
        },
        _ => ModelError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    let file_size = file
        .metadata()
        .map_err(|e| ModelError::Io {
            path: path.to_path_buf(),
            source: e,
        })?
        .len();
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(ModelError::NotGguf {
            path: path.to_path_buf(),
            detail: "it is a directory".into(),
        });
    }
    let mut r = Reader {
        r: BufReader::new(file),
        path: path.to_path_buf(),
    };
    let magic: [u8; 4] = r
        .bytes()
        .map_err(|_| r.invalid(format!("only {file_size} bytes long")))?;
    if &magic != b"GGUF" {
        return Err(r.invalid(format!("starts with {magic:02x?}, not the GGUF magic")));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.invalid(format!("unsupported GGUF version {version}")));
    }
    let tensor_count = r.u64()?;
    let kv_count = r.u64()?;
    if tensor_count > 1 << 20 || kv_count > 1 << 20 {
        return Err(r.invalid("implausible tensor/metadata counts".into()));
    }
    let (mut architecture, mut name, mut has_chat_template, mut alignment) =
        (None, None, false, 32u64);
    let mut ints: HashMap<String, u64> = HashMap::new();
    let mut fim_texts: HashSet<&'static str> = HashSet::new();
    for _ in 0..kv_count {
        let key = r.string()?;
        let t = r.u32()?;
        let mut see_token = |token: &str| {
            if let Some(known) = FIM_FAMILIES.iter().flatten().find(|f| **f == token) {
                fim_texts.insert(known);
            }
        };
        let wants_tokens = key == "tokenizer.ggml.tokens";
        let v = r.value(
            t,
            wants_tokens.then_some(&mut see_token as &mut dyn FnMut(&str)),
        )?;
        match (key.as_str(), v) {
            ("general.alignment", Scalar::Int(a)) => alignment = a.max(1),
            ("general.architecture", Scalar::Str(s)) => architecture = Some(s),
            ("general.name", Scalar::Str(s)) => name = Some(s),
            ("tokenizer.chat_template", Scalar::Str(_)) => has_chat_template = true,
            (_, Scalar::Int(i)) => {
                ints.insert(key, i);
            }
            _ => {}
        }
    }
    let mut data_end = 0u64;
    let mut n_params = 0u64;
    let mut by_type: HashMap<u32, u64> = HashMap::new();
    for _ in 0..tensor_count {
        let _name = r.string()?;
        let n_dims = r.u32()?;
        if n_dims > 8 {
            return Err(r.invalid(format!("tensor with {n_dims} dimensions")));
        }
        let mut n = 1u64;
        for _ in 0..n_dims {
            n = n.saturating_mul(r.u64()?);
        }
        let t = r.u32()?;
        let offset = r.u64()?;
        n_params = n_params.saturating_add(n);
        *by_type.entry(t).or_default() += n;
        if let Some((block, size)) = type_size(t) {
            data_end = data_end.max(offset.saturating_add(n / block * size));
        }
    }
    let header_end = r.r.stream_position().map_err(|e| ModelError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let data_start = header_end.div_ceil(alignment) * alignment;
    let expected = data_start.saturating_add(data_end);
    if tensor_count > 0 && file_size < expected {
        return Err(ModelError::Truncated {
            path: path.to_path_buf(),
            detail: format!("{file_size} bytes but the tensor table needs {expected}; the download was probably interrupted"),
        });
    }
    let _ = r.r.seek(SeekFrom::Start(0));
    let architecture =
        architecture.ok_or_else(|| r.invalid("no general.architecture key".into()))?;
    let arch = |k: &str| ints.get(&format!("{architecture}.{k}")).copied();
    let shape = Shape {
        n_layer: arch("block_count"),
        n_embd: arch("embedding_length"),
        n_head: arch("attention.head_count"),
        n_head_kv: arch("attention.head_count_kv"),
        key_length: arch("attention.key_length"),
        value_length: arch("attention.value_length"),
    };
    let quantization = ints
        .get("general.file_type")
        .and_then(|&t| file_type_name(t))
        .or_else(|| {
            let (&t, _) = by_type
                .iter()
                .max_by_key(|(&t, &n)| (n, std::cmp::Reverse(t)))?;
            tensor_type_name(t)
        });
    let fim = FIM_KEYS
        .iter()
        .any(|keys| keys.iter().all(|k| ints.contains_key(*k)))
        || FIM_FAMILIES
            .iter()
            .any(|family| family.iter().all(|t| fim_texts.contains(t)));
    Ok(GgufSummary {
        version,
        context_length: arch("context_length"),
        architecture,
        name,
        has_chat_template,
        tensor_count,
        file_size,
        n_params,
        quantization: quantization.map(str::to_owned),
        fim,
        shape,
    })
}
