//! Proofreading a document, the one pipeline the server and the CLI share: its prose regions
//! (from `margin-syntax`) are cut into pieces; each piece is looked up in a result cache keyed
//! by model, settings, language and text, else scored by the model ([`pipeline`]: detection,
//! candidates, verification by plain likelihood); then [`decide`] keeps what passes the
//! filters (protected spans, URLs and paths, identifiers, dictionary words) and the model's
//! calibrated thresholds. No LSP types: findings are byte ranges and plain strings. Under the
//! in-memory cache, an optional [`ResultStore`] keeps the scored pieces on disk for every
//! margin process (server, CLI, CI) and the next run.

mod decide;
mod document;
#[cfg(test)]
mod incremental_tests;
mod layout;
pub mod model_call;
pub mod pipeline;
#[cfg(test)]
mod prefilter_tests;
mod resources;
mod store;
mod store_db;
mod stored;
mod tails;
#[cfg(test)]
mod test_engine;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use margin_engine::{Engine, EngineError, Priority};
use margin_proofread::{
    stable_hash, Calibration, Category, CheckKey, Dictionary, EditKind, ResultCache, Scored,
};
use margin_syntax::{
    extract_regions, ExtractOptions, Language, ProseRegion, RegionKind, SyntaxTree,
};

use crate::config::Settings;
pub use decide::{admissible, is_technical, lowercase_names, region_findings, to_findings};
pub use document::{proofread, DocumentInput, Proofread, UserChoices};
use pipeline::Piece;
pub use store::{ResultStore, StoreKey, StoreStats};

/// One proofreading finding, in document bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub range: Range<usize>,
    pub original: String,
    pub replacement: String,
    pub category: Category,
    /// The candidate source's kind of edit.
    pub kind: EditKind,
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
    #[error("{0}")]
    Engine(String),
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

impl<'a> CheckInput<'a> {
    /// A check of `text` at interactive priority, not focused on an offset, not cancelled.
    pub fn new(
        text: &'a str,
        language: Language,
        settings: &'a Settings,
        dictionary: &'a Dictionary,
    ) -> Self {
        CheckInput {
            text,
            language,
            settings,
            dictionary,
            focus: None,
            cancel: Arc::new(AtomicBool::new(false)),
            priority: Priority::Interactive,
        }
    }
}

/// Counters for status displays and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckStats {
    /// Pieces of prose looked at.
    pub regions: usize,
    pub cache_hits: usize,
    /// Of the cache hits, pieces found in the persistent result store.
    pub disk_hits: usize,
    /// Pieces scored by the model.
    pub model_calls: usize,
    /// Pieces whose text is not prose (hashes, base64, minified code), skipped.
    pub not_prose: usize,
    /// Candidate edits proposed.
    pub candidates: usize,
    /// Of those, scored by the model (the rest came from the variant cache).
    pub candidates_scored: usize,
    /// Model rewrites generated (the rewrite source).
    pub rewrites: usize,
    /// Rewrites whose output was unusable.
    pub unusable_outputs: usize,
    /// Tokens the detection pass decoded (after an edit, only what changed; see `tails`).
    pub tokens_detected: usize,
}

/// Switches for benchmarks, `margin eval` and `margin check`: the same code with the cache
/// off, without incremental reuse, or with every word tried (no detection gate).
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub cache: bool,
    /// After an edit, reuse what the unchanged stretches of a piece scored before (see
    /// `tails` and `pipeline::variant_key`); only with `cache`. Off for one-pass runs
    /// (`margin check`), whose results must not depend on which file came first.
    pub incremental: bool,
    /// Surprise (nats) that makes a word suspicious (see [`pipeline::SUSPICION_NATS`]).
    pub suspicion: f32,
    /// Propose every kind of candidate, also those the model's calibration never shows
    /// (`margin eval --calibrate` needs them all).
    pub all_kinds: bool,
}

impl Tuning {
    /// A one-pass run over files (`margin check`): the cache, nothing incremental.
    pub fn one_pass() -> Self {
        Tuning {
            incremental: false,
            ..Tuning::default()
        }
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            cache: true,
            incremental: true,
            suspicion: pipeline::SUSPICION_NATS,
            all_kinds: false,
        }
    }
}

