//! Text primitives shared by every feature: positions in a chosen encoding and
//! the open-document model. Nothing here knows the LSP wire types.

pub mod document;
pub mod edit_log;
pub mod positions;

pub use document::{Document, EditError};
pub use positions::{Encoding, LineCol, PositionError};
