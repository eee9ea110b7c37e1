//! Proofreading pieces of prose with the model as a plain language model:
//! 1. **detection**: one likelihood job gives every token's log-probability (pieces go
//!    several to a batch; after an edit, in the server, only the changed stretch is decoded
//!    and the rest keeps its earlier scores: [`super::tails`]);
//! 2. **candidates** from the sources in `margin_proofread::candidates`: spelling everywhere,
//!    confusables, other forms and repeated words only at words the model found unlikely,
//!    and the model's rewrite where `rewrite` says so ([`model_call`]);
//! 3. **verification**: one likelihood job scores every candidate from its edit to the end of
//!    its sentence against the original (each text's prefix is shared in the KV cache).
//!
//! A backend without log-likelihoods (a model server that returns none) skips detection and
//! verification: every candidate gets a neutral score, so only what the dictionary alone
//! supports can become a finding.
//!
//! The result per piece is every scored candidate; which become findings is decided later
//! (`margin_proofread::decide`), so the scores can be cached and re-decided when settings,
//! dictionaries or identifiers change.

use std::ops::Range;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use unicode_segmentation::UnicodeSegmentation;

use margin_engine::{
    Engine, EngineError, Job, JobKind, LikelihoodRequest, Priority, ScoreText, Slot, TextScores,
    TokenScore, Variant, VariantScore,
};
use margin_proofread::{
    filter, propose, sentence_at, stable_hash, Calibration, Candidate, DropReason, EditKind,
    FilterConfig, FilterContext, Lexicon, ResultCache, Scored, Sources, Speller,
};

use super::model_call;
use super::tails::{Lookup, Tails};
use crate::config::RewriteMode;

/// Words after an edit that its comparison covers (within its sentence): the model's verdict
/// on a change is made in the next few words, and long learner or technical sentences would
/// otherwise cost most of the scoring time.
pub const WINDOW_WORDS: usize = 8;

/// Words whose tokens (or the next word's first token) the model found this much less likely
/// than its favourite (nats) get confusable, form and deletion candidates.
pub const SUSPICION_NATS: f32 = 5.0;

/// Agreement candidates (other forms of a word) need this many times the suspicion: they are
/// most of all candidates, and on `../shared/eval` the ones the model supports are almost all
/// at words it found far less likely (8 nats cut the candidates by 59 % and lost 2 of 20
/// correct agreement findings).
pub const AGREEMENT_SUSPICION_FACTOR: f32 = 1.6;

/// In technical text (see `margin_proofread::Calibration::technical`) confusable and
/// agreement candidates need this many times the surprise: names, jargon and code-like words
/// surprise a small model everywhere there, so surprise says less about a mistake. On this
/// repository's README, 1.6 cut those candidates from 1240 to about 280; none of the cut ones
/// passed its threshold.
pub const TECHNICAL_SUSPICION_FACTOR: f32 = 1.6;

/// The surprise a word needs for candidates of `kind` (see [`SUSPICION_NATS`]).
fn needed_surprise(suspicion: f32, kind: EditKind, technical: bool) -> f32 {
    let base = if kind == EditKind::Agreement {
        suspicion * AGREEMENT_SUSPICION_FACTOR
    } else {
        suspicion
    };
    if technical && matches!(kind, EditKind::Agreement | EditKind::Confusable) {
        base * TECHNICAL_SUSPICION_FACTOR
    } else {
        base
    }
}

/// A piece of prose to check (line breaks already turned into spaces).
#[derive(Clone, Debug)]
pub struct Piece {
    pub text: String,
    /// ISO 639-1 code, when known; no code means no dictionary-based candidates.
    pub language: Option<String>,
    /// Whether the text starts a sentence (see `margin_proofread::Sources::opens_sentence`).
    pub opens_sentence: bool,
    /// A fragment, not a sentence (see `margin_proofread::Sources::fragment`).
    pub fragment: bool,
    /// Technical text (see [`TECHNICAL_SUSPICION_FACTOR`]).
    pub technical: bool,
}

/// The language resources of one piece.
pub struct Resources {
    pub speller: Option<Arc<Speller>>,
    pub lexicon: Arc<Lexicon>,
}

