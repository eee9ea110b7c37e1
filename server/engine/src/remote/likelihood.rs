//! Log-likelihoods from the server: `/v1/completions` with `echo` and `logprobs` returns every
//! prompt token with its log-probability (vLLM, llama-cpp-python). Each text and each variant is
//! one request (all of a job's requests in flight together); the tokens are lined up with the
//! text by their strings, and variants are compared with their original over the same stretch
//! as in process: from the first differing token up to `until`.

use super::http::{Client, Control};
use super::Capabilities;
use crate::backend::ModelInfo;
use crate::error::EngineError;
use crate::job::{CandidateScore, FinishReason, JobOutput, Metrics, PromptInput, ScoreRequest};
use crate::likelihood::{token_at_or_after, LikelihoodRequest, TextScores, TokenScore};
use crate::likelihood::{Variant, VariantScore};
use futures_util::future::try_join_all;
use serde_json::{json, Value};

/// One job's view of the server.
pub(crate) struct Scoring<'a> {
    pub client: &'a Client,
    pub info: &'a ModelInfo,
    pub caps: &'a Capabilities,
    pub ctl: &'a Control,
}

/// A scored text: its tokens (strings) and their scores.
struct Scored {
    pieces: Vec<String>,
    tokens: Vec<TokenScore>,
}

impl Scoring<'_> {
    fn prefix(&self) -> Result<&str, EngineError> {
        self.caps.score_prefix.as_deref().ok_or_else(|| {
            EngineError::Unsupported(format!(
                "the model server at {} returns no prompt log-probabilities, which \
                 proofreading needs to verify its findings",
                self.client.root()
            ))
        })
    }

    /// Every token of `text` after `context`, with its log-probability.
    async fn score(&self, context: &str, text: String) -> Result<Scored, EngineError> {
        let prefix = self.prefix()?;
        let body = json!({
            "model": self.info.name,
            "prompt": format!("{prefix}{context}{text}"),
            "echo": true,
            "logprobs": 1,
            "max_tokens": 1,
            "temperature": 0.0,
        });
        let v = self
            .client
            .json("/v1/completions", Some(&body), self.ctl)
            .await?;
        parse(&v["choices"][0]["logprobs"], context, &text).ok_or_else(|| {
            EngineError::Remote(format!(
                "the model server at {} returned log-probabilities that do not match the text \
                 sent; check `backend.url` and `backend.model`",
                self.client.root()
            ))
        })
    }

    /// A likelihood job: every text, then every variant against its text.
    pub async fn texts(&self, req: &LikelihoodRequest) -> Result<JobOutput, EngineError> {
        let context = if req.preamble.is_empty() {
            "\n"
        } else {
            &req.preamble
        };
        let originals = try_join_all(
            req.texts
                .iter()
                .map(|t| self.score(context, t.text.clone())),
        );
        let variants = try_join_all(req.texts.iter().flat_map(|t| {
            t.variants
                .iter()
                .map(|v| self.score(context, v.apply(&t.text)))
        }));
        let (originals, variants) = futures_util::try_join!(originals, variants)?;
        let mut variants = variants.into_iter();
        let mut texts = Vec::with_capacity(req.texts.len());
        let mut generated = 0;
        for (t, o) in req.texts.iter().zip(originals) {
            generated += o.tokens.len();
            let scores = t
                .variants
                .iter()
                .zip(variants.by_ref())
                .map(|(v, vs)| compare(&t.text, v, &o, &vs))
                .collect();
            texts.push(TextScores {
                tokens: o.tokens,
                variants: scores,
            });
        }
        Ok(output(Vec::new(), texts, generated))
    }

    /// A score job: each candidate continuation after a raw prompt.
    pub async fn candidates(&self, req: &ScoreRequest) -> Result<JobOutput, EngineError> {
        let PromptInput::Raw(p) = &req.prompt else {
            return Err(EngineError::Unsupported(
                "scoring continuations of a chat or fill-in-the-middle prompt needs the model's \
                 template, which a model server does not expose; use a raw prompt"
                    .into(),
            ));
        };
        let context = format!("{}{}", p.stable, p.tail);
        let scored = try_join_all(
            req.candidates
                .iter()
                .map(|c| self.score(&context, c.clone())),
        )
        .await?;
        let scores: Vec<_> = scored
            .iter()
            .map(|s| {
                let lps: Vec<f64> = s.tokens.iter().map(|t| t.logprob as f64).collect();
                CandidateScore {
                    total_logprob: lps.iter().sum(),
                    token_logprobs: lps,
                }
            })
            .collect();
        let generated = scored.iter().map(|s| s.tokens.len()).sum();
        Ok(output(scores, Vec::new(), generated))
    }
}

