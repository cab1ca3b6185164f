//! The audit log as OCSF 1.1 events (JSON lines): sign-in and sign-out as Authentication
//! (class 3002), everything else as API Activity (class 6003). Each event keeps the ledger
//! entry's hash as its `metadata.uid`, so a SIEM copy can be checked against the ledger.

use crate::store::log::Logged;
use serde_json::{json, Value};

fn millis(at: &str) -> i64 {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .unwrap_or(0)
}

/// One event in OCSF.
pub fn event(l: &Logged) -> Value {
    let e = &l.event;
    let (class_uid, category_uid, activity_id, activity) = match e.action.as_str() {
        "session.login" | "account.setup" | "invitation.accepted" => (3002, 3, 1, "Logon"),
        "session.logout" | "session.logout-everywhere" => (3002, 3, 2, "Logoff"),
        a if a.ends_with(".created") || a.ends_with(".uploaded") || a.ends_with(".invited") => {
            (6003, 6, 1, "Create")
        }
        a if a.ends_with(".downloaded") || a.ends_with(".read") => (6003, 6, 2, "Read"),
        a if a.ends_with(".changed") || a.ends_with(".triaged") || a.ends_with(".assessed") => {
            (6003, 6, 3, "Update")
        }
        a if a.ends_with(".revoked") || a.ends_with(".removed") => (6003, 6, 4, "Delete"),
        _ => (6003, 6, 99, "Other"),
    };
    let success = e.outcome == "success";
    json!({
        "class_uid": class_uid,
        "category_uid": category_uid,
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": class_uid * 100 + activity_id,
        "time": millis(&e.at),
        "severity_id": if success { 1 } else { 3 },
        "status_id": if success { 1 } else { 2 },
        "status": if success { "Success" } else { "Failure" },
        "status_detail": e.outcome,
        "message": format!("{} {} {}", e.actor, e.action, e.target),
        "actor": { "user": { "name": e.actor } },
        "src_endpoint": { "ip": e.ip },
        "api": { "operation": e.action },
        "resources": [{ "name": e.target, "type": "assay" }],
        "metadata": {
            "version": "1.1.0",
            "uid": l.entry_hash,
            "sequence": l.seq,
            "product": { "name": "Assay", "vendor_name": "Assay", "version": env!("CARGO_PKG_VERSION") },
            "labels": [format!("org:{}", e.org), format!("audit:{}", e.audit), format!("ledger:{}#{}", l.ledger_audit, l.entry_seq)]
        }
    })
}
