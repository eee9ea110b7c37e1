//! The rewrite source of candidates: the proofreading prompt (stable prefix
//! first, the text last), greedy decoding with speculative drafting from the
//! input, the reply cleaned and aligned into candidate edits. The model's
//! opinion of its own rewrite is not trusted: each edit is verified like any
//! other candidate, by plain likelihood (see `pipeline`).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use margin_engine::{Engine, EngineError, GenerateRequest, Job, Priority, PromptInput, Slot};
use margin_proofread::candidates::from_rewrite;
use margin_proofread::{build, clean, stop_strings_for, Candidate, Unusable};

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("model output unusable: {0}")]
    Unusable(#[from] Unusable),
}

impl CallError {
    pub fn is_cancelled(&self) -> bool {
        matches!(self, CallError::Engine(EngineError::Cancelled { .. }))
    }
}

/// The chat prompt for `text`: the system instruction is the stable prefix
/// (byte-identical for every region of a language), the text the user turn.
/// The crate's few-shot examples are not used: inlined into one user turn,
/// SmolLM2-135M copied an example's answer instead of correcting the text
/// (tried in this repo's prompt experiments), while the bare instruction
/// corrected "She dont … she eat" and left correct text alone.
pub fn prompt(text: &str, language: Option<&str>) -> PromptInput {
    let p = build(text, language);
    PromptInput::Chat {
        system: p.system,
        user_stable: String::new(),
        user_tail: p.user,
    }
}

/// Ask the model for a corrected version of `text` and turn it into candidate edits (verified
/// later by plain likelihood, like every other candidate).
pub async fn rewrite(
    engine: &Engine,
    text: &str,
    language: Option<&str>,
    priority: Priority,
    cancel: &Arc<AtomicBool>,
) -> Result<Vec<Candidate>, CallError> {
    let input_tokens = engine.count_tokens(text);
    let mut request = GenerateRequest::new(prompt(text, language), input_tokens * 2 + 16);
    request.stop = stop_strings_for(text);
    request.draft_source = Some(text.to_string());
    let mut job = Job::generate(Slot::Proofread, request);
    job.priority = priority;
    job.cancel = cancel.clone();
    let output = engine.submit(job).wait().await?;
    tracing::debug!(metrics = ?output.metrics, "proofread rewrite");
    let rewrite = clean(&output.text, text)?;
    Ok(from_rewrite(text, &rewrite))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_ends_with_the_text_and_its_prefix_is_stable() {
        let (a, b) = (
            prompt("First paragraph.", Some("en")),
            prompt("Another one.", Some("en")),
        );
        match (a, b) {
            (
                PromptInput::Chat {
                    system: s1,
                    user_stable: u1,
                    user_tail: t1,
                },
                PromptInput::Chat {
                    system: s2,
                    user_stable: u2,
                    user_tail: t2,
                },
            ) => {
                assert_eq!((s1, u1), (s2, u2));
                assert!(t1.contains("First paragraph.") && t2.contains("Another one."));
            }
            _ => panic!("chat prompts expected"),
        }
    }
}
