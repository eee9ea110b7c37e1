//! Per-language word data for candidates, read from data files (`data/<lang>/`), not code:
//! - `confusables.txt`: groups of words written for one another (their/there/they're);
//! - `forms.txt`: number and tense families no rule derives (go/goes/went/gone/going);
//! - `inflection.txt`: regular suffix pairs (- s, y ies, + ed, …) whose results must be known
//!   to the language's dictionary.

use std::collections::{HashMap, HashSet};

/// The data of one language.
#[derive(Debug, Default)]
pub struct Lexicon {
    confusable: HashMap<String, Vec<String>>,
    family: HashMap<String, Vec<String>>,
    rules: Vec<Rule>,
    min_length: usize,
    exclude: HashSet<String>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// Lower case → capitalised form, for words written with a capital.
    capitals: HashMap<String, String>,
    /// Abbreviations (lower case, no final dot) after which a full stop ends no sentence.
    abbreviations: HashSet<String>,
    /// Verbs that follow a plural subject ("are") and a singular one ("is").
    before_plural: HashSet<String>,
    before_singular: HashSet<String>,
    /// Plurals without the plural ending ("people").
    plurals: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Rule {
    /// Suffix of the longer/other form's stem side (`""` = none, `"+"` = doubled consonant).
    left: String,
    right: String,
    /// Endings the left-side word must have (empty: any).
    when: Vec<String>,
}

/// Data files shipped for a language: confusables, forms, inflection, capitals.
fn shipped(language: &str) -> Option<[&'static str; 4]> {
    match language {
        "en" => Some([
            include_str!("../../data/en/confusables.txt"),
            include_str!("../../data/en/forms.txt"),
            include_str!("../../data/en/inflection.txt"),
            include_str!("../../data/en/capitals.txt"),
        ]),
        "de" => Some([
            include_str!("../../data/de/confusables.txt"),
            include_str!("../../data/de/forms.txt"),
            include_str!("../../data/de/inflection.txt"),
            include_str!("../../data/de/capitals.txt"),
        ]),
        _ => None,
    }
}

/// A hash of every shipped data file: results scored from candidates of other data are not
/// reused (see [`crate::CheckKey`]).
pub fn data_hash() -> u64 {
    static HASH: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| {
        let mut all = Vec::new();
        for language in ["en", "de"] {
            for file in shipped(language).into_iter().flatten() {
                all.extend_from_slice(file.as_bytes());
                all.push(0);
            }
        }
        crate::tokens::stable_hash(&all)
    })
}

fn lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
}

/// Adds every word of each group as an alternative of every other.
fn groups(text: &str, into: &mut HashMap<String, Vec<String>>) {
    for group in lines(text) {
        for &w in &group {
            let alts = into.entry(w.to_string()).or_default();
            for &other in &group {
                if other != w && !alts.iter().any(|a| a == other) {
                    alts.push(other.to_string());
                }
            }
        }
    }
}

impl Lexicon {
    /// The shipped data for `language` (an ISO 639-1 code); empty for languages without data.
    pub fn for_language(language: &str) -> Lexicon {
        match shipped(language) {
            Some([c, f, i, k]) => Lexicon::parse(c, f, i, k),
            None => Lexicon::default(),
        }
    }