/// What the pipeline needs besides the pieces.
pub struct Options<'a> {
    pub rewrite: RewriteMode,
    /// Whether any candidate kind the rewrite produces can be shown on this model (if not,
    /// `auto` generates no rewrites: wasted work).
    pub rewrite_useful: bool,
    /// Surprise (nats) that makes a word suspicious; 0 tries every word.
    pub suspicion: f32,
    /// Kinds of candidates to propose.
    pub kinds: &'a [EditKind],
    /// The model's calibration: in a language it was not measured on, only spelling
    /// candidates are proposed ([`Calibration::covers`]).
    pub calibration: &'a Calibration,
    /// A rewrite that changes more than this share of a piece's words is a hallucination: none
    /// of its edits become candidates.
    pub max_rewrite_share: f32,
    pub priority: Priority,
    pub cancel: &'a Arc<AtomicBool>,
    pub resources: &'a (dyn Fn(Option<&str>) -> Resources + Sync),
    /// Whether each candidate of piece `i` passes the per-edit filters (protected spans, the
    /// file's identifiers, dictionary words …); those that do not are never scored.
    pub admit: &'a (dyn Fn(usize, &[Candidate]) -> Vec<bool> + Sync),
    /// Scores of variants already computed, by [`variant_key`].
    pub variant_cache: Option<&'a Mutex<ResultCache<u64, VariantScore>>>,
    /// Incremental checking after edits (the server): token scores of the stretches of a piece
    /// that an edit left, so only the changed stretch is detected again (see [`super::tails`]),
    /// and variants known by their sentence alone. `None`: every piece is detected whole and a
    /// variant's score is reused only for the same text from the piece's start.
    pub tails: Option<&'a Tails>,
    /// Identifies the model in [`variant_key`] and [`Tails`].
    pub fingerprint: &'a str,
}

/// Cache key of a variant: the model, the text up to the end of its window, the edit. A
/// variant is compared over the rest of its sentence, and the sentences before it change its
/// score little: with `by_sentence` (incremental checking) the text counts from the start of
/// its sentence, so an edit in another sentence of the piece leaves the score.
fn variant_key(fingerprint: &str, text: &str, v: &Variant, by_sentence: bool) -> u64 {
    let start = if by_sentence {
        sentence_at(text, v.range.clone()).start.min(v.range.start)
    } else {
        0
    };
    let mut bytes = fingerprint.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&text.as_bytes()[start..v.until]);
    bytes.extend_from_slice(&((v.range.start - start) as u64).to_le_bytes());
    bytes.extend_from_slice(&((v.range.end - start) as u64).to_le_bytes());
    bytes.extend_from_slice(v.replacement.as_bytes());
    stable_hash(&bytes)
}

/// Scored candidates of each piece, plus counters.
pub struct Outcome {
    pub scored: Vec<Vec<Scored>>,
    pub rewrites: usize,
    pub candidates: usize,
    /// Candidates the model scored (the others came from the variant cache).
    pub model_scored: usize,
    /// Tokens the detection pass decoded.
    pub tokens_detected: usize,
}

fn job(req: LikelihoodRequest, opts: &Options<'_>) -> Job {
    let mut job = Job::new(Slot::Proofread, JobKind::Likelihood(req));
    job.priority = opts.priority;
    job.cancel = opts.cancel.clone();
    job
}

/// The largest surprise (top log-probability minus the token's) of the tokens touching
/// `range` and of the first token after it.
fn surprise(tokens: &[TokenScore], range: &Range<usize>) -> f32 {
    let mut worst = 0.0f32;
    let mut after = false;
    for t in tokens {
        if t.range.end <= range.start {
            continue;
        }
        let s = t.top_logprob - t.logprob;
        if t.range.start < range.end {
            worst = worst.max(s);
        } else if !after && !t.range.is_empty() {
            // The next word: agreement errors often surprise one word later ("she eat *them*").
            worst = worst.max(s);
            after = true;
        }
    }
    worst
}

