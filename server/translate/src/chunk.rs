//! Chunking: cutting a text that is too long for one model call into
//! consecutive pieces that fit the token budget, at paragraph boundaries
//! first, then line breaks, then sentences (then words, then graphemes),
//! never inside a protected span.

use std::ops::Range;

use crate::scan::{scan, ScanOpts};

/// Split `text` into consecutive byte ranges that cover it exactly (their
/// concatenation is `text`), each with `count(piece) <= max_tokens` where
/// possible: paragraphs (blank-line separated) are packed greedily, a
/// paragraph over budget is cut at line breaks, a line at sentence ends
/// (`margin_proofread::split`, which falls back to words and graphemes).
/// No cut falls inside a placeholder, URL, tag, code span or token found
/// by the scanner; a single span over budget makes a piece of its own.
/// Empty text gives no ranges.
pub fn chunks(text: &str, max_tokens: usize, count: impl Fn(&str) -> usize) -> Vec<Range<usize>> {
    let protected: Vec<Range<usize>> = scan(text, ScanOpts::ALL)
        .into_iter()
        .map(|f| f.range)
        .collect();
    chunks_avoiding(text, max_tokens, count, &protected)
}

/// [`chunks`] with the protected ranges given by the caller (e.g.
/// [`crate::Masked::token_ranges`]) instead of scanned.
pub fn chunks_avoiding(
    text: &str,
    max_tokens: usize,
    count: impl Fn(&str) -> usize,
    protected: &[Range<usize>],
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if !text.is_empty() {
        let p = Packer {
            text,
            max: max_tokens,
            count: &count,
            protected,
        };
        p.pack(0..text.len(), Level::Paragraph, &mut out);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Paragraph,
    Line,
    Sentence,
}

struct Packer<'a, F: Fn(&str) -> usize> {
    text: &'a str,
    max: usize,
    count: &'a F,
    protected: &'a [Range<usize>],
}

