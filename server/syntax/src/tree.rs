//! `SyntaxTree`: one document's parser plus its current tree, with
//! incremental re-parsing. Markdown has two grammars: the block tree is
//! re-parsed incrementally like any other; each inline node (`inline`,
//! `pipe_table_cell`) then gets a fresh inline tree. tree-sitter-md's own
//! `MarkdownParser` pairs old inline trees with new ones by position, so after
//! an edit that adds a paragraph it reuses the wrong tree, and even in place
//! its emphasis delimiters can differ from a fresh parse (found by margin's
//! incremental-edit property test). Inline content is short, so parsing it
//! fresh costs little and is always right.

use std::collections::HashMap;
use std::fmt::Write as _;

use tree_sitter::{InputEdit, Node, Parser, Range, Tree};

use crate::Language;

enum Inner {
    Generic {
        parser: Box<Parser>,
        tree: Option<Tree>,
    },
    Markdown {
        block: Box<Parser>,
        inline: Box<Parser>,
        tree: Option<Tree>,
        /// Inline trees keyed by the id of their block-tree node.
        inlines: HashMap<usize, Tree>,
    },
}

/// A parser plus its current tree for one document.
pub struct SyntaxTree {
    lang: Language,
    inner: Inner,
    /// `edit` was called since the last parse: reuse the old tree.
    edited: bool,
}

impl std::fmt::Debug for SyntaxTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntaxTree")
            .field("lang", &self.lang)
            .field("parsed", &self.tree().is_some())
            .finish()
    }
}

impl SyntaxTree {
    /// A parser for `lang`; `None` for `PlainText` (no grammar).
    pub fn new(lang: Language) -> Option<SyntaxTree> {
        let inner = match lang {
            Language::PlainText => return None,
            Language::Markdown => {
                let mut block = Parser::new();
                block.set_language(&tree_sitter_md::LANGUAGE.into()).ok()?;
                let mut inline = Parser::new();
                inline
                    .set_language(&tree_sitter_md::INLINE_LANGUAGE.into())
                    .ok()?;
                Inner::Markdown {
                    block: Box::new(block),
                    inline: Box::new(inline),
                    tree: None,
                    inlines: HashMap::new(),
                }
            }
            _ => {
                let mut parser = Parser::new();
                parser.set_language(&lang.grammar()?).ok()?;
                Inner::Generic {
                    parser: Box::new(parser),
                    tree: None,
                }
            }
        };
        Some(SyntaxTree {
            lang,
            inner,
            edited: false,
        })
    }

    pub fn language(&self) -> Language {
        self.lang
    }

    /// A copy of the current trees with parsers of its own, to read on another thread while
    /// this one goes on taking edits (tree copies share their nodes: cheap).
    pub fn snapshot(&self) -> Option<SyntaxTree> {
        let mut copy = SyntaxTree::new(self.lang)?;
        match (&mut copy.inner, &self.inner) {
            (Inner::Generic { tree, .. }, Inner::Generic { tree: source, .. }) => {
                *tree = source.clone()
            }
            (
                Inner::Markdown { tree, inlines, .. },
                Inner::Markdown {
                    tree: source,
                    inlines: source_inlines,
                    ..
                },
            ) => {
                *tree = source.clone();
                *inlines = source_inlines.clone();
            }
            _ => return None,
        }
        Some(copy)
    }

    /// Parse `text`. When [`edit`](Self::edit) was called since the last
    /// parse, the edited old tree is reused so parsing is incremental;
    /// otherwise the text is parsed from scratch.
    pub fn parse(&mut self, text: &str) {
        let reuse = self.edited;
        self.edited = false;
        match &mut self.inner {
            Inner::Generic { parser, tree } => {
                let old = if reuse { tree.as_ref() } else { None };
                let new = parser.parse(text, old);
                if new.is_none() {
                    parser.reset();
                }
                *tree = new;
            }
            Inner::Markdown {
                block,
                inline,
                tree,
                inlines,
            } => {
                let old = if reuse { tree.as_ref() } else { None };
                let new = block.parse(text, old);
                if new.is_none() {
                    block.reset();
                }
                *inlines = new
                    .as_ref()
                    .map(|t| parse_inlines(inline, t, text))
                    .unwrap_or_default();
                *tree = new;
            }
        }
    }

