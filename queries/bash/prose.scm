; Prose regions in shell scripts. A `#!` line is never prose (dropped in code).
(string) @string
(raw_string) @string

(comment) @comment