    /// Data from the text of the four files.
    pub fn parse(confusables: &str, forms: &str, inflection: &str, capitals: &str) -> Lexicon {
        let mut lex = Lexicon {
            min_length: 3,
            ..Lexicon::default()
        };
        groups(confusables, &mut lex.confusable);
        groups(forms, &mut lex.family);
        for fields in lines(inflection) {
            match fields.as_slice() {
                ["min-length", n] => lex.min_length = n.parse().unwrap_or(3),
                ["exclude", words @ ..] => lex.exclude.extend(words.iter().map(|w| w.to_string())),
                ["prefixes", words @ ..] => {
                    lex.prefixes.extend(words.iter().map(|w| w.to_string()))
                }
                ["suffixes", words @ ..] => {
                    lex.suffixes.extend(words.iter().map(|w| w.to_string()))
                }
                ["before-plural", words @ ..] => lex
                    .before_plural
                    .extend(words.iter().map(|w| w.to_string())),
                ["plurals", words @ ..] => lex.plurals.extend(words.iter().map(|w| w.to_string())),
                ["before-singular", words @ ..] => lex
                    .before_singular
                    .extend(words.iter().map(|w| w.to_string())),
                [left, right, rest @ ..] => lex.rules.push(Rule {
                    left: left.replace('-', ""),
                    right: right.replace('-', ""),
                    when: rest
                        .first()
                        .map(|w| w.split('|').map(str::to_string).collect())
                        .unwrap_or_default(),
                }),
                _ => {}
            }
        }
        for fields in lines(capitals) {
            match fields.as_slice() {
                ["abbreviations", words @ ..] => lex
                    .abbreviations
                    .extend(words.iter().map(|w| w.to_string())),
                [word] => {
                    lex.capitals.insert(word.to_lowercase(), word.to_string());
                }
                _ => {}
            }
        }
        lex
    }

    /// The capitalised form of a word written with a capital (`word` in lower case).
    pub fn capital(&self, word: &str) -> Option<&str> {
        self.capitals.get(word).map(String::as_str)
    }

    /// Whether `word` (lower case, no final dot) is an abbreviation ("e.g", "etc").
    pub fn is_abbreviation(&self, word: &str) -> bool {
        self.abbreviations.contains(word)
    }

    /// Whether there is no data (a language margin ships no word data for).
    pub fn is_empty(&self) -> bool {
        self.confusable.is_empty()
            && self.family.is_empty()
            && self.rules.is_empty()
            && self.capitals.is_empty()
    }

    /// Words `word` (lower case) is easily confused with.
    pub fn confusables(&self, word: &str) -> &[String] {
        self.confusable.get(word).map_or(&[], Vec::as_slice)
    }

