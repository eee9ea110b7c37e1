//! The driver: mask, chunk, prompt, call, clean, check, retry once with
//! the strict prompt, restore. The model is a closure from the caller, so
//! this stays synchronous and engine-free; the caller's error type (which
//! also carries cancellation) passes through untouched.

use crate::chunk::chunks_avoiding;
use crate::lang::{is_in_language, Lang};
use crate::mask::{mask, MaskOptions, Masked, RestoreError};
use crate::prompt::{build, clean_output, TranslatePrompt};

/// What to translate into and how to read the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranslateOptions {
    /// Source language; `None` lets the model work it out.
    pub from: Option<Lang>,
    /// Target language.
    pub to: Lang,
    /// Read the text as Markdown.
    pub markdown: bool,
    /// Largest chunk sent in one call, in model tokens (as `count` measures).
    pub max_chunk_tokens: usize,
}

/// A successful translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    /// The translated text, structure and protected spans restored.
    pub text: String,
    /// Chunks the model text was cut into (those sent to the model).
    pub chunks: usize,
    /// Model calls made, retries included.
    pub model_calls: usize,
    /// Strict retries made.
    pub retries: usize,
}

/// Why there is no translation. Every variant means "offer no edit".
#[derive(Debug, thiserror::Error)]
pub enum TranslateError<E> {
    /// The model call failed or was cancelled (the caller's error).
    #[error("{0}")]
    Model(E),
    /// Nothing to translate: only code, placeholders, markup, numbers.
    #[error("nothing to translate")]
    Empty,
    /// The text is already in the target language.
    #[error("the text is already in {}", .lang.name)]
    SameLanguage {
        /// The target language.
        lang: Lang,
    },
    /// A protected span was lost, even after the strict retry.
    #[error("the translation dropped `{span}`; no edit offered")]
    LostSpan {
        /// The span's label (original text, or the whole markup construct).
        span: String,
    },
    /// The output broke a protected span or the line structure otherwise.
    #[error("the translation damaged the text ({0}); no edit offered")]
    Damaged(RestoreError),
    /// The model answered with nothing.
    #[error("the model returned no translation")]
    EmptyOutput,
    /// The model echoed a text that is clearly not in the target language.
    #[error("the model returned the text untranslated")]
    Untranslated,
    /// The model talked about the text (quoting it) instead of translating it.
    #[error("the model described the text instead of translating it")]
    Commentary,
    /// The model answered in another language than the target.
    #[error("the model did not answer in {}", .expected.name)]
    WrongLanguage {
        /// The target language.
        expected: Lang,
    },
}

impl<E> TranslateError<E> {
    /// The same error with the model error mapped (e.g. to print it when
    /// `E` is not `Display`).
    pub fn map_model<F>(self, f: impl FnOnce(E) -> F) -> TranslateError<F> {
        use TranslateError::*;
        match self {
            Model(e) => Model(f(e)),
            Empty => Empty,
            SameLanguage { lang } => SameLanguage { lang },
            LostSpan { span } => LostSpan { span },
            Damaged(e) => Damaged(e),
            EmptyOutput => EmptyOutput,
            Untranslated => Untranslated,
            Commentary => Commentary,
            WrongLanguage { expected } => WrongLanguage { expected },
        }
    }
}

impl<E> From<RestoreError> for TranslateError<E> {
    fn from(e: RestoreError) -> Self {
        match e {
            RestoreError::Missing { span } => TranslateError::LostSpan { span },
            RestoreError::Empty => TranslateError::EmptyOutput,
            e => TranslateError::Damaged(e),
        }
    }
}

