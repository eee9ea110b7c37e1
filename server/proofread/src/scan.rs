//! Finds spans of a prose text that look like code rather than prose: URLs,
//! e-mail addresses and file paths (`https://…`, `www.…`, `src/main.rs`,
//! `C:\x`, `~/x`, `./x`, `Cargo.toml`) and identifier-shaped words
//! (`snake_case`, `camelCase`, `HashMap`, `foo::bar`, `parse()`, `obj.field`).
//! The filters drop edits touching them.

use std::ops::Range;

/// What a sensitive span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sensitive {
    UrlOrPath,
    Code,
}

/// File extensions that make `name.ext` a file name.
const EXTENSIONS: &[&str] = &[
    "rs", "toml", "md", "txt", "json", "yaml", "yml", "py", "js", "mjs", "ts", "tsx", "jsx", "go",
    "c", "h", "cc", "cpp", "hpp", "lua", "sh", "bash", "zsh", "html", "css", "scss", "lock", "log",
    "cfg", "ini", "xml", "csv", "pdf", "png", "jpg", "jpeg", "gif", "svg", "zip", "gz", "tar",
    "tex", "bib", "java", "kt", "rb", "php", "swift", "sql", "gguf", "bin", "exe", "dll", "so",
    "wasm", "env", "conf", "vim", "el", "nix",
];

/// Sensitive spans of `text`, in order (byte ranges of whitespace-separated
/// chunks with surrounding brackets, quotes and sentence punctuation
/// trimmed).
pub(crate) fn sensitive_spans(text: &str) -> Vec<(Range<usize>, Sensitive)> {
    let mut out = Vec::new();
    let mut i = 0;
    for chunk in text.split_inclusive(char::is_whitespace) {
        let start = i;
        i += chunk.len();
        let raw = chunk.trim_end();
        let lead = raw.len() - raw.trim_start_matches(LEADING).len();
        let core = trim_trailing(raw.trim_start_matches(LEADING));
        if core.is_empty() {
            continue;
        }
        let range = start + lead..start + lead + core.len();
        if is_url_or_path(core) {
            out.push((range, Sensitive::UrlOrPath));
        } else if is_code(core) {
            out.push((range, Sensitive::Code));
        }
    }
    out
}

const LEADING: &[char] = &['(', '[', '{', '<', '"', '\'', '“', '‘', '«', '*', '_'];
const TRAILING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '"', '\'', '”', '’', '»', '*',
];

/// Trim sentence punctuation and closing brackets, keeping a closing bracket
/// that has its opener inside ("parse()", "f(x)").
fn trim_trailing(mut s: &str) -> &str {
    while let Some(c) = s.chars().last() {
        let open = match c {
            ')' => Some('('),
            ']' => Some('['),
            '}' => Some('{'),
            _ => None,
        };
        if !TRAILING.contains(&c)
            || open.is_some_and(|o| s.matches(o).count() >= s.matches(c).count())
        {
            break;
        }
        s = &s[..s.len() - c.len_utf8()];
    }
    s
}

fn is_url_or_path(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if [
        "http://", "https://", "ftp://", "file://", "www.", "mailto:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    if let Some((user, host)) = s.split_once('@') {
        if !user.is_empty() && host.contains('.') && !host.ends_with('.') {
            return true;
        }
    }
    if s.starts_with("~/") || s.starts_with("./") || s.starts_with("../") || s.starts_with("\\\\") {
        return true;
    }
    let b = s.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    if s.starts_with('/') && s[1..].starts_with(|c: char| c.is_alphanumeric() || c == '.') {
        return true;
    }
    let seps = s.matches(['/', '\\']).count();
    let last = s.rsplit(['/', '\\']).next().unwrap_or(s);
    let has_ext = last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    });
    has_ext || seps >= 2 || (seps == 1 && s.contains('\\'))
}

fn is_code(s: &str) -> bool {
    if s.contains("::") || s.contains("->") || s.contains("()") || s.contains("=>") {
        return true;
    }
    let chars: Vec<char> = s.chars().collect();
    for w in chars.windows(3) {
        // snake_case, foo.bar (lowercase after the dot: "end.Next" is a typo).
        if w[1] == '_' && w[0].is_alphanumeric() && w[2].is_alphanumeric() {
            return true;
        }
        if w[1] == '.' && w[0].is_alphabetic() && w[2].is_lowercase() && segment_lens_ok(s) {
            return true;
        }
    }
    // camelCase / PascalCase with an inner capital ("HashMap", "iPhone").
    chars
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
}

/// "foo.bar" but not "e.g" / "i.e" (single-letter segments).
fn segment_lens_ok(s: &str) -> bool {
    s.split('.').all(|seg| seg.chars().count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, Sensitive)> {
        sensitive_spans(text)
            .into_iter()
            .map(|(r, k)| (&text[r], k))
            .collect()
    }

    #[test]
    fn urls_and_paths() {
        use Sensitive::UrlOrPath as U;
        let text = "See https://example.com/docs, www.rust-lang.org and (mail me@example.org). \
                    Edit src/main.rs or ~/.config/margin/x, ./run.sh, C:\\Users\\me and Cargo.toml.";
        assert_eq!(
            found(text),
            vec![
                ("https://example.com/docs", U),
                ("www.rust-lang.org", U),
                ("me@example.org", U),
                ("src/main.rs", U),
                ("~/.config/margin/x", U),
                ("./run.sh", U),
                ("C:\\Users\\me", U),
                ("Cargo.toml", U),
            ]
        );
    }

    #[test]
    fn prose_is_not_sensitive() {
        let text = "Use either/or, e.g. apples, i.e. fruit. The end.Next time, it's fine. Version 3.14 is out!";
        assert_eq!(found(text), vec![]);
    }

    #[test]
    fn code_shaped_words() {
        use Sensitive::Code as C;
        let text = "Call parse_args() then HashMap::new, set maxLen and read config.path now.";
        assert_eq!(
            found(text),
            vec![
                ("parse_args()", C),
                ("HashMap::new", C),
                ("maxLen", C),
                ("config.path", C)
            ]
        );
    }
}