/// Shared by every check of a server or CLI run: the result cache and language resources.
pub struct Checker {
    cache: Mutex<ResultCache<CheckKey, Arc<Vec<Scored>>>>,
    stats: Mutex<CheckStats>,
    tuning: Tuning,
    languages: resources::Languages,
    /// Calibration by model fingerprint (`margin eval` may set its own).
    calibration: Mutex<Option<(String, Arc<Calibration>)>>,
    /// Variant scores by text before the window end (see `pipeline::Options::variant_cache`).
    variants: Mutex<ResultCache<u64, margin_engine::VariantScore>>,
    /// Token scores of detected pieces from each word on (see `tails`).
    tails: tails::Tails,
    /// The persistent layer under `cache` (when the tuning keeps a cache at all).
    store: Option<Arc<ResultStore>>,
    /// Piece ranges and languages of region texts seen before.
    layouts: layout::Layouts,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::with_tuning(Tuning::default())
    }
}

/// Tokens per piece of prose: regions longer than this are cut at sentence boundaries.
const PIECE_TOKENS: usize = 384;
/// Pieces per detection and verification job (the scorer's batch of texts).
const PIECES_PER_JOB: usize = 8;

/// Parse `text` and extract its prose regions (string literals when `include_strings`), with
/// `queriesDir` overrides; a broken override is logged and the built-in query used.
pub fn parse_regions(
    text: &str,
    language: Language,
    include_strings: bool,
    settings: &Settings,
) -> Result<(Option<SyntaxTree>, Vec<ProseRegion>), String> {
    regions_of(text, None, language, include_strings, settings)
}

/// Like [`parse_regions`], with the document's tree when the caller has one.
fn regions_of(
    text: &str,
    parsed: Option<SyntaxTree>,
    language: Language,
    include_strings: bool,
    settings: &Settings,
) -> Result<(Option<SyntaxTree>, Vec<ProseRegion>), String> {
    let tree = parsed.or_else(|| {
        let mut tree = SyntaxTree::new(language);
        if let Some(t) = tree.as_mut() {
            t.parse(text);
        }
        tree
    });
    let options = ExtractOptions {
        include_strings,
        queries_dir: settings.queries_dir.as_deref(),
    };
    let extracted =
        extract_regions(text, tree.as_ref(), language, &options).map_err(|e| e.to_string())?;
    for warning in &extracted.warnings {
        tracing::warn!("{warning}");
    }
    Ok((tree, extracted.regions))
}

/// Regions plus the identifiers of the file (words that must not be "corrected").
pub fn prepare(
    text: &str,
    language: Language,
    settings: &Settings,
) -> Result<(Vec<ProseRegion>, HashSet<String>), String> {
    prepare_with(text, None, language, settings)
}

/// [`prepare`] with the document's current tree (`None`: parse `text`).
pub fn prepare_with(
    text: &str,
    tree: Option<SyntaxTree>,
    language: Language,
    settings: &Settings,
) -> Result<(Vec<ProseRegion>, HashSet<String>), String> {
    let (tree, regions) = regions_of(text, tree, language, settings.check_strings, settings)?;
    let identifiers = match tree.as_ref().and_then(|t| t.tree()) {
        Some(t) if language != Language::Markdown => {
            margin_proofread::identifiers_from_tree(text, t)
        }
        _ if language == Language::Markdown => markdown_code_words(text),
        _ => HashSet::new(),
    };
    Ok((regions, identifiers))
}

/// Words written as code anywhere in a Markdown document (inline code, code blocks): the
/// document's own names ("`semver`" makes "semver" in its prose a name, not a misspelling).
fn markdown_code_words(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut add = |code: &str| {
        for w in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')) {
            if w.chars().count() > 1 {
                out.insert(w.to_string());
            }
        }
    };
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            add(line);
            continue;
        }
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 1 {
                add(part);
            }
        }
    }
    out
}

/// A piece of a region (its range in the region text) and its scored candidates.
pub type ScoredPiece = (Range<usize>, Arc<Vec<Scored>>);

/// A piece of a region: its range in the region text and the text the model sees.
struct Job {
    region: usize,
    range: Range<usize>,
    piece: Piece,
    key: CheckKey,
    stored: StoreKey,
}

impl Checker {
    pub fn with_tuning(tuning: Tuning) -> Self {
        Checker {
            cache: Mutex::new(ResultCache::new(8192)),
            stats: Mutex::default(),
            tuning,
            languages: Default::default(),
            calibration: Mutex::default(),
            variants: Mutex::new(ResultCache::new(65_536)),
            tails: Default::default(),
            store: None,
            layouts: Default::default(),
        }
    }