/// Translate `text`: see the crate docs for the flow. `count` measures
/// model tokens; `call` runs one prompt and returns the raw reply. Each
/// chunk gets one strict retry when its reply loses or breaks a protected
/// span, is empty, echoes a foreign source, or is in the wrong language;
/// a second failure is the error. Never returns a translation that lost a
/// protected span or a line.
pub fn translate_text<E>(
    text: &str,
    opts: &TranslateOptions,
    count: impl Fn(&str) -> usize,
    mut call: impl FnMut(&TranslatePrompt) -> Result<String, E>,
) -> Result<Translation, TranslateError<E>> {
    let masked = mask(
        text,
        MaskOptions {
            markdown: opts.markdown,
            html: true,
        },
    );
    if masked.is_trivial() {
        return Err(TranslateError::Empty);
    }
    let already = match opts.from {
        Some(from) => from.same_as(opts.to),
        None => is_in_language(&masked.text, opts.to) == Some(true),
    };
    if already {
        return Err(TranslateError::SameLanguage { lang: opts.to });
    }
    let mut t = Translation {
        text: String::new(),
        chunks: 0,
        model_calls: 0,
        retries: 0,
    };
    let protected = masked.token_ranges();
    let mut out = String::with_capacity(masked.text.len() * 2);
    for r in chunks_avoiding(
        &masked.text,
        opts.max_chunk_tokens.max(1),
        &count,
        &protected,
    ) {
        let piece = &masked.text[r];
        let core = piece.trim();
        let lead = &piece[..piece.len() - piece.trim_start().len()];
        out.push_str(lead);
        if masked.has_prose(core) {
            t.chunks += 1;
            out.push_str(&translate_chunk(
                &masked, core, opts, &count, &mut call, &mut t,
            )?);
        } else {
            out.push_str(core);
        }
        out.push_str(&piece[lead.len() + core.len()..]);
    }
    t.text = masked.restore(&out)?;
    Ok(t)
}

/// One chunk: normal prompt, then strict; the checked output lines joined.
fn translate_chunk<E>(
    masked: &Masked,
    source: &str,
    opts: &TranslateOptions,
    count: &impl Fn(&str) -> usize,
    call: &mut impl FnMut(&TranslatePrompt) -> Result<String, E>,
    t: &mut Translation,
) -> Result<String, TranslateError<E>> {
    let mut last = TranslateError::EmptyOutput;
    for strict in [false, true] {
        if strict {
            t.retries += 1;
        }
        let prompt = build(source, opts.from, opts.to, strict, count);
        t.model_calls += 1;
        let raw = call(&prompt).map_err(TranslateError::Model)?;
        match check(
            masked,
            source,
            &clean_output(&raw, source),
            opts.from,
            opts.to,
        ) {
            Ok(lines) => return Ok(lines),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Check one cleaned reply: spans and lines (restore rules), then that it
/// is a translation (not an echo of a foreign source, not another language).
fn check<E>(
    masked: &Masked,
    source: &str,
    cleaned: &str,
    from: Option<Lang>,
    to: Lang,
) -> Result<String, TranslateError<E>> {
    if cleaned.trim().is_empty() {
        return Err(TranslateError::EmptyOutput);
    }
    let lines = masked.verify(source, cleaned)?.join("\n");
    let source_norm: Vec<&str> = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines == source_norm.join("\n") {
        // An echo is fine for names, numbers and text already in `to`, not for text known
        // to be in another language.
        if is_in_language(source, to) == Some(false) || from.is_some_and(|f| !f.same_as(to)) {
            return Err(TranslateError::Untranslated);
        }
    } else if is_in_language(&lines, to) == Some(false) {
        return Err(TranslateError::WrongLanguage { expected: to });
    } else if quotes_the_source(source, &lines) {
        return Err(TranslateError::Commentary);
    }
    Ok(lines)
}

/// Quote pairs a reply may put around words it cites.
const QUOTES: &[(char, char)] = &[('"', '"'), ('“', '”'), ('„', '“'), ('«', '»'), ('»', '«')];

/// Whether `reply` cites words of `source` in quotes that the source did not have: "The German
/// word "Das Wetter" means …" is a remark about the text, not its translation.
fn quotes_the_source(source: &str, reply: &str) -> bool {
    let quote_chars: Vec<char> = QUOTES.iter().flat_map(|&(a, b)| [a, b]).collect();
    QUOTES.iter().any(|&(open, close)| {
        let mut rest = reply;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            let cited = after[..end].trim();
            rest = &after[end + close.len_utf8()..];
            if cited.chars().filter(|c| c.is_alphabetic()).count() < 3 {
                continue;
            }
            let unquoted = source.match_indices(cited).any(|(at, _)| {
                let before = source[..at].trim_end().chars().next_back();
                let after = source[at + cited.len()..].trim_start().chars().next();
                !before.is_some_and(|c| quote_chars.contains(&c))
                    && !after.is_some_and(|c| quote_chars.contains(&c))
            });
            if unquoted {
                return true;
            }
        }
        false
    })
}

#[cfg(test)]
mod tests;
