//! The header: imports, heads of the scopes around the cursor's function and
//! signatures of the functions and types it refers to, kept in priority
//! order and rendered as an outline of the file in document order.

use std::collections::HashMap;
use std::ops::Range;

use margin_syntax::Language;

use super::render::{blank_between, closing, lines, scope_head, signature, type_outline};
use super::Role;
use crate::outline::{Def, Outline};

/// At most this many referenced definitions are considered.
const MAX_REFERENCED: usize = 16;

/// One header candidate.
pub(crate) struct Item {
    pub role: Role,
    pub kind: String,
    pub name: String,
    /// The node (for scopes: the whole container).
    pub range: Range<usize>,
    /// How often the window refers to it (imports: referenced names in it).
    pub references: usize,
    /// Scopes around it, outermost first (indices into the outline's scopes).
    pub scopes: Vec<usize>,
    /// For `EnclosingScope`: its own scope index.
    pub scope: Option<usize>,
    /// A referenced type (its outline shows its members).
    pub is_type: bool,
    /// Rendered lines (empty for scopes, which render structurally).
    pub block: String,
}

/// Header candidates in keep order: the first `n` are kept, so budget
/// cutting drops referenced signatures (worst first), then imports, then
/// the enclosing scopes' heads.
pub(crate) struct Header<'a> {
    text: &'a str,
    outline: &'a Outline,
    pub items: Vec<Item>,
    /// Scopes of the enclosing function, outermost first.
    open_path: Vec<usize>,
    /// Where the window starts (for the blank line before it).
    window_start: usize,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Bytes between two ranges (0 when they overlap).
fn distance(r: &Range<usize>, from: &Range<usize>) -> usize {
    if r.end <= from.start {
        from.start - r.end
    } else {
        r.start.saturating_sub(from.end)
    }
}

impl<'a> Header<'a> {
    /// Candidates for a window covering `window` (around `cursor`, in the
    /// function `enclosing`) whose code refers to the identifiers in `refs`.
    pub fn collect(
        text: &'a str,
        lang: Language,
        outline: &'a Outline,
        enclosing: Option<&Def>,
        refs: &HashMap<String, usize>,
        window: Range<usize>,
        cursor: usize,
    ) -> Header<'a> {
        let mut items = Vec::new();
        let open_path = enclosing
            .map(|d| outline.scope_path(&d.range))
            .unwrap_or_default();
        for (depth, &s) in open_path.iter().enumerate() {
            let scope = &outline.scopes[s];
            let head = scope_head(text, scope);
            let name = head
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches(['{', ':', ' '])
                .to_string();
            items.push(Item {
                role: Role::EnclosingScope,
                kind: scope.kind.clone(),
                name,
                range: scope.range.clone(),
                references: 0,
                scopes: open_path[..depth].to_vec(),
                scope: Some(s),
                is_type: false,
                block: String::new(),
            });
        }
        let functions: Vec<&Def> = outline.defs.iter().filter(|d| d.is_function).collect();
        let in_function = |r: &Range<usize>| {
            functions.iter().any(|f| {
                f.body
                    .as_ref()
                    .is_some_and(|b| b.start <= r.start && r.end <= b.end)
            })
        };
        let outside = |r: &Range<usize>| !overlaps(r, &window) && !in_function(r);