    /// Keep scored pieces in `store` too (read before the model is asked, written after).
    pub fn with_store(mut self, store: Arc<ResultStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The persistent store, when there is one.
    pub fn store(&self) -> Option<&Arc<ResultStore>> {
        self.store.as_ref()
    }

    pub fn stats(&self) -> CheckStats {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, f: impl FnOnce(&mut CheckStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Problems to show the user once (a missing or broken dictionary).
    pub fn take_problems(&self) -> Vec<String> {
        let mut problems = self.languages.take_problems();
        problems.extend(self.store.iter().flat_map(|s| s.take_problems()));
        problems
    }

    /// Use `calibration` for every model (`margin eval`).
    pub fn set_calibration(&self, calibration: Calibration) {
        *self.calibration.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((String::from("*"), Arc::new(calibration)));
    }

    /// The calibration for the engine's model (shipped, else conservative with one log line).
    pub fn calibration(&self, engine: &Engine) -> Arc<Calibration> {
        let fingerprint = &engine.model_info().fingerprint;
        let mut slot = self.calibration.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some((f, c)) if f == "*" || f == fingerprint => c.clone(),
            _ => {
                let (c, shipped) = Calibration::for_model(fingerprint);
                if !shipped {
                    tracing::info!(
                        model = engine.model_info().name,
                        "no proofreading calibration for this model: showing only confident spelling corrections (see `margin eval proofread --calibrate`)"
                    );
                }
                let c = Arc::new(c);
                *slot = Some((fingerprint.clone(), c.clone()));
                c
            }
        }
    }

    /// Check every region of a document; `on_region` is told after each one (done, total, the
    /// findings so far).
    pub async fn check_document(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
        on_region: impl FnMut(usize, usize, &[Finding]),
    ) -> Result<Vec<Finding>, CheckError> {
        let names = decide::lowercase_names(regions);
        self.check_regions(engine, input, regions, identifiers, &names, on_region)
            .await
    }

    /// [`Checker::check_document`] for some of a document's regions, with the lower-case
    /// names of all of them (see [`lowercase_names`]).
    pub async fn check_regions(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
        names: &HashSet<String>,
        mut on_region: impl FnMut(usize, usize, &[Finding]),
    ) -> Result<Vec<Finding>, CheckError> {
        let calibration = self.calibration(engine);
        let mut findings = Vec::new();
        self.score_document(
            engine,
            input,
            regions,
            identifiers,
            |done, total, finished| {
                if let Some((i, pieces)) = finished {
                    for (range, scored) in pieces {
                        findings.extend(region_findings(
                            &regions[i],
                            range.clone(),
                            scored,
                            input,
                            identifiers,
                            names,
                            &calibration,
                        ));
                    }
                }
                on_region(done, total, &findings);
            },
        )
        .await?;
        findings.sort_by_key(|f| f.range.start);
        Ok(findings)
    }

    /// The scored candidates of every piece of every region (in region order), from the cache
    /// or the model; candidates the per-edit filters drop (inline code, the file's
    /// `identifiers`, dictionary words) are not scored. `on_region(done, total, finished)` is
    /// told when a region is done, with its index and pieces (and once at the start, with none).
    pub async fn score_document(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
        mut on_region: impl FnMut(usize, usize, Option<(usize, &[ScoredPiece])>),
    ) -> Result<Vec<Vec<ScoredPiece>>, CheckError> {
        let doc_language = self.document_language(input, regions);
        let kinds = self.kinds(engine, input);
        let mut jobs = self.pieces(
            engine,
            input,
            regions,
            identifiers,
            doc_language.as_deref(),
            &kinds,
        );
        self.load_stored(&jobs).await;
        if let Some(focus) = input.focus {
            jobs.sort_by_key(|j| {
                !(regions[j.region].doc_range.start <= focus
                    && focus <= regions[j.region].doc_range.end)
            });
        }
        let mut out: Vec<Vec<ScoredPiece>> = regions.iter().map(|_| Vec::new()).collect();
        let mut remaining: Vec<usize> = regions.iter().map(|_| 0).collect();
        jobs.iter().for_each(|j| remaining[j.region] += 1);
        let total = remaining.iter().filter(|&&n| n > 0).count();
        let mut done = 0;
        on_region(0, total, None);
        let mut pending: Vec<Job> = Vec::new();
        // Files a piece; true when it was its region's last.
        let finish = |j: &Job,
                      scored: Arc<Vec<Scored>>,
                      out: &mut Vec<Vec<ScoredPiece>>,
                      remaining: &mut Vec<usize>,
                      done: &mut usize| {
            out[j.region].push((j.range.clone(), scored));
            remaining[j.region] -= 1;
            if remaining[j.region] == 0 {
                *done += 1;
                out[j.region].sort_by_key(|p| p.0.start);
            }
            remaining[j.region] == 0
        };
        for job in jobs {
            self.count(|s| s.regions += 1);
            let cached = if self.tuning.cache {
                self.cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&job.key)
            } else {
                None
            };
            match cached {
                Some(scored) => {
                    self.count(|s| s.cache_hits += 1);
                    if finish(&job, scored, &mut out, &mut remaining, &mut done) {
                        on_region(done, total, Some((job.region, &out[job.region])));
                    }
                }
                None if !margin_proofread::candidates::looks_like_prose(&job.piece.text) => {
                    tracing::debug!(
                        text = job.piece.text.get(..job.piece.text.floor_char_boundary(60)),
                        "skipped: not prose"
                    );
                    self.count(|s| s.not_prose += 1);
                    if finish(&job, Arc::default(), &mut out, &mut remaining, &mut done) {
                        on_region(done, total, Some((job.region, &out[job.region])));
                    }
                }
                None => pending.push(job),
            }
            if pending.len() == PIECES_PER_JOB {
                for (j, scored) in self
                    .run(
                        engine,
                        input,
                        std::mem::take(&mut pending),
                        &kinds,
                        regions,
                        identifiers,
                    )
                    .await?
                {
                    if finish(&j, scored, &mut out, &mut remaining, &mut done) {
                        on_region(done, total, Some((j.region, &out[j.region])));
                    }
                }
            }
        }
        for (j, scored) in self
            .run(engine, input, pending, &kinds, regions, identifiers)
            .await?
        {
            if finish(&j, scored, &mut out, &mut remaining, &mut done) {
                on_region(done, total, Some((j.region, &out[j.region])));
            }
        }
        Ok(out)
    }

    /// Scores `jobs` (pieces of `regions`) with the model and caches the results.
    async fn run(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        jobs: Vec<Job>,
        kinds: &[EditKind],
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
    ) -> Result<Vec<(Job, Arc<Vec<Scored>>)>, CheckError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        if input.cancel.load(Ordering::Relaxed) {
            return Err(CheckError::Cancelled);
        }
        let pieces: Vec<Piece> = jobs.iter().map(|j| j.piece.clone()).collect();
        let calibration = self.calibration(engine);
        let rewrite_useful = [EditKind::Rewording, EditKind::Insertion].iter().any(|k| {
            calibration
                .threshold(*k, &input.settings.thresholds)
                .is_some()
        });
        let paths = input.settings.dictionary_paths.clone();
        let resources = |language: Option<&str>| self.languages.get(language, &paths);
        let admit = |i: usize, cands: &[margin_proofread::Candidate]| {
            let j = &jobs[i];
            let edits: Vec<_> = cands.iter().map(|c| &c.edit).collect();
            decide::passes_filters(&regions[j.region], &j.range, &edits, input, identifiers)
        };
        let options = pipeline::Options {
            rewrite: input.settings.rewrite,
            rewrite_useful,
            suspicion: self.tuning.suspicion,
            kinds,
            calibration: &calibration,
            max_rewrite_share: input.settings.max_rewrite_share,
            priority: input.priority,
            cancel: &input.cancel,
            resources: &resources,
            admit: &admit,
            variant_cache: self.tuning.cache.then_some(&self.variants),
            tails: (self.tuning.cache && self.tuning.incremental).then_some(&self.tails),
            fingerprint: &engine.model_info().fingerprint,
        };
        let outcome = match pipeline::score(engine, &pieces, &options).await {
            Ok(outcome) => outcome,
            Err(EngineError::Cancelled { .. }) => return Err(CheckError::Cancelled),
            Err(e @ EngineError::ContextOverflow { .. }) => {
                // Never unverified findings: a piece the model cannot score gives none.
                tracing::debug!("no findings for {} pieces: {e}", jobs.len());
                pipeline::Outcome {
                    scored: jobs.iter().map(|_| Vec::new()).collect(),
                    rewrites: 0,
                    candidates: 0,
                    model_scored: 0,
                    tokens_detected: 0,
                }
            }
            Err(e) => return Err(CheckError::Engine(e.to_string())),
        };
        self.count(|s| {
            s.model_calls += jobs.len();
            s.rewrites += outcome.rewrites;
            s.candidates += outcome.candidates;
            s.candidates_scored += outcome.model_scored;
            s.tokens_detected += outcome.tokens_detected;
        });
        let mut out = Vec::with_capacity(jobs.len());
        for (job, scored) in jobs.into_iter().zip(outcome.scored) {
            let scored = Arc::new(scored);
            if self.tuning.cache {
                self.cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(job.key.clone(), scored.clone());
            }
            out.push((job, scored));
        }
        self.save_stored(&out).await;
        Ok(out)
    }

