//! `margin/regions`: the prose regions of a document as margin sees them —
//! plain text, kind and document range (in the negotiated encoding), plus the
//! protected spans edits may not touch. For `queriesDir` authors and tests;
//! a broken override query is reported once and the built-in one is used.

use std::sync::Arc;

use margin_syntax::{extract_regions, ExtractOptions};
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{MessageType, Range, Uri};
use tower_lsp_server::Client;

use crate::lsp::{session::Session, to_proto};

#[derive(Deserialize, Debug)]
pub struct Params {
    pub uri: Uri,
}

#[derive(Serialize, Debug)]
pub struct Reply {
    pub version: i32,
    pub regions: Vec<Region>,
}

#[derive(Serialize, Debug)]
pub struct Region {
    pub kind: String,
    pub text: String,
    pub range: Range,
    pub protected: Vec<Range>,
}

pub async fn run(client: &Client, session: &Arc<Session>, params: Params) -> Result<Reply> {
    let (reply, warnings) = {
        let mut state = session.lock();
        let enc = state.encoding;
        let settings = state.settings.clone();
        let doc = state
            .documents
            .get(&params.uri)
            .ok_or_else(|| super::unknown_document(&params.uri))?;
        if !doc.in_sync() {
            return Err(super::out_of_sync(&params.uri));
        }
        let (Some(lang), None) = (doc.language(), doc.skipped()) else {
            return Ok(Reply {
                version: doc.version(),
                regions: Vec::new(),
            });
        };
        let options = ExtractOptions {
            include_strings: settings.check_strings,
            queries_dir: settings.queries_dir.as_deref(),
        };
        let text = doc.text();
        let extracted = extract_regions(&text, doc.syntax(), lang, &options).map_err(|e| {
            let mut error = Error::internal_error();
            error.message = format!("margin: {e}").into();
            error
        })?;
        let regions = extracted
            .regions
            .iter()
            .map(|r| Region {
                kind: r.kind.capture_name().to_string(),
                text: r.text.clone(),
                range: to_proto::range(doc, r.doc_range.clone(), enc),
                protected: r
                    .protected
                    .iter()
                    .map(|p| to_proto::range(doc, r.doc_range_of(p.clone()), enc))
                    .collect(),
            })
            .collect();
        let reply = Reply {
            version: doc.version(),
            regions,
        };
        let problems = extracted
            .warnings
            .into_iter()
            .map(|w| crate::config::Problem {
                source: "queriesDir".to_string(),
                key: "queriesDir".to_string(),
                message: format!("{w}; using the built-in query"),
            });
        (reply, state.unseen(problems.collect()))
    };
    for warning in warnings {
        tracing::warn!("{warning}");
        client
            .show_message(MessageType::WARNING, warning.to_string())
            .await;
    }
    Ok(reply)
}
