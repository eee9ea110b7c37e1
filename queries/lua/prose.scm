; Prose regions in Lua. Later patterns win for the same node.
(string) @string

(comment) @comment

; LuaDoc / EmmyLua `---` comments
((comment) @doc_comment
  (#match? @doc_comment "^---([^-]|$)"))
