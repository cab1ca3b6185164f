//! The model client: one OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI,
//! Ollama, vLLM, llama.cpp's server) asked for structured output, with a timeout per call
//! and retries on connection errors, 429 (after its `Retry-After`) and 5xx. The body is
//! built first and can be shown instead of sent (`--dry-run`); its SHA-256 is the prompt
//! hash kept with every proposal.

use crate::answer::{Answer, Citation, Class, Origin};
use crate::error::AiError;
use crate::passage::Passage;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How the reply's structure is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    /// OpenAI's `{"type": "json_schema", "json_schema": {...}}` (OpenAI, vLLM, Ollama).
    JsonSchema,
    /// `{"type": "json_object", "schema": {...}}` (llama-cpp-python's server).
    JsonObject,
}

/// Where the model is and how to call it.
#[derive(Debug, Clone)]
pub struct ModelClient {
    /// The API's base, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// The model's name.
    pub model: String,
    /// The bearer token (from the environment only), if any.
    pub api_key: Option<String>,
    /// Each call's limit.
    pub timeout: Duration,
    /// Calls after the first one fails.
    pub retries: u32,
    /// The first back-off; each next one doubles.
    pub backoff: Duration,
    /// How the reply's structure is asked for.
    pub structured: Structured,
}

/// Passages sent with a question.
pub const MODEL_PASSAGES: usize = 5;
/// Characters of each passage sent.
pub const PASSAGE_CHARS: usize = 1200;
/// The longest reply asked for.
pub const REPLY_TOKENS: u32 = 400;

const SYSTEM: &str = "You answer questions from a security questionnaire for a company, using only the passages given. \
Reply with one JSON object: `class` (yes, partial, no or needs-info), `answer` (one or two sentences), \
`citations` (the ids, in square brackets below, of the passages that support your answer) and `confidence` (0 to 1). \
Say partial when a passage shows a test of the control found exceptions. \
If the passages do not answer the question, reply needs-info with no citations. Never cite an id that is not listed.";

/// The JSON schema of a reply.
pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "class": {"type": "string", "enum": ["yes", "partial", "no", "needs-info"]},
            "answer": {"type": "string"},
            "citations": {"type": "array", "items": {"type": "string"}},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1}
        },
        "required": ["class", "answer", "citations", "confidence"],
        "additionalProperties": false
    })
}

impl ModelClient {
    /// The request body for `question` over `passages` (already redacted by the caller): the
    /// best [`MODEL_PASSAGES`], each cut to [`PASSAGE_CHARS`] characters, and a reply of at
    /// most [`REPLY_TOKENS`] tokens.
    pub fn body(&self, question: &str, passages: &[&Passage]) -> Value {
        let mut user = format!("Question: {}\n\nPassages:\n", question.trim());
        for p in passages.iter().take(MODEL_PASSAGES) {
            let text: String = p.text.chars().take(PASSAGE_CHARS).collect();
            user.push_str(&format!("\n[{}] {}\n{}\n", p.id, p.title, text));
            if let Some(s) = &p.state {
                user.push_str(&format!(
                    "Latest result: {}, {} exceptions, {}\n",
                    s.result, s.exceptions, s.as_of
                ));
            }
        }
        let format = match self.structured {
            Structured::JsonSchema => json!({
                "type": "json_schema",
                "json_schema": {"name": "answer", "strict": true, "schema": schema()}
            }),
            Structured::JsonObject => json!({"type": "json_object", "schema": schema()}),
        };
        json!({
            "model": self.model,
            "temperature": 0,
            "max_tokens": REPLY_TOKENS,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": user}
            ],
            "response_format": format
        })
    }

    fn url(&self) -> String {
        format!("{}/chat/completions", self.base_url.trim_end_matches('/'))
    }

    /// Sends `body` and returns the reply's message text, retrying as configured.
    pub fn send(&self, body: &Value) -> Result<String, AiError> {
        let url = self.url();
        let fail = |message: String| AiError::Server {
            url: url.clone(),
            message,
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            let mut req = client.post(&url).json(body);
            if let Some(key) = &self.api_key {
                req = req.bearer_auth(key);
            }
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    last = format!("no reply within {} s", self.timeout.as_secs_f64());
                    continue;
                }
                Err(e) => {
                    last = format!("cannot connect: {e}");
                    continue;
                }
            };
            let status = resp.status();
            if status.as_u16() == 429 {
                let after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if let Some(s) = after {
                    wait = Duration::from_secs(s.min(120));
                }
                last = "429 Too Many Requests".into();
                continue;
            }
            if status.is_server_error() {
                last = format!("{status}");
                continue;
            }
            let text = resp.text().map_err(|e| fail(e.to_string()));
            let text = match text {
                Ok(t) => t,
                Err(e) if e.to_string().contains("timed out") => {
                    last = format!("no reply within {} s", self.timeout.as_secs_f64());
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !status.is_success() {
                return Err(fail(format!(
                    "{status}: {}; check `base_url`, `model` and the API key's variable",
                    text.chars().take(300).collect::<String>()
                )));
            }
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| AiError::Reply(format!("the response is not JSON: {e}")))?;
            return v["choices"][0]["message"]["content"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| {
                    AiError::Reply("no `choices[0].message.content` in the response".into())
                });
        }
        Err(fail(format!(
            "{last} (after {} attempts)",
            self.retries + 1
        )))
    }
}

/// SHA-256 of a request body as sent (compact JSON).
pub fn prompt_sha256(body: &Value) -> String {
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

#[derive(Deserialize)]
struct Reply {
    class: String,
    answer: String,
    citations: Vec<String>,
    confidence: f64,
}

/// The model's reply, checked against the schema: an [`Answer`] whose citations carry no
/// hash yet (the citation check fills them in or drops them).
pub fn parse_reply(content: &str, model: &str) -> Result<Answer, AiError> {
    let t = content.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .map(|r| r.trim_end().trim_end_matches("```"))
        .unwrap_or(t);
    let r: Reply = serde_json::from_str(t.trim()).map_err(|e| {
        AiError::Reply(format!(
            "{e}: `{}`",
            content.chars().take(200).collect::<String>()
        ))
    })?;
    let class = Class::parse(&r.class).ok_or_else(|| {
        AiError::Reply(format!(
            "`class` is `{}`, not yes, partial, no or needs-info",
            r.class
        ))
    })?;
    if !(0.0..=1.0).contains(&r.confidence) {
        return Err(AiError::Reply(format!(
            "`confidence` is {}, outside 0 to 1",
            r.confidence
        )));
    }
    if r.answer.trim().is_empty() {
        return Err(AiError::Reply("`answer` is empty".into()));
    }
    Ok(Answer {
        class,
        text: r.answer.trim().to_string(),
        citations: r
            .citations
            .into_iter()
            .map(|id| Citation {
                id: id
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
                sha256: String::new(),
                result: None,
            })
            .collect(),
        confidence: r.confidence,
        origin: Origin::Model(model.to_string()),
        notes: Vec::new(),
    })
}
