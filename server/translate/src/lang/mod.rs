//! Languages: parsing what users type (`de`, `de_DE.UTF-8`, `German`,
//! `Deutsch`, `zh-Hant`), the reading language from the locale, and
//! detection ("is this region already in the reading language?").

mod detect;
mod table;

pub use detect::{detect, is_in_language};
pub(crate) use table::Script;

use table::{Row, LANGUAGES};

/// A language margin can translate into or from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lang {
    /// ISO 639-1 code (`"de"`); Norwegian Bokmål and Nynorsk are both `"no"`.
    pub code: &'static str,
    /// English name (`"German"`), as the prompt names it.
    pub name: &'static str,
}

/// English, the default reading language.
pub const ENGLISH: Lang = Lang {
    code: "en",
    name: "English",
};

/// Traditional Chinese: same code as Chinese, named so the model writes
/// traditional characters.
const TRADITIONAL_CHINESE: Lang = Lang {
    code: "zh",
    name: "Traditional Chinese",
};

impl Lang {
    fn from_row(r: &Row) -> Lang {
        Lang {
            code: r.code,
            name: r.name,
        }
    }

    fn row(self) -> &'static Row {
        LANGUAGES
            .iter()
            .find(|r| r.code == self.code)
            .expect("every Lang comes from the table")
    }

    /// The language's own name for itself (`"Deutsch"`).
    pub fn native_name(self) -> &'static str {
        self.row().native[0]
    }

    /// The script the language is written in.
    pub(crate) fn script(self) -> Script {
        self.row().script
    }

    /// Whether `self` and `other` are the same language (same code; a
    /// variant such as Traditional Chinese counts as Chinese).
    pub fn same_as(self, other: Lang) -> bool {
        self.code == other.code
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Parse a language as users and locales write it: a code with optional
/// region, script, encoding or modifier (`de`, `DE`, `de-DE`,
/// `de_DE.UTF-8`, `sr@latin`, `zh-Hans`, `pt_BR`), an ISO 639-2/3 code
/// (`deu`), an English name (`German`, `german`) or a native name
/// (`Deutsch`, `français`, `日本語`). `zh-Hant`, `zh-TW`, `zh-HK` and
/// `zh-MO` give Traditional Chinese. Unknown → `None`.
pub fn parse_language(s: &str) -> Option<Lang> {
    let s = s.trim();
    let s = s.split(['.', '@']).next().unwrap_or("").trim();
    if s.is_empty() {
        return None;
    }
    let lower = s.to_lowercase();
    let by_name = |t: &str| {
        LANGUAGES.iter().find(|r| {
            r.name.eq_ignore_ascii_case(t)
                || r.native.iter().any(|n| n.to_lowercase() == t)
                || r.alias.contains(&t)
        })
    };
    if let Some(r) = by_name(&lower) {
        return Some(Lang::from_row(r));
    }
    // Code with subtags: `de-DE`, `zh_Hant_TW`, `pt-BR`.
    let mut parts = lower.split(['-', '_']);
    let primary = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let row = LANGUAGES
        .iter()
        .find(|r| r.code == primary || r.alias.contains(&primary))?;
    if row.code == "zh"
        && rest
            .iter()
            .any(|t| matches!(*t, "hant" | "tw" | "hk" | "mo"))
    {
        return Some(TRADITIONAL_CHINESE);
    }
    // Subtags must look like subtags (region, script, variant), so that
    // "english-ish words" do not parse as a language.
    let subtag =
        |t: &&str| (2..=8).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric());
    rest.iter().all(subtag).then(|| Lang::from_row(row))
}

/// The reading language from the process locale: see
/// [`language_from_locale_vars`] (reads `LC_ALL`, `LC_MESSAGES`, `LANG`).
pub fn locale_language() -> Lang {
    let var = |k: &str| std::env::var(k).ok();
    language_from_locale_vars(
        var("LC_ALL").as_deref(),
        var("LC_MESSAGES").as_deref(),
        var("LANG").as_deref(),
    )
}