/// Runs detection, candidate proposal and verification for `pieces`.
pub async fn score(
    engine: &Engine,
    pieces: &[Piece],
    opts: &Options<'_>,
) -> Result<Outcome, EngineError> {
    let started = std::time::Instant::now();
    let scoring = engine.model_info().can_score;
    // Detection only where some decision needs it: table cells and text in no known language
    // get no surprise-gated candidates, so their tokens' likelihoods would go unused.
    let wanted: Vec<usize> = (0..pieces.len())
        .filter(|&i| scoring && needs_detection(&pieces[i], opts, engine))
        .collect();
    let mut detected: Vec<TextScores> = pieces.iter().map(|_| TextScores::default()).collect();
    // Bytes of each piece whose tokens the detection decoded (verification reuses them).
    let mut decoded = vec![0; pieces.len()];
    let mut tokens_detected = 0;
    if !wanted.is_empty() {
        let lookups: Vec<Option<Lookup>> = wanted
            .iter()
            .map(|&i| {
                opts.tails
                    .map(|t| t.lookup(opts.fingerprint, &pieces[i].text))
            })
            .collect();
        let detect = LikelihoodRequest {
            preamble: "\n".into(),
            texts: wanted
                .iter()
                .zip(&lookups)
                .map(|(&i, lookup)| {
                    let split = lookup.as_ref().and_then(|l| l.split.as_ref());
                    let head = split.map_or(pieces[i].text.len(), |s| s.head);
                    ScoreText::plain(&pieces[i].text[..head])
                })
                .collect(),
        };
        let output = engine.submit(job(detect, opts)).wait().await?;
        tokens_detected = output.metrics.evaluated_tokens;
        for ((&i, mut scores), lookup) in wanted.iter().zip(output.texts).zip(lookups) {
            decoded[i] = pieces[i].text.len();
            if let (Some(tails), Some(mut lookup)) = (opts.tails, lookup) {
                if let Some(split) = lookup.split.take() {
                    decoded[i] = split.head;
                    scores.tokens.extend(split.tail);
                }
                tails.remember(&lookup, &scores.tokens);
            }
            detected[i] = scores;
        }
    }
    let detection_ms = started.elapsed().as_millis();
    let mut texts = Vec::with_capacity(pieces.len());
    let mut all: Vec<Vec<Candidate>> = Vec::with_capacity(pieces.len());
    let mut rewrites = 0;
    for (i, (piece, scores)) in pieces.iter().zip(&detected).enumerate() {
        let res = (opts.resources)(piece.language.as_deref());
        let covered = |k: &EditKind| opts.calibration.covers(*k, piece.language.as_deref());
        let kinds: Vec<EditKind> = opts.kinds.iter().copied().filter(covered).collect();
        let sources = Sources {
            speller: res.speller.as_deref(),
            lexicon: &res.lexicon,
            kinds: &kinds,
            opens_sentence: piece.opens_sentence,
            fragment: piece.fragment,
        };
        let mut cands = if piece.language.is_some() {
            propose(&piece.text, &sources, |r, kind| {
                surprise(&scores.tokens, r)
                    >= needed_surprise(opts.suspicion, kind, piece.technical)
            })
        } else {
            Vec::new()
        };
        if wants_rewrite(opts, engine, &piece.text, &scores.tokens, &cands) {
            rewrites += 1;
            match model_call::rewrite(
                engine,
                &piece.text,
                piece.language.as_deref(),
                opts.priority,
                opts.cancel,
            )
            .await
            {
                Ok(more) if too_large(&piece.text, &more, opts.max_rewrite_share) => {
                    tracing::debug!(
                        edits = more.len(),
                        "rewrite changes too much: no candidates from it"
                    );
                }
                Ok(more) => {
                    let new: Vec<Candidate> = more
                        .into_iter()
                        .filter(|c| covered(&c.kind) && !cands.contains(c))
                        .collect();
                    cands.extend(new);
                }
                Err(model_call::CallError::Engine(e)) => return Err(e),
                Err(e) => tracing::debug!("no rewrite candidates: {e}"),
            }
        }
        let admitted = (opts.admit)(i, &cands);
        let mut admitted = admitted.into_iter();
        cands.retain(|_| admitted.next().unwrap_or(true));
        let variants: Vec<Variant> = cands
            .iter()
            .map(|c| {
                let r = &c.edit.range;
                Variant {
                    range: r.clone(),
                    replacement: c.edit.replacement.clone(),
                    until: window_end(&piece.text, r),
                }
            })
            .collect();
        texts.push(ScoreText {
            text: scored_text(&piece.text, &variants, decoded[i]).to_string(),
            variants,
        });
        all.push(cands);
    }
    let candidates = all.iter().map(Vec::len).sum();
    // Variants scored before (same text up to their window's end; incremental: same sentence)
    // come from the cache; only the rest go to the model.
    let mut known: Vec<Vec<Option<VariantScore>>> = Vec::with_capacity(texts.len());
    let by_sentence = opts.tails.is_some();
    if let Some(cache) = opts.variant_cache {
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        for t in &mut texts {
            let found: Vec<Option<VariantScore>> = t
                .variants
                .iter()
                .map(|v| cache.get(&variant_key(opts.fingerprint, &t.text, v, by_sentence)))
                .collect();
            let mut missing = found.iter().map(Option::is_none);
            t.variants.retain(|_| missing.next().unwrap_or(true));
            known.push(found);
        }
    } else {
        known = texts.iter().map(|t| vec![None; t.variants.len()]).collect();
    }
    let model_scored = texts.iter().map(|t| t.variants.len()).sum();
    let verifying = std::time::Instant::now();
    let mut fresh: Vec<TextScores> = texts.iter().map(|_| TextScores::default()).collect();
    if model_scored > 0 && scoring {
        // Only pieces with variants to score: the scorer decodes every text it is sent (a
        // piece that detection skipped, or whose tokens left the KV cache, costs a prefill),
        // and a piece without variants would be decoded for nothing.
        let with: Vec<usize> = (0..texts.len())
            .filter(|&i| !texts[i].variants.is_empty())
            .collect();
        let verify = LikelihoodRequest {
            preamble: "\n".into(),
            texts: with.iter().map(|&i| texts[i].clone()).collect(),
        };
        let scored = engine.submit(job(verify, opts)).wait().await?.texts;
        for (i, scores) in with.into_iter().zip(scored) {
            fresh[i] = scores;
        }
    }
    let mut by_kind = std::collections::BTreeMap::<EditKind, usize>::new();
    all.iter()
        .flatten()
        .for_each(|c| *by_kind.entry(c.kind).or_default() += 1);
    tracing::debug!(
        pieces = pieces.len(),
        rewrites,
        ?by_kind,
        tokens = detected.iter().map(|t| t.tokens.len()).sum::<usize>(),
        candidates,
        model_scored,
        detection_ms,
        verification_ms = verifying.elapsed().as_millis(),
        "scored"
    );
    let mut verified: Vec<Vec<VariantScore>> = Vec::with_capacity(texts.len());
    for ((found, t), fresh) in known.into_iter().zip(&texts).zip(fresh) {
        if let Some(cache) = opts.variant_cache {
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            for (v, s) in t.variants.iter().zip(&fresh.variants) {
                cache.insert(
                    variant_key(opts.fingerprint, &t.text, v, by_sentence),
                    s.clone(),
                );
            }
        }
        let mut fresh = fresh.variants.into_iter();
        verified.push(
            found
                .into_iter()
                .map(|f| f.or_else(|| fresh.next()).unwrap_or(VariantScore::NONE))
                .collect(),
        );
    }
    let scored = all
        .into_iter()
        .zip(verified)
        .zip(&detected)
        .map(|((cands, scores), detection)| {
            cands
                .into_iter()
                .zip(scores)
                .map(|(candidate, s)| {
                    let scored = Scored {
                        surprise: surprise(&detection.tokens, &candidate.edit.range),
                        candidate,
                        gain: s.gain(),
                        original_tokens: s.original_tokens,
                        variant_tokens: s.variant_tokens,
                        technical: false,
                    };
                    tracing::trace!(
                        kind = ?scored.candidate.kind,
                        original = scored.candidate.edit.original,
                        replacement = scored.candidate.edit.replacement,
                        surprise = scored.surprise,
                        gain = scored.gain,
                        "candidate scored"
                    );
                    scored
                })
                .collect()
        })
        .collect();
    Ok(Outcome {
        scored,
        rewrites,
        candidates,
        model_scored,
        tokens_detected,
    })
}

