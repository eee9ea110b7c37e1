//! `initialized`: show problems found while reading settings, register for
//! configuration changes, and pull the client's `margin` settings.

use std::sync::Arc;

use tower_lsp_server::ls_types::Registration;
use tower_lsp_server::Client;

use crate::lsp::{config_sync, session::Session};

pub async fn run(client: &Client, session: &Arc<Session>) {
    let (problems, dynamic) = {
        let mut state = session.lock();
        let pending = std::mem::take(&mut state.pending_problems);
        (state.unseen(pending), state.client.dynamic_configuration)
    };
    config_sync::show(client, problems).await;
    let client = client.clone();
    let session = session.clone();
    // Off the message loop: these wait for the client's answers.
    tokio::spawn(async move {
        if dynamic {
            let registration = Registration {
                id: "margin-configuration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: None,
            };
            if let Err(e) = client.register_capability(vec![registration]).await {
                tracing::debug!("client refused configuration registration: {e}");
            }
        }
        config_sync::pull(&client, &session).await;
    });
}
