//! A minimal GGUF v3 writer: header, metadata key/values, tensor infos and aligned F32 tensor
//! data. Enough to produce models llama.cpp will load; used by [`super::tiny_model`].

use std::io::{self, Write};
use std::path::Path;

/// Alignment of the tensor data section (GGUF default).
pub const ALIGNMENT: usize = 32;

/// A metadata value.
#[derive(Debug, Clone)]
pub enum Value {
    /// `UINT32`
    U32(u32),
    /// `INT32`
    I32(i32),
    /// `FLOAT32`
    F32(f32),
    /// `BOOL`
    Bool(bool),
    /// `STRING`
    Str(String),
    /// `ARRAY` of `STRING`
    StrArray(Vec<String>),
    /// `ARRAY` of `INT32`
    I32Array(Vec<i32>),
    /// `ARRAY` of `FLOAT32`
    F32Array(Vec<f32>),
}

/// Collects metadata and F32 tensors, then writes a GGUF file.
#[derive(Debug, Default)]
pub struct GgufWriter {
    kvs: Vec<(String, Value)>,
    /// (name, dims in ggml order (ne0 first), data)
    tensors: Vec<(String, Vec<u64>, Vec<f32>)>,
    /// Tensors only declared in the table (name, dims, ggml type), no data written.
    declared: Vec<(String, Vec<u64>, u32)>,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

impl GgufWriter {
    /// Empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a metadata key/value.
    pub fn kv(&mut self, key: &str, value: Value) -> &mut Self {
        self.kvs.push((key.to_owned(), value));
        self
    }

    /// Adds an F32 tensor; `dims` are in ggml order (`ne0` = innermost / row length).
    pub fn tensor(&mut self, name: &str, dims: &[u64], data: Vec<f32>) -> &mut Self {
        let n: u64 = dims.iter().product();
        assert_eq!(n as usize, data.len(), "tensor {name}: dims/data mismatch");
        self.tensors.push((name.to_owned(), dims.to_vec(), data));
        self
    }

    /// Declares a tensor of `ggml_type` in the table without writing its data (for header-only
    /// files that say what a large model holds; an unknown type keeps readers from sizing it).
    pub fn declare(&mut self, name: &str, dims: &[u64], ggml_type: u32) -> &mut Self {
        self.declared
            .push((name.to_owned(), dims.to_vec(), ggml_type));
        self
    }

    /// Serializes the whole file into memory.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"GGUF");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&((self.tensors.len() + self.declared.len()) as u64).to_le_bytes());
        out.extend_from_slice(&(self.kvs.len() as u64).to_le_bytes());
        for (key, value) in &self.kvs {
            put_str(&mut out, key);
            write_value(&mut out, value);
        }
        let mut offset = 0u64;
        for (name, dims, data) in &self.tensors {
            put_str(&mut out, name);
            out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
            for d in dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.extend_from_slice(&0u32.to_le_bytes()); // GGML_TYPE_F32
            out.extend_from_slice(&offset.to_le_bytes());
            offset += (data.len() * 4) as u64;
            offset = offset.div_ceil(ALIGNMENT as u64) * ALIGNMENT as u64;
        }
        for (name, dims, ggml_type) in &self.declared {
            put_str(&mut out, name);
            out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
            for d in dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.extend_from_slice(&ggml_type.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
        }
        pad(&mut out);
        for (_, _, data) in &self.tensors {
            for v in data {
                out.extend_from_slice(&v.to_le_bytes());
            }
            pad(&mut out);
        }
        out
    }

    /// Writes the file.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut f = std::fs::File::create(path)?;
        f.write_all(&self.to_bytes())?;
        f.sync_all()
    }
}

#[allow(clippy::manual_is_multiple_of)] // MSRV 1.85
fn pad(out: &mut Vec<u8>) {
    while out.len() % ALIGNMENT != 0 {
        out.push(0);
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    let ty = |out: &mut Vec<u8>, t: u32| out.extend_from_slice(&t.to_le_bytes());
    match value {
        Value::U32(v) => {
            ty(out, 4);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::I32(v) => {
            ty(out, 5);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::F32(v) => {
            ty(out, 6);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::Bool(v) => {
            ty(out, 7);
            out.push(u8::from(*v));
        }
        Value::Str(s) => {
            ty(out, 8);
            put_str(out, s);
        }
        Value::StrArray(items) => {
            ty(out, 9);
            ty(out, 8);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for s in items {
                put_str(out, s);
            }
        }
        Value::I32Array(items) => {
            ty(out, 9);
            ty(out, 5);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for v in items {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        Value::F32Array(items) => {
            ty(out, 9);
            ty(out, 6);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for v in items {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}
