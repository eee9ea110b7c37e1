//! Which document checks run, and when: fair, and always making progress.
//!
//! - A document wanting a check waits out its debounce, but never longer than
//!   [`MAX_WAIT`] after it first changed: typing without pause cannot starve it.
//! - The document the user is in (last edited or opened) runs first, at
//!   interactive priority, one such check at a time (when the user moves on,
//!   the next current document waits for it: requests never queue behind a
//!   pile of checks). Other documents run at background priority, at most
//!   [`MAX_BACKGROUND`] at a time, the longest-waiting first.
//! - An edit cancels the document's running check (its finished regions are
//!   cached, so little is lost) unless that check was started by the
//!   [`MAX_WAIT`] deadline: such a check runs to the end, and its findings are
//!   carried to the newer version where the text did not change.
//!
//! Every check carries its cancel flag; the check itself is `proofreading::run`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use margin_engine::Priority;
use tokio::sync::Notify;
use tokio::time::Instant;
use tower_lsp_server::ls_types::Uri;

use super::proofreading::{self, Ctx};

/// Longest a changed document waits for its check, however often it is edited.
pub const MAX_WAIT: Duration = Duration::from_secs(3);
/// Checks of documents other than the current one that run at the same time.
pub const MAX_BACKGROUND: usize = 1;

/// How a check is asked for.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    /// Byte offset being edited: its region goes first.
    pub focus: Option<usize>,
    /// Debounce.
    pub delay: Duration,
    /// The user is in this document now (an edit, an open).
    pub current: bool,
}

struct Waiting {
    focus: Option<usize>,
    due: Instant,
    changed_since: Instant,
}

struct Running {
    cancel: Arc<AtomicBool>,
    task: tokio::task::AbortHandle,
    /// Started by the deadline: edits do not cancel it.
    protected: bool,
    changed_since: Instant,
    progress: Option<String>,
    /// Started for the current document, at interactive priority.
    foreground: bool,
}

#[derive(Default)]
struct Inner {
    waiting: HashMap<Uri, Waiting>,
    running: HashMap<Uri, Running>,
    current: Option<Uri>,
    driver: Option<tokio::task::AbortHandle>,
}

#[derive(Default)]
pub struct Scheduler {
    inner: Mutex<Inner>,
    wake: Notify,
}

impl Scheduler {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `uri` needs a check (it changed, was opened, or its findings were asked for).
    pub fn want(&self, ctx: &Ctx, uri: Uri, want: Want) {
        let now = Instant::now();
        let mut inner = self.lock();
        if want.current {
            inner.current = Some(uri.clone());
        }
        let mut changed_since = now;
        if let Some(running) = inner.running.get(&uri).filter(|r| !r.protected) {
            changed_since = running.changed_since;
            running.cancel.store(true, Ordering::Relaxed);
            running.task.abort();
            inner.running.remove(&uri);
        }
        let waiting = inner.waiting.entry(uri).or_insert(Waiting {
            focus: None,
            due: now,
            changed_since,
        });
        waiting.focus = want.focus.or(waiting.focus);
        waiting.due = now + want.delay;
        waiting.changed_since = waiting.changed_since.min(changed_since);
        if inner.driver.is_none() {
            inner.driver = Some(tokio::spawn(drive(ctx.clone())).abort_handle());
        }
        drop(inner);
        self.wake.notify_one();
    }

    /// Forget `uri` (closed, disabled): cancel its check.
    pub fn stop(&self, uri: &Uri) {
        let mut inner = self.lock();
        inner.waiting.remove(uri);
        if let Some(running) = inner.running.remove(uri) {
            running.cancel.store(true, Ordering::Relaxed);
            running.task.abort();
        }
    }

    /// The session is over.
    pub fn stop_all(&self) {
        let mut inner = self.lock();
        inner.waiting.clear();
        for (_, running) in inner.running.drain() {
            running.cancel.store(true, Ordering::Relaxed);
            running.task.abort();
        }
        if let Some(driver) = inner.driver.take() {
            driver.abort();
        }
    }

