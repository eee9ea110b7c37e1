//! Stripping comment markers and string quotes: turns one comment or string
//! literal node into trimmed per-line document ranges of its prose.

use std::ops::Range;

use crate::map::{trim, trimmed_lines};

/// The prose lines of one comment node.
#[derive(Debug)]
pub(crate) struct CommentShape {
    /// Marker kind, e.g. `//`, `///`, `//!`, `#`, `--`, `---`, `%`, `/*`.
    pub marker: String,
    /// A block comment (`/* */`, `--[[ ]]`): never joined with neighbours.
    pub block: bool,
    pub lines: Vec<Range<usize>>,
}

/// Comments that are tool directives rather than prose.
const PRAGMAS: &[&str] = &[
    "go:",
    "+build",
    "nolint",
    "eslint-",
    "eslint ",
    "@ts-",
    "prettier-ignore",
    "noqa",
    "type:",
    "pylint:",
    "shellcheck ",
    "-*-",
    "fmt:",
    "clang-format",
    "NOLINT",
    "rustfmt::",
    "jshint",
    "istanbul ignore",
    "c8 ignore",
    "cspell:",
    "vim:",
    "yamllint ",
    "luacheck:",
];

fn run_len(s: &str, c: char) -> usize {
    s.len() - s.trim_start_matches(c).len()
}

/// Strip the markers of the comment at `range`. `None` if the comment is not
/// prose (a `#!` line at the start of the file, a tool pragma, empty).
pub(crate) fn comment_shape(doc: &str, range: Range<usize>) -> Option<CommentShape> {
    let range = trim(doc, range);
    let s = &doc[range.clone()];
    let start = range.start;
    let (marker, block, lines) = if let Some(rest) = s.strip_prefix("/*") {
        let open = 2
            + run_len(rest, '*').min(rest.len().saturating_sub(2))
            + usize::from(rest.starts_with('!'));
        let mut close = s.len();
        if s.len() >= open + 2 && s.ends_with("*/") {
            close -= 2;
            while close > open && s.as_bytes()[close - 1] == b'*' {
                close -= 1;
            }
        }
        let mut lines = trimmed_lines(doc, start + open.min(close)..start + close);
        for l in lines.iter_mut().skip(1) {
            if doc[l.clone()].starts_with('*') && !doc[l.clone()].starts_with("*/") {
                *l = trim(doc, l.start + 1..l.end);
            }
        }
        ("/*".to_string(), true, lines)
    } else if s.starts_with("--[") && lua_long_bracket(&s[2..]).is_some() {
        let eq = lua_long_bracket(&s[2..]).unwrap_or(0);
        let open = 2 + eq + 2;
        let closer = format!("]{}]", "=".repeat(eq));
        let mut close = s.rfind(&closer).filter(|&c| c >= open).unwrap_or(s.len());
        if s[open..close].trim_end().ends_with("--") {
            close = open + s[open..close].trim_end().len() - 2;
        }
        (
            "--[[".to_string(),
            true,
            trimmed_lines(doc, start + open..start + close),
        )
    } else {
        let c = s.chars().next()?;
        let n = match c {
            '/' if s.starts_with("//") => {
                let n = run_len(s, '/');
                n + usize::from(n == 2 && s[2..].starts_with('!'))
            }
            '#' => {
                if start == 0 && s.starts_with("#!") {
                    return None;
                }
                run_len(s, '#')
            }
            '-' if s.starts_with("--") => run_len(s, '-'),
            '%' => run_len(s, '%'),
            ';' => run_len(s, ';'),
            _ => 0,
        };
        (
            s[..n].to_string(),
            false,
            vec![trim(doc, start + n..range.end)],
        )
    };
    // An empty comment (`//`) is kept: it is a blank line inside a run.
    if let Some(first) = lines.iter().find(|l| !l.is_empty()) {
        let head = &doc[first.clone()];
        if PRAGMAS.iter().any(|p| head.starts_with(p)) {
            return None;
        }
    }
    Some(CommentShape {
        marker,
        block,
        lines,
    })
}

/// For `[[`/`[==[` at the start of `s`: the number of `=`.
fn lua_long_bracket(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('[')?;
    let eq = run_len(rest, '=');
    rest[eq..].starts_with('[').then_some(eq)
}

