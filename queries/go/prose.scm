; Prose regions in Go. Later patterns win for the same node.
(interpreted_string_literal) @string
(raw_string_literal) @string

(comment) @comment

; Doc comments: comments directly before a package clause or declaration.
((comment)+ @doc_comment
  .
  [(package_clause) (function_declaration) (method_declaration)
   (type_declaration) (const_declaration) (var_declaration)])

; Import paths are not prose.
(import_spec path: (_) @ignore)
