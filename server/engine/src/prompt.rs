//! Prompt assembly: renders [`PromptInput`] with the model's chat template (or the configured
//! fallback) or its FIM tokens, and tokenizes it as stable prefix + tail so the stable tokens
//! never depend on the tail. Chat prompts are `head(template, system) + user_stable` then
//! `user_tail + foot(template)`; user text is tokenized without special-token parsing.

use crate::error::EngineError;
use crate::job::{Prompt, PromptInput};
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::token::LlamaToken;

pub use crate::backend::FimTokens;

/// FIM tokens of `model`, if it has all three.
pub fn fim_tokens(model: &LlamaModel) -> Option<FimTokens> {
    let v = model.vocab();
    let (p, s, m) = (v.fim_pre().0, v.fim_suf().0, v.fim_mid().0);
    (p >= 0 && s >= 0 && m >= 0).then_some(FimTokens {
        prefix: p,
        suffix: s,
        middle: m,
    })
}

/// A tokenized prompt: `stable ++ tail`.
#[derive(Debug, Clone, Default)]
pub struct PromptTokens {
    /// Stable prefix tokens (persistable).
    pub stable: Vec<LlamaToken>,
    /// Tail tokens.
    pub tail: Vec<LlamaToken>,
}

impl PromptTokens {
    /// All tokens.
    pub fn all(&self) -> Vec<LlamaToken> {
        let mut v = self.stable.clone();
        v.extend_from_slice(&self.tail);
        v
    }

    /// Total length.
    pub fn len(&self) -> usize {
        self.stable.len() + self.tail.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Stands in for the user message while rendering, so the template's own text can be told
/// apart from the (untrusted) user text. Private-use characters: never in real text.
const USER_SENTINEL: &str = "\u{F8FF}margin-user\u{F8FF}";

/// A rendered chat prompt: template text before and after the user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatFrame {
    /// Template text (with system message) up to the user content.
    pub head: String,
    /// Template text after the user content (end of turn, assistant opening).
    pub foot: String,
}

/// Renders `[system, user]` with the template and locates the user message in it.
pub fn render_chat(
    model: &LlamaModel,
    template: &LlamaChatTemplate,
    system: &str,
) -> Result<ChatFrame, EngineError> {
    let nul = |_| EngineError::InvalidJob("prompt contains a NUL byte".into());
    let mut msgs = Vec::new();
    if !system.is_empty() {
        msgs.push(LlamaChatMessage::new("system".into(), system.into()).map_err(nul)?);
    }
    msgs.push(LlamaChatMessage::new("user".into(), USER_SENTINEL.into()).map_err(nul)?);
    let text = model
        .apply_chat_template(template, &msgs, true)
        .map_err(|e| match e {
            llama_cpp_2::ApplyChatTemplateError::FfiError(code) => {
                EngineError::ChatTemplate { code }
            }
            other => EngineError::InvalidJob(other.to_string()),
        })?;
    let i = text
        .rfind(USER_SENTINEL)
        .ok_or(EngineError::ChatTemplate { code: 0 })?;
    Ok(ChatFrame {
        head: text[..i].to_owned(),
        foot: text[i + USER_SENTINEL.len()..].to_owned(),
    })
}

/// Chat prompt tokens: template parts with special tokens parsed, user text without (so a
/// document containing e.g. `<|im_end|>` cannot break the prompt's structure).
pub fn chat_tokens(
    model: &LlamaModel,
    frame: &ChatFrame,
    user_stable: &str,
    user_tail: &str,
) -> PromptTokens {
    let v = model.vocab();
    let mut stable = v.tokenize(frame.head.as_bytes(), true, true);
    stable.extend(v.tokenize(user_stable.as_bytes(), false, false));
    let mut tail = v.tokenize(user_tail.as_bytes(), false, false);
    tail.extend(v.tokenize(frame.foot.as_bytes(), false, true));
    PromptTokens { stable, tail }
}

/// Tokenizes pre-rendered text: BOS (if the model wants one) + stable, then tail; special
/// tokens in the text are parsed (the caller owns the text).
pub fn tokenize_prompt(model: &LlamaModel, prompt: &Prompt) -> PromptTokens {
    let v = model.vocab();
    PromptTokens {
        stable: v.tokenize(prompt.stable.as_bytes(), true, true),
        tail: if prompt.tail.is_empty() {
            Vec::new()
        } else {
            v.tokenize(prompt.tail.as_bytes(), false, true)
        },
    }
}

/// Builds `<PRE>prefix<SUF>suffix<MID>` tokens; the stable part is `<PRE>prefix`.
pub fn fim_prompt(
    model: &LlamaModel,
    prefix: &str,
    suffix: &str,
) -> Result<PromptTokens, EngineError> {
    let fim = fim_tokens(model).ok_or(EngineError::NoFim)?;
    let v = model.vocab();
    let mut stable = Vec::new();
    if v.should_add_bos() {
        stable.push(v.bos());
    }
    stable.push(LlamaToken::new(fim.prefix));
    stable.extend(v.tokenize(prefix.as_bytes(), false, false));
    let mut tail = vec![LlamaToken::new(fim.suffix)];
    tail.extend(v.tokenize(suffix.as_bytes(), false, false));
    tail.push(LlamaToken::new(fim.middle));
    Ok(PromptTokens { stable, tail })
}

/// Resolves any [`PromptInput`] to tokens.
pub fn prompt_tokens(
    model: &LlamaModel,
    template: Option<&LlamaChatTemplate>,
    model_name: &str,
    input: &PromptInput,
) -> Result<PromptTokens, EngineError> {
    match input {
        PromptInput::Raw(p) => Ok(tokenize_prompt(model, p)),
        PromptInput::Fim { prefix, suffix } => fim_prompt(model, prefix, suffix),
        PromptInput::Chat {
            system,
            user_stable,
            user_tail,
        } => {
            let t = template.ok_or_else(|| EngineError::NoChatTemplate {
                model: model_name.to_owned(),
            })?;
            let frame = render_chat(model, t, system)?;
            Ok(chat_tokens(model, &frame, user_stable, user_tail))
        }
    }
}
