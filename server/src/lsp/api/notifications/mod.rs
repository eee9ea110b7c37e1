//! Notification handlers. They change the session synchronously, before any
//! await, so edits apply in the order the client sent them.

pub mod did_change;
pub mod did_change_configuration;
pub mod did_close;
pub mod did_open;
pub mod did_save;
pub mod initialized;
