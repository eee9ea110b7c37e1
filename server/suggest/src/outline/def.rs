//! Definitions found by the context query: where a function's signature,
//! body and doc comment are, and the members of a type.

use std::ops::Range;

use margin_syntax::Language;
use tree_sitter::Node;

/// A function or type definition.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    pub is_function: bool,
    /// Node kind of the definition.
    pub kind: String,
    pub name: String,
    /// The captured node.
    pub range: Range<usize>,
    /// Start of the signature: the node, widened to wrappers (export,
    /// decorators, templates) and attributes just above it.
    pub start: usize,
    pub body: Option<Range<usize>>,
    /// Doc comment above (or, in Python, the docstring inside the body).
    pub doc: Option<Range<usize>>,
    /// Members of a type's body: (range, start of the member's own body).
    pub members: Vec<(Range<usize>, Option<usize>)>,
}

impl Def {
    /// Doc comment (when above) through the end of the definition.
    pub fn outer(&self) -> Range<usize> {
        let doc_start = self.doc.as_ref().map_or(self.start, |d| d.start);
        doc_start.min(self.start)..self.range.end
    }

    /// End of the signature: the last non-blank byte before the body.
    pub fn signature_end(&self, text: &str) -> usize {
        match &self.body {
            Some(b) => self
                .start
                .max(text.get(..b.start).map_or(b.start, |t| t.trim_end().len())),
            None => self.range.end,
        }
    }
}

/// A container whose head (and closing line) is shown around chosen items.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    pub kind: String,
    pub range: Range<usize>,
    /// Start of its body (`{`, or the first statement in Python).
    pub body: Option<usize>,
}

fn field<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    node.child_by_field_name(name)
}

/// The definition captured as `node` (`body`: an explicit @body capture).
pub(crate) fn from_node(
    text: &str,
    lang: Language,
    node: Node,
    name: String,
    body: Option<Node>,
    is_function: bool,
) -> Def {
    let body = body.or_else(|| field(node, "body"));
    let mut outer = node;
    while let Some(p) = outer.parent() {
        if !matches!(
            p.kind(),
            "export_statement" | "decorated_definition" | "template_declaration"
        ) {
            break;
        }
        outer = p;
    }
    let mut top = outer;
    while let Some(prev) = top.prev_sibling() {
        if !matches!(prev.kind(), "attribute_item" | "decorator") || !adjacent(text, prev, top) {
            break;
        }
        top = prev;
    }
    let mut doc: Option<Range<usize>> = None;
    let mut next = top;
    while let Some(prev) = next.prev_sibling() {
        let t = text.get(prev.byte_range()).unwrap_or("");
        if !prev.kind().contains("comment") || !adjacent(text, prev, next) || !is_doc(lang, t) {
            break;
        }
        doc = Some(prev.start_byte()..doc.map_or(prev.end_byte(), |d| d.end));
        next = prev;
    }
    if lang == Language::Python {
        doc = body
            .and_then(|b| b.named_child(0))
            .filter(|s| is_docstring(*s))
            .map(|s| s.byte_range());
    }
    let members = if is_function {
        Vec::new()
    } else {
        members(body)
    };
    Def {
        is_function,
        kind: node.kind().to_string(),
        name,
        range: node.byte_range(),
        start: top.start_byte(),
        body: body.map(|b| b.byte_range()),
        doc,
        members,
    }
}

fn is_docstring(stmt: Node) -> bool {
    stmt.kind() == "expression_statement"
        && stmt.named_child_count() == 1
        && stmt.named_child(0).is_some_and(|c| c.kind() == "string")
}

fn members(body: Option<Node>) -> Vec<(Range<usize>, Option<usize>)> {
    let Some(body) = body else { return Vec::new() };
    let mut walk = body.walk();
    body.named_children(&mut walk)
        .filter(|m| !m.kind().contains("comment") && !is_docstring(*m))
        .map(|m| {
            let inner = if m.kind() == "decorated_definition" {
                field(m, "definition").unwrap_or(m)
            } else {
                m
            };
            (m.byte_range(), field(inner, "body").map(|b| b.start_byte()))
        })
        .collect()
}

/// `a` ends on the line before `b` starts (or on the same line).
fn adjacent(text: &str, a: Node, b: Node) -> bool {
    text.get(a.end_byte()..b.start_byte())
        .is_some_and(|gap| gap.matches('\n').count() <= 1)
}

/// Whether a comment above a definition is its doc comment.
fn is_doc(lang: Language, comment: &str) -> bool {
    match lang {
        Language::Rust => {
            (comment.starts_with("///") && !comment.starts_with("////"))
                || comment.starts_with("/**")
        }
        Language::JavaScript | Language::TypeScript | Language::Tsx => comment.starts_with("/**"),
        _ => true,
    }
}
