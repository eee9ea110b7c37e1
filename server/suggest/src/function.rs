//! The function around a cursor: its name, signature, body and doc comment
//! ranges, and whether its body is still a placeholder. Used by the context
//! builder and by the "Implement this function" / "Write a doc comment"
//! code actions.

use std::ops::Range;

use margin_syntax::Language;
use tree_sitter::Tree;

use crate::outline::{tree_for, Def, Outline};
use crate::text::{clamp_cursor, indent_blocks, indentation, line_start, IndentStyle, Lines};

/// A function (or method) found by the context query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The function's name (for `Foo::bar` in C++: `bar`).
    pub name: String,
    /// Node kind, e.g. `function_item`, `method_definition`.
    pub kind: String,
    /// Everything: doc comment, attributes/decorators, signature and body.
    pub range: Range<usize>,
    /// Attributes/decorators/`export` through the end of the signature
    /// (before the body, trailing whitespace excluded).
    pub signature_range: Range<usize>,
    /// The body (`{ … }` or the Python block); `None` for prototypes.
    pub body_range: Option<Range<usize>>,
    /// The doc comment above the function, or the Python docstring.
    pub doc_range: Option<Range<usize>>,
    /// The body is empty or only a placeholder: `todo!()`,
    /// `unimplemented!()`, `pass`, `...`, comments such as `// TODO`,
    /// `throw new Error("not implemented")`, `panic("TODO")`,
    /// `raise NotImplementedError`.
    pub body_is_empty_or_todo: bool,
    /// Indentation of the signature's first line.
    pub indent: String,
    /// Indentation of the body's statements (the first statement's, or one
    /// level deeper than `indent` in the file's style).
    pub body_indent: String,
}

/// The innermost function containing `cursor` (its doc comment, signature
/// and the indentation before them count as inside). `tree` is a parse of `text`; `None` parses
/// here. `None` for languages without a context query or outside functions.
pub fn function_at(
    text: &str,
    lang: Language,
    tree: Option<&Tree>,
    cursor: usize,
) -> Option<FunctionInfo> {
    let cursor = clamp_cursor(text, cursor);
    crate::outline::queries(lang)?;
    let tree = tree_for(text, lang, tree)?;
    let outline = Outline::extract(text, lang, &tree);
    let def = enclosing(&outline, text, lang, cursor)?;
    Some(info(text, def))
}

/// The innermost function definition containing `cursor`.
pub(crate) fn enclosing<'o>(
    outline: &'o Outline,
    text: &str,
    lang: Language,
    cursor: usize,
) -> Option<&'o Def> {
    outline
        .defs
        .iter()
        .filter(|d| d.is_function && contains(d, text, lang, cursor))
        .max_by_key(|d| (d.start, std::cmp::Reverse(d.range.end)))
}

fn contains(def: &Def, text: &str, lang: Language, cursor: usize) -> bool {
    let outer = def.outer();
    if cursor < outer.start {
        // The indentation before its first line counts as inside.
        let ls = line_start(text, outer.start);
        return cursor >= ls && text[ls..outer.start].trim().is_empty();
    }
    if cursor < outer.end {
        return true;
    }
    let closed = text
        .get(..outer.end)
        .is_some_and(|t| t.trim_end().ends_with(['}', ';']));
    if cursor == outer.end {
        return !closed;
    }
    // Python: an indented blank line right after the body still belongs to it.
    let after = text.get(outer.end..cursor).unwrap_or("x");
    let line = &text[line_start(text, cursor)..cursor];
    let indent = indentation(&text[line_start(text, def.start)..]);
    indent_blocks(lang)
        && after.trim().is_empty()
        && line.trim().is_empty()
        && line.len() > indent.len()
}

/// Builds the public description of a definition.
pub(crate) fn info(text: &str, def: &Def) -> FunctionInfo {
    let line = &text[line_start(text, def.start)..];
    let indent = indentation(line).to_string();
    let outer = def.outer();
    let body_text = def
        .body
        .as_ref()
        .map(|b| without(text, b, def.doc.as_ref()));
    FunctionInfo {
        name: def.name.clone(),
        kind: def.kind.clone(),
        range: outer,
        signature_range: def.start..def.signature_end(text),
        body_range: def.body.clone(),
        doc_range: def.doc.clone(),
        body_is_empty_or_todo: body_text.as_deref().is_some_and(is_placeholder_body),
        body_indent: body_indent(text, def, &indent),
        indent,
    }
}

/// Text of `body` with the docstring (when inside it) removed.
fn without(text: &str, body: &Range<usize>, doc: Option<&Range<usize>>) -> String {
    let whole = text.get(body.clone()).unwrap_or("");
    match doc {
        Some(d) if body.start <= d.start && d.end <= body.end => {
            format!("{}{}", &text[body.start..d.start], &text[d.end..body.end])
        }
        _ => whole.to_string(),
    }
}

fn body_indent(text: &str, def: &Def, indent: &str) -> String {
    let lines = Lines::new(text);
    if let Some(b) = &def.body {
        let sig_line = lines.line_of(def.signature_end(text).saturating_sub(1));
        let last = lines.line_of(b.end.saturating_sub(1));
        for i in (sig_line + 1)..=last {
            let l = lines.text(i);
            let t = l.trim();
            if !(t.is_empty() || i == last && t.starts_with('}')) {
                return indentation(l).to_string();
            }
        }
    }
    format!("{indent}{}", IndentStyle::detect(text).unit())
}

/// Whether a function body (braces included or not) is empty or a placeholder.
pub(crate) fn is_placeholder_body(body: &str) -> bool {
    let mut inner = body.trim();
    if inner.starts_with('{') && inner.ends_with('}') {
        inner = &inner[1..inner.len() - 1];
    }
    inner.lines().all(|l| {
        let l = l.trim().trim_end_matches(';').trim();
        l.is_empty() || is_comment(l) || is_placeholder(l)
    })
}

fn is_comment(line: &str) -> bool {
    ["//", "#", "/*", "*", "--"]
        .iter()
        .any(|p| line.starts_with(p))
}

fn is_placeholder(line: &str) -> bool {
    if matches!(line, "pass" | "..." | "todo!()" | "unimplemented!()") {
        return true;
    }
    if line.starts_with("todo!(") || line.starts_with("unimplemented!(") {
        return true;
    }
    let lower = line.to_ascii_lowercase();
    let raises = ["throw ", "raise ", "panic(", "panic!("]
        .iter()
        .any(|p| lower.starts_with(p));
    raises
        && [
            "todo",
            "not implemented",
            "notimplemented",
            "unimplemented",
            "not yet implemented",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for body in [
            "{}",
            "{\n    todo!()\n}",
            "{ unimplemented!(\"later\"); }",
            "{\n    // TODO\n}",
            "pass",
            "...",
            "{\n  throw new Error(\"not implemented\");\n}",
            "{\n\tpanic(\"TODO\")\n}",
            "raise NotImplementedError()",
        ] {
            assert!(is_placeholder_body(body), "{body}");
        }
        for body in [
            "{ 1 }",
            "return x",
            "{\n    panic!(\"bad input\")\n}",
            "{ throw err; }",
        ] {
            assert!(!is_placeholder_body(body), "{body}");
        }
    }
}
