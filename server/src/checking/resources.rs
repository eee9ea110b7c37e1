//! Language resources for proofreading, loaded once per language and shared by every check:
//! the Hunspell dictionary (`Speller`) and the word data (`Lexicon`). A dictionary that is
//! missing or broken is a problem reported once (the server shows it, the CLI prints it);
//! checking goes on without spelling candidates for that language.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use margin_proofread::{Lexicon, Speller, SpellerError};

use super::pipeline::Resources;

/// A language's dictionary (when one could be loaded) and word data.
type Loaded = (Option<Arc<Speller>>, Arc<Lexicon>);

#[derive(Default)]
pub struct Languages {
    loaded: Mutex<HashMap<String, Loaded>>,
    /// Problems not yet taken by the caller, and every problem ever reported (to say each once).
    problems: Mutex<(Vec<String>, Vec<String>)>,
}

impl Languages {
    /// Resources for `language` (none for an unknown language).
    pub fn get(&self, language: Option<&str>, dictionary_paths: &[PathBuf]) -> Resources {
        let Some(language) = language else {
            return Resources {
                speller: None,
                lexicon: Arc::default(),
            };
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("{language}\0{dictionary_paths:?}");
        let (speller, lexicon) = loaded.entry(key).or_insert_with(|| {
            let lexicon = Arc::new(Lexicon::for_language(language));
            let speller = match Speller::for_language(language, dictionary_paths) {
                Ok(s) => {
                    tracing::debug!(language, source = s.source, "spelling dictionary loaded");
                    Some(s)
                }
                // A language margin has no word data for and the user configured no
                // dictionaries for: nothing the user can act on, so only a debug line.
                Err(e @ SpellerError::Missing { .. })
                    if lexicon.is_empty() && dictionary_paths.is_empty() =>
                {
                    tracing::debug!("{e}");
                    None
                }
                Err(e) => {
                    self.report(&e);
                    None
                }
            };
            (speller, lexicon)
        });
        Resources {
            speller: speller.clone(),
            lexicon: lexicon.clone(),
        }
    }

    fn report(&self, e: &SpellerError) {
        let message = e.to_string();
        tracing::debug!("{message} (reported to the user)");
        let mut p = self.problems.lock().unwrap_or_else(|p| p.into_inner());
        if !p.1.contains(&message) {
            p.1.push(message.clone());
            p.0.push(message);
        }
    }

    /// Problems reported since the last call (each problem once per process).
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut self.problems.lock().unwrap_or_else(|p| p.into_inner()).0)
    }
}
