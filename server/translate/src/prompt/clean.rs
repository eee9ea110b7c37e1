//! Output cleanup: cuts a small model's reply down to the translation.
//! Drops "Here is the translation:" preambles and `German:` labels, an
//! echo of the source before the translation, wrapping quotes and code
//! fences the source did not have, chat-template markers, and trailing
//! notes ("Note: …", "(Note: …)", a second paragraph the source did not
//! have). Never invents text; what is left is checked by the restore.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::parse_language;

/// "Here is the German translation:", "Translation (French):", "Sure! Here's the translation:" …
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:(?:sure|certainly|of course|okay|ok)[!.,]?\s*)?(?:here(?:'s| is| are)\s+)?",
        r"(?:the\s+|my\s+|your\s+)?(?:\p{L}+\s+){0,2}",
        r"(?:translation|translated text|translated version|übersetzung|traduction|traducción|tradução|traduzione|vertaling|перевод|翻译|翻譯|翻訳)",
        r"(?:\s+(?:in|into|to|from|of)\s+(?:the\s+)?\p{L}+){0,3}(?:\s*\([^)\n]*\))?\s*[:：]\s*",
    ))
    .expect("label regex")
});

/// `German:`, `Deutsch:`, `Output:` at the start of the reply.
static NAME_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\p{L}[\p{L} ]{1,30}?)\s*[:：]\s*").expect("name label regex"));

/// "(Note: …)" at the end of a line.
static TRAILING_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*\((?:note|translation|translated|translator|literally|lit\.)[^()\n]*\)\s*$")
        .expect("note regex")
});

/// Line starts that begin trailing chatter (lowercase).
const CHATTER: &[&str] = &[
    "note:",
    "notes:",
    "(note",
    "explanation",
    "translation note",
    "translator's note",
    "i translated",
    "i kept",
    "i have translated",
    "i've translated",
    "this translation",
    "the translation",
    "in this translation",
    "please note",
    "i hope",
    "hope this helps",
    "let me know",
    "---",
    "***",
];

/// The translation inside `raw`, the model's reply for `source` (the masked
/// text it was given). Trimmed; empty when nothing is left.
pub fn clean_output(raw: &str, source: &str) -> String {
    let s = margin_proofread::cut_at_special_tokens(raw, source);
    let src = source.trim();
    let mut s = s.trim();
    for _ in 0..4 {
        let before = s;
        s = strip_preamble(s, src).trim();
        s = drop_echo(s, src).trim();
        s = unwrap_fence(s, src).trim();
        s = unwrap_quotes(s, src).trim();
        s = cut_trailing(s, src).trim();
        if s == before {
            break;
        }
    }
    drop_repeats(s, src)
}

/// Small models repeat lines: with more lines than the source, a line
/// equal to an earlier one goes (unless the source repeats lines too).
fn drop_repeats(s: &str, src: &str) -> String {
    let count = |t: &str| t.lines().filter(|l| !l.trim().is_empty()).count();
    let src_lines: Vec<&str> = src
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let src_repeats = src_lines
        .iter()
        .enumerate()
        .any(|(i, l)| src_lines[..i].contains(l));
    if count(s) <= src_lines.len().max(1) || src_repeats {
        return s.to_string();
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<&str> = Vec::new();
    for line in s.lines() {
        let t = line.trim();
        if !t.is_empty() && seen.contains(&t) {
            continue;
        }
        seen.push(t);
        out.push(line);
    }
    out.join("\n").trim().to_string()
}

fn lower_starts(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn first_line(s: &str) -> (&str, &str) {
    match s.find('\n') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// Drop a preamble line or a label at the start, unless the source starts
/// the same way.
fn strip_preamble<'a>(s: &'a str, src: &str) -> &'a str {
    if let Some(m) = LABEL.find(s) {
        if !LABEL.is_match(src) {
            return &s[m.end()..];
        }
    }
    if let Some(c) = NAME_LABEL.captures(s) {
        let word = c[1].trim().to_lowercase();
        let known = word.chars().count() > 2 && parse_language(&word).is_some()
            || matches!(
                word.as_str(),
                "output" | "answer" | "result" | "assistant" | "text" | "original"
            );
        if known && !lower_starts(src, &c[0]) {
            return &s[c.get(0).expect("match").end()..];
        }
    }
    let (line, rest) = first_line(s);
    let l = line.trim().to_lowercase();
    let hint = [
        "translat",
        "here",
        "sure",
        "certainly",
        "übersetz",
        "traduc",
        "tradu",
        "перевод",
        "翻",
    ]
    .iter()
    .any(|h| l.contains(h));
    let ends_colon = l.ends_with(':') || l.ends_with('：');
    let interjection = matches!(
        l.trim_end_matches(['!', '.', ',']),
        "sure" | "certainly" | "of course" | "okay" | "ok" | "absolutely"
    );
    let src_first = first_line(src).0.trim_end();
    if !rest.trim().is_empty()
        && ((ends_colon && hint && !src_first.ends_with(':')) || interjection)
    {
        return rest;
    }
    s
}

/// A one-line source repeated as the first line before its translation.
fn drop_echo<'a>(s: &'a str, src: &str) -> &'a str {
    let (line, rest) = first_line(s);
    if !src.contains('\n') && !rest.trim().is_empty() && line.trim() == src {
        return rest;
    }
    s
}

fn unwrap_fence<'a>(s: &'a str, src: &str) -> &'a str {
    if !s.starts_with("```") || src.starts_with("```") {
        return s;
    }
    let (_, body) = first_line(s);
    match body.rfind("```") {
        Some(i) => &body[..i],
        None => body,
    }
}

fn unwrap_quotes<'a>(s: &'a str, src: &str) -> &'a str {
    const PAIRS: &[(&str, &str)] = &[
        ("\"", "\""),
        ("“", "”"),
        ("„", "“"),
        ("«", "»"),
        ("»", "«"),
        ("‘", "’"),
        ("'", "'"),
        ("「", "」"),
        ("『", "』"),
    ];
    for (open, close) in PAIRS {
        if s.len() > open.len() + close.len()
            && s.starts_with(open)
            && s.ends_with(close)
            && !src.starts_with(open)
        {
            let inner = &s[open.len()..s.len() - close.len()];
            let balanced = open != close || inner.matches(open).count() % 2 == 0;
            if balanced {
                return inner;
            }
        }
    }
    s
}

/// Cut trailing notes: a paragraph after a blank line once the source's
/// lines are all there, a line starting like chatter, a "(Note: …)".
fn cut_trailing<'a>(s: &'a str, src: &str) -> &'a str {
    let src_lines = src.lines().filter(|l| !l.trim().is_empty()).count().max(1);
    let src_lower = src.to_lowercase();
    let mut seen = 0;
    let mut offset = 0;
    let mut after_blank = false;
    for (i, line) in s.split('\n').enumerate() {
        let t = line.trim();
        let tl = t.to_lowercase();
        if t.is_empty() {
            if seen >= src_lines && !src.contains("\n\n") {
                return &s[..offset];
            }
            after_blank = true;
        } else {
            let chatter = CHATTER
                .iter()
                .any(|c| tl.starts_with(c) && !src_lower.contains(c));
            if i > 0
                && chatter
                && (after_blank || seen >= src_lines || tl.ends_with(':') || tl.starts_with("note"))
            {
                return &s[..offset];
            }
            seen += 1;
        }
        offset += line.len() + 1;
    }
    if !TRAILING_NOTE.is_match(src) {
        if let Some(m) = TRAILING_NOTE.find(s) {
            return &s[..m.start()];
        }
    }
    s
}

#[cfg(test)]
mod tests;
