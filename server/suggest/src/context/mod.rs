//! The context builder: what a small model sees around the cursor, chosen
//! with tree-sitter and cut to a token budget.
//!
//! The result has three parts, meant to be laid out in this order:
//! `header` (imports, heads of the enclosing impl/class, signatures of the
//! functions and types the enclosing function refers to, rendered as an
//! outline of the file), `prefix` (the enclosing function from its doc
//! comment and signature down to the cursor) and `suffix` (the rest of the
//! line and the following lines of the function).
//!
//! Budget: the window may show the whole enclosing function, but at most
//! 120 lines before the cursor and 40 after (without a function: 40 before
//! and 20 after). The header gets what the full
//! window leaves (rounded, so it stays stable while the function grows by a
//! few tokens) and gives up referenced signatures first (least referenced,
//! then furthest), then imports (those naming nothing the function uses
//! first), then the heads of enclosing scopes. Then the window drops lines
//! from the top of the prefix and the bottom of the suffix (a suffix line
//! counts three times its distance to the cursor), never the signature.
//! When the signature and the cursor line alone exceed the budget, the
//! cursor line's text goes too; the signature always stays, so `tokens`
//! exceeds the budget only when it alone does.

mod header;
mod render;
mod window;

use std::fmt;
use std::ops::Range;

use margin_syntax::Language;
use tree_sitter::Tree;

use crate::function::{enclosing, info, FunctionInfo};
use crate::outline::{queries, references, tree_for, Outline};
use crate::text::clamp_cursor;
use header::Header;
use window::Window;

/// What the suggestion is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// Continue the code at the cursor (2–3 lines).
    Complete,
    /// Write the body of the function at the cursor.
    ImplementFunction,
    /// Write the doc comment of the function at the cursor.
    DocComment,
}

/// Input of [`build_context`].
#[derive(Clone, Copy)]
pub struct ContextRequest<'a> {
    /// The whole document.
    pub text: &'a str,
    /// The document's language.
    pub lang: Language,
    /// A parse of `text`; `None` parses here (only for languages with a
    /// context query). A tree longer than `text` is treated as stale.
    pub tree: Option<&'a Tree>,
    /// Byte offset; clamped to the text and moved back to a char boundary.
    pub cursor: usize,
    /// Tokens the whole context (header, prefix and suffix) may use.
    pub budget_tokens: usize,
    /// The model's token counter.
    pub count: &'a dyn Fn(&str) -> usize,
    /// What the context is for (changes which lines are kept).
    pub task: Task,
}

impl fmt::Debug for ContextRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextRequest")
            .field("lang", &self.lang)
            .field("len", &self.text.len())
            .field("cursor", &self.cursor)
            .field("budget_tokens", &self.budget_tokens)
            .field("task", &self.task)
            .finish_non_exhaustive()
    }
}

/// Why a part of the file is in the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// An import (or Go's package clause).
    Import,
    /// A function or type the enclosing function refers to (shown as its
    /// signature / outline).
    ReferencedSignature,
    /// An impl block, class or namespace around the enclosing function (its
    /// head is shown).
    EnclosingScope,
    /// The function around the cursor (and, for a nested function, the
    /// functions around it, outermost first; the outermost bounds the window).
    EnclosingFunction,
    /// The lines shown around the cursor.
    Window,
}

/// One chosen part of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// Why it was chosen.
    pub role: Role,
    /// tree-sitter node kind (`window` for the window).
    pub kind: String,
    /// Name of the definition; an import's text; `lines A-B` for the window.
    pub name: String,
    /// Bytes of the node in the document.
    pub range: Range<usize>,
    /// References from the enclosing function (imports: how many of the
    /// names it mentions are used); 0 otherwise.
    pub references: usize,
}

