//! Edit categories and messages: decides whether a changed span is a
//! spelling, grammar, punctuation or style fix from the two strings alone
//! (edit distance, inflection suffixes, a small table of confusable English
//! words) and phrases the diagnostic message.

use crate::align::Category;
use crate::tokens::words;

/// Confusable word groups (lowercase, straight apostrophes). Two different
/// words from one group make a grammar fix ("dont" → "doesn't" compares
/// without apostrophes; "its" → "it's" compares literally).
const GROUPS: &[&[&str]] = &[
    &["do", "does", "did", "don't", "doesn't", "didn't", "done"],
    &[
        "is", "are", "was", "were", "am", "be", "been", "being", "isn't", "aren't", "wasn't",
        "weren't",
    ],
    &[
        "has", "have", "had", "having", "hasn't", "haven't", "hadn't",
    ],
    &["a", "an", "the"],
    &["its", "it's"],
    &["your", "you're"],
    &["their", "there", "they're"],
    &["whose", "who's"],
    &["were", "we're"],
    &["lets", "let's"],
    &["then", "than"],
    &["affect", "effect"],
    &["lose", "loose"],
    &["of", "have"],
    &["this", "these", "that", "those"],
    &["much", "many"],
    &["less", "fewer"],
    &["who", "whom", "which", "that"],
    &["i", "me", "my", "mine"],
    &["he", "him", "his"],
    &["she", "her", "hers"],
    &["we", "us", "our"],
    &["they", "them"],
    &[
        "in", "on", "at", "to", "into", "onto", "for", "of", "from", "with", "by",
    ],
    &["go", "goes", "went", "gone"],
    &["come", "comes", "came"],
    &["get", "gets", "got", "gotten"],
    &["make", "makes", "made"],
    &["take", "takes", "took", "taken"],
    &["write", "writes", "wrote", "written"],
    &["know", "knows", "knew", "known"],
    &["see", "sees", "saw", "seen"],
    &["give", "gives", "gave", "given"],
    &["run", "runs", "ran"],
    &["begin", "begins", "began", "begun"],
    &["think", "thinks", "thought"],
    &["bring", "brings", "brought"],
    &["buy", "buys", "bought"],
    &["find", "finds", "found"],
    &["say", "says", "said"],
    &["can", "could", "can't", "couldn't"],
    &["will", "would", "won't", "wouldn't"],
];

/// Inflection endings: a shared stem plus two of these is a grammar fix
/// ("eat" → "eats", "study" → "studies").
const SUFFIXES: &[&str] = &[
    "", "s", "es", "ed", "d", "ing", "er", "est", "ies", "ied", "y", "e", "en", "ren", "ly",
];

pub(crate) fn classify(original: &str, replacement: &str) -> Category {
    let ow = words(original);
    let rw = words(replacement);
    // Only spacing, punctuation or quote style changed.
    if ow == rw || norm_quotes(original) == norm_quotes(replacement) {
        return Category::Punctuation;
    }
    if ow.len() == rw.len() && ow.iter().zip(&rw).all(|(a, b)| lower(a) == lower(b)) {
        return Category::Spelling;
    }
    if ow.len() == rw.len() && !ow.is_empty() && ow.len() <= 3 {
        let kinds: Vec<Option<Category>> =
            ow.iter().zip(&rw).map(|(a, b)| word_pair(a, b)).collect();
        if kinds.iter().all(|k| *k != Some(Category::Style)) {
            if kinds.contains(&Some(Category::Grammar)) {
                return Category::Grammar;
            }
            return Category::Spelling;
        }
        if ow.len() == 1 {
            return Category::Style;
        }
    }
    if !ow.is_empty() && !rw.is_empty() && ow.len() != rw.len() {
        // Split or joined words: "alot" → "a lot", "some thing" → "something".
        let (oj, rj) = (lower(&ow.concat()), lower(&rw.concat()));
        if oj == rj || damerau(&oj, &rj) <= 1 {
            return Category::Spelling;
        }
    }
    if is_subsequence(&ow, &rw) || is_subsequence(&rw, &ow) {
        return if ow.len().abs_diff(rw.len()) <= 2 {
            Category::Grammar
        } else {
            Category::Style
        };
    }
    Category::Style
}

/// Category of one changed word; `None` when the words are equal.
fn word_pair(a: &str, b: &str) -> Option<Category> {
    let (la, lb) = (norm_quotes(&lower(a)), norm_quotes(&lower(b)));
    if la == lb {
        return if a == b {
            None
        } else {
            Some(Category::Spelling)
        };
    }
    let (sa, sb) = (la.replace('\'', ""), lb.replace('\'', ""));
    let grouped = if sa == sb {
        GROUPS
            .iter()
            .any(|g| g.contains(&la.as_str()) && g.contains(&lb.as_str()))
    } else {
        let has = |g: &[&str], s: &str| g.iter().any(|w| w.replace('\'', "") == s);
        GROUPS.iter().any(|g| has(g, &sa) && has(g, &sb))
    };
    if grouped {
        return Some(Category::Grammar);
    }
    if sa == sb {
        return Some(Category::Spelling);
    }
    if is_inflection(&sa, &sb) {
        return Some(Category::Grammar);
    }
    let len = sa.chars().count().max(sb.chars().count());
    let allowed = if len <= 3 {
        1
    } else if len <= 8 {
        2
    } else {
        (len / 3).max(2)
    };
    if damerau(&sa, &sb) <= allowed {
        Some(Category::Spelling)
    } else {
        Some(Category::Style)
    }
}

