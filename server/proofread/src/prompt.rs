//! The proofreading prompt. The system instruction and the few-shot
//! examples form a stable prefix that depends only on the language (so the
//! engine's KV prefix cache is reused across regions); the region text is
//! the last message.
//!
//! Examples: two short English pairs are always included, in every
//! language. Small models (135M–3B) follow the output format far better
//! with a demonstration than with instructions alone: one pair fixes
//! mistakes while keeping inline code and a name untouched, the other shows
//! that correct text comes back unchanged. They are English because a
//! per-language set would need native-checked examples for every language;
//! the instruction names the target language and forbids translation, and
//! [`crate::clean`] rejects output in another language.

/// Bumped whenever the prompt text changes (part of cache keys).
pub const PROMPT_VERSION: u32 = 1;

/// A chat prompt for one region: `system`, then `examples` as
/// (user, assistant) turns, then `user`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofreadPrompt {
    pub system: String,
    pub examples: Vec<(String, String)>,
    pub user: String,
}

const EXAMPLES: &[(&str, &str)] = &[
    (
        "Call `parse_args()` befor reading teh config file, it dont exist yet.",
        "Call `parse_args()` before reading the config file; it doesn't exist yet.",
    ),
    (
        "The build finished without errors.",
        "The build finished without errors.",
    ),
];

/// Build the prompt for `region_text`. `language` is a BCP-47-ish code
/// ("en", "de-AT", "pt_BR"); unknown or `None` means "the text's own
/// language".
pub fn build(region_text: &str, language: Option<&str>) -> ProofreadPrompt {
    ProofreadPrompt {
        system: system_prompt(language),
        examples: EXAMPLES
            .iter()
            .map(|(u, a)| ((*u).to_string(), (*a).to_string()))
            .collect(),
        user: region_text.to_string(),
    }
}

fn system_prompt(language: Option<&str>) -> String {
    // Short on purpose: with SmolLM2-135M a longer instruction (naming every
    // rule) made it answer with chatter instead of the corrected text, while
    // this one fixed the errors and left correct sentences alone.
    let mut prompt = String::from(
        "You are a careful proofreader. Fix spelling, grammar and punctuation mistakes in the text \
         the user sends. Reply with only the corrected text. If the text is already correct, \
         reply with it unchanged.",
    );
    match language.and_then(language_name) {
        Some("English") | None => {}
        Some(name) => prompt.push_str(&format!(
            " The text is written in {name}: keep it in {name}. Never translate it."
        )),
    }
    prompt
}

/// English name of a language code ("de", "de-DE", "pt_BR", "nb" …), for
/// the codes margin proofreads; `None` for others.
pub fn language_name(code: &str) -> Option<&'static str> {
    let primary = code
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match primary.as_str() {
        "en" => "English",
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "it" => "Italian",
        "pt" => "Portuguese",
        "nl" => "Dutch",
        "pl" => "Polish",
        "ru" => "Russian",
        "uk" => "Ukrainian",
        "zh" => "Chinese",
        "ja" => "Japanese",
        "ko" => "Korean",
        "sv" => "Swedish",
        "da" => "Danish",
        "no" | "nb" | "nn" => "Norwegian",
        "fi" => "Finnish",
        "cs" => "Czech",
        "tr" => "Turkish",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_stable_across_regions() {
        let a = build("Teh first region.", Some("en"));
        let b = build("A second, different region with more words.", Some("en"));
        assert_eq!(a.system, b.system);
        assert_eq!(a.examples, b.examples);
        assert_ne!(a.user, b.user);
        assert_eq!(b.user, "A second, different region with more words.");
    }

    #[test]
    fn german_is_named_and_not_translated() {
        let p = build("Ich habe das Buch gelesen.", Some("de-DE"));
        assert!(p.system.contains("German"), "{}", p.system);
        assert!(p.system.contains("Never translate"));
        assert!(!p.system.contains("English"));
        assert_ne!(p.system, build("x", Some("en")).system);
    }

    #[test]
    fn unknown_language_names_none() {
        let p = build("Hola", None);
        assert!(!p.system.contains("written in"));
        assert_eq!(p.system, build("x", Some("xx")).system);
        assert_eq!(p.system, build("x", Some("en")).system);
    }

    #[test]
    fn instruction_covers_format_rules() {
        let s = build("x", Some("en")).system;
        for needle in [
            "only the corrected text",
            "unchanged",
            "spelling, grammar and punctuation",
        ] {
            assert!(s.contains(needle), "missing {needle:?} in {s}");
        }
    }

    #[test]
    fn examples_are_english_and_one_is_unchanged() {
        let p = build("x", Some("fr"));
        assert_eq!(p.examples.len(), 2);
        assert!(p.examples.iter().any(|(u, a)| u == a));
        assert!(p
            .examples
            .iter()
            .all(|(u, _)| crate::detect::same_script(u, "English text")));
        // The fixing example keeps its inline code verbatim.
        assert!(p.examples[0].1.contains("`parse_args()`"));
    }

    #[test]
    fn language_table() {
        assert_eq!(language_name("pt_BR"), Some("Portuguese"));
        assert_eq!(language_name("NB"), Some("Norwegian"));
        assert_eq!(language_name("uk"), Some("Ukrainian"));
        assert_eq!(language_name("zh-Hans"), Some("Chinese"));
        assert_eq!(language_name("tlh"), None);
        for c in [
            "en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "zh", "ja", "ko", "sv",
            "da", "no", "fi", "cs", "tr",
        ] {
            assert!(language_name(c).is_some(), "{c}");
        }
    }
}
