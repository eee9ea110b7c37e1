//! Keeping settings current with the client: pulling `workspace/configuration`
//! (section `margin`) and showing each settings problem once.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::{ConfigurationItem, MessageType};
use tower_lsp_server::Client;

use crate::config::{Options, Problem};

use super::session::Session;

/// Ask the client for the `margin` section, apply it and report problems.
pub async fn pull(client: &Client, session: &Arc<Session>) {
    if !session.lock().client.configuration {
        return;
    }
    let item = ConfigurationItem {
        scope_uri: None,
        section: Some("margin".to_string()),
    };
    match client.configuration(vec![item]).await {
        Ok(values) => {
            let value = values.into_iter().next().unwrap_or(Value::Null);
            apply_client_settings(client, session, &value, "workspace/configuration").await;
        }
        Err(e) => tracing::warn!("workspace/configuration failed: {e}"),
    }
}

/// Replace the client layer with `value`, refresh settings, report problems.
pub async fn apply_client_settings(
    client: &Client,
    session: &Arc<Session>,
    value: &Value,
    source: &str,
) {
    let (options, problems) = Options::from_json(value, source);
    let (problems, refresh_hints) = {
        let mut state = session.lock();
        let before = (
            state.settings.inline_translations,
            state.settings.reading_language.clone(),
        );
        state.layers.client = options;
        state.refresh_settings();
        tracing::debug!(settings = ?state.settings, "settings updated");
        let after = (
            state.settings.inline_translations,
            state.settings.reading_language.clone(),
        );
        (
            state.unseen(problems),
            before != after && state.client.inlay_hint_refresh,
        )
    };
    show(client, problems).await;
    if refresh_hints {
        // Inline translations were switched on or off (or change language): redraw them.
        let _ = client.inlay_hint_refresh().await;
    }
}

/// Show problems (already filtered to unseen ones) as warnings.
pub async fn show(client: &Client, problems: Vec<Problem>) {
    for problem in problems {
        tracing::warn!("{problem}; using the default");
        client
            .show_message(
                MessageType::WARNING,
                format!("{problem}; using the default"),
            )
            .await;
    }
}
