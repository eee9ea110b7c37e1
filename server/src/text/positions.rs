//! The one place that converts between byte offsets in a document and
//! `(line, column)` positions counted in UTF-8 bytes, UTF-16 code units or
//! Unicode scalar values (the three LSP position encodings).
//!
//! Lines end at `\n`, `\r\n` or `\r`, as in LSP (ropey is built with
//! `cr_lines` and without `unicode_lines`). A column past the end of its line
//! means the end of the line (LSP says so); a column inside a multi-unit
//! character snaps back to the character's start. A line past the end of the
//! document is an error, except `(line_count, 0)`, which some clients send for
//! "end of document".

use ropey::{Rope, RopeSlice};

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// The LSP name of the encoding.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }

    /// Parse an LSP encoding name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        }
    }

    /// Pick the encoding from what a client offers: UTF-8 first, then
    /// UTF-16, then UTF-32; UTF-16 when the client says nothing (LSP default).
    pub fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Self {
        let offered: Vec<Encoding> = offered
            .into_iter()
            .filter_map(Encoding::from_name)
            .collect();
        [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32]
            .into_iter()
            .find(|e| offered.contains(e))
            .unwrap_or_default()
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// A zero-based line and a column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineCol {
    pub fn new(line: u32, col: u32) -> Self {
        LineCol { line, col }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("line {line} is past the end of the document ({lines} lines)")]
    LineOutOfRange { line: u32, lines: usize },
    #[error("range end {end:?} is before its start {start:?}")]
    Inverted { start: LineCol, end: LineCol },
}

/// Number of lines as LSP counts them (a trailing line break opens a last, empty line).
pub fn line_count(rope: &Rope) -> usize {
    rope.len_lines()
}

/// The line's text without its line break.
fn line_content(rope: &Rope, line: usize) -> RopeSlice<'_> {
    let slice = rope.line(line);
    let mut end = slice.len_chars();
    while end > 0 && matches!(slice.char(end - 1), '\n' | '\r') {
        end -= 1;
    }
    slice.slice(..end)
}

/// Byte offset of a position.
pub fn to_offset(rope: &Rope, pos: LineCol, enc: Encoding) -> Result<usize, PositionError> {
    let lines = rope.len_lines();
    let line = pos.line as usize;
    if line >= lines {
        if line == lines && pos.col == 0 {
            return Ok(rope.len_bytes());
        }
        return Err(PositionError::LineOutOfRange {
            line: pos.line,
            lines,
        });
    }
    let start = rope.line_to_byte(line);
    let mut bytes = 0usize;
    let mut units = 0usize;
    let want = pos.col as usize;
    for c in line_content(rope, line).chars() {
        let next = units + enc.units(c);
        if next > want {
            break;
        }
        units = next;
        bytes += c.len_utf8();
    }
    Ok(start + bytes)
}

/// Byte range of a start/end pair.
pub fn to_range(
    rope: &Rope,
    start: LineCol,
    end: LineCol,
    enc: Encoding,
) -> Result<std::ops::Range<usize>, PositionError> {
    let s = to_offset(rope, start, enc)?;
    let e = to_offset(rope, end, enc)?;
    if e < s {
        return Err(PositionError::Inverted { start, end });
    }
    Ok(s..e)
}

/// Position of a byte offset (clamped to the document, snapped back to a char boundary).
pub fn to_line_col(rope: &Rope, offset: usize, enc: Encoding) -> LineCol {
    let mut offset = offset.min(rope.len_bytes());
    while offset > 0 && !is_char_boundary(rope, offset) {
        offset -= 1;
    }
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let col = match enc {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 | Encoding::Utf32 => {
            let slice = rope.byte_slice(start..offset);
            match enc {
                Encoding::Utf16 => slice.len_utf16_cu(),
                _ => slice.len_chars(),
            }
        }
    };
    LineCol::new(line as u32, col as u32)
}

fn is_char_boundary(rope: &Rope, offset: usize) -> bool {
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    chunk.is_char_boundary(offset - chunk_start)
}

