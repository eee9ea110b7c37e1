//! Checks a cleaned suggestion before it is shown: short, not a repeat of
//! the code around the cursor, and spliced in it adds no tree-sitter ERROR
//! or MISSING node around the edit (the document is often mid-typing, so
//! only new errors count). Accepted suggestions come back re-indented.

mod indent;
mod python;

use std::ops::Range;

use margin_syntax::Language;
use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

use crate::function::enclosing;
use crate::outline::Outline;
use crate::text::{clamp_cursor, line_end, line_start};

/// Limits for [`verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Longest accepted suggestion, in lines (default 6).
    pub max_lines: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { max_lines: 6 }
    }
}

/// An accepted suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Text to insert at the cursor: re-indented to the surrounding code,
    /// trailing whitespace trimmed. The first line continues the cursor line.
    pub insert_text: String,
    /// Lines of `insert_text`.
    pub lines: usize,
}

/// Why a suggestion was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Nothing but whitespace.
    #[error("the suggestion is empty")]
    Empty,
    /// More lines than [`VerifyOptions::max_lines`].
    #[error("the suggestion is too long ({lines} lines)")]
    TooLong {
        /// Lines of the suggestion.
        lines: usize,
    },
    /// Its first line is the rest of the cursor line or the next non-empty
    /// line, or all of it is already the text after the cursor.
    #[error("the suggestion repeats the code after the cursor")]
    DuplicatesFollowing,
    /// It repeats the start of the cursor line, the line above, or the
    /// text just before the cursor.
    #[error("the suggestion repeats the code before the cursor")]
    RepeatsPrefix,
    /// Spliced in, it adds ERROR/MISSING nodes (or, in Python, indentation
    /// errors) around the edit.
    #[error("the suggestion breaks the syntax ({errors_before} errors around the edit before, {errors_after} after)")]
    BreaksParse {
        /// Errors around the edit before splicing.
        errors_before: usize,
        /// Errors around the edit after splicing.
        errors_after: usize,
    },
}

/// Whitespace-free form for loose comparisons.
fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

fn is_closer(line: &str) -> bool {
    line.chars()
        .all(|c| matches!(c, '}' | ')' | ']' | ';' | ',' | ' '))
}

/// Checks `suggestion` for insertion at byte `cursor` of `text` (clamped
/// and moved back to a char boundary).
pub fn verify(
    text: &str,
    lang: Language,
    cursor: usize,
    suggestion: &str,
    opts: &VerifyOptions,
) -> Result<Verified, Rejection> {
    let cursor = clamp_cursor(text, cursor);
    let ls = line_start(text, cursor);
    let before = &text[ls..cursor];
    let mut lines: Vec<&str> = suggestion.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let lead = lines.iter().take_while(|l| l.is_empty()).count();
    if lead == lines.len() {
        return Err(Rejection::Empty);
    }
    // A leading line break is kept only after code on the cursor line.
    lines.drain(..lead.saturating_sub(usize::from(!before.trim().is_empty())));
    if lines.len() > opts.max_lines {
        return Err(Rejection::TooLong { lines: lines.len() });
    }
    let insert = indent::reindent(text, lang, cursor, &lines);
    let first = insert
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");

    let after = &text[cursor..];
    let rest_of_line = text[cursor..line_end(text, cursor)].trim();
    let next_line = after
        .lines()
        .skip(1)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let squashed = squash(&insert);
    if (!rest_of_line.is_empty() && first == rest_of_line)
        || first == next_line
        || squash(after).starts_with(&squashed)
    {
        return Err(Rejection::DuplicatesFollowing);
    }
    let prev_line = text[..ls]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let typed = before.trim();
    let echoes_typed = typed.len() >= 3 && insert.trim_start().starts_with(typed);
    let repeats_prev = first == prev_line && first.len() >= 6 && !is_closer(first);
    if echoes_typed || repeats_prev || squash(&text[..cursor]).ends_with(&squashed) {
        return Err(Rejection::RepeatsPrefix);
    }
    if let Some((errors_before, errors_after)) = parse_errors(text, lang, cursor, &insert) {
        if errors_after > errors_before {
            return Err(Rejection::BreaksParse {
                errors_before,
                errors_after,
            });
        }
    }
    let n = insert.lines().count().max(1);
    Ok(Verified {
        insert_text: insert,
        lines: n,
    })
}

