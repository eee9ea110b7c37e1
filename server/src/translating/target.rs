//! What a translation covers and how it goes back into the document: the
//! selection, or the prose region under the cursor (a Markdown block, a
//! comment, a string literal); the text the translator sees; the replacement
//! (comment markers put back on every line, quotes escaped inside string
//! literals) and the "insert below" variant.

use std::ops::Range;

use margin_syntax::{Language, ProseRegion, RegionKind};

/// The shape of the translated text in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// Markdown blocks (structure masked by the translator).
    Markdown,
    /// A code comment: markers stripped for the model, put back on every line.
    Comment,
    /// The inside of a string literal.
    StringLiteral,
    /// Plain text (a selection in a plain-text file or in code).
    Plain,
}

/// A span of the document to translate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetKind,
    /// Document bytes a replacement covers.
    pub range: Range<usize>,
    /// The text given to the translator.
    pub source: String,
    /// Document text from the start of the first line up to `range.start` (indentation and
    /// comment marker of the first line).
    first_prefix: String,
    /// For comments: the text before the prose on each following line (indentation, marker).
    line_prefixes: Vec<String>,
    /// For string literals: the quote character.
    quote: Option<char>,
    /// Line comment marker of the language (for "insert below" under a string literal).
    line_comment: Option<&'static str>,
}

/// The target for a selection (non-empty) or the cursor (empty `selection`). `regions` are
/// the prose regions of `text` with string literals included.
pub fn target_at(
    text: &str,
    lang: Language,
    regions: &[ProseRegion],
    selection: Range<usize>,
) -> Option<Target> {
    let selection = snap(text, selection.start)..snap(text, selection.end.max(selection.start));
    let touching: Vec<&ProseRegion> = regions
        .iter()
        .filter(|r| r.doc_range.start <= selection.end && selection.start <= r.doc_range.end)
        .collect();
    if !selection.is_empty()
        && (matches!(lang, Language::Markdown | Language::PlainText) || touching.len() != 1)
    {
        let source = &text[selection.clone()];
        if source.trim().is_empty() {
            return None;
        }
        let kind = if lang == Language::Markdown {
            TargetKind::Markdown
        } else {
            TargetKind::Plain
        };
        return Some(plain(text, kind, selection, lang));
    }
    let region = touching.into_iter().next()?;
    Some(match region.kind {
        RegionKind::Comment | RegionKind::DocComment => comment(text, region, lang),
        RegionKind::StringLiteral => {
            let quote = text[..region.doc_range.start]
                .chars()
                .next_back()
                .filter(|c| matches!(c, '"' | '\'' | '`'));
            let mut t = plain(
                text,
                TargetKind::StringLiteral,
                region.doc_range.clone(),
                lang,
            );
            t.source = region.text.clone();
            t.quote = quote;
            t
        }
        _ if lang == Language::Markdown => {
            let start = line_start(text, region.doc_range.start);
            let end = line_end(text, region.doc_range.end);
            plain(text, TargetKind::Markdown, start..end, lang)
        }
        _ => {
            let mut t = plain(text, TargetKind::Plain, region.doc_range.clone(), lang);
            t.source = region.text.clone();
            t
        }
    })
}

fn plain(text: &str, kind: TargetKind, range: Range<usize>, lang: Language) -> Target {
    Target {
        kind,
        source: text[range.clone()].to_string(),
        first_prefix: text[line_start(text, range.start)..range.start].to_string(),
        range,
        line_prefixes: Vec::new(),
        quote: None,
        line_comment: line_comment(lang),
    }
}

fn comment(text: &str, region: &ProseRegion, lang: Language) -> Target {
    let mut line_prefixes = Vec::new();
    for (i, _) in region.text.match_indices('\n') {
        let next = region.doc_offset(i + 1);
        let start = line_start(text, next);
        line_prefixes.push(text[start..next].to_string());
    }
    let mut t = plain(text, TargetKind::Comment, region.doc_range.clone(), lang);
    t.source = region.text.clone();
    t.line_prefixes = line_prefixes;
    t
}

impl Target {
    /// Text that replaces `range` with `translated`.
    pub fn replacement(&self, translated: &str) -> String {
        match self.kind {
            TargetKind::Comment => {
                let mut out = String::new();
                for (i, line) in translated.lines().enumerate() {
                    if i > 0 {
                        out.push('\n');
                        let prefix = self.line_prefixes.get(i - 1).or(self.line_prefixes.last());
                        out.push_str(
                            prefix
                                .map_or_else(|| self.continuation_prefix(), |p| p.clone())
                                .as_str(),
                        );
                    }
                    out.push_str(line);
                }
                out
            }
            TargetKind::StringLiteral => match self.quote {
                Some(q) => escape_quote(translated, q),
                None => translated.to_string(),
            },
            TargetKind::Markdown | TargetKind::Plain => translated.to_string(),
        }
    }

