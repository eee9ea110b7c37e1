#![warn(missing_docs)]
//! margin-translate: the pure translation core. Plain strings, byte
//! ranges and closures: no LSP types, no async runtime, no model engine.
//!
//! Flow for one text ([`translate_text`] does all of it):
//! 1. [`mask()`] it: structure out, protected spans as themselves or tokens;
//! 2. cut the model text into [`chunks`] that fit the model's budget;
//! 3. [`build`] a [`TranslatePrompt`] per chunk and call
//!    the model (a closure from the caller);
//! 4. [`clean_output`] the reply, check it ([`Masked::verify`]), retry
//!    once with the strict prompt when a span was lost;
//! 5. [`Masked::restore`] the whole text, or fail naming the lost span.
//!
//! ```
//! use margin_translate::{parse_language, translate_text, TranslateOptions};
//! let opts = TranslateOptions {
//!     from: None,
//!     to: parse_language("de").unwrap(),
//!     markdown: true,
//!     max_chunk_tokens: 256,
//! };
//! let words = |s: &str| s.split_whitespace().count();
//! let t = translate_text("Click **Save** to keep {count} files.", &opts, words, |p| {
//!     assert_eq!(p.user_tail, "Click <1>Save</1> to keep {count} files.");
//!     Ok::<_, std::convert::Infallible>(
//!         "Here is the translation: Klicke auf <1>Speichern</1>, um {count} Dateien zu behalten.".into(),
//!     )
//! })
//! .unwrap();
//! assert_eq!(t.text, "Klicke auf **Speichern**, um {count} Dateien zu behalten.");
//! ```
//!
//! [`segments`] splits a whole Markdown document into translatable and
//! verbatim blocks for `margin translate`; [`translate_document`] runs
//! the flow per block. [`lang`] parses and detects languages.

pub mod chunk;
pub mod document;
pub mod lang;
pub mod mask;
pub mod prompt;
mod scan;
pub mod translate;

pub use chunk::{chunks, chunks_avoiding};
pub use document::{segments, translate_document, DocumentTranslation, Segment, SegmentFailure};
pub use lang::{
    detect, is_in_language, language_from_locale_vars, locale_language, parse_language, Lang,
};
pub use mask::{mask, MaskOptions, Masked, Protected, RestoreError, SpanKind};
pub use prompt::{build, clean_output, TranslatePrompt, PROMPT_VERSION};
pub use translate::{translate_text, TranslateError, TranslateOptions, Translation};