/// Whether anything decided for `piece` needs its tokens' likelihoods: candidates gated by
/// surprise (confusables, other forms, deletions; not in fragments such as table cells, and
/// none at all without a language), or the `auto` rewrite decision of a small model.
fn needs_detection(piece: &Piece, opts: &Options<'_>, engine: &Engine) -> bool {
    let info = engine.model_info();
    let gated = piece.language.is_some()
        && !piece.fragment
        && opts.kinds.iter().any(|k| {
            matches!(
                k,
                EditKind::Confusable | EditKind::Agreement | EditKind::Deletion
            ) && opts.calibration.covers(*k, piece.language.as_deref())
        });
    let rewrite_decision = opts.rewrite == RewriteMode::Auto
        && opts.rewrite_useful
        && info.can_chat
        && info.n_params < 1_000_000_000;
    gated || rewrite_decision
}

/// The part of a piece that verification needs: what detection decoded (`decoded` bytes, all
/// of it or the head before a known tail), which the KV cache holds already and is reused for
/// free, and beyond it only up to the end of the last variant's window, since nothing after
/// that is compared (a piece that only gets spelling candidates is often not detected: its
/// text after the last misspelling would be decoded for nothing). Windows end at a word or
/// sentence end, where the tokens before are those of the whole text.
fn scored_text<'t>(text: &'t str, variants: &[Variant], decoded: usize) -> &'t str {
    match variants.iter().map(|v| v.until).max() {
        Some(end) => &text[..end.max(decoded).min(text.len())],
        None => text,
    }
}

