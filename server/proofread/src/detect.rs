//! Language detection (whatlang) reduced to what proofreading needs: an
//! ISO 639-1 code only when the detector is reliable, a coarse script check
//! that works on short texts too, and a "same language" helper.

use whatlang::{Lang, Script};

/// Fewer letters than this: no language guess at all.
const MIN_LETTERS: usize = 24;
/// Confidence of a usable guess (for comparisons).
const GUESS_CONFIDENCE: f64 = 0.5;

/// ISO 639-1 code of `text`'s language, only when the detector is reliable
/// (whatlang's `is_reliable`, confidence > 0.9, and enough letters); `None`
/// for short, mixed or ambiguous texts.
pub fn detect(text: &str) -> Option<&'static str> {
    let (lang, confidence) = guess(text)?;
    if confidence > 0.9 {
        iso639_1(lang)
    } else {
        None
    }
}

/// The language of a document that [`detect`] cannot tell (a short one): the detector's
/// first guess when there are letters enough to guess at all, so a one-line English note is
/// still checked while a short German one is not checked as English.
pub fn detect_loosely(text: &str) -> Option<&'static str> {
    if letter_count(text) < MIN_LETTERS {
        return None;
    }
    detect(text).or_else(|| whatlang::detect(text).and_then(|info| iso639_1(info.lang())))
}

/// Whether `a` and `b` are in the same language. When both have a usable
/// guess (confidence ≥ 0.5) the languages decide; otherwise only the
/// scripts are compared (Latin and Cyrillic differ; two short Latin texts
/// count as the same).
pub fn same_language(a: &str, b: &str) -> bool {
    match (guess(a), guess(b)) {
        (Some((x, _)), Some((y, _))) => x == y,
        _ => same_script(a, b),
    }
}

/// Whether `b` is clearly in another language than `a`: another script, or
/// two usable guesses that differ with at least one of them reliable. Used
/// to reject a model reply that translated instead of proofreading.
pub(crate) fn clearly_different(a: &str, b: &str) -> bool {
    if !same_script(a, b) {
        return true;
    }
    match (guess(a), guess(b)) {
        (Some((x, cx)), Some((y, cy))) => x != y && cx.max(cy) > 0.9,
        _ => false,
    }
}

/// Language and confidence, when there are enough letters and the
/// confidence is at least [`GUESS_CONFIDENCE`].
fn guess(text: &str) -> Option<(Lang, f64)> {
    if letter_count(text) < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(text)?;
    (info.confidence() >= GUESS_CONFIDENCE).then(|| (info.lang(), info.confidence()))
}

/// Whether the dominant scripts agree (Han, Hiragana and Katakana count as
/// one). Texts with too few letters to tell agree with anything.
pub(crate) fn same_script(a: &str, b: &str) -> bool {
    match (script_group(a), script_group(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn script_group(text: &str) -> Option<Script> {
    if letter_count(text) < 4 {
        return None;
    }
    let s = whatlang::detect_script(text)?;
    Some(match s {
        Script::Hiragana | Script::Katakana => Script::Mandarin,
        s => s,
    })
}

fn letter_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

fn iso639_1(lang: Lang) -> Option<&'static str> {
    use Lang::*;
    Some(match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Pol => "pl",
        Rus => "ru",
        Ukr => "uk",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Ces => "cs",
        Tur => "tr",
        Hun => "hu",
        Ron => "ro",
        Ell => "el",
        Bul => "bg",
        Slk => "sk",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Cat => "ca",
        Ara => "ar",
        Heb => "he",
        Hin => "hi",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Epo => "eo",
        Afr => "af",
        Bel => "be",
        Mkd => "mk",
        Pes => "fa",
        Ben => "bn",
        Urd => "ur",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages_on_real_sentences() {
        assert_eq!(
            detect("This function returns the number of bytes that were written to the buffer."),
            Some("en")
        );
        assert_eq!(
            detect("Ich habe gestern einen langen Spaziergang im Park gemacht."),
            Some("de")
        );
        assert_eq!(
            detect("Le renard brun rapide saute par-dessus le chien paresseux."),
            Some("fr")
        );
        assert_eq!(
            detect("Быстрая коричневая лиса прыгает через ленивую собаку."),
            Some("ru")
        );
    }

    #[test]
    fn a_one_line_note_is_detected_loosely() {
        assert_eq!(detect("I has a question about the homework."), None);
        assert_eq!(
            detect_loosely("# Notes\nI has a question about the homework.\n"),
            Some("en")
        );
        assert_ne!(
            detect_loosely("Das Buch war sehr langweilig und zu lang."),
            Some("en")
        );
        assert_eq!(detect_loosely("Hello there"), None);
    }

    #[test]
    fn short_text_is_not_detected() {
        assert_eq!(detect("Hello there"), None);
        assert_eq!(detect("fn main()"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn german_stays_german() {
        let de = "Ich habe gestern einen langen Spaziergang im Park gemacht.";
        let de_fixed = "Ich habe gestern einen langen Spaziergang im Park gemacht!";
        let en = "Yesterday I took a long walk in the park with my friends.";
        assert!(same_language(de, de_fixed));
        assert!(!same_language(de, en));
        assert!(clearly_different(de, en));
        assert!(!clearly_different(de, de_fixed));
        // Low-confidence English pair: not "clearly different".
        assert!(!clearly_different(
            "She dont like apples, but she eat them anyway.",
            "She doesn't like apples, but she eats them anyway."
        ));
    }

    #[test]
    fn script_check_works_on_short_texts() {
        assert!(!same_language("Guten Morgen", "Доброе утро"));
        assert!(same_script("日本語の文章です", "日本語"));
        assert!(same_language("ok", "да"), "too short to tell");
    }
}
