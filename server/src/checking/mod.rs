//! Proofreading a document: its prose regions (from `margin-syntax`), each
//! looked up in a result cache keyed by model, settings, language and text,
//! else sent to the model (`model_call`); edits mapped back to document bytes
//! and filtered for precision (protected spans, URLs and paths, identifiers,
//! dictionary words, whitespace/quote-only edits, too-large rewrites, low
//! model confidence, ignored findings). No LSP types: findings are byte
//! ranges and plain strings.

pub mod model_call;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use margin_engine::{Engine, Priority};
use margin_proofread::{
    detect, filter, identifiers_from_tree, message, split, stable_hash, Category, CheckKey, Dictionary, Edit,
    FilterConfig, FilterContext, ResultCache,
};
use margin_syntax::{extract_regions, ExtractOptions, Language, ProseRegion, SyntaxTree};

use crate::config::Settings;
use model_call::ScoredEdit;

/// One proofreading finding, in document bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub range: Range<usize>,
    pub original: String,
    pub replacement: String,
    pub category: Category,
    pub message: String,
    pub confidence: f32,
    /// Document range of the prose region (paragraph, comment) it is in.
    pub region: Range<usize>,
    /// The sentence around the finding, for ignore keys that survive edits elsewhere.
    pub context: String,
}

impl Finding {
    /// The diagnostic code: `spelling`, `grammar`, `punctuation` or `style`.
    pub fn category_name(&self) -> &'static str {
        match self.category {
            Category::Spelling => "spelling",
            Category::Grammar => "grammar",
            Category::Punctuation => "punctuation",
            Category::Style => "style",
        }
    }

    /// The key under which the user can ignore this finding in a file.
    pub fn key(&self) -> margin_proofread::FindingKey {
        margin_proofread::FindingKey {
            original: self.original.clone(),
            replacement: self.replacement.clone(),
            context: margin_proofread::context_hash(&self.context),
        }
    }
}

/// Why a document check stopped early.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Regions(String),
}

/// What a check needs besides the text.
pub struct CheckInput<'a> {
    pub text: &'a str,
    pub language: Language,
    pub settings: &'a Settings,
    pub dictionary: &'a Dictionary,
    /// Byte offset being edited: its region is checked first.
    pub focus: Option<usize>,
    pub cancel: Arc<AtomicBool>,
    pub priority: Priority,
}

/// Counters for status displays and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckStats {
    pub regions: usize,
    pub cache_hits: usize,
    pub model_calls: usize,
    pub unusable_outputs: usize,
}

/// Shared by every check of a server or CLI run: the result cache.
pub struct Checker {
    cache: Mutex<ResultCache<CheckKey, Vec<ScoredEdit>>>,
    stats: Mutex<CheckStats>,
    tuning: Tuning,
}

/// Switches for benchmarks: the same code with the cache or speculation off.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub cache: bool,
    pub speculative: bool,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::with_tuning(Tuning { cache: true, speculative: true })
    }
}

/// An edit that only removes or swaps emoji and other symbols: style, not a mistake.
fn is_symbol_edit(edit: &Edit) -> bool {
    let symbolic = |s: &str| s.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii_punctuation());
    let letters = |s: &str| s.chars().any(char::is_alphanumeric);
    symbolic(&edit.original) && !letters(&edit.original) && !letters(&edit.replacement)
}

/// Parse `text` and extract its prose regions (string literals when `include_strings`), with
/// `queriesDir` overrides; a broken override is logged and the built-in query used.
pub fn parse_regions(
    text: &str,
    language: Language,
    include_strings: bool,
    settings: &Settings,
) -> Result<(Option<SyntaxTree>, Vec<ProseRegion>), String> {
    let mut tree = SyntaxTree::new(language);
    if let Some(t) = tree.as_mut() {
        t.parse(text);
    }
    let options = ExtractOptions { include_strings, queries_dir: settings.queries_dir.as_deref() };
    let extracted = extract_regions(text, tree.as_ref(), language, &options).map_err(|e| e.to_string())?;
    for warning in &extracted.warnings {
        tracing::warn!("{warning}");
    }
    Ok((tree, extracted.regions))
}

/// Regions plus the identifiers of the file (words that must not be "corrected").
pub fn prepare(text: &str, language: Language, settings: &Settings) -> Result<(Vec<ProseRegion>, HashSet<String>), String> {
    let (tree, regions) = parse_regions(text, language, settings.check_strings, settings)?;
    let identifiers = match tree.as_ref().and_then(|t| t.tree()) {
        Some(t) if language != Language::Markdown => identifiers_from_tree(text, t),
        _ => HashSet::new(),
    };
    Ok((regions, identifiers))
}

impl Checker {
    pub fn with_tuning(tuning: Tuning) -> Self {
        Checker { cache: Mutex::new(ResultCache::new(4096)), stats: Mutex::default(), tuning }
    }

