//! Renders outline entries as code for the header: whole lines copied from
//! the file (so indentation is kept), bodies elided as `{ ... }` (or `...`
//! in Python), long types shortened to their members' first lines.

use std::ops::Range;

use margin_syntax::Language;

use crate::outline::{Def, Scope};
use crate::text::{indentation, line_comment, line_end, line_start};

/// Types up to this many lines are shown whole.
const TYPE_FULL_LINES: usize = 12;
/// At most this many member lines of a longer type.
const MEMBER_LINES: usize = 16;

/// End of the last non-blank byte of `text[..end]`, kept at or after `floor`.
fn trimmed_end(text: &str, floor: usize, end: usize) -> usize {
    text.get(..end)
        .map_or(end, |t| t.trim_end().len())
        .max(floor)
}

/// Whole lines from the line of `start` to the line of `end`, plus `\n`.
pub(crate) fn lines(text: &str, start: usize, end: usize) -> String {
    let from = line_start(text, start);
    let to = line_end(text, trimmed_end(text, start, end));
    format!("{}\n", &text[from..to])
}

/// Where a head ends: after the line of an opening `{` (or right after the
/// `{` when more follows on its line), or after the line before an
/// indented body.
fn head_end(text: &str, body: usize) -> usize {
    if text.get(body..).is_some_and(|t| t.starts_with('{')) {
        let end = line_end(text, body);
        if text[body + 1..end].trim().is_empty() {
            end
        } else {
            body + 1
        }
    } else {
        line_end(text, trimmed_end(text, 0, body))
    }
}

fn elision(text: &str, body: &Range<usize>) -> &'static str {
    if text.get(body.start..).is_some_and(|t| t.starts_with('{')) {
        " { ... }"
    } else {
        " ..."
    }
}

/// A signature: its lines up to the body, with the body elided. One-line
/// definitions and prototypes are shown whole.
pub(crate) fn signature(text: &str, def: &Def) -> String {
    let one_line = !text
        .get(def.start..def.range.end)
        .unwrap_or("")
        .trim_end()
        .contains('\n');
    match &def.body {
        Some(body) if !one_line => member_signature(text, def.start, body),
        _ => lines(text, def.start, def.range.end),
    }
}

fn member_signature(text: &str, start: usize, body: &Range<usize>) -> String {
    let from = line_start(text, start);
    let to = trimmed_end(text, start, body.start);
    format!("{}{}\n", &text[from..to], elision(text, body))
}

/// A type: whole when short, else its head, members (methods as
/// signatures, other members' first lines) and closing line.
pub(crate) fn type_outline(text: &str, lang: Language, def: &Def) -> String {
    let full = lines(text, def.start, def.range.end);
    if full.lines().count() <= TYPE_FULL_LINES {
        return full;
    }
    let marker = |at: usize| {
        let ind = indentation(&text[line_start(text, at)..]);
        format!("{ind}{}\n", elide_comment(lang))
    };
    let (Some(body), false) = (&def.body, def.members.is_empty()) else {
        let mut out: String = full
            .lines()
            .take(TYPE_FULL_LINES)
            .map(|l| format!("{l}\n"))
            .collect();
        out.push_str(&marker(def.start));
        return out;
    };
    let mut out = text[line_start(text, def.start)..head_end(text, body.start)].to_string();
    out.push('\n');
    let mut count = 0;
    for (m, m_body) in &def.members {
        if count >= MEMBER_LINES {
            out.push_str(&marker(m.start));
            break;
        }
        let block = match m_body {
            Some(b) => member_signature(text, m.start, &(*b..m.end)),
            None => {
                let l = lines(text, m.start, m.end);
                if l.lines().count() <= 2 {
                    l
                } else {
                    format!("{}{}\n", l.lines().next().unwrap_or(""), " ...")
                }
            }
        };
        count += block.lines().count();
        out.push_str(&block);
    }
    out.push_str(&closing(text, &def.range, def.start));
    out
}

/// `// ...` (or `# ...`) in the language's comment syntax.
pub(crate) fn elide_comment(lang: Language) -> String {
    match line_comment(lang) {
        "" => "...".to_string(),
        c => format!("{c} ..."),
    }
}

/// The head of a scope (`impl Foo {`, `class Foo:`), with `\n`.
pub(crate) fn scope_head(text: &str, scope: &Scope) -> String {
    let from = line_start(text, scope.range.start);
    let to = match scope.body {
        Some(b) if b >= scope.range.start => head_end(text, b),
        _ => line_end(text, scope.range.start),
    };
    format!("{}\n", &text[from..to])
}

/// The closing line of a braced container (`}` or `};`), else empty.
pub(crate) fn closing(text: &str, range: &Range<usize>, head: usize) -> String {
    let body = text.get(range.clone()).unwrap_or("").trim_end();
    if !body.ends_with('}') && !body.ends_with("};") {
        return String::new();
    }
    let end = trimmed_end(text, range.start, range.end);
    let last = &text[line_start(text, end)..line_end(text, end)];
    if last.trim_start().starts_with('}') {
        format!("{}\n", last.trim_end())
    } else {
        format!("{}}}\n", indentation(&text[line_start(text, head)..]))
    }
}

/// Whether the original text shows a blank line between two spans (or they
/// are out of order).
pub(crate) fn blank_between(text: &str, end: usize, start: usize) -> bool {
    let end = text.get(..end).map_or(end, |t| t.trim_end().len());
    match text.get(end..start) {
        Some(gap) => gap.matches('\n').count() >= 2,
        None => true,
    }
}
