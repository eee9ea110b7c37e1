//! The `LanguageServer` implementation: routing only. Each method hands its
//! params to one handler under `api/`; the handlers convert, call, convert.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::api::{notifications, requests};
use super::session::Session;

pub struct Server {
    pub(crate) client: Client,
    pub(crate) session: Arc<Session>,
}

impl Server {
    pub fn new(client: Client) -> Self {
        Server { client, session: Arc::new(Session::default()) }
    }

    pub async fn status(&self, _params: Value) -> Result<requests::status::Status> {
        Ok(requests::status::run(&self.session))
    }

    pub async fn document_text(
        &self,
        params: requests::document_text::Params,
    ) -> Result<requests::document_text::Reply> {
        requests::document_text::run(&self.session, params)
    }
}

impl Server {
    pub async fn regions(&self, params: requests::regions::Params) -> Result<requests::regions::Reply> {
        requests::regions::run(&self.client, &self.session, params).await
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
        notifications::did_open::run(&self.session, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        notifications::did_change::run(&self.client, &self.session, params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        notifications::did_save::run(&self.session, params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notifications::did_close::run(&self.session, params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        notifications::did_change_configuration::run(&self.client, &self.session, params);
    }
}