    /// `(offset, text)` inserting the translation on new lines after the target's last line.
    pub fn insertion_below(&self, text: &str, translated: &str) -> (usize, String) {
        let at = line_end(text, self.range.end);
        let indent: String = self
            .first_prefix
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let body = match self.kind {
            TargetKind::Comment => format!("{}{}", self.first_prefix, self.replacement(translated)),
            TargetKind::StringLiteral => match self.line_comment {
                Some(marker) => translated
                    .lines()
                    .map(|l| format!("{indent}{marker} {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                None => translated
                    .lines()
                    .map(|l| format!("{indent}{l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
            TargetKind::Markdown => format!("\n{translated}"),
            TargetKind::Plain => translated
                .lines()
                .map(|l| format!("{indent}{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        (at, format!("\n{body}"))
    }

    /// Prefix for extra lines of a one-line comment: its own first-line prefix.
    fn continuation_prefix(&self) -> String {
        self.first_prefix.clone()
    }
}

fn escape_quote(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if c == quote && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        if c == '\n' {
            out.push_str("\\n");
            continue;
        }
        out.push(c);
    }
    out
}

fn line_comment(lang: Language) -> Option<&'static str> {
    match lang {
        Language::Rust
        | Language::JavaScript
        | Language::TypeScript
        | Language::Tsx
        | Language::Go
        | Language::C
        | Language::Cpp => Some("//"),
        Language::Python | Language::Bash | Language::Toml | Language::Yaml => Some("#"),
        Language::Lua => Some("--"),
        Language::Latex => Some("%"),
        _ => None,
    }
}

fn snap(text: &str, at: usize) -> usize {
    text.floor_char_boundary(at.min(text.len()))
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_syntax::{extract_regions, ExtractOptions, SyntaxTree};

    fn regions(text: &str, lang: Language) -> Vec<ProseRegion> {
        let mut tree = SyntaxTree::new(lang);
        if let Some(t) = tree.as_mut() {
            t.parse(text);
        }
        let options = ExtractOptions {
            include_strings: true,
            queries_dir: None,
        };
        extract_regions(text, tree.as_ref(), lang, &options)
            .unwrap()
            .regions
    }

    fn at(text: &str, lang: Language, needle: &str) -> Target {
        let i = text.find(needle).unwrap();
        target_at(text, lang, &regions(text, lang), i..i).unwrap()
    }

    #[test]
    fn a_two_line_comment_gets_its_markers_back_on_every_line() {
        let text = "fn main() {\n    // Dies ist ein Kommentar\n    // über zwei Zeilen.\n}\n";
        let t = at(text, Language::Rust, "Dies");
        assert_eq!(t.kind, TargetKind::Comment);
        assert_eq!(t.source, "Dies ist ein Kommentar\nüber zwei Zeilen.");
        assert_eq!(
            &text[t.range.clone()],
            "Dies ist ein Kommentar\n    // über zwei Zeilen."
        );
        assert_eq!(
            t.replacement("This is a comment\nover two lines."),
            "This is a comment\n    // over two lines."
        );
        assert_eq!(t.replacement("One line."), "One line.");
        assert_eq!(t.replacement("a\nb\nc"), "a\n    // b\n    // c");
        let (offset, below) = t.insertion_below(text, "This is a comment\nover two lines.");
        assert_eq!(
            &text[..offset],
            "fn main() {\n    // Dies ist ein Kommentar\n    // über zwei Zeilen."
        );
        assert_eq!(below, "\n    // This is a comment\n    // over two lines.");
    }

    #[test]
    fn a_string_literal_keeps_its_quotes_escaped() {
        let text = "let s = \"Hallo Welt, wie geht es dir?\";\n";
        let t = at(text, Language::Rust, "Welt");
        assert_eq!(t.kind, TargetKind::StringLiteral);
        assert_eq!(t.source, "Hallo Welt, wie geht es dir?");
        assert_eq!(t.replacement("Say \"hi\""), "Say \\\"hi\\\"");
        assert_eq!(t.insertion_below(text, "Hello world").1, "\n// Hello world");
    }

    #[test]
    fn a_markdown_list_item_is_taken_with_its_marker() {
        let text = "# Titel\n\n- Ein **wichtiger** Punkt.\n- Zweiter Punkt.\n";
        let t = at(text, Language::Markdown, "wichtiger");
        assert_eq!(t.kind, TargetKind::Markdown);
        assert_eq!(t.source, "- Ein **wichtiger** Punkt.");
        let (offset, below) = t.insertion_below(text, "- An **important** point.");
        assert_eq!(offset, text.find("\n- Zweiter").unwrap());
        assert_eq!(below, "\n\n- An **important** point.");
    }

    #[test]
    fn a_selection_is_taken_as_is_and_blank_selections_are_refused() {
        let text = "Erste Zeile.\n\nZweite Zeile mit `code`.\n";
        let r = regions(text, Language::Markdown);
        let t = target_at(text, Language::Markdown, &r, 0..text.len()).unwrap();
        assert_eq!(t.source, text);
        assert!(target_at(text, Language::Markdown, &r, 12..14).is_none());
        // Out of range and inside a character: clamped, no panic.
        let cjk = "你好世界";
        assert!(target_at(cjk, Language::PlainText, &[], 1..400).is_some());
    }

    #[test]
    fn the_cursor_in_code_outside_prose_has_no_target() {
        let text = "fn main() {\n    let x = 1;\n}\n";
        let i = text.find("let").unwrap();
        assert!(target_at(text, Language::Rust, &regions(text, Language::Rust), i..i).is_none());
    }
}
