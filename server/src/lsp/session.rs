//! Server-wide state behind one short-held lock: the negotiated position
//! encoding, open documents, settings layers and which problems were shown.
//! Notification handlers mutate it synchronously (so edits apply in order);
//! nothing awaits while holding the lock.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tower_lsp_server::ls_types::Uri;

use crate::checking::Finding;
use crate::config::{Layers, Problem, Settings};
use crate::stores::Stores;
use crate::text::{Document, Encoding};

#[derive(Default)]
pub struct Session {
    state: Mutex<State>,
    /// Woken whenever a document's findings are stored (pulls of clients that cannot be asked
    /// to pull again wait on it).
    pub findings_changed: Notify,
}

/// The findings of one document version.
#[derive(Clone, Debug)]
pub struct DocFindings {
    pub version: i32,
    pub findings: Vec<Finding>,
    /// All regions were checked (else: the regions finished so far, plus what is still valid
    /// of the last findings).
    pub complete: bool,
    /// Changes whenever the stored findings change (pull diagnostics' `resultId`).
    pub result_id: u64,
}

impl DocFindings {
    /// The findings of a finished check.
    pub fn complete(version: i32, findings: Vec<Finding>) -> Self {
        DocFindings {
            version,
            findings,
            complete: true,
            result_id: 0,
        }
    }
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
    pub findings: HashMap<Uri, DocFindings>,
    pub stores: Option<Stores>,
    /// Model errors shown to the user (each distinct message once).
    pub model_errors_shown: HashSet<String>,
    /// The message about the models margin picked itself, as last shown.
    pub model_note_shown: Option<String>,
    /// Cancel flags of other progress-reporting jobs (translations), by progress token.
    pub progress_cancels: HashMap<String, Arc<AtomicBool>>,
    /// The transport's message size limit, kept in step with `maxFileBytes`.
    pub frame_limit: crate::lsp::transport::FrameLimit,
}

/// What the client said it can do, as far as the server cares.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    pub configuration: bool,
    pub dynamic_configuration: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); no push then.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub work_done_progress: bool,
    /// The client resolves code actions lazily (`codeAction/resolve` for `edit`).
    pub code_action_resolve: bool,
    pub inlay_hint_refresh: bool,
}

impl Session {
    /// Lock the state. A panic elsewhere cannot wedge the server: a poisoned
    /// lock is taken over (handlers keep the state consistent between awaits).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Recompute settings from the layers.
    pub fn refresh_settings(&mut self) {
        self.settings = self.layers.settings();
        self.frame_limit
            .set_for_file_bytes(self.settings.max_file_bytes);
    }

    /// The stores (dictionary, ignores), opened on first use.
    pub fn stores(&mut self) -> &mut Stores {
        if self.stores.is_none() {
            let (stores, warning) = Stores::open(self.workspace_root.as_deref());
            if let Some(w) = warning {
                tracing::warn!("{w}");
            }
            self.stores = Some(stores);
        }
        self.stores.as_mut().expect("just opened")
    }

    /// Whether the user disabled margin for this document's file (`margin.disableFile`).
    pub fn is_disabled(&mut self, uri: &Uri) -> bool {
        let Some(path) = uri.to_file_path() else {
            return false;
        };
        let stores = self.stores();
        let key = stores.file_key(&path);
        stores.ignores.is_disabled(&key)
    }

    /// Keep only the problems not shown before, and remember them.
    pub fn unseen(&mut self, problems: Vec<Problem>) -> Vec<Problem> {
        problems
            .into_iter()
            .filter(|p| self.shown.insert(p.clone()))
            .collect()
    }
}