    /// Other number and tense forms of `word` (lower case): its family from `forms.txt`, else
    /// the rule-derived forms that `known` accepts.
    pub fn forms(&self, word: &str, known: impl Fn(&str) -> bool) -> Vec<String> {
        if let Some(family) = self.family.get(word) {
            return family.clone();
        }
        if word.chars().count() < self.min_length
            || self.exclude.contains(word)
            || !word.chars().all(char::is_alphabetic)
        {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for rule in &self.rules {
            for form in rule.apply(word).into_iter().chain(rule.unapply(word)) {
                if form != word && form.chars().count() >= 2 && !out.contains(&form) && known(&form)
                {
                    out.push(form);
                }
            }
        }
        out
    }

    /// Whether `form` in place of `word` (both lower case) breaks number agreement with the
    /// verb `next` that follows: a plural made singular before a plural verb ("Findings are" →
    /// "Finding are") or a singular made plural before a singular one ("The result is" → "The
    /// results is"). Plurals are the forms of the rules whose ending is `s`, and the words listed as
    /// plurals, which never count as singular ("peoples are" → "people are").
    pub fn breaks_agreement(&self, word: &str, form: &str, next: &str) -> bool {
        (self.before_plural.contains(next) && self.is_plural_of(form, word))
            || (self.before_singular.contains(next) && self.is_plural_of(word, form))
    }

    /// Whether `plural` is `singular` with a plural ending of the rules (and `singular` is
    /// not a listed plural such as "people").
    pub fn is_plural_of(&self, singular: &str, plural: &str) -> bool {
        !self.plurals.contains(singular)
            && self
                .rules
                .iter()
                .any(|r| r.right.ends_with('s') && r.apply(singular).as_deref() == Some(plural))
    }

    /// Whether `word` can be a plain-form verb: the dictionary (`known`) has its third-person
    /// form and a past or -ing form ("time": "times", "timed"). A plural noun made singular
    /// right before such a word would break agreement if it is the verb ("Requests time out"
    /// -> "Request time out"); nouns that are only nouns ("handler") have no such forms.
    pub fn plain_verb(&self, word: &str, known: impl Fn(&str) -> bool) -> bool {
        if word.ends_with('s') {
            return false;
        }
        let forms = self.forms(word, known);
        let third = forms.iter().any(|f| self.is_plural_of(word, f));
        third
            && forms
                .iter()
                .any(|f| f.ends_with("ed") || f.ends_with("ing"))
    }

    /// Whether an unknown `word` (lower case) is a known word with a listed prefix
    /// ("dereference"), a listed derivational suffix ("pointee") or a plain suffix of the rules
    /// ("coercions", "unwinding"), and not a misspelt form the dictionary knows ("familys" is
    /// "families" misspelt, not "family" + s). A doubled consonant is a spelling rule the
    /// dictionary lists explicitly, so it never counts ("developped").
    pub fn known_by_parts(&self, word: &str, known: impl Fn(&str) -> bool) -> bool {
        let long_enough = |w: &str| w.chars().count() >= 4;
        let prefixed = self.prefixes.iter().any(|p| {
            word.strip_prefix(p.as_str()).is_some_and(|rest| {
                long_enough(rest) && (known(rest) || known(rest.trim_start_matches('-')))
            })
        });
        let derived = self.suffixes.iter().any(|s| {
            word.strip_suffix(s.as_str())
                .is_some_and(|base| long_enough(base) && known(base))
        });
        // Not when the base has a known form of the same ending close to the word: that form is
        // what was meant ("familys": "families", not "sharded": "shards").
        let inflected = self.rules.iter().filter(|r| r.left != "+").any(|r| {
            r.unapply(word).is_some_and(|base| {
                long_enough(&base)
                    && known(&base)
                    && !self.forms(&base, &known).iter().any(|f| {
                        f.ends_with(r.right.as_str()) && crate::classify::damerau(f, word) <= 2
                    })
            })
        });
        prefixed || derived || inflected
    }
}

fn is_consonant(c: char) -> bool {
    c.is_alphabetic() && !"aeiouy".contains(c)
}

impl Rule {
    /// `word` as the left side: the right-side form.
    fn apply(&self, word: &str) -> Option<String> {
        if !self.when.is_empty() && !self.when.iter().any(|w| word.ends_with(w.as_str())) {
            return None;
        }
        if self.left == "+" {
            let last = word.chars().last().filter(|&c| is_consonant(c))?;
            return Some(format!("{word}{last}{}", self.right));
        }
        let stem = word.strip_suffix(self.left.as_str())?;
        Some(format!("{stem}{}", self.right))
    }

