//! The language-server layer: the only code that knows LSP types. It owns the
//! session (open documents, settings, negotiated encoding), converts between
//! protocol and core types (`from_proto`, `to_proto`) and routes each method to
//! a small handler under `api/`.

mod actions;
mod api;
mod cancel;
mod capabilities;
mod catch_panic;
mod config_sync;
pub mod from_proto;
mod inline_translations;
pub mod proofreading;
mod publish;
mod scheduler;
mod server;
mod session;
mod snapshot;
mod suggestions;
pub mod to_proto;
pub mod transport;

pub use catch_panic::CatchPanic;
pub use server::Server;
pub use session::Session;

use tower_lsp_server::{ClientSocket, LspService, LspServiceBuilder};

/// Build the service; `extend` may add methods (tests add a panicking one).
pub fn service_with(
    extend: impl FnOnce(LspServiceBuilder<Server>) -> LspServiceBuilder<Server>,
) -> (CatchPanic<LspService<Server>>, ClientSocket) {
    let builder = LspService::build(Server::new)
        .custom_method("margin/status", Server::status)
        .custom_method("margin/documentText", Server::document_text)
        .custom_method("margin/regions", Server::regions)
        .custom_method("textDocument/inlineCompletion", Server::inline_completion)
        .custom_method("window/workDoneProgress/cancel", Server::progress_cancel);
    let (service, socket) = extend(builder).finish();
    (CatchPanic::new(service), socket)
}

/// Serve on any byte streams (stdio in production, an in-memory pipe in
/// tests) until `exit` or the end of input; then all background work stops.
pub async fn serve_with<I, O>(
    input: I,
    output: O,
    extend: impl FnOnce(LspServiceBuilder<Server>) -> LspServiceBuilder<Server>,
) -> transport::Ended
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) = service_with(extend);
    let ctx = service.inner().inner().ctx.clone();
    let limit = ctx.session.lock().frame_limit.clone();
    let ended = transport::serve(input, output, service, socket, limit).await;
    ctx.stop_all();
    tracing::info!(?ended, "session ended");
    ended
}

/// Run the language server on stdin/stdout until the client says `exit`.
pub async fn serve_stdio() -> transport::Ended {
    serve_with(tokio::io::stdin(), tokio::io::stdout(), |b| b).await
}
