//! E-mail delivery of `[[notify]]` rules with `channel = "email"`, over SMTP (lettre, with
//! rustls for `smtps://` and STARTTLS). The SMTP URL, with any user and password in it, comes
//! from the environment and is never echoed: errors name the rule's variable instead.

use assay_workspace::notify_config::NotifyRule;
use lettre::message::header::ContentType;
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// Sends one message with retries (transient failures only); returns (attempts, the last
/// SMTP reply code, error).
pub(crate) fn send(
    url: &str,
    rule: &NotifyRule,
    subject: &str,
    text: &str,
    id: &str,
) -> (u32, Option<u16>, Option<String>) {
    let fail = |m: String| (0, None, Some(m));
    let transport = match SmtpTransport::from_url(url) {
        Ok(b) => b.timeout(Some(Duration::from_secs(10))).build(),
        Err(_) => {
            return fail(format!(
                "the SMTP URL in {} is not valid; use smtp://host:25, smtp://user:password@host:587?tls=required or smtps://user:password@host:465",
                rule.url_env
            ))
        }
    };
    let Some(from) = rule.from.as_deref().and_then(|f| f.parse().ok()) else {
        return fail("`from` is not an e-mail address".into());
    };
    let mut b = Message::builder()
        .from(from)
        .subject(subject)
        .message_id(Some(format!("<{id}@assay>")))
        .header(ContentType::TEXT_PLAIN);
    for t in &rule.to {
        match t.parse() {
            Ok(a) => b = b.to(a),
            Err(_) => return fail(format!("`to` address `{t}` is not valid")),
        }
    }
    let message = match b.body(text.to_string()) {
        Ok(m) => m,
        Err(e) => return fail(format!("cannot build the message: {e}")),
    };
    let mut last = (None, None);
    for attempt in 1..=rule.attempts {
        match transport.send(&message) {
            Ok(resp) => return (attempt, resp.code().to_string().parse().ok(), None),
            Err(e) => {
                let code = e.status().and_then(|c| c.to_string().parse().ok());
                last = (code, Some(format!("the SMTP server: {e}")));
                if e.is_permanent() {
                    return (attempt, last.0, last.1);
                }
            }
        }
        if attempt < rule.attempts {
            std::thread::sleep(Duration::from_millis(
                rule.backoff_ms.saturating_mul(1 << (attempt - 1)),
            ));
        }
    }
    (rule.attempts, last.0, last.1)
}
