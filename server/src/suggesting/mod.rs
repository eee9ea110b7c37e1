//! Code suggestions in the server and benchmarks: context from tree-sitter
//! (`margin-suggest`), a FIM prompt when the model has FIM tokens and an
//! instruction prompt otherwise, one short greedy generation in the suggest
//! slot (its KV prefix survives keystrokes), then cleanup and verification —
//! a suggestion that is too long, repeats the following lines or breaks the
//! parse is dropped, never shown; one that adds a destructive operation the
//! code does not have (prompt injection from a comment) carries a warning. A cache keyed by prefix and suffix serves
//! repeats, and the rest of a suggestion the user is typing through, without
//! a model call. Knows no LSP types.

use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use margin_engine::{Engine, EngineError, GenerateRequest, Job, Priority, PromptInput, Slot};
use margin_suggest::cache::SuggestionCache;
use margin_suggest::context::{build_context, ContextRequest, Task};
use margin_suggest::function_at;
use margin_suggest::prompt::{clean_output, fim, instruction};
use margin_suggest::verify::{verify, VerifyOptions};
use margin_syntax::Language;
use serde::Serialize;

/// What to suggest, where.
#[derive(Clone, Debug)]
pub struct SuggestRequest {
    pub text: String,
    pub lang: Language,
    /// Byte offset of the cursor.
    pub cursor: usize,
    pub task: Task,
    pub max_lines: usize,
    /// Prompt budget in tokens (`None`: the engine's default for the model).
    pub budget: Option<usize>,
}

/// A verified suggestion: replace `range` of the document with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub range: Range<usize>,
    pub text: String,
    /// Served from the cache (no model call).
    pub cached: bool,
    /// Destructive operations it adds that the code around it does not have (e.g. "recursive
    /// delete (rm -rf)"): never offered as a plain suggestion, only flagged or not at all.
    pub warning: Option<String>,
}

/// Why no suggestion.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SuggestFailure {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Model(String),
    /// Nothing applies here (e.g. no function under the cursor).
    #[error("{0}")]
    NotHere(String),
    /// The model's suggestion failed verification.
    #[error("the suggestion was dropped: {0}")]
    Dropped(String),
}

/// Counters for `margin/status` and `margin bench suggest`.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SuggestStats {
    pub requests: u64,
    pub cache_hits: u64,
    pub model_calls: u64,
    pub shown: u64,
    pub dropped: u64,
    /// Prompt tokens evaluated by the model (not reused from the KV cache).
    pub evaluated_tokens: u64,
    pub prompt_tokens: u64,
}

pub struct Suggester {
    cache: Mutex<SuggestionCache>,
    stats: Mutex<SuggestStats>,
}

impl Default for Suggester {
    fn default() -> Self {
        Suggester {
            cache: Mutex::new(SuggestionCache::new(64)),
            stats: Mutex::default(),
        }
    }
}

impl Suggester {
    pub fn stats(&self) -> SuggestStats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A suggestion for `req`, or why there is none.
    pub async fn suggest(
        &self,
        engine: &Engine,
        req: &SuggestRequest,
        priority: Priority,
        cancel: Arc<AtomicBool>,
    ) -> Result<Suggestion, SuggestFailure> {
        self.bump(|s| s.requests += 1);
        let cursor = req.text.floor_char_boundary(req.cursor.min(req.text.len()));
        if req.task == Task::Complete {
            let hit = self
                .cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .lookup(&req.text[..cursor], &req.text[cursor..]);
            if let Some(rest) = hit {
                self.bump(|s| s.cache_hits += 1);
                return self.checked(req, &TaskSlot::at(cursor), &rest, true);
            }
        }
        let (engine2, req2) = (engine.clone(), req.clone());
        let ran = tokio::task::spawn_blocking(move || {
            generate(&engine2, &req2, cursor, priority, &cancel)
        })
        .await
        .map_err(|e| SuggestFailure::Model(format!("suggestion stopped unexpectedly: {e}")))?;
        let (slot, raw, metrics) = ran?;
        self.bump(|s| {
            s.model_calls += 1;
            s.prompt_tokens += metrics.prompt_tokens as u64;
            s.evaluated_tokens += metrics.evaluated_tokens as u64;
        });
        let suggestion = self.checked(req, &slot, &raw, false)?;
        if req.task == Task::Complete {
            self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(
                &req.text[..cursor],
                &req.text[cursor..],
                &suggestion.text,
            );
        }
        Ok(suggestion)
    }