    /// Whether a check of `uri` is waiting or running.
    pub fn is_scheduled(&self, uri: &Uri) -> bool {
        let inner = self.lock();
        inner.waiting.contains_key(uri) || inner.running.contains_key(uri)
    }

    /// The check running under `cancel` reports progress under `token`.
    pub fn set_progress(&self, uri: &Uri, cancel: &Arc<AtomicBool>, token: String) {
        if let Some(running) = self
            .lock()
            .running
            .get_mut(uri)
            .filter(|r| Arc::ptr_eq(&r.cancel, cancel))
        {
            running.progress = Some(token);
        }
    }

    /// The user pressed cancel on a check's progress.
    pub fn cancel_progress(&self, token: &str) {
        for running in self
            .lock()
            .running
            .values()
            .filter(|r| r.progress.as_deref() == Some(token))
        {
            running.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Start what may start now; the next time something becomes due.
    fn start_ready(&self, ctx: &Ctx) -> Option<Instant> {
        let now = Instant::now();
        let mut inner = self.lock();
        let ready_at = |w: &Waiting| w.due.min(w.changed_since + MAX_WAIT);
        let ready = |inner: &Inner, uri: &Uri| {
            inner.waiting.get(uri).is_some_and(|w| ready_at(w) <= now)
                && !inner.running.contains_key(uri)
        };
        let foreground_busy = inner.running.values().any(|r| r.foreground);
        if let Some(current) = inner
            .current
            .clone()
            .filter(|uri| !foreground_busy && ready(&inner, uri))
        {
            start(&mut inner, ctx, current, Priority::Interactive, now);
        }
        let current = inner.current.clone();
        loop {
            let background = inner.running.values().filter(|r| !r.foreground).count();
            if background >= MAX_BACKGROUND {
                break;
            }
            let next = inner
                .waiting
                .iter()
                .filter(|(uri, _)| Some(*uri) != current.as_ref() && ready(&inner, uri))
                .min_by_key(|(_, w)| w.changed_since)
                .map(|(uri, _)| uri.clone());
            match next {
                Some(uri) => start(&mut inner, ctx, uri, Priority::Background, now),
                None => break,
            }
        }
        // Ready ones that could not start wait for a running check to finish (it wakes the loop).
        inner
            .waiting
            .values()
            .map(ready_at)
            .filter(|at| *at > now)
            .min()
    }

    fn finished(&self, uri: &Uri, cancel: &Arc<AtomicBool>) {
        let mut inner = self.lock();
        if inner
            .running
            .get(uri)
            .is_some_and(|r| Arc::ptr_eq(&r.cancel, cancel))
        {
            inner.running.remove(uri);
        }
        drop(inner);
        self.wake.notify_one();
    }
}

fn start(inner: &mut Inner, ctx: &Ctx, uri: Uri, priority: Priority, now: Instant) {
    let Some(waiting) = inner.waiting.remove(&uri) else {
        return;
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let protected = waiting.due > now; // the deadline, not the debounce, started it
    let task = {
        let (ctx, uri, cancel) = (ctx.clone(), uri.clone(), cancel.clone());
        tokio::spawn(async move {
            proofreading::run(
                ctx.clone(),
                uri.clone(),
                waiting.focus,
                cancel.clone(),
                priority,
            )
            .await;
            ctx.scheduler.finished(&uri, &cancel);
        })
    };
    let foreground = priority == Priority::Interactive;
    let running = Running {
        cancel,
        task: task.abort_handle(),
        protected,
        changed_since: waiting.changed_since,
        progress: None,
        foreground,
    };
    inner.running.insert(uri, running);
}

/// The scheduling loop: start what is ready, sleep until the next debounce ends or something
/// changes.
async fn drive(ctx: Ctx) {
    loop {
        let next = ctx.scheduler.start_ready(&ctx);
        let wake = ctx.scheduler.wake.notified();
        match next {
            Some(at) => {
                let _ = tokio::time::timeout_at(at, wake).await;
            }
            None => wake.await,
        }
    }
}