    /// Tell the tree about an edit (byte offsets and byte-column points)
    /// before the next parse. A no-op before the first parse.
    pub fn edit(&mut self, edit: &InputEdit) {
        match &mut self.inner {
            Inner::Generic { tree: Some(t), .. } => t.edit(edit),
            Inner::Markdown { tree: Some(t), .. } => t.edit(edit),
            _ => return,
        }
        self.edited = true;
    }

    /// The block-level tree (for Markdown the block tree); `None` before the
    /// first parse.
    pub fn tree(&self) -> Option<&Tree> {
        match &self.inner {
            Inner::Generic { tree, .. } => tree.as_ref(),
            Inner::Markdown { tree, .. } => tree.as_ref(),
        }
    }

    /// For Markdown: the inline tree of an `inline` or `pipe_table_cell` node
    /// of the block tree.
    pub fn inline_tree(&self, node: &Node) -> Option<&Tree> {
        match &self.inner {
            Inner::Markdown { inlines, .. } => inlines.get(&node.id()),
            Inner::Generic { .. } => None,
        }
    }

    /// Canonical dump of the whole tree: one line per node (named and
    /// anonymous), indented by depth, `kind [start..end]`; Markdown inline
    /// trees are dumped under their block node, marked `~`.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        if let Some(tree) = self.tree() {
            self.dump_node(tree.root_node(), 0, false, &mut out);
        }
        out
    }

    fn dump_node(&self, node: Node, depth: usize, inline: bool, out: &mut String) {
        let _ = writeln!(
            out,
            "{:indent$}{}{}{} [{}..{}]",
            "",
            if inline { "~" } else { "" },
            if node.is_missing() { "MISSING " } else { "" },
            node.kind(),
            node.start_byte(),
            node.end_byte(),
            indent = depth * 2
        );
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.dump_node(child, depth + 1, inline, out);
        }
        if !inline {
            if let Some(itree) = self.inline_tree(&node) {
                self.dump_node(itree.root_node(), depth + 1, true, out);
            }
        }
    }
}