fn output(scores: Vec<CandidateScore>, texts: Vec<TextScores>, generated: usize) -> JobOutput {
    JobOutput {
        text: String::new(),
        finish: FinishReason::Scored,
        scores,
        texts,
        metrics: Metrics {
            generated_tokens: generated,
            ..Metrics::default()
        },
    }
}

/// A variant against its original, from the first token they differ in up to `until`.
fn compare(text: &str, v: &Variant, o: &Scored, vs: &Scored) -> VariantScore {
    let k = o
        .pieces
        .iter()
        .zip(&vs.pieces)
        .take_while(|(a, b)| a == b)
        .count();
    let vtext_len = text.len() - (v.range.end - v.range.start) + v.replacement.len();
    let until = v.until.clamp(v.range.end, text.len());
    let until_v = until + vtext_len - text.len();
    let ranges = |s: &Scored| s.tokens.iter().map(|t| t.range.clone()).collect::<Vec<_>>();
    let end_o = token_at_or_after(&ranges(o), until).max(k);
    let end_v = token_at_or_after(&ranges(vs), until_v).max(k);
    let sum = |s: &Scored, end: usize| s.tokens[k..end].iter().map(|t| t.logprob as f64).sum();
    VariantScore {
        original: sum(o, end_o),
        variant: sum(vs, end_v),
        original_tokens: (end_o - k) as u32,
        variant_tokens: (end_v - k) as u32,
    }
}

/// Lines the echoed tokens up with `context + text` and keeps those of `text`. `None` when the
/// reply has no log-probabilities or its tokens do not spell the prompt.
fn parse(lp: &Value, context: &str, text: &str) -> Option<Scored> {
    let pieces: Vec<&str> = lp["tokens"]
        .as_array()?
        .iter()
        .map(|t| t.as_str().unwrap_or(""))
        .collect();
    let logprobs = lp["token_logprobs"].as_array()?;
    let tops = lp["top_logprobs"].as_array();
    let joined: String = pieces.concat();
    let target = format!("{context}{text}");
    let at = joined.find(&target)?;
    let (ts, te) = (at + context.len(), at + target.len());
    let mut out = Scored {
        pieces: Vec::new(),
        tokens: Vec::new(),
    };
    let mut a = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let b = a + piece.len();
        let span = (a, b);
        a = b;
        if span.1 <= ts || span.0 == span.1 {
            continue;
        }
        if span.0 >= te {
            break;
        }
        let logprob = logprobs.get(i)?.as_f64()? as f32;
        let top = tops
            .and_then(|t| t.get(i))
            .and_then(Value::as_object)
            .map(|m| {
                m.values()
                    .filter_map(Value::as_f64)
                    .fold(f64::MIN, f64::max) as f32
            })
            .unwrap_or(logprob)
            .max(logprob);
        out.pieces.push((*piece).to_owned());
        out.tokens.push(TokenScore {
            range: span.0.max(ts) - ts..span.1.min(te) - ts,
            logprob,
            top_logprob: top,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_tokens_line_up_with_the_text() {
        let lp = json!({
            "tokens": ["\n", "She", " eat", "s", ".", " The"],
            "token_logprobs": [null, -3.0, -5.0, -0.5, -0.1, -2.0],
            "top_logprobs": [null, {"She": -3.0, "It": -1.0}, {" eat": -5.0}, {"s": -0.5},
                             {".": -0.1}, {" The": -2.0}],
        });
        let s = parse(&lp, "\n", "She eats.").unwrap();
        let ranges: Vec<_> = s.tokens.iter().map(|t| t.range.clone()).collect();
        assert_eq!(ranges, vec![0..3, 3..7, 7..8, 8..9]);
        assert_eq!(s.tokens[0].top_logprob, -1.0);
        assert_eq!(s.tokens[1].logprob, -5.0);
        assert!(parse(&lp, "\n", "He eats.").is_none());
    }

    #[test]
    fn variants_compare_from_the_first_difference() {
        let tok = |p: &[(&str, f32)]| {
            let mut at = 0;
            Scored {
                pieces: p.iter().map(|x| x.0.to_owned()).collect(),
                tokens: p
                    .iter()
                    .map(|(s, lp)| {
                        at += s.len();
                        TokenScore {
                            range: at - s.len()..at,
                            logprob: *lp,
                            top_logprob: *lp,
                        }
                    })
                    .collect(),
            }
        };
        let o = tok(&[("She", -1.0), (" eat", -5.0), (".", -0.5)]);
        let v = tok(&[("She", -1.0), (" eats", -2.0), (".", -0.2)]);
        let var = Variant {
            range: 4..7,
            replacement: "eats".into(),
            until: 8,
        };
        let s = compare("She eat.", &var, &o, &v);
        assert!((s.original + 5.5).abs() < 1e-5 && (s.variant + 2.2).abs() < 1e-5);
        assert_eq!((s.original_tokens, s.variant_tokens), (2, 2));
    }
}
