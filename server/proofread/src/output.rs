//! Output cleanup: cuts a small model's reply down to the rewrite (drops
//! "Corrected text:" preambles, wrapping quotes and code fences, trailing
//! notes and explanations, a repeated second copy) and rejects replies that
//! cannot be a proofread of the input ([`Unusable`]). Also the stop strings
//! the engine should generate with.

use crate::detect::{clearly_different, detect};

/// Why a model reply cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("the model returned no text")]
    Empty,
    #[error("the model output is far longer than the input ({output} vs {input} bytes)")]
    Runaway { input: usize, output: usize },
    #[error("the model output is in another language or script ({found} instead of {expected})")]
    OtherLanguage { expected: String, found: String },
    #[error("the model output has {output} lines where the input has {input}")]
    LineMismatch { input: usize, output: usize },
}

/// Special tokens some chat templates leak into the text.
const SPECIAL: &[&str] = &[
    "<|im_end|>",
    "<|im_start|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<end_of_turn>",
    "</s>",
];

/// Labels that may precede the rewrite on the same line.
const LABELS: &[&str] = &[
    "corrected text:",
    "corrected version:",
    "corrected sentence:",
    "corrected:",
    "correction:",
    "proofread text:",
    "proofread version:",
    "revised text:",
    "fixed text:",
    "output:",
    "answer:",
    "result:",
    "assistant:",
];

/// Words that make a first line ending in ':' (or a "Sure!" line) a preamble.
const PREAMBLE_HINTS: &[&str] = &[
    "correct",
    "here is",
    "here's",
    "proofread",
    "revised",
    "fixed",
    "version",
    "sure",
    "certainly",
    "of course",
];

/// Starts of trailing chatter (lowercase), recognised at a line or
/// sentence start when the input does not contain them.
const CHATTER: &[&str] = &[
    "note:",
    "notes:",
    "(note",
    "explanation:",
    "explanations:",
    "changes:",
    "changes made:",
    "corrections:",
    "correction:",
    "original:",
    "---",
    "***",
    "```",
];

/// Chatter that is also ordinary prose: recognised only at a line start.
const CHATTER_AT_LINE: &[&str] = &[
    "note that",
    "(i ",
    "explanation",
    "i changed",
    "i corrected",
    "i've corrected",
    "i have corrected",
    "i fixed",
    "i made",
    "i've made",
    "i have made",
    "the corrected",
    "the changes",
    "here are the changes",
    "the original",
    "the text is already correct",
    "this text is already correct",
];

/// Replies meaning "nothing to fix".
const ALREADY_CORRECT: &[&str] = &[
    "the text is already correct",
    "this text is already correct",
    "no changes needed",
    "no corrections needed",
    "no errors found",
];

/// Stop strings for the engine: generation ends where chatter starts.
pub fn stop_strings() -> Vec<String> {
    [
        "\n\nNote",
        "\n\nExplanation",
        "\n\n---",
        "\n\nChanges",
        "\n\nCorrections",
        "\n\nI ",
        "\n\n(",
        "\nNote:",
        "\nExplanation:",
        "<|im_end|>",
        "<|endoftext|>",
        "<|eot_id|>",
        "<end_of_turn>",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// [`stop_strings`] minus those that occur in `input` (a commit message
/// with a "Note:" paragraph must not stop the rewrite there).
pub fn stop_strings_for(input: &str) -> Vec<String> {
    stop_strings()
        .into_iter()
        .filter(|s| !input.contains(s.as_str()))
        .collect()
}

/// A raw model reply without a leading BOM and cut at the first chat-template
/// marker (`<|im_end|>`, `</s>`…) that `input` itself does not contain.
pub fn cut_at_special_tokens<'a>(raw: &'a str, input: &str) -> &'a str {
    let mut s = raw.trim_start_matches('\u{feff}');
    for tok in SPECIAL {
        if !input.contains(tok) {
            if let Some(i) = s.find(tok) {
                s = &s[..i];
            }
        }
    }
    s
}

/// The rewrite inside a raw model reply, or why there is none. The result
/// keeps the input's leading and trailing whitespace.
pub fn clean(raw: &str, input: &str) -> Result<String, Unusable> {
    let s = cut_at_special_tokens(raw, input);
    let mut s = s.trim();
    let in_trim = input.trim();
    if starts_with_ci(s, ALREADY_CORRECT) && !starts_with_ci(in_trim, ALREADY_CORRECT) {
        return Ok(input.to_string());
    }
    for _ in 0..3 {
        let before = s;
        s = strip_preamble(s, in_trim);
        s = unwrap_fence(s, in_trim);
        s = unwrap_quotes(s, in_trim);
        s = cut_chatter(s, in_trim).trim();
        if s == before {
            break;
        }
    }
    let s = cut_repeat(s, in_trim).trim();
    validate(s, in_trim)?;
    let lead = &input[..input.len() - input.trim_start().len()];
    let trail = &input[input.trim_end().len()..];
    Ok(format!("{lead}{s}{trail}"))
}

