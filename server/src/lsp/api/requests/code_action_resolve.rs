//! `codeAction/resolve`: computes the edit of a translation or suggestion
//! action the user picked; other actions come back unchanged.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::CodeAction;

use crate::lsp::actions::{suggest, translate, ActionData};
use crate::lsp::proofreading::Ctx;

pub async fn run(ctx: &Ctx, action: CodeAction) -> Result<CodeAction> {
    match action.data.as_ref().and_then(ActionData::from_value) {
        Some(ActionData::Translate(data)) => translate::resolve(ctx, action, data).await,
        Some(ActionData::Suggest(data)) => suggest::resolve(ctx, action, data).await,
        None => Ok(action),
    }
}
