//! The placeholder scanner: finds spans in plain text that a translation
//! must keep verbatim (format placeholders of every common syntax, URLs,
//! e-mail addresses, HTML tags and entities, backtick code, margin's own
//! `<1>` / `</1>` / `<2/>` tokens). Shared by masking, chunking, output
//! checks and language detection, so all of them agree on what a
//! placeholder is.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What a protected span is (for messages and for the choice of token).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// A format placeholder: `{name}`, `{0}`, `{{var}}`, `${x}`, `%s`,
    /// `%1$d`, `%(name)s`, `%1`, `$HOME`, `:name`, `:emoji:`.
    Placeholder,
    /// A URL or e-mail address (bare or as a Markdown autolink).
    Url,
    /// Inline code (`` `code` ``) or math (`$x$`).
    Code,
    /// An HTML tag, comment or character entity (`&amp;`, `&#8212;`).
    Html,
    /// A Markdown escape (`\*`).
    Escape,
    /// Markdown markup replaced by a token: emphasis delimiters, link
    /// brackets with their destination, images without text.
    Markup,
    /// One of margin's own tokens (`<1>`, `</1>`, `<2/>`) found in text.
    Token,
}

/// Which optional families the scanner looks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanOpts {
    /// HTML tags, comments and entities.
    pub html: bool,
    /// Backtick code spans.
    pub code: bool,
}

impl ScanOpts {
    pub(crate) const ALL: ScanOpts = ScanOpts {
        html: true,
        code: true,
    };
}

/// A span found by [`scan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub range: Range<usize>,
    pub kind: SpanKind,
}

/// Pattern families in priority order: at one position the first family
/// that matches and passes [`accept`] wins (so a URL containing `{id}`
/// stays one URL, and a rejected `%1$dx` still lets `%1` match).
static PATTERNS: LazyLock<Vec<(Regex, Family)>> =
    LazyLock::new(|| {
        use Family::*;
        [
        (r"(?:https?|ftp|file)://[^\s<>`]+|www\.[A-Za-z0-9-]+\.[^\s<>`]+", Url),
        (r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", Url),
        (r"\{\{[^{}\n]*\}\}|\{%[^\n]*?%\}|\$\{[^{}\n]*\}|\{[^{}\n]{0,80}\}", Placeholder),
        (
            concat!(
                r"%(?:\([A-Za-z_][A-Za-z0-9_.]*\))?(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?",
                r"(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn@]|%%"
            ),
            Placeholder,
        ),
        (r"%\d{1,2}", Placeholder),
        (r"\$[A-Za-z_][A-Za-z0-9_]*", Placeholder),
        (r":[a-z0-9_+-]+:", Placeholder),
        (r":[A-Za-z_][A-Za-z0-9_]*", Placeholder),
        (r"``[^\n]+?``|`[^`\n]+`", Code),
        (r"</?\d{1,4}/?>", Token),
        (
            concat!(
                r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s+[^<>\n]*)?/?>",
                r"|&[A-Za-z][A-Za-z0-9]{1,31};|&#[0-9]{1,7};|&#[xX][0-9A-Fa-f]{1,6};"
            ),
            Html,
        ),
    ]
    .into_iter()
    .map(|(p, f)| (Regex::new(p).expect("scanner pattern"), f))
    .collect()
    });

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Url,
    Placeholder,
    Code,
    Token,
    Html,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// All protected spans in `text`, in order, non-overlapping.