/// End of the stretch an edit of `range` is compared over: the end of its sentence, or of the
/// [`WINDOW_WORDS`]th word after it if that comes first.
fn window_end(text: &str, range: &Range<usize>) -> usize {
    let sentence_end = sentence_at(text, range.clone()).end.max(range.end);
    after_words(&text[..sentence_end], range.end, WINDOW_WORDS).unwrap_or(sentence_end)
}

/// End of the `n`th word (`n` ≥ 1) of `text` after byte `from`, if there are that many.
pub(super) fn after_words(text: &str, from: usize, n: usize) -> Option<usize> {
    text[from..]
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .nth(n.max(1) - 1)
        .map(|(i, w)| from + i + w.len())
}

/// Whether a rewrite's edits change more than `share` of the text's words.
fn too_large(text: &str, rewrite: &[Candidate], share: f32) -> bool {
    let (identifiers, dictionary) = (Default::default(), Default::default());
    let config = FilterConfig {
        max_changed_share: share,
        ..FilterConfig::default()
    };
    let ctx = FilterContext {
        protected: &[],
        identifiers: &identifiers,
        dictionary: &dictionary,
        config: &config,
    };
    let edits = rewrite.iter().map(|c| c.edit.clone()).collect();
    filter(text, edits, &ctx)
        .dropped
        .iter()
        .any(|(_, reason)| *reason == DropReason::RewriteTooLarge)
}

