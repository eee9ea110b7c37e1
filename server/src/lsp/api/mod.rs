//! One handler per LSP method, grouped like the protocol: requests answer,
//! notifications mutate the session.

pub mod notifications;
pub mod requests;
