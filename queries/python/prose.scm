; Prose regions in Python. Later patterns win for the same node.
(string) @string

(comment) @comment

; Docstrings: the first statement of a module, class or function body.
(module . (comment)* . (expression_statement (string) @doc_comment))
(class_definition body: (block . (expression_statement (string) @doc_comment)))
(function_definition body: (block . (expression_statement (string) @doc_comment)))
