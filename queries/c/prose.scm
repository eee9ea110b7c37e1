; Prose regions in C. Later patterns win for the same node.
(string_literal) @string

(comment) @comment

; Doxygen style: `/** */`, `/*! */`, `///`, `//!`
((comment) @doc_comment
  (#match? @doc_comment "^(/\\*\\*([^*/]|$)|/\\*!|///([^/]|$)|//!)"))

; Include paths are not prose.
(preproc_include) @ignore
