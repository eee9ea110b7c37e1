//! Server-wide state behind one short-held lock: the negotiated position
//! encoding, open documents, settings layers and which problems were shown.
//! Notification handlers mutate it synchronously (so edits apply in order);
//! nothing awaits while holding the lock.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use tower_lsp_server::ls_types::Uri;

use crate::config::{Layers, Problem, Settings};
use crate::text::{Document, Encoding};

#[derive(Default)]
pub struct Session {
    state: Mutex<State>,
}

#[derive(Default)]
pub struct State {
    pub encoding: Encoding,
    pub documents: HashMap<Uri, Document>,
    pub layers: Layers,
    pub settings: Settings,
    pub workspace_root: Option<PathBuf>,
    pub client: ClientSupport,
    /// Problems found before `initialized`, shown then.
    pub pending_problems: Vec<Problem>,
    shown: HashSet<Problem>,
}

/// What the client said it can do, as far as the server cares.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    pub configuration: bool,
    pub dynamic_configuration: bool,
}

impl Session {
    /// Lock the state. A panic elsewhere cannot wedge the server: a poisoned
    /// lock is taken over (handlers keep the state consistent between awaits).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Recompute settings from the layers.
    pub fn refresh_settings(&mut self) {
        self.settings = self.layers.settings();
    }

    /// Keep only the problems not shown before, and remember them.
    pub fn unseen(&mut self, problems: Vec<Problem>) -> Vec<Problem> {
        problems.into_iter().filter(|p| self.shown.insert(p.clone())).collect()
    }
}
