//! `textDocument/didSave`: the saved text equals the open document's; a
//! workspace `margin.toml` being saved is re-read.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::config::WORKSPACE_FILE;
use crate::lsp::session::Session;

pub fn run(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    let is_settings = uri.to_file_path().is_some_and(|p| p.file_name().is_some_and(|n| n == WORKSPACE_FILE));
    if is_settings {
        let mut state = session.lock();
        let root = state.workspace_root.clone();
        let problems = state.layers.load_files(root.as_deref());
        state.refresh_settings();
        state.pending_problems.extend(problems);
    }
    tracing::debug!(uri = uri.as_str(), "saved");
}
