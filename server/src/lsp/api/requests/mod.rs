//! Request handlers (each returns exactly one response).

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod diagnostic;
pub mod document_text;
pub mod execute_command;
pub mod hover;
pub mod initialize;
pub mod inlay_hint;
pub mod inline_completion;
pub mod regions;
pub mod status;

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::Uri;

/// The error for a request naming a document the server does not have.
pub fn unknown_document(uri: &Uri) -> Error {
    Error::invalid_params(format!(
        "unknown document {}: open it first (textDocument/didOpen)",
        uri.as_str()
    ))
}

/// The error for a document whose text no longer matches the client's.
pub fn out_of_sync(uri: &Uri) -> Error {
    content_modified(format!(
        "document {} is out of sync with the editor; close and reopen it",
        uri.as_str()
    ))
}

/// A `ContentModified` error with this message.
pub fn content_modified(message: String) -> Error {
    let mut e = Error::new(tower_lsp_server::jsonrpc::ErrorCode::ContentModified);
    e.message = message.into();
    e
}
