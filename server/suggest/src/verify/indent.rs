//! Re-indents a suggestion for the place it is inserted: the first line
//! continues the cursor line, the others keep their indentation relative to
//! the first (converted level by level to the file's tabs or spaces).

use margin_syntax::Language;

use crate::text::{indentation, line_start, IndentStyle};

/// The file's style; a Go file without indented lines yet uses tabs.
pub(crate) fn file_style(text: &str, lang: Language) -> IndentStyle {
    let style = IndentStyle::detect(text);
    let indented = text
        .lines()
        .any(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty());
    if lang == Language::Go && !indented {
        return IndentStyle {
            tabs: true,
            width: 4,
        };
    }
    style
}

/// Whether a line opens a block (its next line is indented one level more).
fn opens_block(line: &str) -> bool {
    let t = line.trim_end();
    t.ends_with(['{', '(', '[', ':'])
        || t.ends_with("=>")
        || t.ends_with(" do")
        || t.ends_with(" then")
}

/// Columns a new line after the line starting at `ls` would be indented by.
fn indent_after(text: &str, ls: usize, style: IndentStyle) -> usize {
    let line = &text[ls..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    style.columns(indentation(line)) + if opens_block(line) { style.width } else { 0 }
}

/// Indentation of an empty cursor line: after the previous non-blank line.
fn block_indent(text: &str, ls: usize, style: IndentStyle) -> usize {
    let mut end = ls;
    while end > 0 {
        let start = line_start(text, end - 1);
        if !text[start..end].trim().is_empty() {
            return indent_after(text, start, style);
        }
        end = start;
    }
    0
}

/// Indentation unit of the suggestion: smallest step between its distinct
/// space indentations (tabs count as one level).
fn unit(lines: &[&str], fallback: usize) -> usize {
    let mut widths: Vec<usize> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indentation(l).len())
        .collect();
    widths.sort_unstable();
    widths.dedup();
    widths
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0)
        .min()
        .unwrap_or(fallback)
}

/// Levels and leftover columns of a suggestion line's indentation.
fn levels(ind: &str, unit: usize) -> (i64, i64) {
    let tabs = ind.chars().filter(|&c| c == '\t').count() as i64;
    let spaces = ind.chars().filter(|&c| c == ' ').count() as i64;
    let unit = unit.max(1) as i64;
    (tabs + spaces / unit, spaces % unit)
}

/// `lines` (no trailing whitespace; the first may be empty to start with a
/// line break) re-indented for insertion at `cursor`.
pub(crate) fn reindent(text: &str, lang: Language, cursor: usize, lines: &[&str]) -> String {
    let style = file_style(text, lang);
    let ls = line_start(text, cursor);
    let before = &text[ls..cursor];
    let Some(anchor) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return String::new();
    };
    let anchor_cols = if anchor > 0 {
        indent_after(text, ls, style)
    } else if before.is_empty() {
        block_indent(text, ls, style)
    } else if before.trim().is_empty() {
        style.columns(before)
    } else {
        style.columns(indentation(before))
    };
    let unit = unit(lines, style.width);
    let (a_levels, a_rest) = levels(indentation(lines[anchor]), unit);
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        if i == 0 {
            let first = if anchor > 0 {
                String::new()
            } else if before.is_empty() {
                format!("{}{body}", style.render(anchor_cols))
            } else if before.ends_with(char::is_whitespace) {
                body.to_string()
            } else if indentation(line).len() <= 1 {
                line.to_string()
            } else {
                format!(" {body}")
            };
            out.push(first);
            continue;
        }
        if body.is_empty() {
            out.push(String::new());
            continue;
        }
        let (l, r) = levels(indentation(line), unit);
        let cols = anchor_cols as i64 + (l - a_levels) * style.width as i64 + (r - a_rest);
        out.push(format!("{}{body}", style.render(cols.max(0) as usize)));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_line_in_python_method() {
        let text = "class A:\n    def m(self):\n        x = 1\n        \n";
        let cursor = text.len() - 1;
        let s = reindent(text, Language::Python, cursor, &["if x:", "    return x"]);
        assert_eq!(s, "if x:\n            return x");
    }

    #[test]
    fn go_tabs_from_spaces() {
        let text = "func f() {\n\tx := 1\n\t\n}\n";
        let cursor = text.find("\t\n").unwrap() + 1;
        let s = reindent(text, Language::Go, cursor, &["if x > 0 {", "    x--", "}"]);
        assert_eq!(s, "if x > 0 {\n\t\tx--\n\t}");
    }

    #[test]
    fn column_zero_gets_block_indent() {
        let text = "fn f() {\n    let a = 1;\n\n}\n";
        let cursor = text.find("\n\n").unwrap() + 1;
        assert_eq!(
            reindent(text, Language::Rust, cursor, &["let b = a;"]),
            "    let b = a;"
        );
    }

    #[test]
    fn mid_line_and_leading_break() {
        let text = "fn f() {\n    let a = \n}\n";
        let cursor = text.find("= ").unwrap() + 2;
        assert_eq!(reindent(text, Language::Rust, cursor, &["  1;"]), "1;");
        let text = "fn f() {\n    if a {\n}\n";
        let cursor = text.find("a {").unwrap() + 3;
        assert_eq!(
            reindent(text, Language::Rust, cursor, &["", "    b();", "}"]),
            "\n        b();\n    }"
        );
    }
}
