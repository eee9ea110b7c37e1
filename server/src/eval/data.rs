//! Evaluation data: learner sentences with human corrections (JFLEG-style JSON lines,
//! `{"text": ..., "refs": [...]}`) and clean Markdown whose every finding is a false flag
//! unless it is a real mistake. A finding on a learner sentence counts as correct when its
//! span and replacement equal an edit that one of the references makes (edits found by the
//! same word-level alignment margin uses for rewrites).

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use margin_proofread::align;

/// One learner sentence and the edits its references make.
pub struct Item {
    pub text: String,
    /// Whether any reference differs from the text (else a finding on it is a false flag).
    pub wrong: bool,
    /// (range, replacement) of every reference edit.
    pub edits: HashSet<(Range<usize>, String)>,
}

impl Item {
    /// Whether a finding replacing `range` with `replacement` is an edit of a reference.
    pub fn matches(&self, range: &Range<usize>, replacement: &str) -> bool {
        self.edits
            .contains(&(range.clone(), replacement.to_string()))
    }
}

#[derive(serde::Deserialize)]
struct Line {
    text: String,
    refs: Vec<String>,
}

/// Reads a JSON-lines file of `{"text", "refs"}` objects.
pub fn learner(path: &Path) -> Result<Vec<Item>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut items = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let wrong = line.refs.iter().any(|r| norm(r) != norm(&line.text));
        let edits = line
            .refs
            .iter()
            .flat_map(|r| align(&line.text, r))
            .map(|e| (e.range, e.replacement))
            .collect();
        items.push(Item {
            text: line.text,
            wrong,
            edits,
        });
    }
    Ok(items)
}

/// The paragraphs of a Markdown file (its prose regions, one a paragraph).
pub fn clean(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_edits_match_findings_by_span_and_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let line = serde_json::json!({"text": "She eat siences.", "refs": ["She eats sciences.", "She eats science."]});
        let ok = serde_json::json!({"text": "All good.", "refs": ["All good.", "All  good."]});
        std::fs::write(&path, format!("{line}\n\n{ok}\n")).unwrap();
        let items = learner(&path).unwrap();
        assert_eq!(items.len(), 2);
        assert!(items[0].wrong && !items[1].wrong);
        assert!(items[0].matches(&(4..7), "eats"));
        assert!(items[0].matches(&(8..15), "science"));
        assert!(items[0].matches(&(8..15), "sciences"));
        assert!(!items[0].matches(&(8..15), "seances"));
    }
}
