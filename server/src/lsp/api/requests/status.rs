//! `margin/status`: what the server is doing, for status commands in editors.

use serde::Serialize;

use crate::lsp::session::Session;

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub version: &'static str,
    pub position_encoding: &'static str,
    pub documents: Vec<DocumentStatus>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct DocumentStatus {
    pub uri: String,
    pub version: i32,
    pub language: Option<&'static str>,
    pub bytes: usize,
    pub in_sync: bool,
    /// Why the document is not analysed, if it is not.
    pub skipped: Option<String>,
}

pub fn run(session: &Session) -> Status {
    let state = session.lock();
    let mut documents: Vec<DocumentStatus> = state
        .documents
        .iter()
        .map(|(uri, doc)| DocumentStatus {
            uri: uri.as_str().to_string(),
            version: doc.version(),
            language: doc.language().map(|l| l.name()),
            bytes: doc.len_bytes(),
            in_sync: doc.in_sync(),
            skipped: doc.skipped().map(|s| s.to_string()),
        })
        .collect();
    documents.sort_by(|a, b| a.uri.cmp(&b.uri));
    Status { version: env!("CARGO_PKG_VERSION"), position_encoding: state.encoding.as_str(), documents }
}
