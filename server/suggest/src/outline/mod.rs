//! The file outline the suggestion core works from: functions, types, scopes
//! and imports found by the embedded `queries/<lang>/context.scm`, plus
//! identifier counts inside a byte range.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use margin_syntax::Language;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Parser, Query, QueryCursor, Tree};

mod def;

pub(crate) use def::{Def, Scope};

/// The embedded `context.scm` of `lang`, if margin-suggest has one.
pub(crate) fn query_source(lang: Language) -> Option<&'static str> {
    Some(match lang {
        Language::Rust => include_str!("../../../../queries/rust/context.scm"),
        Language::Python => include_str!("../../../../queries/python/context.scm"),
        Language::JavaScript => include_str!("../../../../queries/javascript/context.scm"),
        // TSX's grammar extends TypeScript's; the same patterns serve both.
        Language::TypeScript | Language::Tsx => {
            include_str!("../../../../queries/typescript/context.scm")
        }
        Language::Go => include_str!("../../../../queries/go/context.scm"),
        Language::C => include_str!("../../../../queries/c/context.scm"),
        Language::Cpp => include_str!("../../../../queries/cpp/context.scm"),
        _ => return None,
    })
}

/// The compiled context query of a language, split in two: definitions and
/// imports (run over the whole file) and references (run over a range).
pub(crate) struct Queries {
    defs: Query,
    refs: Query,
}

fn compile(lang: Language) -> Option<Queries> {
    let src = query_source(lang)?;
    let grammar = lang.grammar()?;
    let mut defs = Query::new(&grammar, src).ok()?;
    let mut refs = Query::new(&grammar, src).ok()?;
    for i in 0..defs.pattern_count() {
        let pattern = &src[defs.start_byte_for_pattern(i)..defs.end_byte_for_pattern(i)];
        if pattern.contains("@reference") {
            defs.disable_pattern(i);
        } else {
            refs.disable_pattern(i);
        }
    }
    Some(Queries { defs, refs })
}

/// The compiled queries of `lang` (compiled once); `None` without a context query.
pub(crate) fn queries(lang: Language) -> Option<&'static Queries> {
    static CELLS: [OnceLock<Option<Queries>>; 8] = [const { OnceLock::new() }; 8];
    let i = match lang {
        Language::Rust => 0,
        Language::Python => 1,
        Language::JavaScript => 2,
        Language::TypeScript => 3,
        Language::Tsx => 4,
        Language::Go => 5,
        Language::C => 6,
        Language::Cpp => 7,
        _ => return None,
    };
    CELLS[i].get_or_init(|| compile(lang)).as_ref()
}

/// A fresh parse of `text`; `None` without a grammar.
pub(crate) fn parse(text: &str, lang: Language) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()?).ok()?;
    parser.parse(text, None)
}

/// `given` when it can be a parse of `text` (it ends where the text's
/// trailing whitespace starts, or at its end), else a fresh parse.
pub(crate) fn tree_for(text: &str, lang: Language, given: Option<&Tree>) -> Option<Tree> {
    match given {
        Some(t)
            if text
                .get(t.root_node().end_byte()..)
                .is_some_and(|rest| rest.trim().is_empty()) =>
        {
            Some(t.clone())
        }
        _ => parse(text, lang),
    }
}

/// Definitions, scopes and imports of one file, in document order.
#[derive(Debug, Default)]
pub(crate) struct Outline {
    pub defs: Vec<Def>,
    /// Containers (impl blocks, classes, namespaces).
    pub scopes: Vec<Scope>,
    /// Imports: (kind, range).
    pub imports: Vec<(String, Range<usize>)>,
}

impl Outline {
    /// Outline of `text` from its tree; empty without a context query.
    pub fn extract(text: &str, lang: Language, tree: &Tree) -> Outline {
        Outline::extract_in(text, lang, tree, 0..text.len())
    }