pub(crate) fn scan(text: &str, opts: ScanOpts) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 0;
    // Next match per family, recomputed only once `pos` passes its start
    // (keeps a long text linear).
    let mut next: Vec<Option<Range<usize>>> = PATTERNS
        .iter()
        .map(|(re, _)| re.find(text).map(|m| m.range()))
        .collect();
    while pos < text.len() {
        for ((re, _), n) in PATTERNS.iter().zip(next.iter_mut()) {
            if n.as_ref().is_some_and(|r| r.start < pos) {
                *n = re.find_at(text, pos).map(|m| m.range());
            }
        }
        let cands: Vec<(Range<usize>, Family)> = PATTERNS
            .iter()
            .zip(&next)
            .filter_map(|((_, f), n)| n.clone().map(|r| (r, *f)))
            .collect();
        let Some(start) = cands.iter().map(|(r, _)| r.start).min() else {
            break;
        };
        let found = cands
            .into_iter()
            .filter(|(r, _)| r.start == start)
            .find_map(|(mut r, f)| {
                let kind = match f {
                    Family::Url => SpanKind::Url,
                    Family::Placeholder => SpanKind::Placeholder,
                    Family::Token => SpanKind::Token,
                    Family::Code if opts.code => SpanKind::Code,
                    Family::Html if opts.html => SpanKind::Html,
                    Family::Code | Family::Html => return None,
                };
                if f == Family::Url {
                    r.end = r.start + trim_url(&text[r.clone()]).len();
                }
                (r.end > r.start && accept(text, r.clone(), kind))
                    .then_some(Found { range: r, kind })
            });
        match found {
            Some(f) => {
                pos = f.range.end;
                out.push(f);
            }
            // Not a span here: retry one character further.
            None => pos = start + text[start..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

/// Context checks the regex cannot express: word boundaries, and the
/// prose look-alikes of `:name`, `%d`, `$x`.
fn accept(text: &str, r: Range<usize>, kind: SpanKind) -> bool {
    let s = &text[r.clone()];
    let prev = text[..r.start].chars().next_back();
    let next = text[r.end..].chars().next();
    let first = s.chars().next().unwrap_or(' ');
    let last = s.chars().next_back().unwrap_or(' ');
    if is_word(first) && prev.is_some_and(is_word) || is_word(last) && next.is_some_and(is_word) {
        return false;
    }
    if kind != SpanKind::Placeholder {
        return true;
    }
    match first {
        // `:name` only after a space, an opening bracket or a slash
        // (routes); never in `10:30` or `Note:that`.
        ':' => prev.is_none_or(|c| c.is_whitespace() || "([{\"'/,".contains(c)),
        // `$x` not inside a word or after another `$`.
        '$' => prev.is_none_or(|c| !is_word(c) && c != '$'),
        // `%ige` (German "100%ige") or `%off` is prose, `%d` followed by a
        // letter is not a placeholder.
        '%' => {
            let simple = !s.contains(['(', '$']) && s != "%%";
            !(simple && next.is_some_and(char::is_alphanumeric))
        }
        _ => true,
    }
}

/// A bare URL without trailing sentence punctuation and without a closing
/// bracket it did not open.
fn trim_url(url: &str) -> &str {
    let mut s = url;
    loop {
        let Some(c) = s.chars().next_back() else {
            return s;
        };
        let unbalanced = |open: char, close: char| {
            c == close && s.matches(open).count() < s.matches(close).count()
        };
        if ".,;:!?'\"*_".contains(c)
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}')
        {
            s = &s[..s.len() - c.len_utf8()];
        } else {
            return s;
        }
    }
}

/// `text` with every scanned span replaced by spaces of the same byte
/// length (keeps offsets), for letter counts and language detection.
pub(crate) fn blank_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in scan(text, ScanOpts::ALL) {
        out.push_str(&text[last..f.range.start]);
        out.extend(std::iter::repeat_n(' ', f.range.len()));
        last = f.range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        scan(text, ScanOpts::ALL)
            .into_iter()
            .map(|f| &text[f.range])
            .collect()
    }

    #[test]
    fn finds_every_placeholder_syntax() {
        assert_eq!(
            spans("Hello {name}, you have {0} new {{count}} items in ${dir} and %s or %1$d."),
            ["{name}", "{0}", "{{count}}", "${dir}", "%s", "%1$d"]
        );
        assert_eq!(
            spans("Route /users/:id says :wave: to %(user)s at 50%% and %1 with $HOME {}"),
            [":id", ":wave:", "%(user)s", "%%", "%1", "$HOME", "{}"]
        );
    }

    #[test]
    fn prose_look_alikes_are_not_placeholders() {
        assert!(
            spans("Meet at 10:30:45, Note:that is 100%ige Sicherheit, 50% off, US$5.").is_empty()
        );
        assert!(spans("Remarque : le fichier est prêt.").is_empty());
    }

    #[test]
    fn urls_html_code_and_tokens() {
        assert_eq!(
            spans("See https://example.com/a_(b)/{id}. Mail me@example.org, use `cargo run` or <b>bold</b> &amp; &#8212; <1>x</1> <2/>"),
            [
                "https://example.com/a_(b)/{id}",
                "me@example.org",
                "`cargo run`",
                "<b>",
                "</b>",
                "&amp;",
                "&#8212;",
                "<1>",
                "</1>",
                "<2/>"
            ]
        );
        assert_eq!(
            spans("(see https://example.com/docs)."),
            ["https://example.com/docs"]
        );
    }

    #[test]
    fn options_switch_families_off() {
        let t = "Use `x` and <i>y</i> &amp; {z}";
        let found: Vec<_> = scan(
            t,
            ScanOpts {
                html: false,
                code: false,
            },
        )
        .into_iter()
        .map(|f| &t[f.range])
        .collect();
        assert_eq!(found, ["{z}"]);
    }

    #[test]
    fn blanking_keeps_offsets() {
        let t = "Hello {name}, café";
        let b = blank_spans(t);
        assert_eq!(b.len(), t.len());
        assert_eq!(b, "Hello       , café");
    }
}
