//! Sentence splitting: cuts a region that is too long for one model call
//! into pieces at sentence boundaries (falling back to whitespace, then to
//! grapheme boundaries), and finds the sentence around an edit (the context
//! of an ignored finding).

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Split `text` into consecutive ranges that cover it exactly, each with
/// `measure(piece) <= max_len` where possible. Sentences are kept whole and
/// packed greedily; a sentence over budget is split at whitespace, and a
/// single word over budget at grapheme boundaries (a piece is never empty,
/// so one grapheme over budget still makes a piece). Empty text gives no
/// ranges.
pub fn split(text: &str, max_len: usize, measure: impl Fn(&str) -> usize) -> Vec<Range<usize>> {
    if text.is_empty() {
        return Vec::new();
    }
    if measure(text) <= max_len {
        return std::iter::once(0..text.len()).collect();
    }
    let mut p = Packer {
        text,
        max: max_len,
        measure: &measure,
        start: 0,
        last: 0,
        out: Vec::new(),
    };
    for (i, s) in joined_lines(text).split_sentence_bound_indices() {
        p.feed(i + s.len(), Level::Sentence);
    }
    if p.start < text.len() {
        p.out.push(p.start..text.len());
    }
    p.out
}

/// `text` with single line breaks turned into spaces (same byte offsets), so
/// a sentence wrapped over comment lines stays one sentence; blank lines
/// still end sentences.
fn joined_lines(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            let blank_before = text[..i]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with('\n');
            let blank_after = text[i + 1..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n');
            if !blank_before && !blank_after {
                out[i] = b' ';
                if i > 0 && b[i - 1] == b'\r' {
                    out[i - 1] = b' ';
                }
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[derive(Clone, Copy)]
enum Level {
    Sentence,
    Word,
    Grapheme,
}

/// Greedy packing state: the open piece is `start..last`; units are fed in
/// order, each running from `last` to the given end.
struct Packer<'a, F: Fn(&str) -> usize> {
    text: &'a str,
    max: usize,
    measure: &'a F,
    start: usize,
    last: usize,
    out: Vec<Range<usize>>,
}

impl<F: Fn(&str) -> usize> Packer<'_, F> {
    fn fits(&self, end: usize) -> bool {
        (self.measure)(&self.text[self.start..end]) <= self.max
    }

    fn close(&mut self) {
        if self.start < self.last {
            self.out.push(self.start..self.last);
            self.start = self.last;
        }
    }

    fn feed(&mut self, end: usize, level: Level) {
        if self.fits(end) {
            self.last = end;
            return;
        }
        self.close();
        if self.fits(end) {
            self.last = end;
            return;
        }
        // The unit alone is over budget: cut it finer.
        let unit_start = self.last;
        let unit = &self.text[unit_start..end];
        let (subs, finer): (Vec<usize>, Level) = match level {
            Level::Sentence => (
                unit.split_word_bound_indices()
                    .filter(|(_, w)| w.chars().all(char::is_whitespace))
                    .map(|(i, w)| unit_start + i + w.len())
                    .collect(),
                Level::Word,
            ),
            Level::Word => (
                unit.grapheme_indices(true)
                    .map(|(i, g)| unit_start + i + g.len())
                    .collect(),
                Level::Grapheme,
            ),
            Level::Grapheme => {
                // One grapheme over budget: it makes a piece of its own.
                self.last = end;
                self.close();
                return;
            }
        };
        for sub_end in subs.into_iter().chain(std::iter::once(end)) {
            if sub_end > self.last {
                self.feed(sub_end, finer);
            }
        }
    }
}

/// The sentence of `text` containing `range` (all sentences it touches,
/// without trailing whitespace). An empty range at a sentence boundary
/// belongs to the sentence before it.
pub fn sentence_at(text: &str, range: Range<usize>) -> Range<usize> {
    let mut lo = 0;
    let mut hi = text.len();
    let mut found_lo = false;
    for (i, s) in joined_lines(text).split_sentence_bound_indices() {
        let end = i + s.trim_end().len();
        let full_end = i + s.len();
        if !found_lo && range.start <= full_end && (range.start < full_end || range.is_empty()) {
            lo = i;
            found_lo = true;
        }
        if found_lo && range.end <= full_end {
            hi = end.max(range.end);
            break;
        }
    }
    lo..hi.max(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_cover(text: &str, ranges: &[Range<usize>]) {
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(text.len()));
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert!(ranges.iter().all(|r| !r.is_empty()));
    }

    const TEXT: &str = "The parser reads the file. It then builds a tree! Does it handle errors? Yes, it recovers.";

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(split(TEXT, 1000, str::len), vec![0..TEXT.len()]);
        assert!(split("", 10, str::len).is_empty());
    }

    #[test]
    fn splits_at_sentence_boundaries() {
        let r = split(TEXT, 55, str::len);
        check_cover(TEXT, &r);
        let pieces: Vec<&str> = r.iter().map(|x| &TEXT[x.clone()]).collect();
        assert_eq!(
            pieces,
            vec![
                "The parser reads the file. It then builds a tree! ",
                "Does it handle errors? Yes, it recovers."
            ]
        );
    }

    #[test]
    fn long_sentence_falls_back_to_whitespace() {
        let text = "This sentence is much longer than the tiny budget allows for it.";
        let r = split(text, 20, str::len);
        check_cover(text, &r);
        for x in &r {
            assert!(x.len() <= 20, "{:?}", &text[x.clone()]);
            // Cuts are after whitespace, never inside a word.
            assert!(x.end == text.len() || text[..x.end].ends_with(' '));
        }
    }

    #[test]
    fn giant_word_is_cut_at_graphemes() {
        let text = "See https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/é for details.";
        let r = split(text, 16, |s| s.chars().count());
        check_cover(text, &r);
        assert!(r.iter().all(|x| text[x.clone()].chars().count() <= 16));
    }

    #[test]
    fn custom_measure_counts_words() {
        let words = |s: &str| s.split_whitespace().count();
        let r = split(TEXT, 6, words);
        check_cover(TEXT, &r);
        assert!(r.iter().all(|x| words(&TEXT[x.clone()]) <= 6));
        assert_eq!(r.len(), 4);
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        let text = "日本語の文章です。二つ目の文です。三つ目もあります。";
        let r = split(text, 30, str::len);
        check_cover(text, &r);
        assert!(r.len() >= 2);
    }

    #[test]
    fn sentence_around_an_edit() {
        let t = "First one is fine. She dont like it. Last one.";
        let i = t.find("dont").unwrap();
        assert_eq!(&t[sentence_at(t, i..i + 4)], "She dont like it.");
        assert_eq!(&t[sentence_at(t, 0..5)], "First one is fine.");
        let end = t.find("it.").unwrap() + 2;
        assert_eq!(&t[sentence_at(t, end..end)], "She dont like it.");
        // A sentence wrapped over lines is one sentence; a blank line ends one.
        let t = "She dont\nlike it.\n\nNext paragraph";
        let i = t.find("dont").unwrap();
        assert_eq!(&t[sentence_at(t, i..i + 4)], "She dont\nlike it.");
        assert_eq!(joined_lines("a\nb\n\nc"), "a b\n\nc");
    }

    proptest::proptest! {
        #[test]
        fn pieces_cover_the_text(text in "(Hi there\\. |ok |\n|\n\n|日本語。|a{0,30}|é){0,12}", max in 1usize..40) {
            let r = split(&text, max, str::len);
            if text.is_empty() {
                proptest::prop_assert!(r.is_empty());
            } else {
                check_cover(&text, &r);
                // Over budget only when a single grapheme is.
                for x in &r {
                    proptest::prop_assert!(x.len() <= max || text[x.clone()].chars().count() == 1, "{:?}", &text[x.clone()]);
                }
            }
            let _ = sentence_at(&text, 0..text.len());
        }
    }
}
