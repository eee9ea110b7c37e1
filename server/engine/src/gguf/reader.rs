//! A bounded reader of GGUF headers: little-endian scalars, length-checked strings, and
//! metadata values read (strings, integers, string arrays the caller wants to see) or skipped.
//! Every read that runs past the end of the file is a [`ModelError::Truncated`].

use crate::error::ModelError;
use std::io::Read;
use std::path::PathBuf;

/// A metadata value the header summary may keep.
pub(super) enum Scalar {
    /// A string.
    Str(String),
    /// Any unsigned or non-negative signed integer (booleans count as 0/1).
    Int(u64),
    /// Something else (floats, arrays, negative integers): read past.
    Other,
}

pub(super) struct Reader<R> {
    pub(super) r: R,
    pub(super) path: PathBuf,
}

impl<R: Read> Reader<R> {
    fn truncated(&self) -> ModelError {
        ModelError::Truncated {
            path: self.path.clone(),
            detail: "file ends inside the GGUF header".into(),
        }
    }
    pub(super) fn bytes<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b).map_err(|_| self.truncated())?;
        Ok(b)
    }
    pub(super) fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    pub(super) fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn skip(&mut self, n: u64) -> Result<(), ModelError> {
        let got = std::io::copy(&mut (&mut self.r).take(n), &mut std::io::sink()).unwrap_or(0);
        if got != n {
            return Err(self.truncated());
        }
        Ok(())
    }
    pub(super) fn string(&mut self) -> Result<String, ModelError> {
        let n = self.u64()?;
        if n > 64 << 20 {
            return Err(self.invalid(format!("implausible string length {n}")));
        }
        let mut buf = vec![0u8; n as usize];
        self.r.read_exact(&mut buf).map_err(|_| self.truncated())?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    pub(super) fn invalid(&self, detail: String) -> ModelError {
        ModelError::NotGguf {
            path: self.path.clone(),
            detail,
        }
    }

    /// Reads a value of type `t`: strings and integers are returned, the rest skipped. The
    /// strings of a string array are passed to `each_string` (when given) instead of kept.
    pub(super) fn value(
        &mut self,
        t: u32,
        each_string: Option<&mut dyn FnMut(&str)>,
    ) -> Result<Scalar, ModelError> {
        Ok(match t {
            0 => Scalar::Int(u64::from(self.bytes::<1>()?[0])),
            1 => Scalar::Int(u64::try_from(i8::from_le_bytes(self.bytes()?)).unwrap_or(0)),
            7 => Scalar::Int(u64::from(self.bytes::<1>()?[0] != 0)),
            2 => Scalar::Int(u64::from(u16::from_le_bytes(self.bytes()?))),
            3 => Scalar::Int(u64::try_from(i16::from_le_bytes(self.bytes()?)).unwrap_or(0)),
            4 => Scalar::Int(u64::from(self.u32()?)),
            5 => Scalar::Int(u64::try_from(i32::from_le_bytes(self.bytes()?)).unwrap_or(0)),
            10 => Scalar::Int(self.u64()?),
            11 => Scalar::Int(u64::try_from(i64::from_le_bytes(self.bytes()?)).unwrap_or(0)),
            6 => self.skip(4).map(|()| Scalar::Other)?,
            12 => self.skip(8).map(|()| Scalar::Other)?,
            8 => Scalar::Str(self.string()?),
            9 => {
                let et = self.u32()?;
                let n = self.u64()?;
                if et == 9 {
                    return Err(self.invalid("nested arrays are not supported".into()));
                }
                match (each_string, fixed_size(et)) {
                    (Some(f), _) if et == 8 => {
                        for _ in 0..n {
                            f(&self.string()?);
                        }
                    }
                    (_, Some(size)) => self.skip(n.saturating_mul(size))?,
                    _ => {
                        for _ in 0..n {
                            self.value(et, None)?;
                        }
                    }
                }
                Scalar::Other
            }
            _ => return Err(self.invalid(format!("unknown metadata value type {t}"))),
        })
    }
}

/// Bytes of one value of a fixed-size metadata type.
fn fixed_size(t: u32) -> Option<u64> {
    match t {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}
