//! `textDocument/didSave`: the saved text equals the open document's; a
//! workspace `margin.toml` being saved is re-read and its problems shown.

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::config::WORKSPACE_FILE;
use crate::lsp::config_sync;
use crate::lsp::proofreading::Ctx;

pub fn run(ctx: &Ctx, params: DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    tracing::debug!(uri = uri.as_str(), "saved");
    let is_settings = uri
        .to_file_path()
        .is_some_and(|p| p.file_name().is_some_and(|n| n == WORKSPACE_FILE));
    if !is_settings {
        return;
    }
    let problems = {
        let mut state = ctx.session.lock();
        let root = state.workspace_root.clone();
        let problems = state.layers.load_files(root.as_deref());
        state.refresh_settings();
        state.unseen(problems)
    };
    let client = ctx.client.clone();
    tokio::spawn(async move { config_sync::show(&client, problems).await });
}
