//! margin-proofread: the pure core of proofreading. It works on plain
//! strings, byte spans and plain structs: no LSP types, no async runtime,
//! no model engine.
//!
//! Flow for one prose region (plain text from `margin-syntax`):
//! 1. [`build`] a [`ProofreadPrompt`] (stable prefix per language + the
//!    region as the last message; generate with [`stop_strings_for`]);
//! 2. [`clean`] the raw reply to the rewrite (or [`Unusable`]);
//! 3. [`align`] input and rewrite into [`Edit`]s with byte ranges and a
//!    [`Category`]; [`message`] phrases them;
//! 4. [`filter`] them for precision (protected spans, URLs, identifiers,
//!    [`Dictionary`] words, whitespace/quote-only, rewrite too large);
//! 5. skip findings the user ignored ([`IgnoreStore`], [`FindingKey`]).
//!
//! ```
//! use margin_proofread::{edits_from_reply, message};
//! let input = "She dont like apples, but she eat them anyway.";
//! let reply = "Corrected text: \"She doesn't like apples, but she eats them anyway.\"";
//! let edits = edits_from_reply(input, reply).unwrap();
//! assert_eq!(edits.len(), 2);
//! assert_eq!(&input[edits[1].range.clone()], "eat");
//! assert_eq!(message(&edits[1]), "Possible grammar mistake: 'eat' → 'eats'");
//! ```
//!
//! [`edits_from_reply`] does steps 2–3. Long regions are cut with
//! [`split`]; results can be cached under a [`CheckKey`] in a
//! [`ResultCache`] (cache before filtering).

mod align;
mod cache;
pub mod calibrate;
pub mod candidates;
mod classify;
mod detect;
mod dictionary;
mod filter;
mod ignore_store;
mod output;
mod prompt;
mod scan;
mod sentences;
pub mod shared_file;
mod tokens;
pub mod verify;

pub use align::{align, message, Category, Edit};
pub use cache::{CheckKey, ResultCache};
pub use candidates::{lexicon::Lexicon, spelling::Speller, spelling::SpellerError};
pub use candidates::{propose, Candidate, EditKind, Sources};
pub use detect::{detect, detect_loosely, same_language};
pub use dictionary::{add_word, Dictionary};
pub use filter::{
    filter, filtered_words, guard, identifiers_from_tree, DropReason, FilterConfig, FilterContext, Filtered,
};
pub use ignore_store::{context_hash, FindingKey, IgnoreStore};
pub use output::{clean, cut_at_special_tokens, stop_strings, stop_strings_for, Unusable};
pub use prompt::{build, language_name, ProofreadPrompt, PROMPT_VERSION};
pub use sentences::{sentence_at, split};
pub use tokens::{stable_hash, stable_hash_extend};
pub use verify::{decide, Calibration, Overrides, Scored, Threshold, Verdict};

/// [`clean`] the raw model reply for `input`, then [`align`] it: the
/// unfiltered edits of one region.
pub fn edits_from_reply(input: &str, raw_reply: &str) -> Result<Vec<Edit>, Unusable> {
    let rewrite = clean(raw_reply, input)?;
    Ok(align(input, &rewrite))
}