/// Tree-sitter point (row, byte column) of a byte offset.
pub fn to_point(rope: &Rope, offset: usize) -> tree_sitter::Point {
    let line = rope.byte_to_line(offset);
    tree_sitter::Point::new(line, offset - rope.line_to_byte(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off(text: &str, line: u32, col: u32, enc: Encoding) -> usize {
        to_offset(&Rope::from_str(text), LineCol::new(line, col), enc).unwrap()
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf16() {
        assert_eq!(Encoding::negotiate(["utf-16", "utf-8"]), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(["utf-32", "utf-16"]), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(["utf-32"]), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(["latin-1"]), Encoding::Utf16);
        assert_eq!(Encoding::negotiate([]), Encoding::Utf16);
    }

    #[test]
    fn cjk_columns_in_each_encoding() {
        // "日本語のテキスト" — every char is 3 UTF-8 bytes, 1 UTF-16 unit.
        let text = "x = 1\n日本語のテキスト\n";
        let start = "x = 1\n".len();
        assert_eq!(off(text, 1, 2, Encoding::Utf16), start + 6);
        assert_eq!(off(text, 1, 2, Encoding::Utf32), start + 6);
        assert_eq!(off(text, 1, 6, Encoding::Utf8), start + 6);
        // A UTF-8 column inside a character snaps back to its start.
        assert_eq!(off(text, 1, 7, Encoding::Utf8), start + 6);
    }

    #[test]
    fn emoji_is_two_utf16_units() {
        let text = "a👍b";
        assert_eq!(off(text, 0, 1, Encoding::Utf16), 1);
        assert_eq!(off(text, 0, 3, Encoding::Utf16), 5); // after the emoji
        assert_eq!(off(text, 0, 2, Encoding::Utf16), 1); // inside the surrogate pair
        assert_eq!(off(text, 0, 2, Encoding::Utf32), 5);
        assert_eq!(off(text, 0, 5, Encoding::Utf8), 5);
        let rope = Rope::from_str(text);
        assert_eq!(to_line_col(&rope, 5, Encoding::Utf16), LineCol::new(0, 3));
        assert_eq!(to_line_col(&rope, 5, Encoding::Utf32), LineCol::new(0, 2));
        assert_eq!(to_line_col(&rope, 3, Encoding::Utf8), LineCol::new(0, 1)); // snapped
    }

    #[test]
    fn crlf_lines_and_columns_past_the_end() {
        let text = "one\r\ntwo\rthree\n";
        assert_eq!(off(text, 1, 0, Encoding::Utf16), 5);
        assert_eq!(off(text, 2, 0, Encoding::Utf16), 9);
        // Past the end of "one" means the end of the line, before "\r\n".
        assert_eq!(off(text, 0, 99, Encoding::Utf16), 3);
        let rope = Rope::from_str(text);
        assert_eq!(to_line_col(&rope, 9, Encoding::Utf8), LineCol::new(2, 0));
        assert_eq!(line_count(&rope), 4);
    }

    #[test]
    fn end_of_document_and_out_of_range() {
        let rope = Rope::from_str("a\nb");
        assert_eq!(to_offset(&rope, LineCol::new(2, 0), Encoding::Utf8), Ok(3));
        assert!(matches!(
            to_offset(&rope, LineCol::new(2, 1), Encoding::Utf8),
            Err(PositionError::LineOutOfRange { .. })
        ));
        assert!(matches!(
            to_range(
                &rope,
                LineCol::new(1, 0),
                LineCol::new(0, 0),
                Encoding::Utf8
            ),
            Err(PositionError::Inverted { .. })
        ));
    }

    #[test]
    fn combining_marks_count_as_their_own_scalars() {
        // "e\u{301}" is two scalars, two UTF-16 units, three UTF-8 bytes.
        let text = "cafe\u{301}!";
        assert_eq!(off(text, 0, 5, Encoding::Utf16), 6);
        assert_eq!(off(text, 0, 5, Encoding::Utf32), 6);
        assert_eq!(off(text, 0, 6, Encoding::Utf8), 6);
    }

    #[test]
    fn round_trip_every_char_boundary() {
        let text = "héllo 世界 👋🏽\r\nzwei\rdrei\n";
        let rope = Rope::from_str(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in text.char_indices() {
                if text[..i].ends_with('\r') && text[i..].starts_with('\n') {
                    continue; // inside a CRLF pair there is no position
                }
                let pos = to_line_col(&rope, i, enc);
                assert_eq!(to_offset(&rope, pos, enc), Ok(i), "{enc:?} at {i}");
            }
        }
    }
}
