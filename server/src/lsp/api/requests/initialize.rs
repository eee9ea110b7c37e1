//! `initialize`: negotiate the position encoding, note what the client
//! supports, read settings files and initializationOptions.

use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use crate::config::Options;
use crate::lsp::{capabilities, from_proto, session::Session};

pub fn run(session: &Arc<Session>, params: InitializeParams) -> InitializeResult {
    let encoding = from_proto::encoding(&params.capabilities);
    let root = workspace_root(&params);
    let workspace = params.capabilities.workspace.as_ref();
    let mut state = session.lock();
    state.encoding = encoding;
    state.client.configuration = workspace.and_then(|w| w.configuration).unwrap_or(false);
    state.client.dynamic_configuration = workspace
        .and_then(|w| w.did_change_configuration.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let text_document = params.capabilities.text_document.as_ref();
    state.client.pull_diagnostics = text_document.and_then(|t| t.diagnostic.as_ref()).is_some();
    state.client.diagnostic_refresh = workspace
        .and_then(|w| w.diagnostics.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false);
    state.client.work_done_progress = params
        .capabilities
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    state.client.code_action_resolve = text_document
        .and_then(|t| t.code_action.as_ref())
        .and_then(|c| c.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
    state.client.inlay_hint_refresh = workspace
        .and_then(|w| w.inlay_hint.as_ref())
        .and_then(|i| i.refresh_support)
        .unwrap_or(false);
    let mut problems = state.layers.load_files(root.as_deref());
    if let Some(init) = params.initialization_options.as_ref() {
        let (options, mut found) = Options::from_json(init, "initializationOptions");
        state.layers.init_options = options;
        problems.append(&mut found);
    }
    state.workspace_root = root;
    state.refresh_settings();
    state.pending_problems = problems;
    tracing::info!(encoding = encoding.as_str(), client = ?params.client_info.map(|c| c.name), "initialized");
    InitializeResult {
        capabilities: capabilities::server_capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "margin".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

/// The workspace: the first workspace folder, else the (deprecated but still sent) `rootUri`,
/// else `rootPath`.
#[allow(deprecated)]
fn workspace_root(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|f| &f.uri);
    folder
        .or(params.root_uri.as_ref())
        .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()))
        .or_else(|| {
            params
                .root_path
                .as_ref()
                .filter(|p| !p.is_empty())
                .map(std::path::PathBuf::from)
        })
}