fn is_inflection(a: &str, b: &str) -> bool {
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    let p = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    if p < 2 {
        return false;
    }
    let sa: String = ac[p..].iter().collect();
    let sb: String = bc[p..].iter().collect();
    let bare = |x: &str, y: &str| x.is_empty() && matches!(y, "e" | "y");
    SUFFIXES.contains(&sa.as_str())
        && SUFFIXES.contains(&sb.as_str())
        && !bare(&sa, &sb)
        && !bare(&sb, &sa)
}

/// Optimal-string-alignment Damerau–Levenshtein distance over chars.
pub(crate) fn damerau(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

fn is_subsequence(short: &[&str], long: &[&str]) -> bool {
    if short.len() >= long.len() {
        return false;
    }
    let mut it = long.iter();
    short.iter().all(|w| it.any(|l| lower(l) == lower(w)))
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Curly and other typographic quotes folded to straight ones.
pub(crate) fn norm_quotes(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '´' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '«' | '»' => '"',
            c => c,
        })
        .collect()
}

/// Message text for a changed span.
pub(crate) fn message_for(original: &str, replacement: &str, category: Category) -> String {
    let (o, r) = (show(original), show(replacement));
    let o_gone = original.trim().is_empty();
    let r_gone = replacement.trim().is_empty();
    match category {
        Category::Punctuation if original.is_empty() && r_gone => "Missing space".to_string(),
        Category::Punctuation if o_gone && r_gone => "Possible spacing mistake".to_string(),
        Category::Punctuation if o_gone => format!("Missing punctuation: add '{r}'"),
        Category::Punctuation if strip_ws(original) == strip_ws(replacement) => {
            format!(
                "Possible spacing mistake: '{}' → '{}'",
                raw(original),
                raw(replacement)
            )
        }
        Category::Punctuation => format!("Possible punctuation mistake: '{o}' → '{r}'"),
        _ if r_gone => format!("Consider removing '{o}'"),
        Category::Spelling if lower(original) == lower(replacement) => {
            format!("Possible capitalization mistake: '{o}' → '{r}'")
        }
        Category::Spelling => format!("Possible spelling mistake: '{o}' → '{r}'"),
        Category::Grammar if o_gone => format!("Possible missing word: add '{r}'"),
        Category::Grammar => format!("Possible grammar mistake: '{o}' → '{r}'"),
        Category::Style if o_gone => format!("Consider adding '{r}'"),
        Category::Style => format!("Consider rephrasing: '{o}' → '{r}'"),
    }
}

/// Trimmed, single-line, at most 40 characters.
fn show(s: &str) -> String {
    truncate(&s.trim().replace('\n', " ↵ "))
}

/// Untrimmed (spacing matters), single-line, at most 40 characters.
fn raw(s: &str) -> String {
    truncate(&s.replace('\n', "↵"))
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 {
        return s.to_string();
    }
    let mut t: String = s.chars().take(39).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::*;

    #[test]
    fn categories_of_real_fixes() {
        let cases = [
            ("teh", "the", Spelling),
            ("recieve", "receive", Spelling),
            ("definately", "definitely", Spelling),
            ("wich", "which", Spelling),
            ("dont", "don't", Spelling),
            ("monday", "Monday", Spelling),
            ("alot", "a lot", Spelling),
            ("eat", "eats", Grammar),
            ("dont", "doesn't", Grammar),
            ("its", "it's", Grammar),
            ("their", "there", Grammar),
            ("is", "are", Grammar),
            ("a", "an", Grammar),
            ("study", "studies", Grammar),
            ("go", "went", Grammar),
            ("big", "large", Style),
            ("really very good", "excellent", Style),
            (",", ";", Punctuation),
            (" ,", ",", Punctuation),
            ("\"quoted\"", "“quoted”", Punctuation),
            ("", ",", Punctuation),
            ("the ", "", Grammar),
            ("", "to ", Grammar),
        ];
        for (o, r, want) in cases {
            assert_eq!(classify(o, r), want, "{o:?} → {r:?}");
        }
    }

    #[test]
    fn misspelled_stem_is_not_inflection() {
        assert!(!is_inflection("ther", "there"));
        assert!(!is_inflection("teh", "the"));
        assert!(is_inflection("use", "used"));
        assert_eq!(classify("ther", "there"), Spelling);
    }

    #[test]
    fn damerau_counts_transpositions_once() {
        assert_eq!(damerau("teh", "the"), 1);
        assert_eq!(damerau("kitten", "sitting"), 3);
        assert_eq!(damerau("", "abc"), 3);
        assert_eq!(damerau("naïve", "naive"), 1);
    }

    #[test]
    fn messages() {
        assert_eq!(
            message_for("teh", "the", Spelling),
            "Possible spelling mistake: 'teh' → 'the'"
        );
        assert_eq!(
            message_for("", ",", Punctuation),
            "Missing punctuation: add ','"
        );
        assert_eq!(message_for("the ", "", Grammar), "Consider removing 'the'");
        assert_eq!(
            message_for("i", "I", Spelling),
            "Possible capitalization mistake: 'i' → 'I'"
        );
        let long = "word ".repeat(20);
        assert!(message_for(&long, "x", Style).chars().count() < 80);
    }
}
