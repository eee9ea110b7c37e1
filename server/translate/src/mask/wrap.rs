//! Rendering a changed block: originals put back, soft-wrapped blocks
//! re-wrapped to the source width with the source's continuation prefix
//! and line ending, never breaking inside a protected span nor before a
//! word that would start block structure; in Markdown a first word that
//! would start a list, heading or quote is backslash-escaped.

use super::build::Block;

/// Would this word, at the start of a line, turn the line into structure
/// (list item, heading, quote, setext underline, table row, fence)?
fn starts_structure(word: &str) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    matches!(word, "-" | "+" | "*")
        || (word.starts_with('#') && word.len() <= 6 && word.bytes().all(|b| b == b'#'))
        || word.starts_with(['>', '|'])
        || word.starts_with("```")
        || word.starts_with("~~~")
        || (!word.is_empty() && word.bytes().all(|b| b == b'=' || b == b'-'))
        || ((1..=9).contains(&digits) && matches!(&word[digits..], "." | ")"))
}

/// One block's text from its pieces (text, atomic): single-line blocks as
/// they are, multi-line blocks greedily wrapped to the source width; a
/// first word that would start block structure escaped where that matters.
pub(crate) fn render(b: &Block, pieces: &[(&str, bool)]) -> String {
    let text = wrap(b, pieces);
    let first = text.split(char::is_whitespace).next().unwrap_or("");
    if !b.escape || !starts_structure(first) {
        return text;
    }
    // `1.` → `1\.`, `-` → `\-`: the same text, never a list or heading.
    let digits = first.bytes().take_while(u8::is_ascii_digit).count();
    let at = if digits > 0 { digits } else { 0 };
    format!("{}\\{}", &text[..at], &text[at..])
}

fn wrap(b: &Block, pieces: &[(&str, bool)]) -> String {
    if !b.multi {
        return pieces
            .iter()
            .map(|(s, _)| *s)
            .collect::<String>()
            .trim()
            .to_string();
    }
    let mut words: Vec<String> = vec![String::new()];
    for (s, atomic) in pieces {
        if *atomic {
            words.last_mut().expect("non-empty").push_str(s);
            continue;
        }
        for (i, part) in s.split(char::is_whitespace).enumerate() {
            if i > 0 {
                words.push(String::new());
            }
            words.last_mut().expect("non-empty").push_str(part);
        }
    }
    words.retain(|w| !w.is_empty());
    let first = b.width.saturating_sub(b.first_col).max(20);
    let rest = b
        .width
        .saturating_sub(b.cont_prefix.chars().count())
        .max(20);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in words {
        let avail = if lines.is_empty() { first } else { rest };
        let fits = cur.chars().count() + 1 + w.chars().count() <= avail;
        if cur.is_empty() || fits || starts_structure(&w) {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(&w);
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = w;
        }
    }
    lines.push(cur);
    lines.join(&format!("{}{}", b.newline, b.cont_prefix))
}
