//! margin-suggest: the pure core of margin's short code suggestions. No LSP
//! types, no async, no engine: the server layer calls it and passes a token
//! counter (`&dyn Fn(&str) -> usize`).
//!
//! - [`context`]: chooses what the model sees with tree-sitter (the
//!   enclosing function, imports and the signatures it refers to), cut to a
//!   token budget with the key parts first and last;
//! - [`prompt`]: fill-in-the-middle and chat prompts, and output cleanup;
//! - [`verify`]: accepts a suggestion only if it is short, new, and adds no
//!   syntax error; re-indents it;
//! - [`safety`]: destructive operations a suggestion adds that the code
//!   around it does not have (a docstring asking for them does not count);
//! - [`cache`]: recent suggestions, also served while the user types them;
//! - [`function_at`]: the function at the cursor, for the "Implement this
//!   function" and "Write a doc comment" code actions.
//!
//! The queries that pick functions, types, imports and identifiers are
//! `queries/<lang>/context.scm` (Rust, Python, JavaScript, TypeScript — also
//! used for TSX —, Go, C, C++), embedded at build time. Other languages, and files without a
//! parse, get plain line windows.

#![warn(missing_docs)]

pub mod cache;
pub mod context;
mod function;
mod outline;
pub mod prompt;
pub mod safety;
mod text;
pub mod verify;

pub use cache::SuggestionCache;
pub use context::{build_context, Chosen, Context, ContextRequest, Role, Task};
pub use function::{function_at, FunctionInfo};
pub use margin_syntax::Language;
pub use prompt::{clean_output, fim, instruction, InstructionPrompt};
pub use safety::{dangers, Danger};
pub use verify::{verify, Rejection, Verified, VerifyOptions};

/// Whether `lang` has a context query (tree-sitter–bounded context);
/// others get plain line windows.
pub fn has_context_query(lang: Language) -> bool {
    outline::queries(lang).is_some()
}
