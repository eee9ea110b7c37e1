//! The translation prompt. The system message depends only on the target
//! language, so the engine's KV prefix is reused for every chunk and every
//! request into that language; the user message is a short instruction
//! (stable for normal requests) followed by the masked text, last.
//!
//! Short on purpose: SmolLM2-135M follows a one-line task and a one-line
//! "reply with … only" far better than a list of rules. The strict prompt
//! (the retry after a lost span) names the exact spans to copy.

mod clean;

pub use clean::clean_output;

use crate::lang::{Lang, Script};
use crate::scan::{scan, ScanOpts};

/// Bumped whenever the prompt text changes (part of cache keys).
pub const PROMPT_VERSION: u32 = 1;

/// Spans listed by name in a strict prompt, at most.
const MAX_LISTED: usize = 12;

/// A chat prompt for one chunk: `system`, then one user message
/// `user_stable + user_tail` (see [`TranslatePrompt::user`]); generate at
/// most `max_tokens` and stop at any of `stop`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslatePrompt {
    /// The system message; the same for every request into one language.
    pub system: String,
    /// The instruction that starts the user message (the same for every
    /// normal request with the same languages; the strict one names spans).
    pub user_stable: String,
    /// The masked text to translate; always last.
    pub user_tail: String,
    /// Generation budget: about twice the input (three times for targets
    /// in non-Latin scripts) plus room for a short preamble.
    pub max_tokens: usize,
    /// Stop strings: chat-template end markers and trailing-note starts.
    pub stop: Vec<String>,
}

impl TranslatePrompt {
    /// The whole user message.
    pub fn user(&self) -> String {
        format!("{}{}", self.user_stable, self.user_tail)
    }
}

/// The system message for translations into `to`.
fn system(to: Lang) -> String {
    let n = to.name;
    format!(
        "You are a translator. Translate the user's text into {n}. Reply with the {n} translation only, \
         nothing else. Copy tags like <1>, </1> and <2/>, placeholders like {{name}} or %s, `code` and \
         URLs exactly as they are. Keep the line breaks."
    )
}

/// Build the prompt for `masked_text` (a chunk of [`crate::Masked::text`])
/// from `from` (unknown: `None`) into `to`. `strict` is the retry prompt:
/// it lists the spans that must come back and the number of lines.
/// `count` measures tokens for the generation budget.
pub fn build(
    masked_text: &str,
    from: Option<Lang>,
    to: Lang,
    strict: bool,
    count: impl Fn(&str) -> usize,
) -> TranslatePrompt {
    let from_part = match from {
        Some(f) if !f.same_as(to) => format!(" from {}", f.name),
        _ => String::new(),
    };
    let user_stable = if strict {
        strict_instruction(masked_text, &from_part, to)
    } else {
        format!("Translate{from_part} into {}:\n", to.name)
    };
    let factor = if to.script() == Script::Latin { 2 } else { 3 };
    TranslatePrompt {
        system: system(to),
        user_stable,
        user_tail: masked_text.to_string(),
        max_tokens: count(masked_text) * factor + 32,
        stop: stop_strings(masked_text),
    }
}

fn strict_instruction(masked_text: &str, from_part: &str, to: Lang) -> String {
    let mut spans: Vec<&str> = Vec::new();
    for f in scan(masked_text, ScanOpts::ALL) {
        let s = &masked_text[f.range];
        if !spans.contains(&s) && spans.len() < MAX_LISTED {
            spans.push(s);
        }
    }
    let mut out = format!(
        "Translate{from_part} into {}, in {} words.",
        to.name, to.name
    );
    if !spans.is_empty() {
        out.push_str(&format!(
            " Copy these exactly, once each: {}.",
            spans.join(" ")
        ));
    }
    let lines = masked_text.lines().filter(|l| !l.trim().is_empty()).count();
    if lines > 1 {
        out.push_str(&format!(" Write exactly {lines} lines."));
    }
    out.push('\n');
    out
}

/// Stop strings that cannot occur in the text itself.
fn stop_strings(text: &str) -> Vec<String> {
    [
        "<|im_end|>",
        "<|endoftext|>",
        "<|eot_id|>",
        "<end_of_turn>",
        "\n\nNote",
        "\n\n(Note",
        "\n\nExplanation",
        "\n\nTranslation note",
        "\n\nI hope",
    ]
    .into_iter()
    .filter(|s| !text.contains(s))
    .map(String::from)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_language;

    fn lang(s: &str) -> Lang {
        parse_language(s).unwrap()
    }

    fn words(s: &str) -> usize {
        s.split_whitespace().count()
    }

    #[test]
    fn system_is_stable_per_target_and_text_goes_last() {
        let a = build("Open the <1>file</1>.", None, lang("de"), false, words);
        let b = build(
            "Close {name} now, please.",
            Some(lang("en")),
            lang("de"),
            false,
            words,
        );
        assert_eq!(a.system, b.system);
        assert!(a.system.contains("into German"));
        assert_eq!(a.user_stable, "Translate into German:\n");
        assert_eq!(b.user_stable, "Translate from English into German:\n");
        assert_eq!(a.user(), "Translate into German:\nOpen the <1>file</1>.");
        assert_ne!(a.system, build("x", None, lang("fr"), false, words).system);
        // Same system prompt for the strict retry: the KV prefix survives.
        assert_eq!(
            build("Open the <1>file</1>.", None, lang("de"), true, words).system,
            a.system
        );
    }

    #[test]
    fn strict_prompt_names_spans_and_lines() {
        let p = build(
            "Hello {name}, open <1>Settings</1>.\nSee `cargo doc` and {name}.",
            None,
            lang("fr"),
            true,
            words,
        );
        assert_eq!(
            p.user_stable,
            "Translate into French, in French words. Copy these exactly, once each: {name} <1> </1> `cargo doc`. \
             Write exactly 2 lines.\n"
        );
        let p = build(
            "Plain words only.",
            Some(lang("de")),
            lang("en"),
            true,
            words,
        );
        assert_eq!(
            p.user_stable,
            "Translate from German into English, in English words.\n"
        );
    }

    #[test]
    fn budget_and_stops() {
        let de = build("one two three four", None, lang("de"), false, words);
        assert_eq!(de.max_tokens, 4 * 2 + 32);
        let ja = build("one two three four", None, lang("ja"), false, words);
        assert_eq!(ja.max_tokens, 4 * 3 + 32);
        assert!(de.stop.contains(&"<|im_end|>".to_string()));
        assert!(de.stop.contains(&"\n\nNote".to_string()));
    }
}
