//! Python indentation errors in an inserted suggestion. tree-sitter-python
//! accepts an unexpected indent or a dedent to no enclosing level, which
//! Python rejects, so the verifier checks the inserted lines itself.

use crate::text::{indentation, line_start, IndentStyle};

/// Brackets opened minus closed on a line, outside strings and comments.
fn bracket_delta(line: &str) -> i64 {
    let mut d = 0;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in line.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '#' => break,
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => d += 1,
                ')' | ']' | '}' => d -= 1,
                _ => {}
            },
        }
        prev = c;
    }
    d
}

/// Unexpected indents, missing indents after `:` and dedents to no
/// enclosing level among the lines of `insert` spliced in at `cursor`.
pub(crate) fn indent_errors(text: &str, cursor: usize, insert: &str) -> usize {
    let style = IndentStyle::detect(text);
    let ls = line_start(text, cursor);
    let before = &text[ls..cursor];
    let first_cols = if before.trim().is_empty() {
        style.columns(before)
    } else {
        style.columns(indentation(before))
    };
    // Enclosing block levels, innermost last.
    let mut levels = vec![first_cols];
    for line in text[..ls]
        .lines()
        .rev()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    {
        let w = style.columns(indentation(line));
        if w < levels[0] {
            levels.insert(0, w);
        }
    }
    let mut errors = 0;
    let mut depth = 0i64;
    let mut prev: Option<(usize, bool)> = None;
    for (i, line) in insert.lines().enumerate() {
        let code = line.trim();
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        let w = if i == 0 {
            first_cols
        } else {
            style.columns(indentation(line))
        };
        let continued = depth > 0;
        depth = (depth + bracket_delta(line)).max(0);
        if continued {
            continue;
        }
        if let Some((prev_w, opens)) = prev {
            if opens {
                if w > prev_w {
                    levels.push(w);
                } else {
                    errors += 1;
                }
            } else if w > prev_w {
                errors += 1;
            } else if w < prev_w {
                while levels.last().is_some_and(|&l| l > w) {
                    levels.pop();
                }
                if levels.last() != Some(&w) {
                    errors += 1;
                    levels.push(w);
                }
            }
        }
        let opens = depth == 0
            && code
                .split('#')
                .next()
                .unwrap_or("")
                .trim_end()
                .ends_with(':');
        prev = Some((w, opens || code.ends_with('\\')));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_indentation() {
        let text = "def f(s):\n    x = 0\n    \n";
        let cursor = text.len() - 1;
        assert_eq!(
            indent_errors(text, cursor, "if s:\n        x += 1\n    return x"),
            0
        );
        assert_eq!(indent_errors(text, cursor, "if s:\n    x += 1"), 1);
        assert_eq!(indent_errors(text, cursor, "x += 1\n        y = 2"), 1);
        assert_eq!(
            indent_errors(text, cursor, "if s:\n            x += 1\n        y = 2"),
            1
        );
        assert_eq!(
            indent_errors(
                text,
                cursor,
                "y = f(1,\n          2)\nreturn y"
                    .replace("\nreturn", "\n    return")
                    .as_str()
            ),
            0
        );
    }
}
