//! Detection: which language a text is in, and whether it is already in
//! the reading language. Layers, most reliable first: the script (works on
//! two letters: Cyrillic is never English), whatlang through
//! `margin_proofread::detect` (long texts), and a stop-word vote for short
//! texts in the common Latin-script languages. Placeholders, code, URLs
//! and tags are blanked first so they do not vote.

use std::collections::HashMap;

use super::table::{script_of, Script};
use super::{parse_language, Lang};
use crate::scan::blank_spans;

/// Letters below which the script is not trusted.
const MIN_SCRIPT_LETTERS: usize = 2;

/// Frequent function words per language (lowercase), for the short-text
/// vote. Words shared by several of these languages are left out.
#[rustfmt::skip]
const STOPWORDS: &[(&str, &[&str])] = &[
    ("en", &["the", "and", "is", "are", "of", "to", "with", "this", "that", "it", "for", "you", "your", "be", "was", "not", "on", "from", "have", "has", "will", "can", "an", "or", "if", "when", "which", "file", "open", "click"]),
    ("de", &["der", "die", "das", "und", "ist", "nicht", "mit", "den", "dem", "ein", "eine", "zu", "von", "für", "auf", "sie", "es", "wird", "sich", "des", "auch", "im", "oder", "wenn", "werden", "datei", "öffnen", "klicken"]),
    ("fr", &["le", "la", "les", "et", "est", "des", "une", "un", "du", "pour", "dans", "pas", "que", "qui", "sur", "avec", "vous", "ce", "au", "ou", "sont", "fichier", "ouvrez", "cliquez"]),
    ("es", &["el", "los", "las", "y", "es", "del", "una", "por", "para", "con", "que", "se", "su", "como", "lo", "al", "está", "archivo", "abra", "haga"]),
    ("it", &["il", "gli", "è", "di", "della", "che", "per", "una", "con", "non", "sono", "nel", "alla", "questo", "file", "apri", "fai"]),
    ("pt", &["os", "é", "não", "uma", "com", "para", "que", "do", "da", "em", "no", "na", "ao", "você", "arquivo", "abra", "clique"]),
    ("nl", &["de", "het", "een", "en", "is", "van", "niet", "met", "voor", "op", "zijn", "dat", "je", "u", "bestand", "klik"]),
];

/// The dominant script among the letters of `text` and the letter count;
/// `None` with fewer than [`MIN_SCRIPT_LETTERS`] letters. Han counts as
/// Kana when the text has any Kana (Japanese mixes both).
fn dominant_script(text: &str) -> Option<(Script, usize)> {
    let mut counts: HashMap<Script, usize> = HashMap::new();
    for c in text.chars() {
        if let Some(s) = script_of(c) {
            *counts.entry(s).or_default() += 1;
        }
    }
    let letters: usize = counts.values().sum();
    if letters < MIN_SCRIPT_LETTERS {
        return None;
    }
    let kana = counts.get(&Script::Kana).copied().unwrap_or(0);
    if kana > 0 {
        let han = counts.remove(&Script::Han).unwrap_or(0);
        *counts.entry(Script::Kana).or_default() += han;
    }
    let (script, _) = counts
        .into_iter()
        .max_by_key(|&(s, n)| (n, s == Script::Latin))?;
    Some((script, letters))
}

/// Stop-word vote: the language whose function words clearly dominate
/// (at least two hits and twice the runner-up).
fn vote(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let mut scores: Vec<(usize, &str)> = STOPWORDS
        .iter()
        .map(|(code, list)| (words.iter().filter(|w| list.contains(w)).count(), *code))
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.0));
    let (best, code) = scores[0];
    (best >= 2 && best >= 2 * scores[1].0).then_some(code)
}

/// The only language written in `script`, for scripts that identify one
/// (Greek, Hangul, Kana…); `None` for shared scripts (Latin, Cyrillic,
/// Arabic, Devanagari, Han).
fn unique_language(script: Script) -> Option<&'static str> {
    use Script::*;
    Some(match script {
        Greek => "el",
        Hebrew => "he",
        Kana => "ja",
        Hangul => "ko",
        Bengali => "bn",
        Thai => "th",
        Georgian => "ka",
        Armenian => "hy",
        Tamil => "ta",
        Telugu => "te",
        Gurmukhi => "pa",
        Gujarati => "gu",
        Kannada => "kn",
        Malayalam => "ml",
        Sinhala => "si",
        Khmer => "km",
        Lao => "lo",
        Myanmar => "my",
        Ethiopic => "am",
        Latin | Cyrillic | Arabic | Devanagari | Han => return None,
    })
}

/// The language of `text` when it can be told: a reliable whatlang guess,
/// a script only one language uses, Chinese for Han without Kana, or a
/// clear stop-word vote. `None` for short, mixed or ambiguous texts.
pub fn detect(text: &str) -> Option<Lang> {
    let prose = blank_spans(text);
    if let Some(code) = margin_proofread::detect(&prose) {
        return parse_language(code);
    }
    let (script, _) = dominant_script(&prose)?;
    if let Some(code) = unique_language(script) {
        return parse_language(code);
    }
    match script {
        Script::Han => parse_language("zh"),
        Script::Latin => vote(&prose).and_then(parse_language),
        _ => None,
    }
}