    /// `word` as the right side: the left-side form.
    fn unapply(&self, word: &str) -> Option<String> {
        let stem = word.strip_suffix(self.right.as_str())?;
        let base = if self.left == "+" {
            let mut chars = stem.chars().rev();
            let (a, b) = (chars.next()?, chars.next()?);
            if a != b || !is_consonant(a) {
                return None;
            }
            stem[..stem.len() - a.len_utf8()].to_string()
        } else {
            format!("{stem}{}", self.left)
        };
        (self.when.is_empty() || self.when.iter().any(|w| base.ends_with(w.as_str())))
            .then_some(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english_words() -> HashSet<&'static str> {
        [
            "develop",
            "develops",
            "developed",
            "developing",
            "stop",
            "stops",
            "stopped",
            "stopping",
            "study",
            "studies",
            "studied",
            "studying",
            "reason",
            "reasons",
            "box",
            "boxes",
            "use",
            "uses",
            "used",
            "using",
            "car",
            "cars",
            "see",
            "seed",
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn english_forms_come_from_rules_and_families() {
        let lex = Lexicon::for_language("en");
        let words = english_words();
        let known = |w: &str| words.contains(w);
        let mut f = lex.forms("develop", known);
        f.sort();
        assert_eq!(f, ["developed", "developing", "develops"]);
        assert!(lex.forms("stopped", known).contains(&"stop".to_string()));
        assert!(lex.forms("stop", known).contains(&"stopping".to_string()));
        assert_eq!(
            lex.forms("studies", known).first().map(String::as_str),
            Some("study")
        );
        assert!(lex.forms("box", known).contains(&"boxes".to_string()));
        assert!(lex.forms("reasons", known).contains(&"reason".to_string()));
        assert!(lex.forms("used", known).contains(&"use".to_string()));
        // Families from forms.txt win over rules: "see" is not "seed".
        assert!(!lex.forms("see", known).contains(&"seed".to_string()));
        assert!(lex.forms("eat", known).contains(&"eats".to_string()));
        assert!(lex.forms("children", known).contains(&"child".to_string()));
        // Function words get none.
        assert!(lex.forms("its", |_| true).is_empty());
    }

    #[test]
    fn forms_that_break_agreement_with_the_next_verb() {
        let lex = Lexicon::for_language("en");
        assert!(lex.breaks_agreement("findings", "finding", "are"));
        assert!(lex.breaks_agreement("result", "results", "is"));
        assert!(lex.breaks_agreement("box", "boxes", "has"));
        assert!(lex.breaks_agreement("studies", "study", "were"));
        // The fixes that make a noun agree stay.
        assert!(!lex.breaks_agreement("student", "students", "are"));
        assert!(!lex.breaks_agreement("results", "result", "is"));
        assert!(!lex.breaks_agreement("peoples", "people", "are"));
        // Not before other words, and not for other forms.
        assert!(!lex.breaks_agreement("findings", "finding", "that"));
        assert!(!lex.breaks_agreement("use", "used", "are"));
        assert!(!Lexicon::for_language("de").breaks_agreement("findings", "finding", "are"));
    }

    #[test]
    fn plain_verbs_have_third_person_and_past_forms() {
        let lex = Lexicon::for_language("en");
        let words: HashSet<&str> = [
            "time", "times", "timed", "timing", "handler", "handlers", "fail", "fails", "failed",
        ]
        .into_iter()
        .collect();
        let known = |w: &str| words.contains(w);
        assert!(lex.plain_verb("time", known));
        assert!(lex.plain_verb("fail", known));
        // A noun with a plural but no verb forms, and a third-person form itself.
        assert!(!lex.plain_verb("handler", known));
        assert!(!lex.plain_verb("fails", known));
        assert!(lex.is_plural_of("request", "requests"));
        assert!(!lex.is_plural_of("requests", "request"));
    }

    #[test]
    fn unknown_words_made_of_known_parts() {
        let lex = Lexicon::for_language("en");
        let words: HashSet<&str> = ["reference", "coercion", "unwind", "develop", "thread"]
            .into_iter()
            .collect();
        let known = |w: &str| words.contains(w);
        assert!(lex.known_by_parts("dereference", known));
        assert!(lex.known_by_parts("coercions", known));
        assert!(lex.known_by_parts("unwinding", known));
        // A doubled consonant is a misspelling, not an unknown form.
        assert!(!lex.known_by_parts("developped", known));
        assert!(!lex.known_by_parts("siences", known));
        let words: HashSet<&str> = ["point", "match", "family", "families"]
            .into_iter()
            .collect();
        let known = |w: &str| words.contains(w);
        assert!(lex.known_by_parts("pointee", known));
        assert!(lex.known_by_parts("matchers", known));
        assert!(
            !lex.known_by_parts("familys", known),
            "a misspelt plural the dictionary knows"
        );
        let words: HashSet<&str> = ["shard", "shards"].into_iter().collect();
        assert!(
            lex.known_by_parts("sharded", |w: &str| words.contains(w)),
            "'shards' is not what 'sharded' misspells"
        );
    }

    #[test]
    fn confusables_are_symmetric() {
        let lex = Lexicon::for_language("en");
        assert!(lex.confusables("their").contains(&"there".to_string()));
        assert!(lex.confusables("they're").contains(&"their".to_string()));
        assert!(lex.confusables("than").contains(&"then".to_string()));
        assert!(lex.confusables("an").contains(&"a".to_string()));
        assert!(lex.confusables("banana").is_empty());
        let de = Lexicon::for_language("de");
        assert!(de.confusables("das").contains(&"dass".to_string()));
        assert!(Lexicon::for_language("xx").confusables("das").is_empty());
    }
}
