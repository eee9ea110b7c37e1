//! The deliberate concurrency limit on requests: at most [`MAX_RUNNING`] run at
//! once; more wait in a queue of at most [`MAX_QUEUED`], answered in order as
//! slots free up; beyond that a request is refused at once ("busy"). A queued
//! request that is cancelled leaves the queue and is answered "cancelled".
//! Notifications, cancellations and responses never wait here: input is
//! always read.

use std::collections::VecDeque;

use tower_lsp_server::jsonrpc::{Id, Request};

/// Requests that run at the same time.
pub const MAX_RUNNING: usize = 32;
/// Requests that may wait for a slot.
pub const MAX_QUEUED: usize = 1024;

/// A request and its id exactly as the client wrote it.
#[derive(Debug)]
pub struct Pending {
    pub request: Request,
    pub raw_id: String,
}

/// What to do with a new request.
#[derive(Debug)]
pub enum Admit {
    Run(Pending),
    Queued,
    Busy(Pending),
}

#[derive(Debug)]
pub struct Slots {
    running: usize,
    queue: VecDeque<Pending>,
    max_running: usize,
    max_queued: usize,
}

impl Slots {
    pub fn new(max_running: usize, max_queued: usize) -> Self {
        Slots {
            running: 0,
            queue: VecDeque::new(),
            max_running: max_running.max(1),
            max_queued,
        }
    }

    pub fn admit(&mut self, pending: Pending) -> Admit {
        if self.running < self.max_running {
            self.running += 1;
            Admit::Run(pending)
        } else if self.queue.len() < self.max_queued {
            self.queue.push_back(pending);
            Admit::Queued
        } else {
            Admit::Busy(pending)
        }
    }

    /// A running request was answered: the next queued one, if any, takes its slot.
    pub fn finished(&mut self) -> Option<Pending> {
        match self.queue.pop_front() {
            Some(next) => Some(next),
            None => {
                self.running = self.running.saturating_sub(1);
                None
            }
        }
    }

    /// Take a queued (not yet running) request out of the queue.
    pub fn cancel_queued(&mut self, id: &Id) -> Option<Pending> {
        let at = self.queue.iter().position(|p| p.request.id() == Some(id))?;
        self.queue.remove(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(id: i64) -> Pending {
        Pending {
            request: Request::build("x").id(id).finish(),
            raw_id: id.to_string(),
        }
    }

    #[test]
    fn the_limit_holds_at_its_edge() {
        let mut slots = Slots::new(2, 1);
        assert!(matches!(slots.admit(pending(1)), Admit::Run(_)));
        assert!(matches!(slots.admit(pending(2)), Admit::Run(_)));
        assert!(matches!(slots.admit(pending(3)), Admit::Queued));
        assert!(matches!(slots.admit(pending(4)), Admit::Busy(p) if p.raw_id == "4"));
        assert_eq!(slots.finished().map(|p| p.raw_id), Some("3".into()));
        assert!(slots.finished().is_none());
        assert!(matches!(slots.admit(pending(5)), Admit::Run(_)));
        assert!(matches!(slots.admit(pending(6)), Admit::Queued));
        assert_eq!(
            slots.cancel_queued(&Id::Number(6)).map(|p| p.raw_id),
            Some("6".into())
        );
        assert!(slots.cancel_queued(&Id::Number(6)).is_none());
    }
}
