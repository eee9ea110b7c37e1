//! Text-level protection added to every region: bare URLs and backtick code
//! (`` `like_this` `` in comments, commit messages, plain text), then
//! normalisation of the protected list (sorted, overlaps merged).

use std::ops::Range;

use crate::RegionKind;

const SCHEMES: &[&str] = &[
    "https://", "http://", "ftp://", "file://", "mailto:", "www.",
];

fn urls(text: &str, out: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_word_start = i == 0 || !text[..i].ends_with(|c: char| c.is_alphanumeric());
        if at_word_start && SCHEMES.iter().any(|s| rest.starts_with(s)) {
            let len = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
                .unwrap_or(rest.len());
            let url = rest[..len]
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '*', '_']);
            // Keep a closing paren that balances one inside the URL.
            let mut end = url.len();
            if rest[end..len].starts_with(')')
                && url.matches('(').count() > url.matches(')').count()
            {
                end += 1;
            }
            out.push(i..i + end);
            i += len.max(1);
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
}

fn backticks(text: &str, out: &mut Vec<Range<usize>>) {
    for (line_start, line) in text.split('\n').scan(0, |off, l| {
        let s = *off;
        *off += l.len() + 1;
        Some((s, l))
    }) {
        let mut from = 0;
        while let Some(a) = line[from..].find('`') {
            let a = from + a;
            let ticks = line[a..].len() - line[a..].trim_start_matches('`').len();
            let fence = &line[a..a + ticks];
            match line[a + ticks..].find(fence) {
                Some(b) => {
                    let end = a + ticks + b + ticks;
                    out.push(line_start + a..line_start + end);
                    from = end;
                }
                None => break,
            }
        }
    }
}

/// Add URL and backtick spans of `text` to `protected`, then normalise it.
pub(crate) fn scan(text: &str, kind: RegionKind, protected: &mut Vec<Range<usize>>) {
    urls(text, protected);
    if kind != RegionKind::StringLiteral {
        backticks(text, protected);
    }
    normalize(protected);
}

/// Sort, merge overlapping non-empty ranges, drop zero-width points that
/// fall inside a non-empty range.
pub(crate) fn normalize(p: &mut Vec<Range<usize>>) {
    p.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(p.len());
    for r in p.drain(..) {
        if let Some(last) = out.last_mut() {
            if !r.is_empty() && last.start != last.end && r.start <= last.end {
                last.end = last.end.max(r.end);
                continue;
            }
            if r.is_empty() && last.start != last.end && r.start > last.start && r.start < last.end
            {
                continue;
            }
            if *last == r {
                continue;
            }
        }
        out.push(r);
    }
    *p = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        let mut p = Vec::new();
        scan(text, RegionKind::Comment, &mut p);
        p.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn finds_urls_and_code() {
        assert_eq!(
            spans("See https://example.com/a_(b). Done"),
            ["https://example.com/a_(b)"]
        );
        assert_eq!(
            spans("(see http://x.y/z), and `a_b` or ``c`d``"),
            ["http://x.y/z", "`a_b`", "``c`d``"]
        );
        assert_eq!(spans("no url: xhttp://nope"), Vec::<&str>::new());
        assert_eq!(spans("www.example.org."), ["www.example.org"]);
    }
}
