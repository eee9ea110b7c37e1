//! `workspace/executeCommand`: the code actions that change margin's own
//! state — add a word to a dictionary, ignore a finding, disable a file —
//! then re-check what they affect; and `margin.applyAction`, the model-backed
//! actions for clients that cannot resolve code actions.

use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::lsp::actions::APPLY_ACTION;
use crate::lsp::proofreading::{self, Ctx};
use crate::lsp::session::DocFindings;
use crate::stores;

pub const ADD_TO_DICTIONARY: &str = "margin.addToDictionary";
pub const IGNORE_FINDING: &str = "margin.ignoreFinding";
pub const DISABLE_FILE: &str = "margin.disableFile";
pub const COMMANDS: &[&str] = &[
    ADD_TO_DICTIONARY,
    IGNORE_FINDING,
    DISABLE_FILE,
    APPLY_ACTION,
];

fn arg(args: &[Value], i: usize) -> Result<&str> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_params(format!("argument {i} must be a string")))
}

fn io_error(e: std::io::Error) -> Error {
    let mut error = Error::internal_error();
    error.message = format!("margin: {e}").into();
    error
}

pub async fn run(ctx: &Ctx, params: ExecuteCommandParams) -> Result<Option<Value>> {
    let args = params.arguments;
    match params.command.as_str() {
        ADD_TO_DICTIONARY => {
            let (word, scope) = (arg(&args, 0)?, arg(&args, 1)?);
            let path = {
                let state = ctx.session.lock();
                match scope {
                    "workspace" => state
                        .workspace_root
                        .as_deref()
                        .map(stores::workspace_dictionary),
                    _ => stores::user_dictionary(),
                }
            };
            let path = path.ok_or_else(|| Error::invalid_params("no dictionary for that scope"))?;
            let word = word.to_string();
            blocking(move || margin_proofread::add_word(&path, &word).map(|_| ())).await?;
            let uris: Vec<Uri> = {
                let mut state = ctx.session.lock();
                state.stores = None; // reopened (and the dictionary reloaded) on next use
                state.documents.keys().cloned().collect()
            };
            for uri in uris {
                proofreading::schedule(ctx, uri, None, Duration::ZERO, false);
            }
        }
        IGNORE_FINDING => {
            let uri: Uri = arg(&args, 0)?
                .parse()
                .map_err(|_| Error::invalid_params("bad uri"))?;
            let key = margin_proofread::FindingKey {
                original: arg(&args, 1)?.to_string(),
                replacement: arg(&args, 2)?.to_string(),
                context: margin_proofread::context_hash(arg(&args, 3)?),
            };
            change_ignores(ctx, &uri, move |store, file| {
                store.ignore(file, key).map(|_| ())
            })
            .await?;
            proofreading::schedule(ctx, uri, None, Duration::ZERO, false);
        }
        DISABLE_FILE => {
            let uri: Uri = arg(&args, 0)?
                .parse()
                .map_err(|_| Error::invalid_params("bad uri"))?;
            change_ignores(ctx, &uri, |store, file| store.set_disabled(file, true)).await?;
            let version = ctx.session.lock().documents.get(&uri).map(|d| d.version());
            proofreading::stop(ctx, &uri);
            if let Some(version) = version {
                proofreading::store_and_publish(
                    ctx,
                    &uri,
                    DocFindings::complete(version, Vec::new()),
                )
                .await;
            }
        }
        APPLY_ACTION => {
            let data = args
                .first()
                .cloned()
                .ok_or_else(|| Error::invalid_params("missing action"))?;
            let title = params_title(&data);
            let action = CodeAction {
                title,
                data: Some(data),
                ..Default::default()
            };
            let resolved = super::code_action_resolve::run(ctx, action).await?;
            if let Some(edit) = resolved.edit {
                let applied = ctx
                    .client
                    .apply_edit(edit)
                    .await
                    .map_err(|e| Error::invalid_params(e.to_string()))?;
                if !applied.applied {
                    tracing::warn!(reason = ?applied.failure_reason, "the editor did not apply margin's edit");
                }
            }
        }
        other => return Err(Error::invalid_params(format!("unknown command {other}"))),
    }
    Ok(None)
}

/// Run file work off the async runtime (it may wait for another process's lock).
async fn blocking(work: impl FnOnce() -> std::io::Result<()> + Send + 'static) -> Result<()> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(io_error),
        Err(e) => Err(io_error(std::io::Error::other(e))),
    }
}

/// Change the ignore store for the file of `uri` (on disk, under its lock), then reopen the
/// stores so what other margin processes added is seen too.
async fn change_ignores(
    ctx: &Ctx,
    uri: &Uri,
    change: impl FnOnce(&mut margin_proofread::IgnoreStore, &str) -> std::io::Result<()>
        + Send
        + 'static,
) -> Result<()> {
    let path = uri
        .to_file_path()
        .ok_or_else(|| Error::invalid_params("not a file"))?
        .into_owned();
    let (store, file) = {
        let mut state = ctx.session.lock();
        let stores = state.stores();
        (stores.ignores.path().to_path_buf(), stores.file_key(&path))
    };
    blocking(move || change(&mut margin_proofread::IgnoreStore::open(&store).0, &file)).await?;
    ctx.session.lock().stores = None;
    Ok(())
}

fn params_title(data: &Value) -> String {
    data.get("margin")
        .and_then(Value::as_str)
        .unwrap_or("margin")
        .to_string()
}
