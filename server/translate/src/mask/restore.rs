//! The way back: find every token in the model's output (longest first,
//! whole words only), check counts, order and line structure against the
//! source, then rebuild the text: unchanged blocks byte for byte, changed
//! ones with their originals put back and re-wrapped.

use std::collections::HashMap;
use std::ops::Range;

use super::wrap::render;
use super::Masked;
use crate::scan::{scan, ScanOpts};

/// Why a model output cannot be restored. `span` is the span's label: the
/// original text, or the whole construct for markup.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// A protected span is missing from the output.
    #[error("`{span}` is missing")]
    Missing {
        /// The span's label.
        span: String,
    },
    /// A protected span appears more often than in the source.
    #[error("`{span}` appears more often than in the source")]
    Duplicated {
        /// The span's label.
        span: String,
    },
    /// The output has a placeholder, tag or token the source does not.
    #[error("`{span}` is not in the source")]
    Invented {
        /// What the output has that the source does not.
        span: String,
    },
    /// Markup halves out of order or on different lines.
    #[error("the markup of `{span}` is out of order")]
    Misplaced {
        /// The whole construct (`**Save**`).
        span: String,
    },
    /// The output does not have one line per block.
    #[error("the output has {found} lines where the source has {expected}")]
    LineCount {
        /// Lines (blocks) in the source.
        expected: usize,
        /// Non-blank lines in the output.
        found: usize,
    },
    /// The output is empty.
    #[error("the output is empty")]
    Empty,
}

