; Prose regions in Markdown (block grammar of tree-sitter-md).
; margin-syntax walks each captured block node's `inline` / `pipe_table_cell`
; descendants with the inline grammar: emphasis and link syntax are hidden,
; code spans, autolinks, inline HTML, LaTeX spans and entities are protected.
; Code blocks, HTML blocks, front matter and link reference definitions have
; no `inline` children and are never captured.
; When one node is captured by several patterns, the LAST pattern wins, so
; more specific patterns come later.

(paragraph) @paragraph

(list_item (paragraph) @list_item)

(block_quote (paragraph) @block_quote)

(atx_heading (inline) @heading)

(setext_heading (paragraph) @heading)

(pipe_table_cell) @table_cell