        let mut imports = Vec::new();
        let mut last_line = None;
        for (kind, r) in &outline.imports {
            if !outside(r) || last_line == Some(crate::text::line_start(text, r.start)) {
                continue;
            }
            let block = lines(text, r.start, r.end);
            last_line = Some(crate::text::line_start(text, r.start));
            let words = text[r.clone()].split(|c: char| !c.is_alphanumeric() && c != '_');
            let used = words
                .filter(|w| refs.get(*w).is_some_and(|&n| n > 0))
                .count();
            let name = text[r.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let name: String = name.chars().take(60).collect();
            let rank = (kind != "package_clause", used == 0, r.start);
            imports.push((
                rank,
                Item {
                    role: Role::Import,
                    kind: kind.clone(),
                    name,
                    range: r.clone(),
                    references: used,
                    scopes: outline.scope_path(r),
                    scope: None,
                    is_type: false,
                    block,
                },
            ));
        }
        imports.sort_by_key(|(rank, _)| *rank);
        items.extend(imports.into_iter().map(|(_, i)| i));

        // Distances count from the enclosing function, not the cursor, so the
        // ranking does not change while the cursor moves inside it.
        let anchor = enclosing.map_or(cursor..cursor, |e| e.outer());
        let mut referenced = Vec::new();
        for def in &outline.defs {
            let n = refs.get(&def.name).copied().unwrap_or(0);
            let outer = def.outer();
            if n == 0 || def.name.is_empty() || !outside(&outer) {
                continue;
            }
            if enclosing.is_some_and(|e| overlaps(&e.outer(), &outer)) {
                continue;
            }
            let block = if def.is_function {
                signature(text, def)
            } else {
                type_outline(text, lang, def)
            };
            let rank = (
                std::cmp::Reverse(n),
                distance(&def.range, &anchor),
                def.range.start,
            );
            referenced.push((
                rank,
                Item {
                    role: Role::ReferencedSignature,
                    kind: def.kind.clone(),
                    name: def.name.clone(),
                    range: def.range.clone(),
                    references: n,
                    scopes: outline.scope_path(&def.range),
                    scope: None,
                    is_type: !def.is_function,
                    block,
                },
            ));
        }
        referenced.sort_by_key(|(rank, _)| *rank);
        // One definition per name and scope (a C prototype and its definition).
        let mut seen = Vec::new();
        referenced.retain(|(_, i)| {
            let key = (i.name.clone(), i.scopes.clone(), i.is_type);
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        items.extend(referenced.into_iter().take(MAX_REFERENCED).map(|(_, i)| i));
        let window_start = enclosing.map_or(window.start, |d| d.outer().start);
        Header {
            text,
            outline,
            items,
            open_path,
            window_start,
        }
    }

    /// Renders the first `n` items; also returns the indices of the items
    /// that made it into the text (items inside a shown type are not repeated).
    pub fn render(&self, n: usize) -> (String, Vec<usize>) {
        let kept = &self.items[..n.min(self.items.len())];
        let kept_scope = |s: usize| kept.iter().any(|i| i.scope == Some(s));
        let open_len = self
            .open_path
            .iter()
            .take_while(|&&s| kept_scope(s))
            .count();
        let open = &self.open_path[..open_len];
        let types: Vec<&Range<usize>> = kept
            .iter()
            .filter(|i| i.is_type)
            .map(|i| &i.range)
            .collect();
        let used: Vec<usize> = (0..kept.len())
            .filter(|&i| {
                let it = &kept[i];
                it.role == Role::EnclosingScope && it.scopes.len() < open_len
                    || it.role != Role::EnclosingScope
                        && !it
                            .scopes
                            .iter()
                            .any(|&s| types.iter().any(|t| **t == self.outline.scopes[s].range))
            })
            .collect();
        let leaves: Vec<&Item> = used
            .iter()
            .map(|&i| &kept[i])
            .filter(|i| i.role != Role::EnclosingScope)
            .collect();
        let mut out = String::new();
        self.level(&[], &leaves, open, None, &mut out);
        (out, used)
    }

    /// Renders the entries inside the scope path `prefix`; `after` is where
    /// the scope's head ends (for the blank line before its first entry).
    fn level(
        &self,
        prefix: &[usize],
        leaves: &[&Item],
        open: &[usize],
        after: Option<usize>,
        out: &mut String,
    ) {
        enum Entry<'i> {
            Leaf(&'i Item),
            Scope(usize),
        }
        let depth = prefix.len();
        let mut entries: Vec<(Range<usize>, Entry)> = Vec::new();
        let open_here = if open.len() > depth && open[..depth] == *prefix {
            Some(open[depth])
        } else {
            None
        };
        for it in leaves.iter().filter(|i| i.scopes.starts_with(prefix)) {
            match it.scopes.get(depth) {
                None => entries.push((it.range.clone(), Entry::Leaf(it))),
                Some(&s)
                    if Some(s) != open_here
                        && !entries
                            .iter()
                            .any(|e| matches!(e.1, Entry::Scope(x) if x == s)) =>
                {
                    entries.push((self.outline.scopes[s].range.clone(), Entry::Scope(s)));
                }
                Some(_) => {}
            }
        }
        entries.sort_by_key(|e| e.0.start);
        if let Some(s) = open_here {
            entries.push((self.outline.scopes[s].range.clone(), Entry::Scope(s)));
        }
        let mut prev_end = after;
        for (range, entry) in &entries {
            if prev_end.is_some_and(|end| blank_between(self.text, end, range.start)) {
                out.push('\n');
            }
            match entry {
                Entry::Leaf(it) => out.push_str(&it.block),
                Entry::Scope(s) => {
                    let scope = &self.outline.scopes[*s];
                    out.push_str(&scope_head(self.text, scope));
                    let mut path = prefix.to_vec();
                    path.push(*s);
                    let braced = scope
                        .body
                        .filter(|&b| self.text.get(b..).is_some_and(|t| t.starts_with('{')));
                    self.level(&path, leaves, open, braced.map(|b| b + 1), out);
                    if open_here != Some(*s) {
                        out.push_str(&closing(self.text, &scope.range, scope.range.start));
                    }
                }
            }
            prev_end = Some(range.end);
        }
        let innermost_open = open.len() == depth && open == prefix;
        if innermost_open
            && !entries.is_empty()
            && prev_end.is_some_and(|end| blank_between(self.text, end, self.window_start))
        {
            out.push('\n');
        }
    }
}
