; Prose regions in LaTeX. `text` runs are captured where they are body text;
; runs separated only by inline material (math, \ref, \cite) are merged and
; that material is protected. Arguments such as labels, refs, paths and
; environment names are never captured. Later patterns win for the same node.
[
  (source_file (text) @text)
  (generic_environment (text) @text)
  (part (text) @text)
  (chapter (text) @text)
  (section (text) @text)
  (subsection (text) @text)
  (subsubsection (text) @text)
  (paragraph (text) @text)
  (subparagraph (text) @text)
  (enum_item (text) @text)
]

(caption (curly_group (text) @text))

[
  (part (curly_group (text) @heading))
  (chapter (curly_group (text) @heading))
  (section (curly_group (text) @heading))
  (subsection (curly_group (text) @heading))
  (subsubsection (curly_group (text) @heading))
  (paragraph (curly_group (text) @heading))
  (subparagraph (curly_group (text) @heading))
]

(line_comment) @comment
(block_comment) @comment
