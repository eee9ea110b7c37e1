//! Spelling: Hunspell-format dictionaries through `spellbook`, one per language, loaded once
//! per process.
//!
//! Where a language's dictionary comes from, first found wins:
//! 1. directories the user configured (`dictionaryPaths`), holding `<lang>.aff`/`.dic` or
//!    `<lang>_<REGION>.aff`/`.dic` (e.g. `de_DE.aff`);
//! 2. the system: `/usr/share/hunspell`, `/usr/share/myspell`, `/usr/share/myspell/dicts`
//!    (where Debian's `hunspell-*` packages put them) and `$XDG_DATA_HOME/hunspell`;
//! 3. for English, the en_US dictionary shipped inside margin (SCOWL size 60, from the
//!    `dictionary-en` package; MIT/BSD-style licence in `dictionaries/LICENSE-en_US.txt`),
//!    so a fresh install proofreads English with no system package at all.
//!
//! A file that exists but cannot be parsed is an error the caller reports once; checking goes
//! on without spelling candidates for that language.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

const EN_US_AFF: &str = include_str!("../../dictionaries/en_US.aff");
const EN_US_DIC: &str = include_str!("../../dictionaries/en_US.dic");

/// System directories searched for Hunspell files.
const SYSTEM_DIRS: &[&str] = &[
    "/usr/share/hunspell",
    "/usr/share/myspell",
    "/usr/share/myspell/dicts",
];

/// A loaded dictionary.
pub struct Speller {
    dict: spellbook::Dictionary,
    /// Where it came from (a path, or "built-in en_US").
    pub source: String,
}

impl std::fmt::Debug for Speller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speller")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why no dictionary could be used for a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpellerError {
    /// No dictionary for the language anywhere.
    Missing { language: String },
    /// A dictionary file was found but is unreadable or malformed.
    Broken { path: PathBuf, reason: String },
}

impl std::fmt::Display for SpellerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpellerError::Missing { language } => write!(
                f,
                "no spelling dictionary for '{language}' (install your system's hunspell-{language} package, or put {language}.aff and {language}.dic in a directory listed in dictionaryPaths)"
            ),
            SpellerError::Broken { path, reason } => {
                write!(f, "cannot use the spelling dictionary {}: {reason}", path.display())
            }
        }
    }
}

impl Speller {
    /// A dictionary from `.aff` and `.dic` text.
    pub fn from_text(aff: &str, dic: &str, source: impl Into<String>) -> Result<Speller, String> {
        let dict = spellbook::Dictionary::new(aff, dic).map_err(|e| e.to_string())?;
        Ok(Speller {
            dict,
            source: source.into(),
        })
    }

    /// Whether the dictionary knows `word` (curly apostrophes count as straight ones).
    pub fn check(&self, word: &str) -> bool {
        self.dict.check(&word.replace('\u{2019}', "'"))
    }

    /// Suggested corrections for an unknown word, best first.
    pub fn suggest(&self, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.dict.suggest(&word.replace('\u{2019}', "'"), &mut out);
        out
    }

    /// The dictionary for `language` (an ISO 639-1 code, e.g. "en"), searching `extra_dirs`
    /// first; loaded once per process and language (later calls share it).
    pub fn for_language(
        language: &str,
        extra_dirs: &[PathBuf],
    ) -> Result<Arc<Speller>, SpellerError> {
        type Loaded = Mutex<HashMap<(String, Vec<PathBuf>), Result<Arc<Speller>, SpellerError>>>;
        static LOADED: OnceLock<Loaded> = OnceLock::new();
        let key = (language.to_string(), extra_dirs.to_vec());
        let loaded = LOADED.get_or_init(Default::default);
        if let Some(found) = loaded.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return found.clone();
        }
        // Loading takes a while (tenths of a second): not under the lock.
        let result = load(language, extra_dirs).map(Arc::new);
        loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_insert(result)
            .clone()
    }
}

