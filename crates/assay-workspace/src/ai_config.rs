//! `[ai]` of `assay.toml`: which model, if any, proposes answers. `provider = "none"` (the
//! default) keeps every AI feature offline and extractive; `"openai-compatible"` names an
//! endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp's server), a model, and the
//! environment variable holding its key. The key itself never appears in the file.

use crate::engine_config::Report;
use serde::Deserialize;
use toml::Spanned;

/// `[ai]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAi {
    provider: Spanned<String>,
    #[serde(default)]
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    model: Option<Spanned<String>>,
    #[serde(default)]
    api_key_env: Option<Spanned<String>>,
    #[serde(default)]
    timeout_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    retries: Option<Spanned<i64>>,
    #[serde(default)]
    response_format: Option<Spanned<String>>,
}

/// Where a model runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEndpoint {
    /// The API's base URL, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// The model's name.
    pub model: String,
    /// The environment variable holding the API key, if the endpoint wants one.
    pub api_key_env: Option<String>,
    /// `json-schema` (OpenAI's structured outputs) or `json-object` (llama-cpp-python).
    pub response_format: String,
}

/// The validated `[ai]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSettings {
    /// The model, or `None` for extractive answers only.
    pub endpoint: Option<ModelEndpoint>,
    /// Each call's limit in seconds (default 60).
    pub timeout_seconds: u64,
    /// Calls after a failed one (default 2).
    pub retries: u32,
}

impl Default for AiSettings {
    fn default() -> Self {
        AiSettings {
            endpoint: None,
            timeout_seconds: 60,
            retries: 2,
        }
    }
}

/// The settings, or `None` with each problem reported.
pub fn settings(raw: &RawAi, report: &mut Report<'_>) -> Option<AiSettings> {
    let mut ok = true;
    let mut number = |v: &Option<Spanned<i64>>, default: i64, max: i64, field: &str| match v {
        None => default,
        Some(n) if (0..=max).contains(n.get_ref()) => *n.get_ref(),
        Some(n) => {
            report(
                n.span(),
                format!("`{field}` is {}, outside 0 to {max}", n.get_ref()),
                "use a whole number, or leave the field out for the default",
            );
            ok = false;
            default
        }
    };
    let timeout_seconds = number(&raw.timeout_seconds, 60, 3600, "timeout_seconds") as u64;
    let retries = number(&raw.retries, 2, 10, "retries") as u32;
    let endpoint = match raw.provider.get_ref().as_str() {
        "none" => None,
        "openai-compatible" => {
            let mut need = |v: &Option<Spanned<String>>, field: &str, help: &'static str| match v {
                Some(s) if !s.get_ref().trim().is_empty() => Some(s.get_ref().trim().to_string()),
                _ => {
                    report(
                        raw.provider.span(),
                        format!("`provider = \"openai-compatible\"` needs `{field}`"),
                        help,
                    );
                    ok = false;
                    None
                }
            };
            let base_url = need(
                &raw.base_url,
                "base_url",
                "add e.g. `base_url = \"http://127.0.0.1:8080/v1\"` under [ai]",
            );
            let model = need(
                &raw.model,
                "model",
                "add e.g. `model = \"gpt-4o-mini\"` under [ai]",
            );
            if let Some(u) = &base_url {
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    if let Some(s) = &raw.base_url {
                        report(
                            s.span(),
                            format!("`base_url` `{u}` is not an http(s) URL"),
                            "write the API's base, e.g. `https://api.openai.com/v1`",
                        );
                    }
                    ok = false;
                }
            }
            let api_key_env = raw.api_key_env.as_ref().and_then(|v| {
                let name = crate::notify_config::env_name(v, "api_key_env", report);
                ok &= name.is_some();
                name
            });
            let response_format = match &raw.response_format {
                None => "json-schema".to_string(),
                Some(f) if ["json-schema", "json-object"].contains(&f.get_ref().as_str()) => {
                    f.get_ref().clone()
                }
                Some(f) => {
                    report(
                        f.span(),
                        format!("`response_format` `{}` is not known", f.get_ref()),
                        "use `json-schema` (OpenAI, vLLM, Ollama) or `json-object` (llama-cpp-python's server)",
                    );
                    ok = false;
                    String::new()
                }
            };
            match (base_url, model) {
                (Some(base_url), Some(model)) => Some(ModelEndpoint {
                    base_url,
                    model,
                    api_key_env,
                    response_format,
                }),
                _ => None,
            }
        }
        other => {
            report(
                raw.provider.span(),
                format!("`provider` `{other}` is not known"),
                "use `none` (offline, extractive) or `openai-compatible` with base_url and model",
            );
            return None;
        }
    };
    ok.then_some(AiSettings {
        endpoint,
        timeout_seconds,
        retries,
    })
}
