//! The one entry point the server and `margin check` share: a document (text, language, and
//! its syntax tree when the caller keeps one) and what the user decided for its file (disabled,
//! dictionary words, ignored findings) in, findings out. The server passes a snapshot of the
//! document's incremental tree, so nothing is parsed again; the CLI parses here. Regions over
//! [`MAX_REGION_BYTES`] are checked up to there, and the rest is reported as unchecked.

use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use margin_engine::{Engine, Priority};
use margin_proofread::{Dictionary, FindingKey};
use margin_syntax::{Language, SyntaxTree};

use super::{prepare_with, CheckError, CheckInput, Checker, Finding};
use crate::config::Settings;
use crate::region_limit::{limit_regions, MAX_REGION_BYTES};

/// A document to proofread.
pub struct DocumentInput {
    pub text: String,
    pub language: Language,
    /// The document's current tree (a snapshot), or `None` to parse `text`.
    pub tree: Option<SyntaxTree>,
    /// Byte offset being edited: its region goes first.
    pub focus: Option<usize>,
    pub priority: Priority,
    pub cancel: Arc<AtomicBool>,
}

/// What the user decided for the document's file.
pub struct UserChoices<'a> {
    /// margin is disabled for this file: no findings.
    pub disabled: bool,
    /// Words never to correct (user and workspace dictionaries).
    pub dictionary: &'a Dictionary,
    /// Whether a finding was ignored in this file.
    pub ignored: &'a (dyn Fn(&FindingKey) -> bool + Sync),
}

/// What a check found.
#[derive(Debug, Default)]
pub struct Proofread {
    /// Findings, in document order, without those the user ignored.
    pub findings: Vec<Finding>,
    /// Document ranges not checked: the ends of regions longer than [`MAX_REGION_BYTES`].
    pub unchecked: Vec<Range<usize>>,
}

/// Findings of `doc`. `on_region(done, total, findings so far)` follows the progress.
pub async fn proofread(
    engine: &Engine,
    checker: &Checker,
    doc: DocumentInput,
    settings: &Settings,
    choices: &UserChoices<'_>,
    on_region: impl FnMut(usize, usize, &[Finding]),
) -> Result<Proofread, CheckError> {
    if choices.disabled || !settings.enable {
        return Ok(Proofread::default());
    }
    let DocumentInput {
        text,
        language,
        tree,
        focus,
        priority,
        cancel,
    } = doc;
    let prepared = {
        let (text, settings) = (text.clone(), settings.clone());
        tokio::task::spawn_blocking(move || prepare_with(&text, tree, language, &settings)).await
    };
    let (mut regions, identifiers) = match prepared {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(e)) => return Err(CheckError::Regions(e)),
        Err(e) => return Err(CheckError::Regions(e.to_string())),
    };
    // Bounded work per region: a huge single-line paragraph is checked up to a limit.
    let unchecked = limit_regions(&mut regions, MAX_REGION_BYTES);
    let input = CheckInput {
        text: &text,
        language,
        settings,
        dictionary: choices.dictionary,
        focus,
        cancel,
        priority,
    };
    let findings = checker
        .check_document(engine, &input, &regions, &identifiers, on_region)
        .await?;
    let findings = findings
        .into_iter()
        .filter(|f| !(choices.ignored)(&f.key()))
        .collect();
    Ok(Proofread {
        findings,
        unchecked,
    })
}
