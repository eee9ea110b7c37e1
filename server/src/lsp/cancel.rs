//! Cancellation of model work from requests: a flag set when the request's
//! future is dropped (the client sent `$/cancelRequest`, or the request was
//! superseded), so the engine stops the job at its next decode step.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Sets its flag when dropped.
pub struct CancelOnDrop(pub Arc<AtomicBool>);

impl CancelOnDrop {
    pub fn new() -> Self {
        CancelOnDrop(Arc::new(AtomicBool::new(false)))
    }

    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

impl Default for CancelOnDrop {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The error answered to a request whose work was cancelled.
pub fn cancelled() -> tower_lsp_server::jsonrpc::Error {
    let mut e = tower_lsp_server::jsonrpc::Error::new(
        tower_lsp_server::jsonrpc::ErrorCode::RequestCancelled,
    );
    e.message = "cancelled".into();
    e
}
