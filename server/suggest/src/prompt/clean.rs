//! Cleans a model's reply down to the code to insert: code fences, chatter
//! ("Here is…"), the `<CURSOR>` marker, echoed prefix lines (small models
//! repeat the line before the cursor or the whole function) and echoed
//! following lines are removed.

use margin_syntax::Language;

use crate::context::{Context, Task};

/// Openings of lines that are talk, not code (compared lower-cased).
const CHATTER: &[&str] = &[
    "here is",
    "here's",
    "sure",
    "certainly",
    "of course",
    "okay",
    "ok,",
    "the next line",
    "the code",
    "the completed",
    "the completion",
    "the function",
    "the body",
    "the doc",
    "this code",
    "this will",
    "this function",
    "this line",
    "this completes",
    "i have",
    "i've",
    "i'll",
    "i will",
    "to complete",
    "you can",
    "let me",
    "below is",
    "note:",
    "note that",
    "explanation",
    "output:",
    "answer:",
    "completion:",
];

fn is_chatter(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    CHATTER.iter().any(|c| {
        l.strip_prefix(c)
            .is_some_and(|rest| !rest.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_'))
    })
}

/// The code of a reply: the first fenced block when the reply has one after
/// nothing or after talk; the text before a lone closing fence otherwise.
fn unfence(raw: &str) -> &str {
    let Some(at) = raw.find("```") else {
        return raw;
    };
    let before = &raw[..at];
    if !before.trim().is_empty()
        && !before
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(is_chatter)
    {
        return before;
    }
    let after = &raw[at + 3..];
    let body = after.find('\n').map_or("", |i| &after[i + 1..]);
    body.find("```").map_or(body, |end| &body[..end])
}

/// Brackets opened minus closed in `lines`.
fn depth(lines: &[&str]) -> i64 {
    let mut d = 0;
    for c in lines.iter().flat_map(|l| l.chars()) {
        match c {
            '{' | '(' | '[' => d += 1,
            '}' | ')' | ']' => d -= 1,
            _ => {}
        }
    }
    d
}

/// The model's reply reduced to the text to insert (trailing whitespace
/// trimmed, no leading or trailing blank lines; may be empty).
pub fn clean_output(raw: &str, task: Task, ctx: &Context) -> String {
    let code = unfence(raw)
        .replace(super::CURSOR, "")
        .replace("<cursor>", "");
    let mut lines: Vec<&str> = code.lines().map(str::trim_end).collect();
    while lines
        .first()
        .is_some_and(|l| l.trim().is_empty() || is_chatter(l))
    {
        lines.remove(0);
    }
    // Trailing talk after a blank line.
    if let Some(k) =
        (1..lines.len()).find(|&k| lines[k - 1].trim().is_empty() && is_chatter(lines[k]))
    {
        lines.truncate(k);
    }
    let (done, cursor_line) = ctx
        .prefix
        .rsplit_once('\n')
        .unwrap_or(("", ctx.prefix.as_str()));
    let before: Vec<&str> = ctx
        .header
        .lines()
        .chain(done.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if task == Task::ImplementFunction {
        strip_signature(&mut lines, ctx);
    }
    // Lines repeated from before the cursor, in order: two or more, or the
    // line just above the cursor (a single line that merely also occurs
    // earlier, like `continue;`, may well be the right next line).
    let (mut j, mut echoed, mut matched) = (0, 0, 0);
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        let found = before[j..].iter().position(|b| *b == t).map(|k| j + k);
        match found {
            Some(k) if matched > 0 || t.len() >= 6 || k + 1 == before.len() => {
                j = k + 1;
                echoed = i + 1;
                matched += 1;
            }
            _ => break,
        }
    }
    if matched >= 2 || (matched == 1 && j == before.len()) {
        lines.drain(..echoed);
    }
    // The start of the cursor line, repeated.
    let typed = cursor_line.trim();
    if let Some(first) = lines.first_mut().filter(|_| !typed.is_empty()) {
        if let Some(rest) = first.trim_start().strip_prefix(typed) {
            *first = if cursor_line.ends_with(char::is_whitespace) {
                rest.trim_start()
            } else {
                rest
            };
        }
    }
    cut_at_following(&mut lines, ctx, task);
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if task == Task::DocComment {
        return doc_only(&lines, ctx.lang);
    }
    lines.join("\n")
}

/// The leading doc comment of a reply; plain text (up to a blank line) is
/// wrapped in the language's doc comment syntax.
fn doc_only(lines: &[&str], lang: Language) -> String {
    let Some(first) = lines.first() else {
        return String::new();
    };
    let t0 = first.trim_start();
    let last = lines.len() - 1;
    if let Some(q) = ["\"\"\"", "'''"].into_iter().find(|q| t0.starts_with(q)) {
        let end = if t0[3..].contains(q) {
            0
        } else {
            (1..lines.len())
                .find(|&i| lines[i].contains(q))
                .unwrap_or(last)
        };
        return lines[..=end].join("\n");
    }
    if t0.starts_with("/*") {
        let end = (0..lines.len())
            .find(|&i| lines[i].trim_end().ends_with("*/"))
            .unwrap_or(last);
        return lines[..=end].join("\n");
    }
    let line_comment = |l: &str| {
        ["//", "#", "--"]
            .iter()
            .any(|m| l.trim_start().starts_with(m))
    };
    if line_comment(first) {
        let n = lines.iter().take_while(|l| line_comment(l)).count();
        return lines[..n].join("\n");
    }
    let text: Vec<&str> = lines
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim())
        .collect();
    match lang {
        Language::Rust => text
            .iter()
            .map(|l| format!("/// {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Language::Go => text
            .iter()
            .map(|l| format!("// {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Language::Python if text.len() == 1 => format!("\"\"\"{}\"\"\"", text[0]),
        Language::Python => format!("\"\"\"{}\n\"\"\"", text.join("\n")),
        Language::JavaScript
        | Language::TypeScript
        | Language::Tsx
        | Language::C
        | Language::Cpp => {
            let body: Vec<String> = text.iter().map(|l| format!(" * {l}")).collect();
            format!("/**\n{}\n */", body.join("\n"))
        }
        _ => text.join("\n"),
    }
}

/// Keeps only the body when the model repeated the whole function.
fn strip_signature(lines: &mut Vec<&str>, ctx: &Context) {
    let Some(f) = &ctx.enclosing else { return };
    let shown = format!("{}{}", ctx.prefix, ctx.suffix);
    let sig_first = shown
        .lines()
        .find(|l| l.contains(&f.name) && !l.trim_start().starts_with(['/', '#', '*', '"']));
    let Some(sig_first) = sig_first.map(str::trim).filter(|s| !s.is_empty()) else {
        return;
    };
    let Some(at) = lines.iter().position(|l| l.trim() == sig_first) else {
        return;
    };
    let Some(open) = (at..lines.len()).find(|&k| lines[k].trim_end().ends_with(['{', ':'])) else {
        return;
    };
    lines.drain(..=open);
    if lines.last().is_some_and(|l| matches!(l.trim(), "}" | "};")) && depth(lines) < 0 {
        lines.pop();
    }
}

/// Cuts the reply where it starts repeating the code after the cursor.
fn cut_at_following(lines: &mut Vec<&str>, ctx: &Context, task: Task) {
    let mut following = ctx
        .suffix
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let Some(next) = following.next() else { return };
    let from = if task == Task::DocComment { 0 } else { 1 };
    for k in from..lines.len() {
        if lines[k].trim() != next {
            continue;
        }
        let closer = next
            .chars()
            .all(|c| matches!(c, '}' | ')' | ']' | ';' | ','));
        if !closer || depth(&lines[..k]) <= 0 {
            lines.truncate(k);
            return;
        }
    }
}
