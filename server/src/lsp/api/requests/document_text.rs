//! `margin/documentText`: the server's copy of a document after all edits —
//! a debugging aid that lets tests (and users) check incremental sync.

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

use crate::lsp::session::Session;

#[derive(Deserialize, Debug)]
pub struct Params {
    pub uri: Uri,
}

#[derive(Serialize, Debug)]
pub struct Reply {
    pub uri: String,
    pub version: i32,
    pub text: String,
}

pub fn run(session: &Session, params: Params) -> Result<Reply> {
    let state = session.lock();
    let doc = state
        .documents
        .get(&params.uri)
        .ok_or_else(|| super::unknown_document(&params.uri))?;
    if !doc.in_sync() {
        return Err(super::out_of_sync(&params.uri));
    }
    Ok(Reply {
        uri: params.uri.as_str().to_string(),
        version: doc.version(),
        text: doc.text(),
    })
}
