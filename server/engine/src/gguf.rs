//! Pre-flight inspection of GGUF files before llama.cpp sees them: magic, version, metadata,
//! tensor table and expected data size. llama.cpp may abort on some malformed inputs, so
//! missing, non-GGUF and truncated files are rejected here with typed [`ModelError`]s.

use crate::error::ModelError;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

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

// (block size, bytes per block) for ggml types by id; None = unknown (size check skipped).
fn type_size(t: u32) -> Option<(u64, u64)> {
    Some(match t {
        0 => (1, 4),
        1 => (1, 2),
        2 => (32, 18),
        3 => (32, 20),
        6 => (32, 22),
        7 => (32, 24),
        8 => (32, 34),
        9 => (32, 36),
        10 => (256, 84),
        11 => (256, 110),
        12 => (256, 144),
        13 => (256, 176),
        14 => (256, 210),
        15 => (256, 292),
        16 => (256, 66),
        17 => (256, 74),
        18 => (256, 98),
        19 => (256, 50),
        20 => (32, 18),
        21 => (256, 110),
        22 => (256, 82),
        23 => (256, 136),
        24 => (1, 1),
        25 | 30 => (1, 2),
        26 => (1, 4),
        27 | 28 => (1, 8),
        29 => (256, 56),
        34 => (256, 54),
        35 => (256, 66),
        39 => (32, 17),
        _ => return None,
    })
}

struct Reader<R> {
    r: R,
    path: std::path::PathBuf,
}

impl<R: Read> Reader<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut b = [0u8; N];
        self.r
            .read_exact(&mut b)
            .map_err(|_| ModelError::Truncated {
                path: self.path.clone(),
                detail: "file ends inside the GGUF header".into(),
            })?;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn skip(&mut self, n: u64) -> Result<(), ModelError> {
        let got = std::io::copy(&mut (&mut self.r).take(n), &mut std::io::sink()).unwrap_or(0);
        if got != n {
            return Err(ModelError::Truncated {
                path: self.path.clone(),
                detail: "file ends inside the GGUF header".into(),
            });
        }
        Ok(())
    }
    fn string(&mut self) -> Result<String, ModelError> {
        let n = self.u64()?;
        if n > 64 << 20 {
            return Err(self.invalid(format!("implausible string length {n}")));
        }
        let mut buf = vec![0u8; n as usize];
        self.r
            .read_exact(&mut buf)
            .map_err(|_| ModelError::Truncated {
                path: self.path.clone(),
                detail: "file ends inside the GGUF header".into(),
            })?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn invalid(&self, detail: String) -> ModelError {
        ModelError::NotGguf {
            path: self.path.clone(),
            detail,
        }
    }
    /// Reads (string values) or skips a value of type `t`.
    fn value(&mut self, t: u32) -> Result<Option<String>, ModelError> {
        match t {
            0 | 1 | 7 => self.skip(1)?,
            2 | 3 => self.skip(2)?,
            4..=6 => self.skip(4)?,
            10..=12 => self.skip(8)?,
            8 => return self.string().map(Some),
            9 => {
                let et = self.u32()?;
                let n = self.u64()?;
                if et == 9 {
                    return Err(self.invalid("nested arrays are not supported".into()));
                }
                for _ in 0..n {
                    self.value(et)?;
                }
            }
            _ => return Err(self.invalid(format!("unknown metadata value type {t}"))),
        }
        Ok(None)
    }
}

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
    for _ in 0..kv_count {
        let key = r.string()?;
        let t = r.u32()?;
        if key == "general.alignment" && t == 4 {
            alignment = u64::from(r.u32()?).max(1);
            continue;
        }
        let v = r.value(t)?;
        match key.as_str() {
            "general.architecture" => architecture = v,
            "general.name" => name = v,
            "tokenizer.chat_template" => has_chat_template = v.is_some(),
            _ => {}
        }
    }
    let mut data_end = 0u64;
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
    Ok(GgufSummary {
        version,
        architecture,
        name,
        has_chat_template,
        tensor_count,
        file_size,
    })
}