fn validate(s: &str, input: &str) -> Result<(), Unusable> {
    if s.is_empty() {
        return Err(Unusable::Empty);
    }
    if s.len() > 2 * input.len() + 40 {
        return Err(Unusable::Runaway {
            input: input.len(),
            output: s.len(),
        });
    }
    let name = |t: &str| {
        whatlang::detect_script(t).map_or("unknown".to_string(), |x| x.name().to_string())
    };
    if clearly_different(input, s) {
        let lang = |t: &str| detect(t).map_or_else(|| name(t), str::to_string);
        return Err(Unusable::OtherLanguage {
            expected: lang(input),
            found: lang(s),
        });
    }
    let (li, lo) = (input.lines().count(), s.lines().count());
    if li.abs_diff(lo) > li / 5 {
        return Err(Unusable::LineMismatch {
            input: li,
            output: lo,
        });
    }
    Ok(())
}

fn starts_with_ci(s: &str, prefixes: &[&str]) -> bool {
    prefixes
        .iter()
        .any(|p| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)))
}

/// Drop a "Here is the corrected text:" line or a "Corrected text:" label.
fn strip_preamble<'a>(s: &'a str, input: &str) -> &'a str {
    let (first, rest) = s.split_once('\n').unwrap_or((s, ""));
    let first_t = first.trim();
    let lower = first_t.to_lowercase();
    let in_first = input.lines().next().unwrap_or("").trim().to_lowercase();
    let like_input =
        similar::TextDiff::from_chars(lower.as_str(), in_first.as_str()).ratio() >= 0.6;
    if !rest.trim().is_empty() && !like_input && first_t.chars().count() <= 100 {
        let hinted = PREAMBLE_HINTS.iter().any(|h| lower.contains(h));
        let sure = ["sure", "certainly", "of course", "here is", "here's"]
            .iter()
            .any(|h| lower.starts_with(h));
        if hinted && (lower.ends_with(':') || sure) {
            return rest.trim();
        }
    }
    for label in LABELS {
        if starts_with_ci(s, &[label]) && !starts_with_ci(input, &[label]) {
            return s[label.len()..].trim();
        }
    }
    s
}

/// The inside of a ``` fence wrapping the whole reply.
fn unwrap_fence<'a>(s: &'a str, input: &str) -> &'a str {
    if !s.starts_with("```") || input.starts_with("```") {
        return s;
    }
    let body = s.split_once('\n').map_or("", |(_, b)| b);
    match body.rfind("```") {
        Some(i) => body[..i].trim(),
        None => body.trim(),
    }
}

/// The inside of quotes or backticks wrapping the whole reply: the reply
/// starts and ends with a pair and has one more of each than the input
/// (straight `'` may also gain apostrophes from the fixes).
fn unwrap_quotes<'a>(s: &'a str, input: &str) -> &'a str {
    const PAIRS: &[(char, char)] = &[
        ('"', '"'),
        ('\u{201C}', '\u{201D}'),
        ('\u{201E}', '\u{201C}'),
        ('\'', '\''),
        ('\u{2018}', '\u{2019}'),
        ('`', '`'),
        ('«', '»'),
        ('「', '」'),
    ];
    let count = |t: &str, c: char| t.matches(c).count();
    for &(open, close) in PAIRS {
        if s.chars().count() < 2 || !s.starts_with(open) || !s.ends_with(close) {
            continue;
        }
        let wrapped = if open == close {
            let extra = count(s, open).saturating_sub(count(input, open));
            extra == 2 || (open == '\'' && extra >= 2 && !input.starts_with(open))
        } else {
            count(s, open) == count(input, open) + 1 && count(s, close) == count(input, close) + 1
        };
        if wrapped {
            return s[open.len_utf8()..s.len() - close.len_utf8()].trim();
        }
    }
    s
}

/// Cut at the first line or sentence start that begins chatter, once the
/// part before it is long enough to be the whole rewrite (so a corrected
/// "The originl" → "The original" in the input is not mistaken for chatter).
fn cut_chatter<'a>(s: &'a str, input: &str) -> &'a str {
    let in_lower = input.to_lowercase();
    let absent = |list: &[&'static str]| -> Vec<&'static str> {
        list.iter()
            .copied()
            .filter(|m| !in_lower.contains(m))
            .collect()
    };
    let (markers, line_markers) = (absent(CHATTER), absent(CHATTER_AT_LINE));
    let min = input.len() * 3 / 5;
    let mut prev: Option<char> = None;
    let mut prev2: Option<char> = None;
    for (i, c) in s.char_indices() {
        let line_start = prev == Some('\n');
        let sentence_start = matches!(
            (prev2, prev),
            (Some('.' | '!' | '?' | ')' | '"'), Some(' '))
        );
        let rest = &s[i..];
        let hit = (line_start || sentence_start) && starts_with_ci(rest, &markers)
            || line_start && starts_with_ci(rest, &line_markers);
        if i > 0 && hit && s[..i].trim_end().len() >= min {
            return &s[..i];
        }
        prev2 = prev;
        prev = Some(c);
    }
    s
}

/// Keep only the first copy when the reply repeats itself.
fn cut_repeat<'a>(s: &'a str, input: &str) -> &'a str {
    if s.len() < input.len() + input.len() / 2 + 8 {
        return s;
    }
    let head: String = s.chars().take(16).collect();
    if head.chars().count() < 6 || input.matches(head.as_str()).count() > 1 {
        return s;
    }
    let min = input.len() / 2;
    for (i, _) in s.match_indices(head.as_str()) {
        if i >= min.max(1) && s[..i].ends_with(char::is_whitespace) {
            let first = s[..i].trim_end();
            // The first copy must resemble the input, not be a loop.
            let close = similar::TextDiff::from_chars(first, input).ratio() >= 0.6;
            return if close { first } else { s };
        }
    }
    s
}

#[cfg(test)]
mod tests;
