//! One model call per piece of prose: the proofreading prompt (stable prefix
//! first, the text last), greedy decoding with speculative drafting from the
//! input, the reply cleaned and aligned into edits, and each edit scored by
//! the model's own likelihood of the corrected text against the text with
//! that edit reverted.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use margin_engine::{Engine, EngineError, GenerateRequest, Job, JobKind, Priority, PromptInput, ScoreRequest, Slot};
use margin_proofread::{align, build, clean, stop_strings_for, Edit, Unusable};

/// An edit and how sure the model is of it (0..1; 0.5 = no preference).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredEdit {
    pub edit: Edit,
    pub confidence: f32,
}

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
    PromptInput::Chat { system: p.system, user_stable: String::new(), user_tail: p.user }
}

/// Ask the model for a corrected version of `text` and turn it into scored edits.
pub async fn rewrite(
    engine: &Engine,
    text: &str,
    language: Option<&str>,
    priority: Priority,
    cancel: &Arc<AtomicBool>,
    speculative: bool,
) -> Result<Vec<ScoredEdit>, CallError> {
    let input_tokens = engine.count_tokens(text);
    let mut request = GenerateRequest::new(prompt(text, language), input_tokens * 2 + 16);
    request.stop = stop_strings_for(text);
    request.draft_source = speculative.then(|| text.to_string());
    let mut job = Job::generate(Slot::Proofread, request);
    job.priority = priority;
    job.cancel = cancel.clone();
    let output = engine.submit(job).wait().await?;
    tracing::debug!(metrics = ?output.metrics, "proofread call");
    let rewrite = clean(&output.text, text)?;
    let edits = align(text, &rewrite);
    if edits.is_empty() {
        return Ok(Vec::new());
    }
    score(engine, text, language, &rewrite, edits, priority, cancel).await
}

/// Confidence of each edit: sigmoid of log P(rewrite) − log P(rewrite with the edit reverted).
async fn score(
    engine: &Engine,
    text: &str,
    language: Option<&str>,
    rewrite: &str,
    edits: Vec<Edit>,
    priority: Priority,
    cancel: &Arc<AtomicBool>,
) -> Result<Vec<ScoredEdit>, CallError> {
    let mut candidates = vec![rewrite.to_string()];
    candidates.extend(edits.iter().map(|e| revert(text, rewrite, &edits, e)));
    let request = ScoreRequest { prompt: prompt(text, language), candidates };
    let mut job = Job::new(Slot::Proofread, JobKind::Score(request));
    job.priority = priority;
    job.cancel = cancel.clone();
    let output = engine.submit(job).wait().await?;
    let best = output.scores.first().map_or(0.0, |s| s.total_logprob);
    Ok(edits
        .into_iter()
        .zip(output.scores.iter().skip(1))
        .map(|(edit, reverted)| {
            let delta = (best - reverted.total_logprob) as f32;
            ScoredEdit { edit, confidence: 1.0 / (1.0 + (-delta).exp()) }
        })
        .collect())
}

/// The rewrite with one edit undone: every other edit applied to the input.
fn revert(input: &str, rewrite: &str, edits: &[Edit], skip: &Edit) -> String {
    let mut out = String::with_capacity(rewrite.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&input[at..e.range.start]);
        out.push_str(if e == skip { &e.original } else { &e.replacement });
        at = e.range.end;
    }
    out.push_str(&input[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_undoes_exactly_one_edit() {
        let input = "She dont like apples, but she eat them anyway.";
        let rewrite = "She doesn't like apples, but she eats them anyway.";
        let edits = align(input, rewrite);
        assert_eq!(edits.len(), 2);
        assert_eq!(revert(input, rewrite, &edits, &edits[0]), "She dont like apples, but she eats them anyway.");
        assert_eq!(revert(input, rewrite, &edits, &edits[1]), "She doesn't like apples, but she eat them anyway.");
    }

    #[test]
    fn the_prompt_ends_with_the_text_and_its_prefix_is_stable() {
        let (a, b) = (prompt("First paragraph.", Some("en")), prompt("Another one.", Some("en")));
        match (a, b) {
            (
                PromptInput::Chat { system: s1, user_stable: u1, user_tail: t1 },
                PromptInput::Chat { system: s2, user_stable: u2, user_tail: t2 },
            ) => {
                assert_eq!((s1, u1), (s2, u2));
                assert!(t1.contains("First paragraph.") && t2.contains("Another one."));
            }
            _ => panic!("chat prompts expected"),
        }
    }
}