/// Languages whose parse is checked (code, not prose).
fn checks_parse(lang: Language) -> bool {
    !matches!(
        lang,
        Language::Markdown | Language::GitCommit | Language::Latex | Language::PlainText
    )
}

fn point(text: &str, byte: usize) -> Point {
    let ls = line_start(text, byte);
    Point::new(text[..ls].matches('\n').count(), byte - ls)
}

/// ERROR/MISSING nodes around the edit before and after splicing `insert`
/// in at `cursor`; `None` when the parse is not checked.
fn parse_errors(text: &str, lang: Language, cursor: usize, insert: &str) -> Option<(usize, usize)> {
    if !checks_parse(lang) {
        return None;
    }
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()?).ok()?;
    let old = parser.parse(text, None)?;
    let new_text = format!("{}{insert}{}", &text[..cursor], &text[cursor..]);
    let len = insert.len();
    let mut edited = old.clone();
    edited.edit(&InputEdit {
        start_byte: cursor,
        old_end_byte: cursor,
        new_end_byte: cursor + len,
        start_position: point(text, cursor),
        old_end_position: point(text, cursor),
        new_end_position: point(&new_text, cursor + len),
    });
    let new = parser.parse(&new_text, Some(&edited))?;
    let r_old = region(&old, text, lang, cursor);
    let r_new = region(&new, &new_text, lang, cursor);
    // Compare the same stretch of code on both sides.
    let unmap = |p: usize| {
        if p >= cursor + len {
            p - len
        } else {
            p.min(cursor)
        }
    };
    let map = |p: usize| if p > cursor { p + len } else { p };
    let old_range = r_old.start.min(unmap(r_new.start))..r_old.end.max(unmap(r_new.end));
    let new_range =
        map(r_old.start).min(r_new.start)..(map(r_old.end).max(r_new.end)).max(cursor + len);
    let py = lang == Language::Python;
    let indent = if py {
        python::indent_errors(text, cursor, insert)
    } else {
        0
    };
    Some((
        count_errors(old.root_node(), &old_range, py),
        count_errors(new.root_node(), &new_range, py) + indent,
    ))
}

/// The function around `cursor`, else the top-level nodes touching it.
fn region(tree: &Tree, text: &str, lang: Language, cursor: usize) -> Range<usize> {
    // Definitions touching the cursor or the previous non-blank line (a
    // Python body may end there).
    let ls = line_start(text, cursor);
    let prev = text[..ls].trim_end().len();
    let near = line_start(text, prev)..(cursor + 1).min(text.len());
    let outline = Outline::extract_in(text, lang, tree, near);
    if let Some(def) = enclosing(&outline, text, lang, cursor) {
        return def.outer();
    }
    let root = tree.root_node();
    let mut walk = root.walk();
    let touching: Vec<Range<usize>> = root
        .children(&mut walk)
        .map(|c| c.byte_range())
        .filter(|r| r.start <= cursor && cursor <= r.end)
        .collect();
    match (touching.first(), touching.last()) {
        (Some(a), Some(b)) => a.start..b.end,
        _ => cursor..cursor,
    }
}

/// ERROR nodes (counted once, not their insides) and MISSING nodes touching
/// `range`; with `empty_blocks` (Python) also blocks without statements,
/// which tree-sitter accepts but Python does not (`if x:` + no indent).
fn count_errors(node: Node, range: &Range<usize>, empty_blocks: bool) -> usize {
    if node.end_byte() < range.start
        || node.start_byte() > range.end
        || !(empty_blocks || node.has_error())
    {
        return 0;
    }
    if node.is_error()
        || node.is_missing()
        || (empty_blocks && node.kind() == "block" && node.named_child_count() == 0)
    {
        return 1;
    }
    let mut walk = node.walk();
    node.children(&mut walk)
        .map(|c| count_errors(c, range, empty_blocks))
        .sum()
}
