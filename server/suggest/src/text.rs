//! Byte-offset and line helpers shared by the context builder and the
//! verifier: cursor clamping, line spans, indentation style.

use std::ops::Range;

use margin_syntax::Language;

/// `cursor` clamped to `text` and moved back to a char boundary.
pub(crate) fn clamp_cursor(text: &str, cursor: usize) -> usize {
    let mut c = cursor.min(text.len());
    while !text.is_char_boundary(c) {
        c -= 1;
    }
    c
}

/// Start of the line containing `pos`.
pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line containing `pos`, before its `\n` (and `\r`).
pub(crate) fn line_end(text: &str, pos: usize) -> usize {
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    if end > pos && text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    }
}

/// Leading spaces and tabs of `line`.
pub(crate) fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Line starts of a text, for line/byte conversions.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if starts.len() > 1 && *starts.last().unwrap_or(&0) == text.len() {
            starts.pop();
        }
        Lines { text, starts }
    }

    /// Number of lines (an empty text has one empty line).
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Line index of byte `pos`.
    pub(crate) fn line_of(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// Bytes of line `i` including its line break.
    pub(crate) fn full(&self, i: usize) -> Range<usize> {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        start..end
    }

    /// Text of line `i` without its line break.
    pub(crate) fn text(&self, i: usize) -> &'a str {
        let r = self.full(i);
        self.text[r].trim_end_matches(['\n', '\r'])
    }
}

/// Indentation used by a file: tabs, or spaces of some width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IndentStyle {
    pub tabs: bool,
    /// Columns per level (for tabs: the width a tab counts as).
    pub width: usize,
}

impl IndentStyle {
    /// Detects the style from the indented lines of `text` (default: 4 spaces).
    pub(crate) fn detect(text: &str) -> IndentStyle {
        let (mut tabs, mut spaces) = (0usize, 0usize);
        let mut widths = [0usize; 9];
        let mut prev = 0usize;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let ind = indentation(line);
            if ind.starts_with('\t') {
                tabs += 1;
            } else if !ind.is_empty() {
                spaces += 1;
            }
            if !ind.contains('\t') {
                let delta = ind.len().abs_diff(prev);
                if (1..=8).contains(&delta) {
                    widths[delta] += 1;
                }
                prev = ind.len();
            }
        }
        if tabs > spaces {
            return IndentStyle {
                tabs: true,
                width: 4,
            };
        }
        let width = [2, 4, 8, 3]
            .into_iter()
            .max_by_key(|&w| (widths[w], w == 4))
            .filter(|&w| widths[w] > 0)
            .unwrap_or(4);
        IndentStyle { tabs: false, width }
    }

    /// Columns of an indentation string.
    pub(crate) fn columns(self, ind: &str) -> usize {
        ind.chars()
            .map(|c| if c == '\t' { self.width } else { 1 })
            .sum()
    }

    /// An indentation string of `cols` columns in this style.
    pub(crate) fn render(self, cols: usize) -> String {
        if self.tabs {
            let mut s = "\t".repeat(cols / self.width);
            s.push_str(&" ".repeat(cols % self.width));
            s
        } else {
            " ".repeat(cols)
        }
    }

    /// One indentation level.
    pub(crate) fn unit(self) -> String {
        self.render(self.width)
    }
}

/// The line-comment marker of `lang` (used for `... ` elision lines).
pub(crate) fn line_comment(lang: Language) -> &'static str {
    match lang {
        Language::Python | Language::Bash | Language::Toml | Language::Yaml => "#",
        Language::Lua => "--",
        Language::Latex => "%",
        Language::Markdown | Language::GitCommit | Language::PlainText => "",
        _ => "//",
    }
}

/// Whether blocks in `lang` are delimited by indentation rather than braces.
pub(crate) fn indent_blocks(lang: Language) -> bool {
    matches!(lang, Language::Python | Language::Yaml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_and_lines() {
        let t = "aé\nb\r\nc";
        assert_eq!(clamp_cursor(t, 2), 1);
        assert_eq!(clamp_cursor(t, 99), t.len());
        assert_eq!(line_end(t, 5), 5);
        assert_eq!(line_start(t, 6), 4);
        let l = Lines::new(t);
        assert_eq!(l.len(), 3);
        assert_eq!(l.text(1), "b");
        assert_eq!(l.line_of(7), 2);
        assert_eq!(Lines::new("").len(), 1);
        assert_eq!(Lines::new("a\n").len(), 1);
    }

    #[test]
    fn indent_styles() {
        let go = "func f() {\n\tif x {\n\t\ty()\n\t}\n}\n";
        assert_eq!(
            IndentStyle::detect(go),
            IndentStyle {
                tabs: true,
                width: 4
            }
        );
        let js = "function f() {\n  if (x) {\n    y();\n  }\n}\n";
        assert_eq!(IndentStyle::detect(js).width, 2);
        assert_eq!(IndentStyle::detect("x = 1\n").width, 4);
        let tabs = IndentStyle {
            tabs: true,
            width: 4,
        };
        assert_eq!(tabs.render(9), "\t\t ");
        assert_eq!(tabs.columns("\t  "), 6);
    }
}
