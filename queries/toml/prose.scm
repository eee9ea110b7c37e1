; Prose regions in TOML.
(pair (string) @string)

(comment) @comment