/// The language of the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is
/// set, non-empty, not `C` / `POSIX` (with or without an encoding, e.g.
/// `C.UTF-8`) and parses; English when none does.
pub fn language_from_locale_vars(
    lc_all: Option<&str>,
    lc_messages: Option<&str>,
    lang: Option<&str>,
) -> Lang {
    [lc_all, lc_messages, lang]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|v| {
            let base = v.split(['.', '@']).next().unwrap_or("");
            !v.is_empty() && base != "C" && base != "POSIX"
        })
        .find_map(parse_language)
        .unwrap_or(ENGLISH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<&'static str> {
        parse_language(s).map(|l| l.code)
    }

    #[test]
    fn parses_codes_in_every_spelling() {
        for s in [
            "de",
            "DE",
            "de-DE",
            "de_DE.UTF-8",
            "de_AT@euro",
            " de-CH ",
            "deu",
            "ger",
        ] {
            assert_eq!(code(s), Some("de"), "{s}");
        }
        assert_eq!(
            parse_language("pt_BR"),
            Some(Lang {
                code: "pt",
                name: "Portuguese"
            })
        );
        assert_eq!(
            parse_language("zh-Hans"),
            Some(Lang {
                code: "zh",
                name: "Chinese"
            })
        );
        assert_eq!(parse_language("zh_CN.UTF-8").unwrap().name, "Chinese");
        assert_eq!(
            parse_language("zh-Hant-TW").unwrap().name,
            "Traditional Chinese"
        );
        assert_eq!(parse_language("zh_TW").unwrap().name, "Traditional Chinese");
        assert_eq!(code("nb_NO.UTF-8"), Some("no"));
        assert_eq!(code("sr@latin"), Some("sr"));
        assert_eq!(code("iw"), Some("he"));
    }

    #[test]
    fn parses_english_and_native_names() {
        for (s, c) in [
            ("German", "de"),
            ("german", "de"),
            ("Deutsch", "de"),
            ("français", "fr"),
            ("Español", "es"),
            ("日本語", "ja"),
            ("中文", "zh"),
            ("русский", "ru"),
            ("Ελληνικά", "el"),
            ("Farsi", "fa"),
            ("Filipino", "tl"),
            ("Bokmål", "no"),
        ] {
            assert_eq!(code(s), Some(c), "{s}");
        }
    }

    #[test]
    fn unknown_is_none() {
        for s in [
            "",
            "  ",
            "xx",
            "klingon",
            "C",
            "POSIX",
            "de-DE-this-is-not-a-tag!",
            "english-ish",
        ] {
            assert_eq!(parse_language(s), None, "{s:?}");
        }
    }

    #[test]
    fn table_covers_the_common_languages_and_names_them() {
        assert!(LANGUAGES.len() >= 40);
        for r in LANGUAGES {
            assert_eq!(parse_language(r.code).unwrap().code, r.code);
            assert_eq!(parse_language(r.name).unwrap().code, r.code);
            assert_eq!(
                parse_language(r.native[0]).unwrap().code,
                r.code,
                "{}",
                r.name
            );
        }
        assert_eq!(parse_language("de").unwrap().native_name(), "Deutsch");
        assert_eq!(parse_language("fr").unwrap().to_string(), "French");
    }

    #[test]
    fn locale_variables_in_order_skipping_c_and_posix() {
        let f = language_from_locale_vars;
        assert_eq!(f(None, None, None), ENGLISH);
        assert_eq!(f(Some(""), None, Some("de_DE.UTF-8")).code, "de");
        assert_eq!(f(Some("C"), Some("POSIX"), Some("fr_FR.UTF-8")).code, "fr");
        assert_eq!(f(Some("C.UTF-8"), None, Some("ja_JP.UTF-8")).code, "ja");
        assert_eq!(
            f(Some("es_ES.UTF-8"), Some("de_DE"), Some("fr_FR")).code,
            "es"
        );
        assert_eq!(f(None, Some("pt_BR.UTF-8"), Some("en_US.UTF-8")).code, "pt");
        assert_eq!(f(Some("C"), None, Some("POSIX")), ENGLISH);
        assert_eq!(f(Some("xx_YY"), None, Some("it_IT")).code, "it");
    }
}