    pub fn stats(&self) -> CheckStats {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Check every region of a document; `on_region` is told after each one (done, total, the
    /// findings so far).
    pub async fn check_document(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
        mut on_region: impl FnMut(usize, usize, &[Finding]),
    ) -> Result<Vec<Finding>, CheckError> {
        let mut order: Vec<&ProseRegion> = regions.iter().filter(|r| !r.text.trim().is_empty()).collect();
        if let Some(focus) = input.focus {
            order.sort_by_key(|r| !(r.doc_range.start <= focus && focus <= r.doc_range.end));
        }
        let mut findings = Vec::new();
        let total = order.len();
        for (done, region) in order.into_iter().enumerate() {
            if input.cancel.load(Ordering::Relaxed) {
                return Err(CheckError::Cancelled);
            }
            findings.extend(self.check_region(engine, input, region, identifiers).await?);
            on_region(done + 1, total, &findings);
        }
        findings.sort_by_key(|f| f.range.start);
        Ok(findings)
    }

    async fn check_region(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        region: &ProseRegion,
        identifiers: &HashSet<String>,
    ) -> Result<Vec<Finding>, CheckError> {
        let language = match input.settings.language.as_str() {
            "auto" => detect(&region.text),
            fixed => Some(fixed),
        };
        // Keep each piece well inside the window: prompt prefix, the text, and its rewrite.
        let budget = engine.model_info().default_budget.saturating_sub(400) / 3;
        let pieces = split(&region.text, budget.max(64), |s| engine.count_tokens(s));
        let mut findings = Vec::new();
        for piece in pieces {
            // Line breaks inside a region are wrapping (comment lines, a paragraph over several
            // lines): the model sees spaces, which keeps every byte offset, and edits touching a
            // former break are dropped (it stands for the next line's comment marker).
            let text = region.text[piece.clone()].replace('\n', " ");
            let text = text.as_str();
            let scored = self.edits_for(engine, input, text, language).await?;
            let mut protected: Vec<Range<usize>> = region
                .protected
                .iter()
                .filter(|p| p.end >= piece.start && p.start <= piece.end)
                .map(|p| p.start.saturating_sub(piece.start)..(p.end - piece.start).min(text.len()))
                .collect();
            let breaks = region.text[piece.clone()].match_indices('\n').map(|(i, _)| i..i + 1);
            protected.extend(breaks);
            let config = FilterConfig {
                allow_whitespace_only: input.settings.allow_whitespace_edits,
                allow_quote_style: input.settings.allow_quote_edits,
                max_changed_share: input.settings.max_rewrite_share,
            };
            let context = FilterContext { protected: &protected, identifiers, dictionary: input.dictionary, config: &config };
            let edits: Vec<Edit> = scored.iter().map(|s| s.edit.clone()).collect();
            let kept = filter(text, edits, &context);
            for (edit, reason) in &kept.dropped {
                tracing::debug!(original = edit.original, replacement = edit.replacement, ?reason, "edit dropped");
            }
            for edit in kept.kept {
                if is_symbol_edit(&edit) {
                    tracing::debug!(original = edit.original, "edit dropped: emoji or symbol changed");
                    continue;
                }
                let confidence = scored.iter().find(|s| s.edit == edit).map_or(0.0, |s| s.confidence);
                if confidence < input.settings.min_confidence {
                    tracing::debug!(original = edit.original, confidence, "edit dropped: low confidence");
                    continue;
                }
                let start = piece.start + edit.range.start;
                let range = region.doc_range_of(start..piece.start + edit.range.end);
                let sentence = margin_proofread::sentence_at(&region.text, start..piece.start + edit.range.end);
                findings.push(Finding {
                    message: message(&edit),
                    range,
                    original: edit.original,
                    replacement: edit.replacement,
                    category: edit.category,
                    confidence,
                    region: region.doc_range.clone(),
                    context: region.text[sentence].to_string(),
                });
            }
        }
        Ok(findings)
    }

    /// Unfiltered scored edits of one piece of text, from the cache or the model.
    async fn edits_for(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        text: &str,
        language: Option<&str>,
    ) -> Result<Vec<ScoredEdit>, CheckError> {
        let settings_hash = stable_hash(input.settings.language.as_bytes());
        let key = CheckKey::new(&engine.model_info().fingerprint, settings_hash, language, text);
        let cached = if self.tuning.cache { self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) } else { None };
        let stats = |f: &dyn Fn(&mut CheckStats)| f(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
        stats(&|s| s.regions += 1);
        if let Some(edits) = cached {
            stats(&|s| s.cache_hits += 1);
            return Ok(edits);
        }
        stats(&|s| s.model_calls += 1);
        let speculative = self.tuning.speculative;
        match model_call::rewrite(engine, text, language, input.priority, &input.cancel, speculative).await {
            Ok(edits) => {
                self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, edits.clone());
                Ok(edits)
            }
            Err(e) if e.is_cancelled() => Err(CheckError::Cancelled),
            Err(e) => {
                // Unusable output (chatter, another language, runaway) is no finding, never a crash.
                tracing::debug!("no findings for a region: {e}");
                stats(&|s| s.unusable_outputs += 1);
                if !matches!(e, model_call::CallError::Engine(_)) {
                    self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, Vec::new());
                }
                Ok(Vec::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(original: &str, replacement: &str) -> Edit {
        Edit { range: 0..original.len(), original: original.into(), replacement: replacement.into(), category: Category::Style }
    }

    #[test]
    fn emoji_edits_are_not_findings_but_words_next_to_them_are() {
        assert!(is_symbol_edit(&edit("🍎", "")));
        assert!(is_symbol_edit(&edit("→", "->")));
        assert!(!is_symbol_edit(&edit("teh", "the")));
        assert!(!is_symbol_edit(&edit(",", "")));
        assert!(!is_symbol_edit(&edit("🍎 aple", "apple")));
    }
}
