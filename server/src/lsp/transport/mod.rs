//! The connection between the editor and the language server: our own
//! message loop around tower-lsp-server's service, built so that no input can
//! take the server down or make it deaf.
//!
//! - A reader task turns bytes into bodies ([`framing`]: bounded, resynchronising).
//! - The dispatcher ([`serve`]) classifies each body ([`message`]), answers what
//!   is malformed itself (ids echoed exactly), and hands the rest to the service.
//!   It never waits on a handler: notifications run in order up to their first
//!   await, requests run as tasks under a deliberate limit ([`slots`]), so
//!   `didChange` and `$/cancelRequest` are always read. Every request gets
//!   exactly one response.
//! - A writer task frames responses and server-to-client messages.
//!
//! The session ends on `exit` (after `shutdown` or not: the caller picks the exit
//! code) or at the end of input, when all request work is aborted at once.

pub mod framing;
pub mod message;
pub mod slots;
mod trace;

use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tower::Service;
use tower_lsp_server::jsonrpc::{Id, Request, Response};
use tower_lsp_server::{ClientSocket, Loopback};

use framing::{encode, Event, FrameDecoder};
use message::{classify, code, error_reply as refuse, Incoming};
use slots::{Admit, Pending, Slots, MAX_QUEUED, MAX_RUNNING};
use trace::Trace;

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The client sent `exit`.
    Exit { after_shutdown: bool },
    /// The input ended (or the output broke) without `exit`.
    Disconnected { after_shutdown: bool },
}

impl Ended {
    /// Whether the client asked for `shutdown` first (LSP: exit code 0, else 1).
    pub fn orderly(self) -> bool {
        matches!(
            self,
            Ended::Exit {
                after_shutdown: true
            } | Ended::Disconnected {
                after_shutdown: true
            }
        )
    }
}

/// The largest message body accepted, shared with the session (it follows `maxFileBytes`).
#[derive(Clone, Debug)]
pub struct FrameLimit(Arc<AtomicUsize>);

impl FrameLimit {
    /// Room for a document of `max_file_bytes` in a `didOpen`, JSON escapes and all.
    pub fn set_for_file_bytes(&self, max_file_bytes: usize) {
        self.0.store(
            max_file_bytes.saturating_mul(2).saturating_add(4 << 20),
            Ordering::Relaxed,
        );
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

impl Default for FrameLimit {
    fn default() -> Self {
        let limit = FrameLimit(Arc::default());
        limit.set_for_file_bytes(crate::config::Settings::default().max_file_bytes);
        limit
    }
}

/// Serve `service` on `input`/`output` until `exit` or the end of input.
pub async fn serve<I, O, S>(
    input: I,
    output: O,
    service: S,
    socket: ClientSocket,
    limit: FrameLimit,
) -> Ended
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    S: Service<Request, Response = Option<Response>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Display,
{
    let trace = Trace::from_env();
    let (inbound_tx, inbound) = mpsc::channel(16);
    let reader = tokio::spawn(read_input(input, inbound_tx, limit, trace.clone()));
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (client_requests, client_responses) = socket.split();
    let (closed_tx, closed_rx) = oneshot::channel();
    let writer = tokio::spawn(async move {
        write_output(output, out_rx, client_requests, trace).await;
        let _ = closed_tx.send(());
    });
    let dispatcher = Dispatcher {
        service,
        out: out_tx,
        client_responses,
        slots: Slots::new(MAX_RUNNING, MAX_QUEUED),
    };
    let ended = dispatcher.run(inbound, closed_rx).await;
    reader.abort();
    // Whatever is left to write (the last responses) gets a moment, not forever.
    let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    ended
}

async fn read_input<I: AsyncRead + Unpin>(
    mut input: I,
    events: mpsc::Sender<Event>,
    limit: FrameLimit,
    trace: Trace,
) {
    let mut decoder = FrameDecoder::new(limit.get());
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some(event) = decoder.next_event() {
            if let Event::Frame(body) = &event {
                trace.log("->", body);
            }
            if events.send(event).await.is_err() {
                return;
            }
        }
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => return, // closing `events` tells the dispatcher
            Ok(n) => {
                decoder.set_max_body(limit.get());
                decoder.push(&chunk[..n]);
            }
        }
    }
}

