//! `$/progress` for a long model job started by a request (a long
//! translation): begun only when the client supports work-done progress,
//! cancellable from the editor (the job's cancel flag is set).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tower_lsp_server::ls_types::{NumberOrString, ProgressToken};
use tower_lsp_server::{Cancellable, OngoingProgress, Unbounded};

use crate::lsp::proofreading::Ctx;

pub struct Progress {
    token: String,
    ongoing: OngoingProgress<Unbounded, Cancellable>,
}

impl Progress {
    pub async fn begin(ctx: &Ctx, title: String, cancel: Arc<AtomicBool>) -> Option<Progress> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        if !ctx.session.lock().client.work_done_progress {
            return None;
        }
        let token = format!("margin-job-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        ctx.client
            .create_work_done_progress(ProgressToken::String(token.clone()))
            .await
            .ok()?;
        ctx.session
            .lock()
            .progress_cancels
            .insert(token.clone(), cancel);
        let ongoing = ctx
            .client
            .progress(NumberOrString::String(token.clone()), title)
            .with_cancel_button()
            .begin()
            .await;
        Some(Progress { token, ongoing })
    }

    pub async fn finish(self, ctx: &Ctx) {
        ctx.session.lock().progress_cancels.remove(&self.token);
        self.ongoing.finish().await;
    }
}
