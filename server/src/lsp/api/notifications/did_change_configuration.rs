//! `workspace/didChangeConfiguration`: use pushed settings when the client
//! sends them, and pull `workspace/configuration` when it supports that.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::DidChangeConfigurationParams;
use tower_lsp_server::Client;

use crate::lsp::{config_sync, session::Session};

pub fn run(client: &Client, session: &Arc<Session>, params: DidChangeConfigurationParams) {
    let client = client.clone();
    let session = session.clone();
    tokio::spawn(async move {
        let pushed = match &params.settings {
            Value::Null => false,
            Value::Object(map) => !map.is_empty(),
            _ => true,
        };
        if pushed {
            config_sync::apply_client_settings(
                &client,
                &session,
                &params.settings,
                "didChangeConfiguration",
            )
            .await;
        }
        config_sync::pull(&client, &session).await;
    });
}