impl<F: Fn(&str) -> usize> Packer<'_, F> {
    fn fits(&self, r: Range<usize>) -> bool {
        (self.count)(&self.text[r]) <= self.max
    }

    /// Greedy packing of `r`'s units at `level`; units over budget are cut
    /// at the next level.
    fn pack(&self, r: Range<usize>, level: Level, out: &mut Vec<Range<usize>>) {
        if level == Level::Sentence {
            return self.sentences(r, out);
        }
        let (mut start, mut last) = (r.start, r.start);
        for end in self.unit_ends(r.clone(), level) {
            if self.fits(start..end) {
                last = end;
                continue;
            }
            if last > start {
                out.push(start..last);
                start = last;
            }
            if self.fits(start..end) {
                last = end;
                continue;
            }
            let finer = if level == Level::Paragraph {
                Level::Line
            } else {
                Level::Sentence
            };
            self.pack(start..end, finer, out);
            (start, last) = (end, end);
        }
        if last > start {
            out.push(start..last);
        }
    }

    /// Ends of the units of `r`: after each blank-line run (paragraphs) or
    /// after each line break (lines); always `r.end` last.
    fn unit_ends(&self, r: Range<usize>, level: Level) -> Vec<usize> {
        let s = &self.text[r.clone()];
        let mut ends = Vec::new();
        let mut i = 0;
        while let Some(n) = s[i..].find('\n') {
            let nl = i + n;
            i = nl + 1;
            if level == Level::Line {
                ends.push(r.start + i);
                continue;
            }
            // A run of whitespace holding another line break: a blank line.
            let run = s[i..].len() - s[i..].trim_start().len();
            if let Some(last_nl) = s[i..i + run].rfind('\n') {
                i += last_nl + 1;
                ends.push(r.start + i);
            }
        }
        if ends.last() != Some(&r.end) {
            ends.push(r.end);
        }
        ends
    }

    /// Sentence-level cuts of `r`, moved out of protected spans.
    fn sentences(&self, r: Range<usize>, out: &mut Vec<Range<usize>>) {
        let pieces = margin_proofread::split(&self.text[r.clone()], self.max, self.count);
        let mut start = r.start;
        for p in pieces {
            let mut cut = r.start + p.end;
            if let Some(span) = self.protected.iter().find(|s| s.start < cut && cut < s.end) {
                cut = span.end.min(r.end);
            }
            if cut > start && cut <= r.end {
                out.push(start..cut);
                start = cut;
            }
        }
        if start < r.end {
            out.push(start..r.end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> usize {
        s.split_whitespace().count()
    }

    fn check_cover(text: &str, ranges: &[Range<usize>]) {
        let joined: String = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(joined, text);
        assert!(ranges.iter().all(|r| !r.is_empty()));
    }

    const DOC: &str =
        "The first paragraph explains what the tool does.\nIt wraps over two lines.\n\n\
        The second paragraph is longer. It has three sentences. Each one is short.\n\n\
        Third.";

    #[test]
    fn small_text_is_one_chunk_and_empty_text_none() {
        assert_eq!(chunks(DOC, 1000, words), vec![0..DOC.len()]);
        assert!(chunks("", 10, words).is_empty());
    }

    #[test]
    fn paragraphs_first() {
        let r = chunks(DOC, 13, words);
        check_cover(DOC, &r);
        let texts: Vec<&str> = r.iter().map(|r| DOC[r.clone()].trim()).collect();
        assert_eq!(
            texts[0],
            "The first paragraph explains what the tool does.\nIt wraps over two lines."
        );
        assert_eq!(
            texts[1],
            "The second paragraph is longer. It has three sentences. Each one is short."
        );
        assert_eq!(texts[2], "Third.");
        assert!(r.iter().all(|r| words(&DOC[r.clone()]) <= 13));
    }

    #[test]
    fn then_lines_then_sentences() {
        let r = chunks(DOC, 6, words);
        check_cover(DOC, &r);
        let texts: Vec<&str> = r.iter().map(|r| DOC[r.clone()].trim()).collect();
        assert!(texts.contains(&"It wraps over two lines."), "{texts:?}");
        assert!(texts.contains(&"It has three sentences."), "{texts:?}");
        assert!(r.iter().all(|r| words(&DOC[r.clone()]) <= 6), "{texts:?}");
    }

    #[test]
    fn never_cuts_a_placeholder() {
        let text =
            "Hello {user name with spaces} and welcome to {the app name here} today, friend.";
        for max in 1..12 {
            let r = chunks(text, max, words);
            check_cover(text, &r);
            for span in ["{user name with spaces}", "{the app name here}"] {
                let s = text.find(span).unwrap();
                let e = s + span.len();
                assert!(
                    r.iter().all(|r| r.end <= s || r.end >= e),
                    "max {max}: {r:?}"
                );
            }
        }
    }

    #[test]
    fn huge_text_is_covered_within_budget() {
        let para = "Margin keeps every placeholder like {name} and %s intact while it translates. ";
        let text: String = (0..2000)
            .map(|i| {
                if i % 7 == 6 {
                    format!("{para}\n\n")
                } else {
                    para.to_string()
                }
            })
            .collect();
        let r = chunks(&text, 200, words);
        check_cover(&text, &r);
        assert!(r.len() > 100);
        assert!(r.iter().all(|r| words(&text[r.clone()]) <= 200));
    }

    #[test]
    fn one_long_word_and_cjk_do_not_panic() {
        let long = "x".repeat(500);
        let r = chunks(&long, 10, |s: &str| s.len() / 4);
        check_cover(&long, &r);
        let cjk = "这是一个很长的中文句子。".repeat(50);
        let r = chunks(&cjk, 20, |s: &str| s.chars().count());
        check_cover(&cjk, &r);
        assert!(r.iter().all(|r| cjk[r.clone()].chars().count() <= 20));
    }
}