/// Whether the rewrite source runs for this piece: `always`; `auto` when the model may show
/// what rewrites propose, for models of 1B parameters or more, or where some word surprises
/// the model and no candidate covers it.
fn wants_rewrite(
    opts: &Options<'_>,
    engine: &Engine,
    text: &str,
    tokens: &[TokenScore],
    cands: &[Candidate],
) -> bool {
    match opts.rewrite {
        // A base model (no chat template) cannot rewrite: plain likelihood alone decides.
        _ if !engine.model_info().can_chat => false,
        RewriteMode::Never => false,
        RewriteMode::Always => true,
        RewriteMode::Auto if !opts.rewrite_useful => false,
        RewriteMode::Auto if engine.model_info().n_params >= 1_000_000_000 => true,
        RewriteMode::Auto => margin_proofread::candidates::words(text).iter().any(|w| {
            let covered = cands
                .iter()
                .any(|c| c.edit.range.start < w.range.end && w.range.start < c.edit.range.end);
            !covered && surprise(tokens, &w.range) >= 2.0 * SUSPICION_NATS.max(opts.suspicion)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(range: Range<usize>, logprob: f32) -> TokenScore {
        TokenScore {
            range,
            logprob,
            top_logprob: 0.0,
        }
    }

    #[test]
    fn the_window_ends_at_the_sentence_or_after_a_few_words() {
        let text = "She eat apples. One two three four five six seven eight nine ten eleven.";
        let eat = 4..7;
        assert_eq!(&text[..window_end(text, &eat)], "She eat apples.");
        let one = text.find("One").unwrap();
        assert_eq!(
            &text[one..window_end(text, &(one..one + 3))],
            "One two three four five six seven eight nine"
        );
    }

    #[test]
    fn undetected_pieces_are_scored_only_up_to_their_last_window() {
        let text = "Teh cat sat on the mat. Then it slept for hours and hours.";
        let variant = |until| Variant {
            range: 0..3,
            replacement: "The".into(),
            until,
        };
        let teh = window_end(text, &(0..3));
        assert_eq!(
            scored_text(text, &[variant(teh)], 0),
            "Teh cat sat on the mat."
        );
        // Detected pieces are in the KV cache whole: sending them whole reuses every token.
        assert_eq!(scored_text(text, &[variant(teh)], text.len()), text);
        assert_eq!(scored_text(text, &[], 0), text);
        // A piece detected up to a known tail: its head, or up to the last window if longer.
        let head = text.find(" Then").unwrap();
        assert_eq!(
            scored_text(text, &[variant(teh)], head),
            "Teh cat sat on the mat."
        );
        let late = variant(text.len() - 1);
        assert_eq!(scored_text(text, &[late], head), &text[..text.len() - 1]);
    }

    #[test]
    fn a_variant_is_known_by_its_sentence() {
        let variant = |text: &str, word: &str, by: &str| {
            let at = text.find(word).unwrap();
            let range = at..at + word.len();
            Variant {
                until: window_end(text, &range),
                range,
                replacement: by.into(),
            }
        };
        let old = "The cat sat on the mat. She eat apples every day.";
        let new = "Today, the cat sat on the mat. She eat apples every day.";
        let key = |text: &str| variant_key("m", text, &variant(text, "eat", "eats"), true);
        assert_eq!(key(old), key(new));
        assert_ne!(
            key(old),
            variant_key("other", old, &variant(old, "eat", "eats"), true)
        );
        assert_ne!(
            key(old),
            variant_key("m", old, &variant(old, "eat", "ate"), true)
        );
        // Not incremental: the whole text before counts.
        let exact = |text: &str| variant_key("m", text, &variant(text, "eat", "eats"), false);
        assert_ne!(exact(old), exact(new));
        // The sentence changed after the edit, within the window: another key.
        let changed = "The cat sat on the mat. She eat pears every day.";
        assert_ne!(key(old), key(changed));
        // The same sentence as the start of a piece and later in it.
        assert_eq!(key("She eat apples every day."), key(old));
    }

    #[test]
    fn a_rewrite_of_most_words_is_too_large() {
        let text = "She dont like apples, but she eat them anyway.";
        let small = margin_proofread::candidates::from_rewrite(
            text,
            "She doesn't like apples, but she eats them anyway.",
        );
        assert!(!too_large(text, &small, 0.3));
        let large = margin_proofread::candidates::from_rewrite(
            text,
            "Apples are fruit that grow on trees in many gardens.",
        );
        assert!(too_large(text, &large, 0.3));
    }

    #[test]
    fn technical_text_needs_more_surprise_for_confusables_and_forms_only() {
        let s = SUSPICION_NATS;
        for kind in [EditKind::Confusable, EditKind::Agreement] {
            assert!(needed_surprise(s, kind, true) > needed_surprise(s, kind, false));
        }
        for kind in [EditKind::Spelling, EditKind::Deletion] {
            assert_eq!(
                needed_surprise(s, kind, true),
                needed_surprise(s, kind, false)
            );
        }
        assert_eq!(
            needed_surprise(s, EditKind::Agreement, false),
            s * AGREEMENT_SUSPICION_FACTOR
        );
    }

    #[test]
    fn surprise_counts_the_word_and_the_next_token() {
        // "She eat them": "eat" is fine, " them" surprises.
        let tokens = [
            tok(0..3, -1.0),
            tok(3..7, -0.5),
            tok(7..12, -6.0),
            tok(12..13, -9.0),
        ];
        assert_eq!(surprise(&tokens, &(4..7)), 6.0);
        assert_eq!(surprise(&tokens, &(0..3)), 1.0);
        assert_eq!(surprise(&tokens, &(8..12)), 9.0);
    }
}
