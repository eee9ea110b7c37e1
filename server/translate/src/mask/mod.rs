//! Masking: what the model sees instead of the text, and the exact way
//! back. Structure (list markers, headings, quotes, indentation, tables,
//! code blocks, blank lines, leading/trailing whitespace) never reaches
//! the model; protected spans inside prose reach it either as themselves
//! or as numbered tokens; [`Masked::restore`] checks that every one came
//! back exactly once and rebuilds the text.
//!
//! # Tokens
//!
//! * **Self-masking** (the span itself is the token): placeholders
//!   (`{name}`, `%s`, `{{var}}`…), inline code, HTML tags, entities, URLs,
//!   escapes. Small models copy these verbatim far more reliably than an
//!   opaque stand-in (they are all over the translation files and docs they
//!   were trained on), and the words around them keep their grammar. Only
//!   single-line originals of at most 64 bytes; longer ones use `<N/>`.
//! * **Markup pairs** `<N>` … `</N>`: emphasis delimiters and link/image
//!   brackets (with the destination inside the closing half, so a URL can
//!   never be translated). This is the notation of react-i18next's `Trans`
//!   strings, so models have seen it kept intact around translated words;
//!   it is ASCII, a few tokens long, and it is not a placeholder syntax of
//!   gettext, ICU, Python or printf (`{1}` would be). Numbers that already
//!   occur in the source as `<N>`-like text are skipped.
//!
//! # Line breaks
//!
//! Each block (a paragraph, heading, list item, table cell, or the part of
//! a paragraph up to a hard line break) is one line of the model text. Its
//! soft-wrapped source lines are joined with spaces; on restore a changed
//! block is re-wrapped to the block's widest source line, continuation
//! lines getting the source's continuation prefix (`"  "`, `"> "`) and
//! line ending (`\r\n` kept). An unchanged block comes back byte for byte.
//! The restore needs exactly one output line per block (blank lines are
//! ignored; a single block accepts several lines and joins them), so no
//! list item, heading or hard break can be lost or invented. Wrapping never
//! breaks inside a protected span nor before a word that would start a
//! list item, heading or quote; in Markdown, a changed block whose first
//! word would start one (`-`, `1.`, `#`, `>`…) gets it backslash-escaped
//! (`1\.`), so a translation cannot turn a paragraph into a list.

mod build;
mod claims;
mod layout;
mod markdown;
mod restore;
mod wrap;

use std::collections::{HashMap, HashSet};

pub use crate::scan::SpanKind;
pub use restore::RestoreError;

/// What to protect beyond placeholders, code and URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaskOptions {
    /// Read the text as Markdown (structure, emphasis, links, code blocks).
    pub markdown: bool,
    /// Protect HTML tags and entities (default `true`).
    pub html: bool,
}

impl Default for MaskOptions {
    fn default() -> Self {
        MaskOptions {
            markdown: false,
            html: true,
        }
    }
}

/// One protected span in the model text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    /// The source text the token stands for (what the restore puts back).
    pub original: String,
    /// What the model sees: `original` itself when self-masking, else
    /// `<N>`, `</N>` or `<N/>`.
    pub token: String,
    /// What the span is.
    pub kind: SpanKind,
    /// How errors name it: the original, or the whole construct for markup
    /// (`**Save**`, `[the guide](https://…)`), shortened to 60 characters.
    pub label: String,
    /// Index of the layout item (for rebuilding with forced tokens).
    pub(crate) item: usize,
}

/// A text prepared for the model; see the module docs.
#[derive(Clone, Debug)]
pub struct Masked {
    /// The model text: one line per translatable block.
    pub text: String,
    /// Every protected span in the model text, in order.
    pub spans: Vec<Protected>,
    /// Whitespace before the text (kept out of the model text).
    pub leading: String,
    /// Whitespace after the text.
    pub trailing: String,
    core: String,
    blocks: Vec<build::Block>,
    pairs: Vec<build::PairCheck>,
    matcher: claims::Matcher,
    html: bool,
}

/// Mask `text` for translation.
pub fn mask(text: &str, opts: MaskOptions) -> Masked {
    let core_start = text.len() - text.trim_start().len();
    let core_end = text.trim_end().len().max(core_start);
    let core = &text[core_start..core_end];
    let leading = &text[..core_start];
    let lead_col = leading.rsplit('\n').next().unwrap_or("").chars().count();
    let mut layout = if opts.markdown {
        markdown::markdown(core, opts.html)
    } else {
        layout::plain(core, opts.html)
    };
    let mut force = HashSet::new();
    for round in 0.. {
        let bo = build::BuildOpts {
            force: &force,
            lead_col,
            markdown: opts.markdown,
            html: opts.html,
        };
        let built = build::build(core, &layout, &bo);
        // (Each round only adds items, so this settles; the bound is a guard.)
        if !built.extra.is_empty() && round < 8 {
            // Spans that only show once lines are joined: protect them too.
            layout.add_verbatim(core, built.extra);
            continue;
        }
        let masked = Masked {
            text: built
                .blocks
                .iter()
                .map(|b| b.line.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            spans: built.spans,
            leading: leading.to_string(),
            trailing: text[core_end..].to_string(),
            core: core.to_string(),
            blocks: built.blocks,
            pairs: built.pairs,
            matcher: claims::Matcher::default(),
            html: opts.html,
        };
        let masked = Masked {
            matcher: claims::Matcher::new(masked.spans.iter().map(|s| s.token.as_str())),
            ..masked
        };
        // A self-masked span the claim scan cannot find exactly as often as
        // it was placed (it touches a word, or hides in a longer span)
        // would go unchecked: give it a token and build again.
        let found = masked.claim_counts(&masked.text);
        let mut placed: HashMap<&str, usize> = HashMap::new();
        for s in &masked.spans {
            *placed.entry(s.token.as_str()).or_default() += 1;
        }
        let bad: Vec<usize> = masked
            .spans
            .iter()
            .filter(|s| {
                s.token == s.original && found.get(s.token.as_str()) != placed.get(s.token.as_str())
            })
            .map(|s| s.item)
            .collect();
        if bad.is_empty() || round >= 20 {
            return masked;
        }
        if round < 16 {
            force.extend(bad);
        } else {
            // Guard: tokens for everything (always found) rather than risk
            // an unchecked span.
            force.extend(0..layout.items.len());
        }
    }
    unreachable!("the loop returns")
}

impl Masked {
    /// Nothing to translate: only protected spans, structure, whitespace,
    /// digits or punctuation.
    pub fn is_trivial(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Whether a piece of the model text has a letter outside its tokens
    /// (only such pieces need the model).
    pub fn has_prose(&self, piece: &str) -> bool {
        self.matcher.has_prose(piece)
    }

    /// Byte ranges in [`Masked::text`] of every protected token occurrence
    /// (never split these when cutting the text).
    pub fn token_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut offset = 0;
        for line in self.text.split('\n') {
            out.extend(
                self.matcher
                    .claims(line)
                    .into_iter()
                    .map(|(r, _)| offset + r.start..offset + r.end),
            );
            offset += line.len() + 1;
        }
        out.sort_by_key(|r| r.start);
        out
    }
}

#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod tests;