    /// Verify `raw` for `slot` (an insertion point, or a replaced function body).
    fn checked(
        &self,
        req: &SuggestRequest,
        slot: &TaskSlot,
        raw: &str,
        cached: bool,
    ) -> Result<Suggestion, SuggestFailure> {
        let range = slot.range.clone();
        let spliced = format!(
            "{}{}{}{}",
            &req.text[..range.start],
            slot.before,
            slot.after,
            &req.text[range.end..]
        );
        let at = range.start + slot.before.len();
        let max_lines = match req.task {
            Task::Complete => req.max_lines,
            Task::ImplementFunction | Task::DocComment => req.max_lines.max(12),
        };
        match verify(&spliced, req.lang, at, raw, &VerifyOptions { max_lines }) {
            Ok(v) => {
                self.bump(|s| s.shown += 1);
                let text = format!("{}{}{}", slot.before, v.insert_text, slot.after);
                let found = margin_suggest::dangers(req.lang, &text, &req.text);
                let warning = (!found.is_empty()).then(|| {
                    tracing::info!(?found, "suggestion adds destructive operations");
                    found
                        .iter()
                        .map(|d| format!("{} `{}`", d.label, d.matched))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                Ok(Suggestion {
                    range,
                    text,
                    cached,
                    warning,
                })
            }
            Err(why) => {
                self.bump(|s| s.dropped += 1);
                tracing::debug!(?why, "suggestion dropped");
                Err(SuggestFailure::Dropped(format!("{why:?}")))
            }
        }
    }

    fn bump(&self, f: impl FnOnce(&mut SuggestStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Build the context and prompt, run the model: `(where it goes, raw output, metrics)`.
fn generate(
    engine: &Engine,
    req: &SuggestRequest,
    cursor: usize,
    priority: Priority,
    cancel: &Arc<AtomicBool>,
) -> Result<(TaskSlot, String, margin_engine::Metrics), SuggestFailure> {
    let count = |s: &str| engine.count_tokens(s);
    let slot = match req.task {
        Task::Complete => TaskSlot::at(cursor),
        Task::ImplementFunction | Task::DocComment => {
            let f = function_at(&req.text, req.lang, None, cursor)
                .ok_or_else(|| SuggestFailure::NotHere("no function under the cursor".into()))?;
            task_slot(&req.text, req.lang, req.task, &f)?
        }
    };
    let anchor = slot.range.start;
    let info = engine.model_info();
    let max_tokens = (req.max_lines * 24).clamp(32, 256);
    let budget = req
        .budget
        .unwrap_or(info.default_budget)
        .saturating_sub(max_tokens + 64)
        .max(128);
    let ctx = build_context(&ContextRequest {
        text: &req.text,
        lang: req.lang,
        tree: None,
        cursor: anchor,
        budget_tokens: budget,
        count: &count,
        task: req.task,
    });
    let (prompt, stop) = match (&info.fim, req.task) {
        (Some(_), Task::Complete) => {
            let (prefix, suffix) = fim(&ctx);
            (
                PromptInput::Fim { prefix, suffix },
                vec!["\n\n\n".to_string()],
            )
        }
        _ => {
            let f = function_at(&req.text, req.lang, None, anchor);
            let p = instruction(&ctx, req.task, req.lang, f.as_ref());
            (
                PromptInput::Chat {
                    system: p.system,
                    user_stable: p.user_stable,
                    user_tail: p.user_tail,
                },
                p.stop,
            )
        }
    };
    let mut request = GenerateRequest::new(prompt, max_tokens);
    request.stop = stop;
    let mut job = Job::generate(Slot::Suggest, request);
    job.priority = priority;
    job.cancel = cancel.clone();
    let out = engine.submit(job).blocking_wait().map_err(|e| match e {
        EngineError::Cancelled { .. } => SuggestFailure::Cancelled,
        e => SuggestFailure::Model(e.to_string()),
    })?;
    tracing::debug!(metrics = ?out.metrics, task = ?req.task, "suggest call");
    Ok((slot, clean_output(&out.text, req.task, &ctx), out.metrics))
}

/// Where a suggestion goes: `range` is replaced by `before + suggestion + after`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskSlot {
    pub range: Range<usize>,
    pub before: String,
    pub after: String,
}

impl TaskSlot {
    fn at(cursor: usize) -> Self {
        TaskSlot {
            range: cursor..cursor,
            before: String::new(),
            after: String::new(),
        }
    }
}

/// Where an "implement" or "doc comment" suggestion goes: the inside of a placeholder body
/// (after a Python docstring), or the line above the signature (a Python docstring: the
/// first line of the body).
pub fn task_slot(
    text: &str,
    lang: Language,
    task: Task,
    f: &margin_suggest::FunctionInfo,
) -> Result<TaskSlot, SuggestFailure> {
    let body = f
        .body_range
        .clone()
        .ok_or_else(|| SuggestFailure::NotHere("the function has no body".into()))?;
    let braces = text[body.clone()].starts_with('{') && text[body.clone()].ends_with('}');
    match task {
        Task::DocComment => {
            if f.doc_range.is_some() {
                return Err(SuggestFailure::NotHere(
                    "the function already has a doc comment".into(),
                ));
            }
            if lang == Language::Python {
                return Ok(TaskSlot {
                    range: body.start..body.start,
                    before: String::new(),
                    after: format!("\n{}", f.body_indent),
                });
            }
            let start = text[..f.signature_range.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            Ok(TaskSlot {
                range: start..start,
                before: f.indent.clone(),
                after: "\n".into(),
            })
        }
        _ => {
            if !f.body_is_empty_or_todo {
                return Err(SuggestFailure::NotHere(
                    "the function already has a body".into(),
                ));
            }
            if braces {
                let inside = body.start + 1..body.end - 1;
                return Ok(TaskSlot {
                    range: inside,
                    before: format!("\n{}", f.body_indent),
                    after: format!("\n{}", f.indent),
                });
            }
            // A Python block: keep a docstring that opens it.
            match f
                .doc_range
                .clone()
                .filter(|d| body.start <= d.start && d.end <= body.end)
            {
                Some(doc) => Ok(TaskSlot {
                    range: doc.end..body.end,
                    before: format!("\n{}", f.body_indent),
                    after: String::new(),
                }),
                None => Ok(TaskSlot {
                    range: body,
                    before: String::new(),
                    after: String::new(),
                }),
            }
        }
    }
}