async fn write_output<O: AsyncWrite + Unpin>(
    mut output: O,
    mut bodies: mpsc::UnboundedReceiver<Vec<u8>>,
    mut client_requests: impl futures::Stream<Item = Request> + Unpin,
    trace: Trace,
) {
    loop {
        let body = tokio::select! {
            biased;
            body = bodies.recv() => match body {
                Some(body) => body,
                None => break,
            },
            Some(request) = client_requests.next() => match serde_json::to_vec(&request) {
                Ok(body) => body,
                Err(e) => {
                    tracing::error!("cannot serialize a message to the client: {e}");
                    continue;
                }
            },
        };
        trace.log("<-", &body);
        if output.write_all(&encode(&body)).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

struct Dispatcher<S> {
    service: S,
    out: mpsc::UnboundedSender<Vec<u8>>,
    client_responses: <ClientSocket as Loopback>::ResponseSink,
    slots: Slots,
}

impl<S> Dispatcher<S>
where
    S: Service<Request, Response = Option<Response>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Display,
{
    async fn run(
        mut self,
        mut inbound: mpsc::Receiver<Event>,
        mut output_closed: oneshot::Receiver<()>,
    ) -> Ended {
        let mut tasks = JoinSet::new();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
        let mut after_shutdown = false;
        let ended = loop {
            tokio::select! {
                biased;
                Some(()) = done_rx.recv() => {
                    if let Some(next) = self.slots.finished() {
                        self.start(next, &mut tasks, &done_tx).await;
                    }
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                _ = &mut output_closed => break Ended::Disconnected { after_shutdown },
                event = inbound.recv() => match event {
                    None => break Ended::Disconnected { after_shutdown },
                    Some(Event::Dropped(why)) => self.dropped(&why),
                    Some(Event::Frame(body)) => match classify(&body) {
                        Incoming::Invalid(reply) => {
                            tracing::warn!("malformed message from the client: {}", String::from_utf8_lossy(&body[..body.len().min(200)]));
                            if let Some(reply) = reply {
                                self.send(reply);
                            }
                        }
                        Incoming::Response(response) => {
                            if self.client_responses.send(response).await.is_err() {
                                tracing::warn!("a response from the client arrived after the server closed");
                            }
                        }
                        Incoming::Notification(notification) => {
                            let exit = notification.method() == "exit";
                            self.notification(notification, &mut tasks).await;
                            if exit {
                                break Ended::Exit { after_shutdown };
                            }
                        }
                        Incoming::Request { request, raw_id } => {
                            after_shutdown |= request.method() == "shutdown";
                            self.request(Pending { request, raw_id }, &mut tasks, &done_tx).await;
                        }
                    },
                },
            }
        };
        // End of the session: abort every handler still running (their model work stops
        // through the cancel flags they hold).
        tasks.shutdown().await;
        ended
    }

    fn send(&self, body: Vec<u8>) {
        let _ = self.out.send(body);
    }

    fn dropped(&self, why: &str) {
        let message = format!("margin: dropped input from the editor: {why}");
        tracing::warn!("{message}");
        let log = json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 2, "message": message}});
        self.send(log.to_string().into_bytes());
    }

    async fn ready(&mut self) -> Result<(), String> {
        futures::future::poll_fn(|cx| self.service.poll_ready(cx))
            .await
            .map_err(|e| e.to_string())
    }

    async fn notification(&mut self, notification: Request, tasks: &mut JoinSet<()>) {
        if notification.method() == "$/cancelRequest" {
            let id = notification
                .params()
                .and_then(|p| p.get("id"))
                .and_then(|id| serde_json::from_value::<Id>(id.clone()).ok());
            if let Some(queued) = id.and_then(|id| self.slots.cancel_queued(&id)) {
                self.send(refuse(&queued.raw_id, code::REQUEST_CANCELLED, "cancelled"));
                return;
            }
        }
        if let Err(e) = self.ready().await {
            return tracing::debug!("notification {} after the end: {e}", notification.method());
        }
        // Run it up to its first await here, so notifications take effect in order.
        let mut call = Box::pin(self.service.call(notification));
        if futures::poll!(&mut call).is_pending() {
            tasks.spawn(async move {
                let _ = call.await;
            });
        }
    }

    async fn request(
        &mut self,
        pending: Pending,
        tasks: &mut JoinSet<()>,
        done: &mpsc::UnboundedSender<()>,
    ) {
        let method = pending.request.method();
        if method.starts_with("$/") {
            // Protocol-internal methods we do not implement: a request still gets its answer.
            let message = format!("method not found: {method}");
            return self.send(refuse(&pending.raw_id, code::METHOD_NOT_FOUND, &message));
        }
        if method == "initialize" {
            // Nothing else may run while the server initializes; it is quick.
            if let Err(e) = self.ready().await {
                return self.send(refuse(&pending.raw_id, code::INVALID_REQUEST, &e));
            }
            let response = self.service.call(pending.request).await;
            return self.send(reply(&pending.raw_id, response));
        }
        match self.slots.admit(pending) {
            Admit::Run(pending) => self.start(pending, tasks, done).await,
            Admit::Queued => {}
            Admit::Busy(pending) => {
                let message = format!("margin is busy: {MAX_RUNNING} requests running and {MAX_QUEUED} waiting; try again");
                self.send(refuse(&pending.raw_id, code::REQUEST_FAILED, &message));
            }
        }
    }

    /// Run a request that has a slot; its answer frees the slot (through `done`).
    async fn start(
        &mut self,
        pending: Pending,
        tasks: &mut JoinSet<()>,
        done: &mpsc::UnboundedSender<()>,
    ) {
        let Pending { request, raw_id } = pending;
        if let Err(e) = self.ready().await {
            self.send(refuse(&raw_id, code::INVALID_REQUEST, &e));
            let _ = done.send(());
            return;
        }
        let mut call = Box::pin(self.service.call(request));
        // The handler's synchronous start (its snapshot of the session) happens in input order.
        if let Poll::Ready(response) = futures::poll!(&mut call) {
            self.send(reply(&raw_id, response));
            let _ = done.send(());
            return;
        }
        let (out, done) = (self.out.clone(), done.clone());
        tasks.spawn(async move {
            let response = call.await;
            let _ = out.send(reply(&raw_id, response));
            let _ = done.send(());
        });
    }
}

/// The one response to a request, with the id exactly as the client sent it.
fn reply<E: Display>(raw_id: &str, response: Result<Option<Response>, E>) -> Vec<u8> {
    let failed = |message: String| json!({"code": code::REQUEST_FAILED, "message": message});
    let (key, value) = match response.map(|r| r.map(Response::into_parts)) {
        Ok(Some((_, Ok(result)))) => ("result", result),
        Ok(Some((_, Err(error)))) => ("error", json!(error)),
        Ok(None) => ("error", failed("margin: no answer".into())),
        Err(e) => ("error", failed(format!("margin: {e}"))),
    };
    format!(r#"{{"jsonrpc":"2.0","id":{raw_id},"{key}":{value}}}"#).into_bytes()
}
