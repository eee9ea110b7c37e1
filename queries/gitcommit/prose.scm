; Prose regions in a git commit message. Comment lines, trailers, the
; scissors line and the `git commit -v` diff are never captured; consecutive
; `message_line`s are joined into one body paragraph.
(subject) @commit_subject

(message (message_line) @commit_body)
