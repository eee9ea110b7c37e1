//! The one entry point the server and `margin check` share: a document (text, language, and
//! its syntax tree when the caller keeps one) and what the user decided for its file (disabled,
//! dictionary words, ignored findings) in, findings out. The server passes a snapshot of the
//! document's incremental tree, so nothing is parsed again; the CLI parses here.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use margin_engine::{Engine, Priority};
use margin_proofread::{Dictionary, FindingKey};
use margin_syntax::{Language, SyntaxTree};

use super::{prepare_with, CheckError, CheckInput, Checker, Finding};
use crate::config::Settings;

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

/// Findings of `doc`, in document order. `on_region(done, total)` follows the progress.
pub async fn proofread(
    engine: &Engine,
    checker: &Checker,
    doc: DocumentInput,
    settings: &Settings,
    choices: &UserChoices<'_>,
    on_region: impl FnMut(usize, usize),
) -> Result<Vec<Finding>, CheckError> {
    if choices.disabled || !settings.enable {
        return Ok(Vec::new());
    }
    let DocumentInput { text, language, tree, focus, priority, cancel } = doc;
    let prepared = {
        let (text, settings) = (text.clone(), settings.clone());
        tokio::task::spawn_blocking(move || prepare_with(&text, tree, language, &settings)).await
    };
    let (regions, identifiers) = match prepared {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(e)) => return Err(CheckError::Regions(e)),
        Err(e) => return Err(CheckError::Regions(e.to_string())),
    };
    let input = CheckInput { text: &text, language, settings, dictionary: choices.dictionary, focus, cancel, priority };
    let findings = checker.check_document(engine, &input, &regions, &identifiers, on_region).await?;
    Ok(findings.into_iter().filter(|f| !(choices.ignored)(&f.key())).collect())
}
