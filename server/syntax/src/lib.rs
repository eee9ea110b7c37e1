//! margin-syntax: languages, tree-sitter parsing, prose queries and prose
//! regions (with an exact map back to document bytes). No LSP types, no
//! async runtime, no model.

mod comments;
mod language;
mod latex;
mod map;
mod markdown;
mod markers;
mod protect;
pub mod queries;
mod regions;
mod tree;
mod units;

pub use language::Language;
pub use markdown::collect_inlines;
pub use queries::{load as load_query, LoadedQuery, QueryError, QuerySource};
pub use regions::{
    extract_regions, ExtractOptions, Extracted, ProseRegion, RegionKind, IGNORE_CAPTURE,
};
pub use tree::SyntaxTree;
pub use tree_sitter;