fn load(language: &str, extra_dirs: &[PathBuf]) -> Result<Speller, SpellerError> {
    let mut dirs: Vec<PathBuf> = extra_dirs.to_vec();
    if let Some(data) = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home().map(|h| h.join(".local/share")))
    {
        dirs.push(data.join("hunspell"));
    }
    dirs.extend(SYSTEM_DIRS.iter().map(PathBuf::from));
    for dir in &dirs {
        if let Some(aff) = find_aff(dir, language) {
            return read_pair(&aff);
        }
    }
    if language == "en" {
        return Speller::from_text(EN_US_AFF, EN_US_DIC, "built-in en_US").map_err(|reason| {
            SpellerError::Broken {
                path: PathBuf::from("built-in en_US"),
                reason,
            }
        });
    }
    Err(SpellerError::Missing {
        language: language.to_string(),
    })
}

/// `<dir>/<lang>.aff`, else the preferred `<lang>_<REGION>.aff` (the region equal to the
/// language in upper case, e.g. de_DE, then en_US, then any in name order).
fn find_aff(dir: &Path, language: &str) -> Option<PathBuf> {
    let exact = dir.join(format!("{language}.aff"));
    if exact.is_file() {
        return Some(exact);
    }
    let mut regional: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(&format!("{language}_")) && name.ends_with(".aff")
        })
        .collect();
    let preferred = [
        format!("{language}_{}.aff", language.to_uppercase()),
        format!("{language}_US.aff"),
    ];
    regional.sort_by_key(|p| {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        (
            preferred
                .iter()
                .position(|x| *x == name)
                .unwrap_or(usize::MAX),
            name,
        )
    });
    regional.into_iter().next()
}

fn read_pair(aff: &Path) -> Result<Speller, SpellerError> {
    let dic = aff.with_extension("dic");
    let broken = |reason: String| SpellerError::Broken {
        path: aff.to_path_buf(),
        reason,
    };
    let aff_text = read_text(aff).map_err(broken)?;
    let dic_text = read_text(&dic).map_err(|reason| SpellerError::Broken {
        path: dic.clone(),
        reason,
    })?;
    Speller::from_text(&aff_text, &dic_text, aff.display().to_string()).map_err(broken)
}

/// File text; Hunspell files in legacy 8-bit encodings are read as Latin-1.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect()))
}

mod dirs {
    pub fn home() -> Option<std::path::PathBuf> {
        std::env::var_os("HOME").map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_english_knows_words_and_suggests_corrections() {
        let en = Speller::from_text(EN_US_AFF, EN_US_DIC, "test").unwrap();
        for w in [
            "science",
            "technologies",
            "doesn't",
            "developed",
            "It's",
            "children",
        ] {
            assert!(en.check(w), "{w}");
        }
        for w in ["siences", "tecnologies", "developped", "becouse"] {
            assert!(!en.check(w), "{w}");
        }
        assert!(en.suggest("becouse").contains(&"because".to_string()));
        assert!(en
            .suggest("tecnologies")
            .contains(&"technologies".to_string()));
        assert!(en.check("doesn\u{2019}t"));
    }

    #[test]
    fn dictionaries_are_found_by_region_and_broken_ones_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xx_YY.aff"), "SET UTF-8\n").unwrap();
        std::fs::write(dir.path().join("xx_YY.dic"), "2\nfoo\nbar\n").unwrap();
        std::fs::write(dir.path().join("xx_XX.aff"), "SET UTF-8\n").unwrap();
        std::fs::write(dir.path().join("xx_XX.dic"), "1\nbaz\n").unwrap();
        let xx = Speller::for_language("xx", &[dir.path().to_path_buf()]).unwrap();
        assert!(
            xx.check("baz") && !xx.check("foo"),
            "xx_XX preferred: {}",
            xx.source
        );
        std::fs::write(dir.path().join("zz.aff"), "SET UTF-8\n").unwrap();
        let err = Speller::for_language("zz", &[dir.path().to_path_buf()]).unwrap_err();
        assert!(
            matches!(err, SpellerError::Broken { .. }),
            "missing .dic: {err}"
        );
        let missing = Speller::for_language("qq", &[dir.path().to_path_buf()]).unwrap_err();
        assert!(missing.to_string().contains("hunspell-qq"), "{missing}");
    }
}
