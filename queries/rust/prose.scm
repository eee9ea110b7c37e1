; Prose regions in Rust. Later patterns win for the same node.
(string_literal) @string
(raw_string_literal) @string

(line_comment) @comment
(block_comment) @comment

; `///`, `//!`, `/** */`, `/*! */`
(line_comment (doc_comment)) @doc_comment
(block_comment (doc_comment)) @doc_comment
