//! margin-suggest: pure code-suggestion core (work in progress).