    /// Like [`extract`](Self::extract), only for definitions, scopes and
    /// imports that intersect `range`.
    pub fn extract_in(text: &str, lang: Language, tree: &Tree, range: Range<usize>) -> Outline {
        let mut out = Outline::default();
        let Some(q) = queries(lang) else { return out };
        let names = q.defs.capture_names();
        let mut cursor = QueryCursor::new();
        cursor.set_byte_range(range);
        let mut matches = cursor.matches(&q.defs, tree.root_node(), text.as_bytes());
        while let Some(m) = matches.next() {
            let (mut main, mut name, mut body) = (None, None, None);
            for c in m.captures() {
                match names[c.index as usize] {
                    "name" => name = Some(c.node),
                    "body" => body = Some(c.node),
                    role => main = Some((role, c.node)),
                }
            }
            let Some((role, node)) = main else { continue };
            match role {
                "import" => out
                    .imports
                    .push((node.kind().to_string(), node.byte_range())),
                "scope" => out.scopes.push(Scope {
                    kind: node.kind().to_string(),
                    range: node.byte_range(),
                    body: node.child_by_field_name("body").map(|b| b.start_byte()),
                }),
                "function" | "type" => {
                    let name = name.and_then(|n| text.get(n.byte_range())).unwrap_or("");
                    let name = name.rsplit("::").next().unwrap_or(name).trim().to_string();
                    out.defs.push(def::from_node(
                        text,
                        lang,
                        node,
                        name,
                        body,
                        role == "function",
                    ));
                }
                _ => {}
            }
        }
        out.defs.sort_by_key(|d| (d.range.start, d.range.end));
        out.defs.dedup_by(|a, b| a.range == b.range);
        out.scopes
            .sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
        out.scopes.dedup_by(|a, b| a.range == b.range);
        out.imports.sort_by_key(|i| i.1.start);
        out.imports.dedup_by(|a, b| a.1 == b.1);
        out
    }

    /// Indices of the scopes enclosing `range`, outermost first.
    pub fn scope_path(&self, range: &Range<usize>) -> Vec<usize> {
        (0..self.scopes.len())
            .filter(|&i| {
                let s = &self.scopes[i].range;
                s.start <= range.start && range.end <= s.end && *s != *range
            })
            .collect()
    }
}

/// How often each identifier occurs in `range` of the file.
pub(crate) fn references(
    text: &str,
    lang: Language,
    tree: &Tree,
    range: Range<usize>,
) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let Some(q) = queries(lang) else {
        return counts;
    };
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(range.clone());
    let mut captures = cursor.captures(&q.refs, tree.root_node(), text.as_bytes());
    while let Some((m, i)) = captures.next() {
        let node = m.captures()[*i].node;
        if node.start_byte() >= range.start && node.end_byte() <= range.end {
            if let Some(name) = text.get(node.byte_range()) {
                *counts.entry(name.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_query_compiles() {
        for &lang in Language::ALL {
            assert_eq!(
                queries(lang).is_some(),
                query_source(lang).is_some(),
                "{lang:?}"
            );
        }
    }

    #[test]
    fn rust_outline() {
        let text = "use std::fmt;\n\n/// Doc.\n#[inline]\npub fn a(x: Id) -> Id {\n    b(x)\n}\n\nimpl S {\n    fn b(&self) {}\n}\n";
        let tree = parse(text, Language::Rust).unwrap();
        let o = Outline::extract(text, Language::Rust, &tree);
        assert_eq!(o.imports.len(), 1);
        assert_eq!(o.scopes.len(), 1);
        let a = &o.defs[0];
        assert_eq!(a.name, "a");
        assert_eq!(&text[a.doc.clone().unwrap()].trim_end(), &"/// Doc.");
        assert_eq!(
            &text[a.start..a.signature_end(text)],
            "#[inline]\npub fn a(x: Id) -> Id"
        );
        assert_eq!(o.scope_path(&o.defs[1].range), vec![0]);
        let refs = references(text, Language::Rust, &tree, a.range.clone());
        assert_eq!(refs.get("b"), Some(&1));
        assert_eq!(refs.get("Id"), Some(&2));
    }
}
