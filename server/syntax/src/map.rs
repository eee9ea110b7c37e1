//! The offset map between a region's plain text and the document, and the
//! builder that produces both from per-line document ranges.
//!
//! The plain text is a sequence of segments that tile it: *copy* segments
//! (document bytes copied verbatim, mapped 1:1) and *separator* segments
//! (the `\n` that stands for a line break plus whatever markers and
//! indentation the document has before the next line's text). Document
//! bytes between two segments that are in neither (hidden markup such as
//! emphasis delimiters or link destinations) have no text.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub text: Range<usize>,
    pub doc: Range<usize>,
    pub copy: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    segs: Vec<Seg>,
}

impl OffsetMap {
    /// Document range covered by the text (first to last mapped byte).
    pub fn doc_span(&self) -> Range<usize> {
        match (self.segs.first(), self.segs.last()) {
            (Some(a), Some(b)) => a.doc.start..b.doc.end,
            _ => 0..0,
        }
    }

    /// Left-biased: at a segment boundary, the end of the earlier segment
    /// (so the offset of a joined line break maps to the end of the previous
    /// line's text).
    pub fn left(&self, t: usize) -> usize {
        let Some(last) = self.segs.last() else {
            return 0;
        };
        let i = self.segs.partition_point(|s| s.text.end < t);
        let Some(s) = self.segs.get(i) else {
            return last.doc.end;
        };
        if s.copy {
            s.doc.start + (t.max(s.text.start) - s.text.start)
        } else if t <= s.text.start {
            s.doc.start
        } else {
            s.doc.end
        }
    }

    /// Right-biased: at a segment boundary, the start of the later segment.
    pub fn right(&self, t: usize) -> usize {
        let Some(last) = self.segs.last() else {
            return 0;
        };
        let i = self.segs.partition_point(|s| s.text.end <= t);
        let Some(s) = self.segs.get(i) else {
            return last.doc.end;
        };
        if s.copy {
            s.doc.start + (t - s.text.start)
        } else {
            s.doc.start
        }
    }

    /// Text offset of document offset `d` when it starts a range: inside a
    /// copy segment exact, otherwise the start of the next segment.
    fn text_start_of(&self, d: usize) -> usize {
        let i = self.segs.partition_point(|s| s.doc.end <= d);
        match self.segs.get(i) {
            Some(s) if s.copy && d >= s.doc.start => s.text.start + (d - s.doc.start),
            Some(s) => s.text.start,
            None => self.segs.last().map_or(0, |s| s.text.end),
        }
    }

    /// Text offset of document offset `d` when it ends a range.
    fn text_end_of(&self, d: usize) -> usize {
        let i = self.segs.partition_point(|s| s.doc.start < d);
        match i.checked_sub(1).map(|i| &self.segs[i]) {
            Some(s) if s.copy && d <= s.doc.end => s.text.start + (d - s.doc.start),
            Some(s) => s.text.end,
            None => 0,
        }
    }

    /// A document range as a text range (clamped to what the text covers).
    pub fn text_range_of(&self, r: &Range<usize>) -> Range<usize> {
        let s = self.text_start_of(r.start);
        let e = self.text_end_of(r.end).max(s);
        s..e
    }
}

/// Collects lines, then builds text + map + protected text ranges.
pub(crate) struct Builder<'a> {
    doc: &'a str,
    text: String,
    segs: Vec<Seg>,
    /// Document offset after the last emitted byte.
    cursor: Option<usize>,
    points: Vec<usize>,
}

/// A document range left out of the text; `protect` records a zero-width
/// protected point where it was (e.g. a hidden link destination).
#[derive(Clone, Debug)]
pub(crate) struct Hidden {
    pub range: Range<usize>,
    pub protect: bool,
}

impl<'a> Builder<'a> {
    pub fn new(doc: &'a str) -> Self {
        Builder {
            doc,
            text: String::new(),
            segs: Vec::new(),
            cursor: None,
            points: Vec::new(),
        }
    }

    fn copy(&mut self, doc: Range<usize>) {
        if doc.is_empty() {
            return;
        }
        let t = self.text.len();
        self.text.push_str(&self.doc[doc.clone()]);
        match self.segs.last_mut() {
            Some(s) if s.copy && s.doc.end == doc.start => {
                s.doc.end = doc.end;
                s.text.end = self.text.len();
            }
            _ => self.segs.push(Seg {
                text: t..self.text.len(),
                doc: doc.clone(),
                copy: true,
            }),
        }
        self.cursor = Some(doc.end);
    }

    fn separator(&mut self, next_doc: usize) {
        let start = self.cursor.unwrap_or(next_doc).min(next_doc);
        let t = self.text.len();
        self.text.push('\n');
        self.segs.push(Seg {
            text: t..t + 1,
            doc: start..next_doc,
            copy: false,
        });
        self.cursor = Some(next_doc);
    }

    /// Emit one line (`line` already trimmed), skipping `hidden` ranges
    /// (sorted by start). Lines after the first are preceded by `\n`.
    fn line(&mut self, line: Range<usize>, hidden: &[Hidden]) {
        let mut pos = line.start;
        if self.cursor.is_some() {
            self.separator(line.start);
        } else {
            self.cursor = Some(line.start);
        }
        for h in hidden {
            if h.range.end <= pos || h.range.start >= line.end {
                continue;
            }
            self.copy(pos..h.range.start.max(pos));
            if h.protect {
                self.points.push(self.text.len());
            }
            pos = pos.max(h.range.end);
        }
        if pos < line.end {
            self.copy(pos..line.end);
        }
    }

    /// Build from lines (doc ranges, trimmed, possibly empty), dropping
    /// leading and trailing blank lines. Returns `None` if no text.
    pub fn build(
        mut self,
        lines: &[Range<usize>],
        hidden: &[Hidden],
        protected_doc: &[Range<usize>],
    ) -> Option<(String, OffsetMap, Vec<Range<usize>>)> {
        let doc = self.doc;
        let blank = |r: &Range<usize>| {
            let mut p = r.start;
            for h in hidden
                .iter()
                .filter(|h| h.range.end > r.start && h.range.start < r.end)
            {
                if !doc[p..h.range.start.max(p)].trim().is_empty() {
                    return false;
                }
                p = p.max(h.range.end.min(r.end));
            }
            doc[p..r.end].trim().is_empty()
        };
        let first = lines.iter().position(|l| !blank(l))?;
        let last = lines.iter().rposition(|l| !blank(l))?;
        for l in &lines[first..=last] {
            self.line(l.clone(), hidden);
        }
        if self.text.trim().is_empty() {
            return None;
        }
        let map = OffsetMap { segs: self.segs };
        let mut prot: Vec<Range<usize>> = protected_doc
            .iter()
            .map(|r| map.text_range_of(r))
            .filter(|r| !r.is_empty())
            .collect();
        prot.extend(self.points.iter().map(|&p| p..p));
        Some((self.text, map, prot))
    }
}

/// Split `range` of `doc` into lines, each trimmed of surrounding whitespace
/// (so a CRLF's `\r` and indentation are never included).
pub(crate) fn trimmed_lines(doc: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    loop {
        let end = doc[start..range.end]
            .find('\n')
            .map_or(range.end, |i| start + i);
        out.push(trim(doc, start..end));
        if end >= range.end {
            break;
        }
        start = end + 1;
    }
    out
}

/// `range` without leading/trailing whitespace.
pub(crate) fn trim(doc: &str, range: Range<usize>) -> Range<usize> {
    let s = &doc[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    range.start + lead..range.start + lead + t.len()
}
