//! Finding tokens in text: every occurrence of every token of a
//! [`super::Masked`], longest tokens first, non-overlapping, whole words
//! only. Indexed by first byte and length so a long text with thousands of
//! distinct tokens stays fast.

use std::collections::HashMap;
use std::ops::Range;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The distinct tokens of one masked text and an index over them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Matcher {
    /// Distinct tokens, longest first (ties in string order): the claim
    /// priority.
    pub cands: Vec<String>,
    index: HashMap<String, usize>,
    /// Distinct candidate lengths per first byte, longest first.
    lens: HashMap<u8, Vec<usize>>,
}

impl Matcher {
    pub(crate) fn new<'a>(tokens: impl Iterator<Item = &'a str>) -> Matcher {
        let mut cands: Vec<String> = tokens.filter(|t| !t.is_empty()).map(String::from).collect();
        cands.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        cands.dedup();
        let index = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let mut lens: HashMap<u8, Vec<usize>> = HashMap::new();
        for c in &cands {
            let v = lens.entry(c.as_bytes()[0]).or_default();
            if !v.contains(&c.len()) {
                v.push(c.len());
            }
        }
        Matcher { cands, index, lens }
    }

    /// Non-overlapping occurrences in `line`, as (range, candidate index),
    /// in text order. Candidates claim in priority order, each left to
    /// right; a candidate that starts (ends) with a word character only
    /// matches where the line has no word character before (after) it.
    pub(crate) fn claims(&self, line: &str) -> Vec<(Range<usize>, usize)> {
        let bytes = line.as_bytes();
        let mut occ: Vec<(usize, usize)> = Vec::new();
        for (i, b) in bytes.iter().enumerate() {
            let Some(lens) = self.lens.get(b) else {
                continue;
            };
            if !line.is_char_boundary(i) {
                continue;
            }
            for &len in lens {
                if let Some(&ci) = line.get(i..i + len).and_then(|s| self.index.get(s)) {
                    occ.push((ci, i));
                }
            }
        }
        occ.sort_unstable();
        let mut taken = vec![false; line.len()];
        let mut out = Vec::new();
        for (ci, i) in occ {
            let c = &self.cands[ci];
            let r = i..i + c.len();
            let starts_word = c.chars().next().is_some_and(is_word);
            let ends_word = c.chars().next_back().is_some_and(is_word);
            if (starts_word && line[..i].chars().next_back().is_some_and(is_word))
                || (ends_word && line[r.end..].chars().next().is_some_and(is_word))
                || taken[r.clone()].iter().any(|t| *t)
            {
                continue;
            }
            taken[r.clone()].fill(true);
            out.push((r, ci));
        }
        out.sort_by_key(|(r, _)| r.start);
        out
    }

    /// Whether `text` has a letter outside the tokens.
    pub(crate) fn has_prose(&self, text: &str) -> bool {
        text.lines().any(|line| {
            let mut p = 0;
            for (r, _) in self.claims(line) {
                if line[p..r.start].chars().any(char::is_alphabetic) {
                    return true;
                }
                p = r.end;
            }
            line[p..].chars().any(char::is_alphabetic)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed<'a>(m: &Matcher, line: &'a str) -> Vec<&'a str> {
        m.claims(line).into_iter().map(|(r, _)| &line[r]).collect()
    }

    #[test]
    fn longest_first_whole_words() {
        let m = Matcher::new(["{a}", "{{a}}", ":id", "<1>", "%%"].into_iter());
        assert_eq!(claimed(&m, "x {{a}} {a} <1>"), ["{{a}}", "{a}", "<1>"]);
        assert_eq!(claimed(&m, ":identifier :id."), [":id"]);
        assert_eq!(claimed(&m, "%%%"), ["%%"]);
        assert!(m.has_prose("<1> word {a}"));
        assert!(!m.has_prose("<1> {a} 42\n:id"));
    }
}
