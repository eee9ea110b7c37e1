//! The byte-level guard between the editor and the protocol library.
//!
//! tower-lsp-server stops reading after one undecodable message, so malformed
//! input would end the session. Every incoming frame is therefore checked
//! here first: a body that is not JSON gets a "parse error" response, a JSON
//! value that is not a JSON-RPC message gets "invalid request", and only
//! well-formed messages reach the server. Responses are forwarded frame by
//! frame so injected errors never interleave with the server's output.
//! With `MARGIN_TRACE_FILE` set, every message in both directions is appended
//! to that file (one `-> ` / `<- ` line each) for debugging.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Split complete frames off the front of `buffer`; garbage before a header is skipped.
pub fn take_frame(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        let end = buffer.windows(4).position(|w| w == b"\r\n\r\n")?;
        let header = String::from_utf8_lossy(&buffer[..end]).to_string();
        let length = header.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        });
        match length {
            Some(length) if buffer.len() >= end + 4 + length => {
                let body = buffer[end + 4..end + 4 + length].to_vec();
                buffer.drain(..end + 4 + length);
                return Some(body);
            }
            Some(_) => return None,
            None => {
                tracing::warn!("dropping a message header without Content-Length: {header:?}");
                buffer.drain(..end + 4);
            }
        }
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// `None` when the body is a well-formed message, else the error response to send.
pub fn check_message(body: &[u8]) -> Option<Value> {
    let error = |id: Value, code: i64, message: String| {
        Some(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return error(Value::Null, -32700, format!("parse error: {e}")),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let well_formed = if value.get("method").is_some_and(Value::is_string) {
        serde_json::from_value::<tower_lsp_server::jsonrpc::Request>(value).is_ok()
    } else if value.get("result").is_some() || value.get("error").is_some() {
        serde_json::from_value::<tower_lsp_server::jsonrpc::Response>(value).is_ok()
    } else {
        false
    };
    if well_formed {
        None
    } else {
        error(id, -32600, "invalid request: not a JSON-RPC 2.0 message".to_string())
    }
}

#[derive(Clone, Default)]
struct Trace(Option<Arc<Mutex<std::fs::File>>>);

impl Trace {
    fn from_env() -> Self {
        let Some(path) = std::env::var_os("MARGIN_TRACE_FILE").map(PathBuf::from) else {
            return Trace(None);
        };
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&path);
        match file {
            Ok(file) => Trace(Some(Arc::new(Mutex::new(file)))),
            Err(e) => {
                tracing::warn!("cannot open MARGIN_TRACE_FILE {}: {e}", path.display());
                Trace(None)
            }
        }
    }

    fn log(&self, arrow: &str, body: &[u8]) {
        if let Some(file) = &self.0 {
            use std::io::Write;
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(file, "{arrow} {}", String::from_utf8_lossy(body));
        }
    }
}

/// Run `serve(server_input, server_output)` behind the guard on `input`/`output`.
pub async fn guarded<I, O, F, Fut>(mut input: I, mut output: O, serve: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin,
    F: FnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let trace = Trace::from_env();
    let (mut to_server, server_input) = tokio::io::duplex(1 << 20);
    let (server_output, mut from_server) = tokio::io::duplex(1 << 20);
    let (errors_tx, mut errors_rx) = mpsc::unbounded_channel::<Vec<u8>>();

    let input_trace = trace.clone();
    let reader = tokio::spawn(async move {
        let mut buffer = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            while let Some(body) = take_frame(&mut buffer) {
                input_trace.log("->", &body);
                match check_message(&body) {
                    None => {
                        if to_server.write_all(&frame(&body)).await.is_err() {
                            return;
                        }
                    }
                    Some(reply) => {
                        tracing::warn!("malformed message from the client: {reply}");
                        let _ = errors_tx.send(reply.to_string().into_bytes());
                    }
                }
            }
            match input.read(&mut chunk).await {
                Ok(0) | Err(_) => return, // dropping `to_server` ends the session
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    });

    let writer = async {
        let mut buffer = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            tokio::select! {
                read = from_server.read(&mut chunk) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                },
                Some(body) = errors_rx.recv() => {
                    trace.log("<-", &body);
                    if output.write_all(&frame(&body)).await.is_err() { break; }
                }
            }
            while let Some(body) = take_frame(&mut buffer) {
                trace.log("<-", &body);
                if output.write_all(&frame(&body)).await.is_err() {
                    return;
                }
            }
            if output.flush().await.is_err() {
                return;
            }
        }
        let _ = output.flush().await;
    };

    let server = async move {
        serve(server_input, server_output).await;
    };
    tokio::join!(server, writer);
    reader.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_split_and_garbage_skipped() {
        let mut buffer = b"junk\r\n\r\nContent-Length: 2\r\n\r\n{}Content-Length: 4\r\n\r\nnu".to_vec();
        assert_eq!(take_frame(&mut buffer), Some(b"{}".to_vec()));
        assert_eq!(take_frame(&mut buffer), None);
        buffer.extend_from_slice(b"ll");
        assert_eq!(take_frame(&mut buffer), Some(b"null".to_vec()));
        assert!(buffer.is_empty());
    }

    #[test]
    fn messages_are_checked() {
        assert_eq!(check_message(br#"{"jsonrpc":"2.0","method":"exit"}"#), None);
        assert_eq!(check_message(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), None);
        assert_eq!(check_message(b"{\"jsonrpc\": ").unwrap()["error"]["code"], -32700);
        let reply = check_message(br#"{"jsonrpc":"2.0","id":5}"#).unwrap();
        assert_eq!((reply["id"].clone(), reply["error"]["code"].clone()), (json!(5), json!(-32600)));
        assert_eq!(check_message(b"[1,2]").unwrap()["error"]["code"], -32600);
    }
}
