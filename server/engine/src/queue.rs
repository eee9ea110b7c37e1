//! The job queue between async callers and the inference thread: two FIFO lanes (interactive
//! before background) behind a mutex + condvar, and [`JobHandle`], the caller's side of a
//! tokio oneshot carrying the result.

use crate::error::EngineError;
use crate::job::{Job, JobOutput, Priority};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tokio::sync::oneshot;

/// Result of a job as delivered to its handle.
pub type JobResult = Result<JobOutput, EngineError>;

/// A queued job with its reply channel.
pub(crate) struct Queued {
    pub job: Job,
    pub reply: oneshot::Sender<JobResult>,
    pub submitted: Instant,
}

#[derive(Default)]
struct Lanes {
    interactive: VecDeque<Queued>,
    background: VecDeque<Queued>,
    shutdown: bool,
}

/// Priority queue shared by the engine handles and the inference thread.
#[derive(Default)]
pub(crate) struct JobQueue {
    lanes: Mutex<Lanes>,
    ready: Condvar,
    /// Set by `shutdown`: the running job stops at its next decode step too.
    stopped: Arc<AtomicBool>,
}

impl JobQueue {
    /// Enqueues; if the queue is shut down the job is answered with `Stopped` at once.
    pub fn push(&self, q: Queued) {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        if lanes.shutdown {
            let _ = q.reply.send(Err(EngineError::Stopped));
            return;
        }
        match q.job.priority {
            Priority::Interactive => lanes.interactive.push_back(q),
            Priority::Background => lanes.background.push_back(q),
        }
        drop(lanes);
        self.ready.notify_one();
    }

    /// Blocks until a job is available (interactive first) or the queue is shut down (`None`).
    pub fn pop(&self) -> Option<Queued> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if lanes.shutdown {
                return None;
            }
            if let Some(q) = lanes
                .interactive
                .pop_front()
                .or_else(|| lanes.background.pop_front())
            {
                return Some(q);
            }
            lanes = self.ready.wait(lanes).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Stops the queue: pending jobs are answered with `Stopped`, `pop` returns `None`.
    pub fn shutdown(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.shutdown = true;
        let lanes = &mut *lanes;
        for q in lanes
            .interactive
            .drain(..)
            .chain(lanes.background.drain(..))
        {
            let _ = q.reply.send(Err(EngineError::Stopped));
        }
        self.ready.notify_all();
    }

    /// The flag `shutdown` sets (checked between decode steps).
    pub fn stopped_flag(&self) -> Arc<AtomicBool> {
        self.stopped.clone()
    }

    /// Number of queued jobs (not counting the running one).
    pub fn len(&self) -> usize {
        let lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.interactive.len() + lanes.background.len()
    }
}

/// The caller's side of a submitted job.
#[derive(Debug)]
pub struct JobHandle {
    pub(crate) rx: oneshot::Receiver<JobResult>,
    pub(crate) cancel: Arc<AtomicBool>,
}

impl JobHandle {
    /// Asks the engine to stop the job at the next decode step (or skip it if still queued).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// The job's cancel flag.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Awaits the result (safe on any async runtime; no llama work happens here).
    pub async fn wait(self) -> JobResult {
        self.rx.await.unwrap_or(Err(EngineError::Stopped))
    }

    /// Blocks the current thread for the result. Must not be called inside an async context.
    pub fn blocking_wait(self) -> JobResult {
        self.rx.blocking_recv().unwrap_or(Err(EngineError::Stopped))
    }
}
