//! Generation on the server: chat prompts through `/v1/chat/completions` (the server applies
//! the model's template), raw prompts through `/v1/completions`, and fill-in-the-middle prompts
//! there too, written with the model's FIM markers (found by the probe; the markers are taken
//! out of the user's text, so a file cannot break the prompt's frame); all streamed (server-sent
//! events) so tokens reach the callback as they come and a cancel closes the connection at
//! once. Stop strings go to the server and are applied here too; a grammar is passed as
//! `grammar` (llama-server, llama-cpp-python), which other servers ignore.

use super::http::{Client, Control};
use super::Capabilities;
use crate::backend::ModelInfo;
use crate::error::EngineError;
use crate::job::{FinishReason, GenerateRequest, JobOutput, Metrics, PromptInput};
use serde_json::{json, Value};

/// Runs one generation request to its end.
pub(crate) async fn run(
    client: &Client,
    info: &ModelInfo,
    caps: &Capabilities,
    mut req: GenerateRequest,
    ctl: &Control,
) -> Result<JobOutput, EngineError> {
    let (path, mut body) = match &req.prompt {
        PromptInput::Chat {
            system,
            user_stable,
            user_tail,
        } => (
            "/v1/chat/completions",
            json!({"messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": format!("{user_stable}{user_tail}")},
            ]}),
        ),
        PromptInput::Raw(p) => (
            "/v1/completions",
            json!({"prompt": format!("{}{}", p.stable, p.tail)}),
        ),
        PromptInput::Fim { prefix, suffix } => {
            let markers = caps.fim.as_ref().ok_or(EngineError::NoFim)?;
            (
                "/v1/completions",
                json!({"prompt": fim_prompt(markers, prefix, suffix)}),
            )
        }
    };
    let s = &req.sampling;
    let o = body.as_object_mut().expect("an object");
    o.insert("model".into(), json!(info.name));
    o.insert("max_tokens".into(), json!(req.max_tokens.max(1)));
    o.insert("temperature".into(), json!(s.temperature.max(0.0)));
    o.insert("top_p".into(), json!(s.top_p));
    o.insert("seed".into(), json!(s.seed));
    o.insert("stream".into(), json!(true));
    if !req.stop.is_empty() {
        o.insert("stop".into(), json!(req.stop));
    }
    if let Some(g) = &req.grammar {
        o.insert("grammar".into(), json!(g));
    }
    let _permit = client.permit(ctl).await?;
    let mut resp = client.send(path, Some(&body), ctl).await?;
    let mut out = Collected::new(&req.stop, req.max_tokens);
    let mut pending = Vec::new();
    let chat = path.contains("chat");
    let mut done = false;
    while !done {
        let chunk = ctl
            .run(resp.chunk(), client.timeout, "streaming tokens")
            .await?
            .map_err(|e| client.cut_short(path, &e))?;
        let Some(chunk) = chunk else { break };
        pending.extend_from_slice(&chunk);
        while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let Some(data) = line.trim().strip_prefix("data:") else {
                continue;
            };
            let data = data.trim();
            if data == "[DONE]" {
                done = true;
                break;
            }
            let v: Value = serde_json::from_str(data).map_err(|_| client.not_json(path))?;
            if let Some(e) = v.get("error") {
                return Err(EngineError::Remote(format!(
                    "the model server at {} failed while generating: {e}",
                    client.root()
                )));
            }
            let choice = &v["choices"][0];
            let piece = if chat {
                choice["delta"]["content"].as_str()
            } else {
                choice["text"].as_str()
            };
            if let Some(piece) = piece.filter(|p| !p.is_empty()) {
                if out.push(piece, req.on_token.as_mut()) {
                    done = true;
                    break;
                }
            }
            match choice["finish_reason"].as_str() {
                Some("length") => out.finish = out.finish.or(Some(FinishReason::MaxTokens)),
                Some(_) => out.finish = out.finish.or(Some(FinishReason::EndOfText)),
                None => {}
            }
        }
    }
    // Dropping the response here closes the stream early when a stop string ended it.
    drop(resp);
    let finish = match out.finish {
        Some(f) => f,
        None if done => FinishReason::EndOfText,
        None => {
            return Err(EngineError::Remote(format!(
                "the model server at {} ended its stream early; check the server (`backend.url`)",
                client.root()
            )))
        }
    };
    Ok(JobOutput {
        text: out.text,
        finish,
        scores: Vec::new(),
        texts: Vec::new(),
        metrics: Metrics {
            generated_tokens: out.pieces,
            ..Metrics::default()
        },
    })
}

/// `<prefix marker>prefix<suffix marker>suffix<middle marker>` (the order FIM models are
/// trained on most), with any marker text removed from the user's prefix and suffix.
fn fim_prompt(markers: &[String; 3], prefix: &str, suffix: &str) -> String {
    let clean = |text: &str| {
        markers
            .iter()
            .fold(text.to_owned(), |t, m| t.replace(m.as_str(), ""))
    };
    let [pre, suf, mid] = markers;
    format!("{pre}{}{suf}{}{mid}", clean(prefix), clean(suffix))
}

/// The streamed text so far and the stop conditions.
struct Collected<'r> {
    text: String,
    pieces: usize,
    stop: &'r [String],
    finish: Option<FinishReason>,
}

impl<'r> Collected<'r> {
    fn new(stop: &'r [String], _max_tokens: usize) -> Self {
        Self {
            text: String::new(),
            pieces: 0,
            stop,
            finish: None,
        }
    }

    /// Appends a piece; true when a stop string was found (the text is cut before it).
    fn push(&mut self, piece: &str, on_token: Option<&mut crate::job::TokenCallback>) -> bool {
        let from = self
            .text
            .len()
            .saturating_sub(self.stop.iter().map(String::len).max().unwrap_or(0));
        let from = (0..=from)
            .rev()
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(0);
        self.text.push_str(piece);
        self.pieces += 1;
        let hit = self
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| self.text[from..].find(s.as_str()).map(|i| from + i))
            .min();
        if let Some(cut) = hit {
            self.text.truncate(cut);
            self.finish = Some(FinishReason::Stop);
            return true;
        }
        if let Some(cb) = on_token {
            cb(piece);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fim_prompts_keep_their_frame() {
        let m = ["<fim_prefix>", "<fim_suffix>", "<fim_middle>"].map(String::from);
        assert_eq!(
            fim_prompt(&m, "fn a() {\n    ", "\n}\n"),
            "<fim_prefix>fn a() {\n    <fim_suffix>\n}\n<fim_middle>"
        );
        // A file that contains a marker cannot end the prefix early.
        assert_eq!(
            fim_prompt(&m, "x = \"<fim_middle>\"", ""),
            "<fim_prefix>x = \"\"<fim_suffix><fim_middle>"
        );
    }

    #[test]
    fn stop_strings_cut_across_pieces() {
        let stop = vec!["\n\n".to_owned()];
        let mut c = Collected::new(&stop, 10);
        assert!(!c.push("Hello\n", None));
        assert!(c.push("\nmore", None));
        assert_eq!(c.text, "Hello");
        assert_eq!(c.finish, Some(FinishReason::Stop));
    }
}
