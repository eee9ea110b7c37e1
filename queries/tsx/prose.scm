; Prose regions in TSX. Later patterns win for the same node.
(string) @string
(template_string) @string
(jsx_text) @string

(comment) @comment

; JSDoc `/** ... */`
((comment) @doc_comment
  (#match? @doc_comment "^/\\*\\*([^*/]|$)"))

; Module paths are not prose.
(import_statement source: (string) @ignore)
(export_statement source: (string) @ignore)
