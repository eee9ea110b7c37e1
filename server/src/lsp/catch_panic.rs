//! A tower layer around the whole service: a panic in any handler becomes an
//! "internal error" response to that request (or a log line for a
//! notification) instead of taking the server down.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

#[derive(Clone, Debug)]
pub struct CatchPanic<S> {
    inner: S,
}

impl<S> CatchPanic<S> {
    pub fn new(inner: S) -> Self {
        CatchPanic { inner }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let call = AssertUnwindSafe(self.inner.call(req));
        Box::pin(async move {
            match call.catch_unwind().await {
                Ok(result) => result,
                Err(payload) => {
                    let what = panic_message(payload.as_ref());
                    tracing::error!(%method, "handler panicked: {what}");
                    Ok(id.map(|id| {
                        let mut error = Error::new(ErrorCode::InternalError);
                        error.message =
                            format!("margin: internal error in {method}: {what}").into();
                        Response::from_error(id, error)
                    }))
                }
            }
        })
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