/// Parse every inline node of a Markdown block tree with the inline grammar,
/// over the node's range minus its named children (e.g. block-quote markers
/// on continuation lines), as tree-sitter-md does.
fn parse_inlines(parser: &mut Parser, block_tree: &Tree, text: &str) -> HashMap<usize, Tree> {
    let mut inlines = HashMap::new();
    let mut stack = vec![block_tree.root_node()];
    while let Some(node) = stack.pop() {
        if matches!(node.kind(), "inline" | "pipe_table_cell") {
            let mut ranges = Vec::new();
            let mut range = node.range();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                let child_range = child.range();
                ranges.push(Range {
                    end_byte: child_range.start_byte,
                    end_point: child_range.start_point,
                    ..range
                });
                range.start_byte = child_range.end_byte;
                range.start_point = child_range.end_point;
            }
            ranges.push(range);
            if parser.set_included_ranges(&ranges).is_ok() {
                if let Some(tree) = parser.parse(text, None) {
                    inlines.insert(node.id(), tree);
                }
            }
            parser.reset();
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    inlines
}

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::Point;

    fn point_at(text: &str, byte: usize) -> Point {
        let before = &text[..byte];
        let row = before.matches('\n').count();
        let col = byte - before.rfind('\n').map_or(0, |i| i + 1);
        Point::new(row, col)
    }

    /// Replace `old` range of `text` with `new`, returning new text + edit.
    fn make_edit(text: &str, start: usize, old_end: usize, new: &str) -> (String, InputEdit) {
        let mut s = String::with_capacity(text.len() + new.len());
        s.push_str(&text[..start]);
        s.push_str(new);
        s.push_str(&text[old_end..]);
        let new_end = start + new.len();
        let edit = InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position: point_at(text, start),
            old_end_position: point_at(text, old_end),
            new_end_position: point_at(&s, new_end),
        };
        (s, edit)
    }

    fn sample(lang: Language) -> &'static str {
        match lang {
            Language::Markdown => "# Title\n\nSome *text* with `code` and [a link](http://x.y).\n\n| a | b |\n|---|---|\n| c | d |\n",
            Language::Rust => "/// Doc.\nfn main() { let x = \"s\"; } // c\n",
            Language::Python => "def f():\n    \"\"\"Doc.\"\"\"\n    return 1  # c\n",
            Language::JavaScript => "// c\nconst x = 'a';\n",
            Language::TypeScript => "/** d */\nlet x: number = 1;\n",
            Language::Tsx => "// c\nconst e = <div>hi</div>;\n",
            Language::Go => "// Package p.\npackage p\n",
            Language::C => "/* c */\nint main(void) { return 0; }\n",
            Language::Cpp => "// c\nint main() { return 0; }\n",
            Language::Lua => "-- c\nlocal x = 1\n",
            Language::Bash => "#!/bin/sh\n# c\necho hi\n",
            Language::Toml => "# c\n[a]\nb = \"c\"\n",
            Language::Yaml => "# c\na: b\n",
            Language::GitCommit => "Subject\n\nBody text.\n# Please enter\n",
            Language::Latex => "\\section{Intro}\nSome text $x$.\n% c\n",
            Language::PlainText => "text\n",
        }
    }

    #[test]
    fn parses_every_language() {
        for &lang in Language::ALL {
            let Some(mut t) = SyntaxTree::new(lang) else {
                assert_eq!(lang, Language::PlainText);
                continue;
            };
            assert!(t.tree().is_none());
            assert_eq!(t.language(), lang);
            t.parse(sample(lang));
            let tree = t.tree().expect("parsed");
            assert_eq!(tree.root_node().end_byte(), sample(lang).len(), "{lang:?}");
            assert!(!t.dump().is_empty());
        }
        assert!(SyntaxTree::new(Language::PlainText).is_none());
    }

    fn check_incremental(lang: Language, text: &str, edits: &[(usize, usize, &str)]) {
        let mut inc = SyntaxTree::new(lang).unwrap();
        inc.parse(text);
        let mut text = text.to_string();
        for &(start, end, new) in edits {
            let (next, edit) = make_edit(&text, start, end, new);
            inc.edit(&edit);
            inc.parse(&next);
            let mut fresh = SyntaxTree::new(lang).unwrap();
            fresh.parse(&next);
            assert_eq!(inc.dump(), fresh.dump(), "{lang:?} after edit -> {next:?}");
            text = next;
        }
    }

    #[test]
    fn incremental_rust() {
        let text = "// hello\nfn main() {\n    let x = 1;\n}\n";
        check_incremental(
            Language::Rust,
            text,
            &[(3, 8, "world"), (9, 9, "/// doc\n"), (25, 26, "(")],
        );
    }

    #[test]
    fn incremental_markdown_inline() {
        let text = "# Title\n\nA paragraph with *emphasis* here.\n\nSecond one.\n";
        // Turn plain words into a code span, then insert a new paragraph
        // before an existing one (inline tree indices shift), then a table.
        let p = text.find("here").unwrap();
        check_incremental(
            Language::Markdown,
            text,
            &[
                (p, p + 4, "`here`"),
                (9, 9, "New [link](http://a.b) para.\n\n"),
                (0, 0, "| a | *b* |\n|---|---|\n| c | d |\n\n"),
                (2, 3, "`x`"),
            ],
        );
    }

    #[test]
    fn incremental_cjk() {
        let text = "# 标题\n\n中文段落，含有*强调*。\n";
        let p = text.find("段落").unwrap();
        check_incremental(Language::Markdown, text, &[(p, p + 6, "😀`代码`")]);
        check_incremental(
            Language::Python,
            "# 注释\nx = '字'\n",
            &[(2, 8, "コメント")],
        );
    }

    #[test]
    fn dump_includes_inline_trees() {
        let mut t = SyntaxTree::new(Language::Markdown).unwrap();
        t.parse("Some `code` here.\n");
        let d = t.dump();
        assert!(d.contains("~code_span"), "{d}");
    }
}