impl RestoreError {
    /// The span the error is about, if any.
    pub fn span(&self) -> Option<&str> {
        match self {
            RestoreError::Missing { span }
            | RestoreError::Duplicated { span }
            | RestoreError::Invented { span }
            | RestoreError::Misplaced { span } => Some(span),
            RestoreError::LineCount { .. } | RestoreError::Empty => None,
        }
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

impl Masked {
    /// How often each token occurs in `text`.
    pub(crate) fn claim_counts(&self, text: &str) -> HashMap<&str, usize> {
        let mut counts = HashMap::new();
        for line in text.lines() {
            for (_, ci) in self.matcher.claims(line) {
                *counts.entry(self.matcher.cands[ci].as_str()).or_default() += 1;
            }
        }
        counts
    }

    fn label_of(&self, token: &str) -> String {
        self.spans
            .iter()
            .find(|s| s.token == token)
            .map_or_else(|| token.to_string(), |s| s.label.clone())
    }

    /// Check `output` against `source` (the model text or a piece of it):
    /// one line per source line (a one-line source takes any number of
    /// lines, joined), every token exactly as often, nothing placeholder-
    /// like invented, markup pairs in order on one line. Returns the
    /// output's lines, trimmed.
    pub fn verify(&self, source: &str, output: &str) -> Result<Vec<String>, RestoreError> {
        let src = lines(source);
        let mut out = lines(output);
        if src.is_empty() {
            return Ok(Vec::new());
        }
        if out.is_empty() {
            return Err(RestoreError::Empty);
        }
        if src.len() == 1 && out.len() > 1 {
            out = vec![out.join(" ")];
        }
        if out.len() != src.len() {
            return Err(RestoreError::LineCount {
                expected: src.len(),
                found: out.len(),
            });
        }
        let cands = &self.matcher.cands;
        let src_claims: Vec<_> = src.iter().map(|l| self.matcher.claims(l)).collect();
        let out_claims: Vec<_> = out.iter().map(|l| self.matcher.claims(l)).collect();
        let count = |cl: &[Vec<(Range<usize>, usize)>]| {
            let mut n = vec![0usize; cands.len()];
            cl.iter().flatten().for_each(|(_, ci)| n[*ci] += 1);
            n
        };
        let (want, got) = (count(&src_claims), count(&out_claims));
        let order: Vec<usize> = src_claims.iter().flatten().map(|(_, ci)| *ci).collect();
        if let Some(&ci) = order.iter().find(|&&ci| got[ci] < want[ci]) {
            return Err(RestoreError::Missing {
                span: self.label_of(&cands[ci]),
            });
        }
        if let Some(ci) = (0..cands.len()).find(|&ci| got[ci] > want[ci] && want[ci] > 0) {
            return Err(RestoreError::Duplicated {
                span: self.label_of(&cands[ci]),
            });
        }
        if let Some(ci) = (0..cands.len()).find(|&ci| got[ci] > want[ci]) {
            return Err(RestoreError::Invented {
                span: self.label_of(&cands[ci]),
            });
        }
        self.check_invented(&src, &src_claims, &out, &out_claims)?;
        for p in &self.pairs {
            let find = |t: &str| {
                out_claims.iter().enumerate().find_map(|(li, cl)| {
                    cl.iter()
                        .find(|(_, ci)| cands[*ci] == t)
                        .map(|(r, _)| (li, r.start))
                })
            };
            if let (Some(o), Some(c)) = (find(&p.open), find(&p.close)) {
                if o.0 != c.0 || o.1 > c.1 {
                    return Err(RestoreError::Misplaced {
                        span: p.label.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Placeholder-like text outside the claimed tokens must not occur more
    /// often in the output than in the source.
    fn check_invented(
        &self,
        src: &[String],
        src_claims: &[Vec<(Range<usize>, usize)>],
        out: &[String],
        out_claims: &[Vec<(Range<usize>, usize)>],
    ) -> Result<(), RestoreError> {
        // Invented code spans are harmless; placeholders, tags, URLs and
        // tokens are not.
        let opts = ScanOpts {
            html: self.html,
            code: false,
        };
        // Scan the whole line (same context as the source scan), then drop
        // what overlaps a claimed token.
        let leftovers = |ls: &[String], cl: &[Vec<(Range<usize>, usize)>]| {
            let mut n: HashMap<String, usize> = HashMap::new();
            for (l, c) in ls.iter().zip(cl) {
                for f in scan(l, opts) {
                    if !c
                        .iter()
                        .any(|(r, _)| r.start < f.range.end && f.range.start < r.end)
                    {
                        *n.entry(l[f.range].to_string()).or_default() += 1;
                    }
                }
            }
            n
        };
        let before = leftovers(src, src_claims);
        let after = leftovers(out, out_claims);
        let mut extra: Vec<&String> = after
            .iter()
            .filter(|(s, n)| **n > before.get(*s).copied().unwrap_or(0))
            .map(|(s, _)| s)
            .collect();
        extra.sort();
        match extra.first() {
            Some(s) => Err(RestoreError::Invented { span: (*s).clone() }),
            None => Ok(()),
        }
    }

    /// Rebuild the full text from the model's output for [`Masked::text`]:
    /// structure and whitespace from the source, each block from its output
    /// line with every token replaced by its original. Fails, naming the
    /// span, when anything protected is missing, duplicated, invented or
    /// out of order, or when the line structure does not match.
    pub fn restore(&self, output: &str) -> Result<String, RestoreError> {
        let lines = self.verify(&self.text, output)?;
        let cands = &self.matcher.cands;
        let originals: HashMap<&str, &str> = self
            .spans
            .iter()
            .map(|s| (s.token.as_str(), s.original.as_str()))
            .collect();
        let mut out = self.leading.clone();
        let mut pos = 0;
        for (b, line) in self.blocks.iter().zip(&lines) {
            out.push_str(&self.core[pos..b.range.start]);
            if *line == b.line {
                out.push_str(&self.core[b.range.clone()]);
            } else {
                let mut pieces: Vec<(&str, bool)> = Vec::new();
                let mut p = 0;
                for (r, ci) in self.matcher.claims(line) {
                    pieces.push((&line[p..r.start], false));
                    pieces.push((originals[cands[ci].as_str()], true));
                    p = r.end;
                }
                pieces.push((&line[p..], false));
                out.push_str(&render(b, &pieces));
            }
            pos = b.range.end;
        }
        out.push_str(&self.core[pos..]);
        out.push_str(&self.trailing);
        Ok(out)
    }
}
