//! The language-server layer: the only code that knows LSP types. It owns the
//! session (open documents, settings, negotiated encoding), converts between
//! protocol and core types (`from_proto`, `to_proto`) and routes each method to
//! a small handler under `api/`.

mod api;
mod capabilities;
mod catch_panic;
mod config_sync;
pub mod from_proto;
mod server;
mod session;
pub mod to_proto;

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
        .custom_method("margin/documentText", Server::document_text);
    let (service, socket) = extend(builder).finish();
    (CatchPanic::new(service), socket)
}

/// Serve on any byte streams (stdio in production, an in-memory pipe in tests).
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (service, socket) = service_with(|b| b);
    tower_lsp_server::Server::new(input, output, socket).serve(service).await;
}

/// Run the language server on stdin/stdout until the client says `exit`.
pub async fn serve_stdio() {
    serve(tokio::io::stdin(), tokio::io::stdout()).await;
}
