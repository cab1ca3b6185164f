//! The in-app notifications of an audit: the deliveries of its `[[notify]] channel = "app"`
//! rules, read from the ledger (newest first), each with the changes it carried, the
//! control, the exception keys and a link to the control's page.

use super::{frame, render, with, PageError};
use crate::api::{blocking, Ctx};
use axum::response::Html;
use axum::Extension;
use serde_json::{json, Value};

/// Notifications shown on the page (the ledger keeps them all).
const SHOWN: usize = 100;

/// `GET /app/{org}/{audit}/notifications`.
pub async fn list(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let (total, items): (usize, Vec<Value>) = blocking(move || {
        let all = s.project.app_notifications()?;
        let items = all
            .iter()
            .take(SHOWN)
            .map(|(seq, d)| {
                json!({
                    "seq": seq,
                    "rule": d["rule"],
                    "at": d["at"],
                    "events": d["detail"],
                })
            })
            .collect();
        Ok((all.len(), items))
    })
    .await?;
    render(
        "notifications.html",
        with(
            frame(&ctx, "notifications"),
            json!({ "items": items, "total": total, "shown": SHOWN }),
        ),
    )
}