/// The context for one suggestion. `header + prefix` is the text before
/// the cursor, `suffix` the text after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// File-level context rendered as code in the file's language, ending
    /// with a line break (and a blank line where the file has one); empty
    /// when nothing is chosen. Depends only on the enclosing function, not
    /// on where the cursor is in it.
    pub header: String,
    /// Code before the cursor in the window: the enclosing function from its
    /// doc comment and signature, then the lines up to the cursor.
    pub prefix: String,
    /// Code after the cursor: the rest of the line and following lines.
    pub suffix: String,
    /// What was chosen and why, header items first (in keep order).
    pub chosen: Vec<Chosen>,
    /// `count(header) + count(prefix) + count(suffix)`.
    pub tokens: usize,
    /// The innermost function around the cursor (as [`function_at`](crate::function_at)).
    pub enclosing: Option<FunctionInfo>,
    /// The cursor actually used (clamped to the text, on a char boundary).
    pub cursor: usize,
    /// The document's language.
    pub lang: Language,
}

/// Window tokens are rounded up to a step (at most this, 1/32 of the
/// budget) for the header's share, so the header does not flicker while a
/// function grows by a few tokens.
const STEP: usize = 64;

/// Builds the context for `req` (see the module docs for the budget rules).
pub fn build_context(req: &ContextRequest) -> Context {
    let (text, lang, count, budget) = (req.text, req.lang, req.count, req.budget_tokens);
    let cursor = clamp_cursor(text, req.cursor);
    let tree = queries(lang).and_then(|_| tree_for(text, lang, req.tree));
    let outline = tree
        .as_ref()
        .map(|t| Outline::extract(text, lang, t))
        .unwrap_or_default();
    let def = enclosing(&outline, text, lang, cursor);
    // The functions around the innermost one: the outermost bounds the window.
    let chain: Vec<_> = def.map_or_else(Vec::new, |inner| {
        let o = inner.outer();
        outline
            .defs
            .iter()
            .filter(|d| d.is_function && d.outer().start <= o.start && o.end <= d.range.end)
            .collect()
    });
    let outer = chain.first().copied();
    let window = Window::new(text, lang, cursor, &chain, req.task, count);
    let refs_range = outer.map_or_else(|| window.max_span(), |d| d.outer());
    let refs = tree
        .as_ref()
        .map(|t| references(text, lang, t, refs_range))
        .unwrap_or_default();
    let header = Header::collect(
        text,
        lang,
        &outline,
        outer,
        &refs,
        window.max_span(),
        cursor,
    );

    let step = (budget / 32).clamp(1, STEP);
    let reserve = window.full_tokens().div_ceil(step).saturating_mul(step);
    let cap = budget.saturating_sub(reserve);
    let mut n = header.items.len();
    let (mut head, mut used) = header.render(n);
    while n > 0 && count(&head) > cap {
        n -= 1;
        (head, used) = header.render(n);
    }
    let sel = loop {
        let (sel, fits) = window.select(budget.saturating_sub(count(&head)), count);
        if fits || n == 0 {
            break sel;
        }
        n -= 1;
        (head, used) = header.render(n);
    };
    let win = window.render(&sel);

    let mut chosen: Vec<Chosen> = used
        .iter()
        .map(|&i| {
            let it = &header.items[i];
            Chosen {
                role: it.role,
                kind: it.kind.clone(),
                name: it.name.clone(),
                range: it.range.clone(),
                references: it.references,
            }
        })
        .collect();
    for d in &chain {
        chosen.push(Chosen {
            role: Role::EnclosingFunction,
            kind: d.kind.clone(),
            name: d.name.clone(),
            range: d.outer(),
            references: 0,
        });
    }
    chosen.push(Chosen {
        role: Role::Window,
        kind: "window".into(),
        name: format!("lines {}-{}", win.lines.0, win.lines.1),
        range: win.span,
        references: 0,
    });
    let tokens = count(&head) + count(&win.prefix) + count(&win.suffix);
    Context {
        header: head,
        prefix: win.prefix,
        suffix: win.suffix,
        chosen,
        tokens,
        enclosing: def.map(|d| info(text, d)),
        cursor,
        lang,
    }
}