/// Whether `text` is already written in `lang`: `Some(false)` when the
/// script rules it out (even for two letters) or detection names another
/// language, `Some(true)` when the script or detection confirms it, `None`
/// when it cannot be told (too short, no letters, ambiguous).
pub fn is_in_language(text: &str, lang: Lang) -> Option<bool> {
    let prose = blank_spans(text);
    let (script, letters) = dominant_script(&prose)?;
    let want = lang.script();
    let compatible = script == want
        // Japanese written in kanji only; Serbian in Latin letters.
        || (want == Script::Kana && script == Script::Han)
        || (lang.code == "sr" && script == Script::Latin);
    if !compatible {
        return Some(false);
    }
    if unique_language(script).is_some() {
        return Some(true);
    }
    if script == Script::Han {
        return match lang.code {
            "zh" => Some(true),
            // Han without Kana: Chinese unless it is only a word or two.
            _ => (letters >= 6).then_some(false),
        };
    }
    if let Some(code) = margin_proofread::detect(&prose) {
        return Some(parse_language(code).is_some_and(|l| l.same_as(lang)));
    }
    if script == Script::Latin {
        if let Some(code) = vote(&prose) {
            return Some(code == lang.code);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(s: &str) -> Lang {
        parse_language(s).unwrap()
    }

    const EN: &str = "This function returns the number of bytes that were written to the buffer.";
    const DE: &str =
        "Diese Funktion gibt die Anzahl der Bytes zurück, die in den Puffer geschrieben wurden.";
    const FR: &str = "Cette fonction renvoie le nombre d'octets qui ont été écrits dans le tampon.";
    const ZH: &str = "此函数返回写入缓冲区的字节数。";
    const RU: &str = "Эта функция возвращает количество байтов, записанных в буфер.";
    const JA: &str = "この関数はバッファに書き込まれたバイト数を返します。";

    #[test]
    fn detects_real_sentences() {
        assert_eq!(detect(EN).unwrap().code, "en");
        assert_eq!(detect(DE).unwrap().code, "de");
        assert_eq!(detect(FR).unwrap().code, "fr");
        assert_eq!(detect(ZH).unwrap().code, "zh");
        assert_eq!(detect(RU).unwrap().code, "ru");
        assert_eq!(detect(JA).unwrap().code, "ja");
        assert_eq!(detect("Καλημέρα").unwrap().code, "el");
    }

    #[test]
    fn short_texts_use_the_vote_or_give_up() {
        assert_eq!(detect("Open the file in the editor.").unwrap().code, "en");
        assert_eq!(detect("Öffne die Datei im Editor.").unwrap().code, "de");
        assert_eq!(detect("Ouvrez le fichier."), Some(lang("fr")));
        assert_eq!(detect("OK"), None);
        assert_eq!(detect("{name} %s `code`"), None);
    }

    #[test]
    fn foreign_text_is_not_in_english() {
        let en = lang("en");
        for t in [DE, FR, ZH, RU, JA] {
            assert_eq!(is_in_language(t, en), Some(false), "{t}");
        }
        // Two letters of another script are enough.
        assert_eq!(is_in_language("Да", en), Some(false));
        assert_eq!(is_in_language("设置", en), Some(false));
    }

    #[test]
    fn text_in_the_target_language_is_recognised() {
        assert_eq!(is_in_language(EN, lang("en")), Some(true));
        assert_eq!(
            is_in_language("Open the file in the editor.", lang("en")),
            Some(true)
        );
        assert_eq!(is_in_language(DE, lang("de")), Some(true));
        assert_eq!(is_in_language(ZH, lang("zh-TW")), Some(true));
        assert_eq!(is_in_language(JA, lang("ja")), Some(true));
        assert_eq!(is_in_language(RU, lang("ru")), Some(true));
        assert_eq!(is_in_language("Καλημέρα σας", lang("el")), Some(true));
    }

    #[test]
    fn english_is_foreign_to_other_targets() {
        assert_eq!(is_in_language(EN, lang("de")), Some(false));
        assert_eq!(is_in_language("Save the file", lang("ru")), Some(false));
        assert_eq!(is_in_language(EN, lang("zh")), Some(false));
        assert_eq!(is_in_language(ZH, lang("ja")), Some(false));
    }

    #[test]
    fn undecidable_texts_give_none() {
        assert_eq!(is_in_language("", lang("en")), None);
        assert_eq!(is_in_language("42 + 7 = 49", lang("en")), None);
        assert_eq!(
            is_in_language("`cargo build` {name} https://example.com", lang("de")),
            None
        );
        assert_eq!(is_in_language("Netflix", lang("de")), None);
    }
}
