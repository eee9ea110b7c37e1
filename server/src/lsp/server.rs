//! The `LanguageServer` implementation: routing only. Each method hands its
//! params to one handler under `api/`; the handlers convert, call, convert.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::api::{notifications, requests};
use super::proofreading::{self, Ctx};
use super::session::Session;
use crate::checking::{Checker, ResultStore};
use crate::model::ModelService;

pub struct Server {
    pub(crate) client: Client,
    pub(crate) session: Arc<Session>,
    pub(crate) ctx: Ctx,
}

impl Server {
    pub fn new(client: Client) -> Self {
        let session = Arc::new(Session::default());
        let ctx = Ctx {
            client: client.clone(),
            session: session.clone(),
            model: Arc::new(ModelService::default()),
            checker: Arc::new(Checker::default().with_store(ResultStore::shared())),
            translator: Arc::default(),
            pending_hints: Arc::default(),
            suggester: Arc::default(),
            in_flight: Arc::default(),
            scheduler: Arc::default(),
        };
        Server {
            client,
            session,
            ctx,
        }
    }

    pub async fn status(&self, params: Value) -> Result<requests::status::Status> {
        Ok(requests::status::run(&self.ctx, &params).await)
    }

    pub async fn document_text(
        &self,
        params: requests::document_text::Params,
    ) -> Result<requests::document_text::Reply> {
        requests::document_text::run(&self.session, params)
    }

    pub async fn regions(
        &self,
        params: requests::regions::Params,
    ) -> Result<requests::regions::Reply> {
        requests::regions::run(&self.client, &self.session, params).await
    }

    pub async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        requests::inline_completion::run(&self.ctx, params).await
    }

    pub async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        if let NumberOrString::String(token) = params.token {
            proofreading::cancel_progress(&self.ctx, &token);
        }
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(requests::initialize::run(&self.session, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        notifications::initialized::run(&self.client, &self.session).await;
    }

    async fn shutdown(&self) -> Result<()> {
        tracing::info!("shutdown requested");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        notifications::did_open::run(&self.ctx, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        notifications::did_change::run(&self.ctx, params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        notifications::did_save::run(&self.ctx, params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notifications::did_close::run(&self.ctx, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        notifications::did_change_configuration::run(&self.client, &self.session, params);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        requests::diagnostic::run(&self.ctx, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        requests::code_action::run(&self.ctx, params).await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        requests::code_action_resolve::run(&self.ctx, action).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        requests::hover::run(&self.ctx, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        requests::inlay_hint::run(&self.ctx, params)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        requests::completion::run(&self.ctx, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        requests::execute_command::run(&self.ctx, params).await
    }
}