/// The prose lines inside a string literal at `range`: prefixes (`r`, `b`,
/// `f`, `u8`, `L`, `R"x(`), quotes (`"`, `'`, `` ` ``, `"""`, `'''`), Rust raw
/// `#`s, Lua long brackets and YAML block-scalar headers are stripped.
pub(crate) fn string_lines(doc: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let s = &doc[range.clone()];
    let start = range.start;
    // YAML block scalar: the first line is the `|`/`>` header.
    if s.starts_with('|') || s.starts_with('>') {
        let body = s.find('\n').map_or(s.len(), |i| i + 1);
        return trimmed_lines(doc, start + body..range.end);
    }
    if let Some(eq) = lua_long_bracket(s) {
        let open = eq + 2;
        let close = s.len().saturating_sub(eq + 2).max(open);
        return trimmed_lines(doc, start + open..start + close);
    }
    let prefix = s.len()
        - s.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
            .len();
    let hashes = run_len(&s[prefix..], '#');
    let q = &s[prefix + hashes..];
    let Some(qc) = q.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else {
        // No quotes (e.g. a YAML plain scalar).
        return trimmed_lines(doc, range);
    };
    let qn = if q.len() >= 6 && q.starts_with(&qc.to_string().repeat(3)) {
        3
    } else {
        1
    };
    let mut open = prefix + hashes + qn;
    let mut close = s.len().saturating_sub(qn + hashes).max(open);
    // C++ raw string: R"delim( ... )delim"
    if s[..prefix].ends_with('R') && qc == '"' {
        if let Some(p) = s[open..close].find('(') {
            let delim = &s[open..open + p];
            let tail = format!("){delim}");
            if s[..close].ends_with(&tail) {
                close -= tail.len();
                open += p + 1;
            }
        }
    }
    trimmed_lines(doc, start + open..start + close.max(open))
}

/// Whether a comment's prose starts with a `margin:` directive.
pub(crate) fn is_marker_text(s: &str) -> bool {
    s.trim_start().starts_with("margin:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(doc: &str) -> Vec<&str> {
        let c = comment_shape(doc, 0..doc.len()).unwrap();
        c.lines.iter().map(|l| &doc[l.clone()]).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(lines("// hi"), ["hi"]);
        assert_eq!(lines("/// doc"), ["doc"]);
        assert_eq!(lines("//! inner\n"), ["inner"]);
        assert_eq!(lines("#  hash"), ["hash"]);
        assert_eq!(lines("-- lua"), ["lua"]);
        assert_eq!(lines("--- luadoc"), ["luadoc"]);
        assert_eq!(lines("% tex"), ["tex"]);
        assert_eq!(lines("/** a\n * b\n *\n * c */"), ["a", "b", "", "c"]);
        assert_eq!(
            lines("/*\n  plain\n  block\n*/"),
            ["", "plain", "block", ""]
        );
        assert_eq!(lines("/*! bang */"), ["bang"]);
        assert_eq!(lines("--[[ long\n comment ]]"), ["long", "comment"]);
        assert_eq!(lines("--[==[ x ]==]"), ["x"]);
        assert_eq!(lines("--[[ x\n--]]"), ["x", ""]);
        assert!(comment_shape("#!/bin/sh", 0..9).is_none());
        assert!(comment_shape("// eslint-disable-next-line", 0..27).is_none());
    }

    #[test]
    fn strings() {
        let f = |s: &str| -> Vec<String> {
            string_lines(s, 0..s.len())
                .iter()
                .map(|r| s[r.clone()].to_string())
                .collect()
        };
        assert_eq!(f("\"abc\""), ["abc"]);
        assert_eq!(f("r#\"raw\"#"), ["raw"]);
        assert_eq!(f("f'x {y}'"), ["x {y}"]);
        assert_eq!(
            f("\"\"\"Doc.\n\n    More.\n    \"\"\""),
            ["Doc.", "", "More.", ""]
        );
        assert_eq!(f("`tpl`"), ["tpl"]);
        assert_eq!(f("R\"x(raw)x\""), ["raw"]);
        assert_eq!(f("[[long]]"), ["long"]);
        assert_eq!(f("|\n  block\n  text\n"), ["block", "text", ""]);
        assert_eq!(f("\"\""), [""]);
    }
}
