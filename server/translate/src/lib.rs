//! margin-translate: pure translation core (work in progress).
