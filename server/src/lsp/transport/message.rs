//! One incoming body, classified: a request, a notification, a response to a
//! server request, or something malformed that gets its error reply here. Ids
//! are kept as the raw JSON the client sent, so every reply made here echoes
//! them exactly (an id of 2^70 stays `1180591620717411303424`, not a float).

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Request, Response};

/// JSON-RPC error codes used by the transport.
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const REQUEST_CANCELLED: i64 = -32800;
    pub const REQUEST_FAILED: i64 = -32803;
}

/// What a body is.
#[derive(Debug)]
pub enum Incoming {
    /// A request (it has an id): `raw_id` is the id exactly as sent.
    Request {
        request: Request,
        raw_id: String,
    },
    Notification(Request),
    /// The client's answer to a request the server sent.
    Response(Response),
    /// Not a usable message: the error reply to send (already serialized), if it deserves one.
    Invalid(Option<Vec<u8>>),
}

/// The fields that decide what a message is, borrowed from the body.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    /// Present, even as `null` (a valid result).
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "present")]
    error: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// An error reply for the id `raw_id` (raw JSON; `null` when unknown).
pub fn error_reply(raw_id: &str, code: i64, message: &str) -> Vec<u8> {
    let error = json!({"code": code, "message": message});
    format!(r#"{{"jsonrpc":"2.0","id":{raw_id},"error":{error}}}"#).into_bytes()
}

/// Classify one body.
pub fn classify(body: &[u8]) -> Incoming {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(e) if e.is_data() => {
            return Incoming::Invalid(Some(error_reply(
                "null",
                code::INVALID_REQUEST,
                "invalid request: not a JSON-RPC object",
            )))
        }
        Err(e) => {
            return Incoming::Invalid(Some(error_reply(
                "null",
                code::PARSE_ERROR,
                &format!("parse error: {e}"),
            )))
        }
    };
    let raw_id = envelope.id.map(|id| id.get().to_string());
    let is_method = envelope.method.is_some_and(|m| m.get().starts_with('"'));
    let invalid = |what: &str| {
        let id = raw_id.as_deref().unwrap_or("null");
        Incoming::Invalid(Some(error_reply(
            id,
            code::INVALID_REQUEST,
            &format!("invalid request: {what}"),
        )))
    };
    if !is_method {
        if !envelope.result && !envelope.error {
            return invalid("not a JSON-RPC 2.0 message");
        }
        // A malformed response has nobody to answer to: it is only logged.
        return match serde_json::from_slice::<Response>(body) {
            Ok(response) => Incoming::Response(response),
            Err(e) => {
                tracing::warn!("malformed response from the client: {e}");
                Incoming::Invalid(None)
            }
        };
    }
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Invalid(Some(error_reply(
                "null",
                code::PARSE_ERROR,
                &format!("parse error: {e}"),
            )))
        }
    };
    // `params` may be omitted (JSON-RPC): the same as null, so methods with optional params answer.
    if let Some(object) = value.as_object_mut() {
        object.entry("params").or_insert(Value::Null);
    }
    match serde_json::from_value::<Request>(value) {
        Ok(request) => match raw_id.clone() {
            Some(raw_id) => Incoming::Request { request, raw_id },
            None => Incoming::Notification(request),
        },
        Err(e) => invalid(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(incoming: Incoming) -> Value {
        match incoming {
            Incoming::Invalid(Some(reply)) => serde_json::from_slice(&reply).unwrap(),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    #[test]
    fn messages_are_classified() {
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","method":"exit"}"#),
            Incoming::Notification(_)
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":"a","method":"shutdown"}"#),
            Incoming::Request { .. }
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Incoming::Response(_)
        ));
        assert!(matches!(
            classify(br#"{"result":null,"jsonrpc":"2.0","id":0}"#),
            Incoming::Response(_)
        ));
        assert_eq!(reply(classify(b"{\"jsonrpc\": "))["error"]["code"], -32700);
        let r = reply(classify(br#"{"jsonrpc":"2.0","id":5}"#));
        assert_eq!(
            (r["id"].clone(), r["error"]["code"].clone()),
            (json!(5), json!(-32600))
        );
        assert_eq!(reply(classify(b"[1,2]"))["error"]["code"], -32600);
        assert!(matches!(
            classify(br#"{"jsonrpc":"1.0","id":1,"result":7}"#),
            Incoming::Invalid(None)
        ));
    }

    #[test]
    fn ids_tower_cannot_hold_are_echoed_byte_for_byte() {
        for id in [
            "1180591620717411303424",
            "1.5",
            "-0.0",
            "1e3",
            "[1]",
            "{\"a\":1}",
            "true",
        ] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"margin/status"}}"#);
            let Incoming::Invalid(Some(reply)) = classify(body.as_bytes()) else {
                panic!("{id} was accepted")
            };
            let text = String::from_utf8(reply).unwrap();
            assert!(text.contains(&format!(r#""id":{id},"#)), "{id}: {text}");
        }
    }

    #[test]
    fn omitted_params_are_null() {
        let Incoming::Request { request, raw_id } =
            classify(br#"{"jsonrpc":"2.0","id":7,"method":"margin/status"}"#)
        else {
            panic!("not a request")
        };
        assert_eq!(
            (request.params(), raw_id.as_str()),
            (Some(&Value::Null), "7")
        );
    }
}