    /// The document's language when the settings say `auto` (from all its prose together).
    fn document_language(&self, input: &CheckInput<'_>, regions: &[ProseRegion]) -> Option<String> {
        match input.settings.language.as_str() {
            "auto" => {
                let mut sample = String::new();
                for r in regions {
                    if sample.len() > 4000 {
                        break;
                    }
                    sample.push_str(&r.text);
                    sample.push('\n');
                }
                margin_proofread::detect_loosely(&sample).map(str::to_string)
            }
            fixed => Some(fixed.split('-').next().unwrap_or(fixed).to_lowercase()),
        }
    }

    /// The kinds of candidates worth proposing: those the model's calibration (or the user's
    /// thresholds) can show, or all of them when tuning says so.
    fn kinds(&self, engine: &Engine, input: &CheckInput<'_>) -> Vec<EditKind> {
        let calibration = self.calibration(engine);
        EditKind::ALL
            .into_iter()
            .filter(|k| {
                self.tuning.all_kinds
                    || calibration
                        .threshold(*k, &input.settings.thresholds)
                        .is_some()
            })
            .collect()
    }

    /// The pieces of every non-empty region.
    fn pieces(
        &self,
        engine: &Engine,
        input: &CheckInput<'_>,
        regions: &[ProseRegion],
        identifiers: &HashSet<String>,
        doc_language: Option<&str>,
        kinds: &[EditKind],
    ) -> Vec<Job> {
        let s = input.settings;
        let measured = &self.calibration(engine).languages;
        let what = format!(
            "{}|{:?}|{}|{kinds:?}|{measured:?}|{:?}|{}|{}",
            s.language,
            s.rewrite,
            self.tuning.suspicion,
            s.dictionary_paths,
            s.allow_whitespace_edits,
            s.allow_quote_edits
        );
        let settings_hash = stable_hash(what.as_bytes());
        let fingerprint = &engine.model_info().fingerprint;
        let mut jobs = Vec::new();
        for (i, region) in regions.iter().enumerate() {
            if region.text.trim().is_empty() {
                continue;
            }
            let layout = self
                .layouts
                .get(fingerprint, &region.text, PIECE_TOKENS, |s| {
                    engine.count_tokens(s)
                });
            let language = match input.settings.language.as_str() {
                "auto" => layout
                    .language(&region.text)
                    .or(doc_language)
                    .map(str::to_string),
                _ => doc_language.map(str::to_string),
            };
            let opens_sentence = matches!(
                region.kind,
                RegionKind::Paragraph
                    | RegionKind::BlockQuote
                    | RegionKind::CommitBody
                    | RegionKind::Text
            );
            let fragment = region.kind == RegionKind::TableCell;
            for range in layout.pieces.iter().cloned() {
                // Line breaks inside a region are wrapping (comment lines, a paragraph over
                // several lines): the model sees spaces, which keeps every byte offset.
                let text = region.text[range.clone()].replace('\n', " ");
                let technical = decide::is_technical(region, &range, &text, identifiers);
                // Candidates the filters drop are not scored: the result depends on which of
                // the piece's words are identifiers or dictionary words.
                let filtered =
                    margin_proofread::filtered_words(&text, identifiers, input.dictionary);
                let hash = settings_hash
                    ^ u64::from(opens_sentence)
                    ^ (u64::from(fragment) << 1)
                    ^ (u64::from(technical) << 2)
                    ^ stable_hash(filtered.join("\n").as_bytes()).rotate_left(2);
                let key = CheckKey::new(fingerprint, hash, language.as_deref(), &text);
                let stored = StoreKey::new(&key, &text);
                let piece = Piece {
                    text,
                    language: language.clone(),
                    opens_sentence,
                    fragment,
                    technical,
                };
                jobs.push(Job {
                    region: i,
                    range,
                    piece,
                    key,
                    stored,
                });
            }
        }
        jobs
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_words_of_a_markdown_document() {
        let doc = "Use `semver::Version` here.\n\n```toml\n[dependencies]\nureq = \"2\"\n```\n\nPlain semver text.\n";
        let words = super::markdown_code_words(doc);
        for w in ["semver", "Version", "dependencies", "ureq"] {
            assert!(words.contains(w), "{w}: {words:?}");
        }
        assert!(!words.contains("Plain") && !words.contains("text"));
    }
}
