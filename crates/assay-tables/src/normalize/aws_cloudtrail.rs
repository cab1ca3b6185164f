//! `aws-cloudtrail`: CloudTrail log files (`{"Records": [...]}`, gzip or not, as delivered to
//! S3; also an array or NDJSON of events) → `audit_events`, one row per record keyed by
//! `eventID`.

use super::jsonutil::{records, s};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::{self, Value};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "aws-cloudtrail",
    version: 1,
    tables: &["audit_events"],
    format: "CloudTrail log file(s): {\"Records\": [...]}, .json or .json.gz",
    run: super::Run::Each(run),
    importable: true,
};

fn actor_type(t: &str) -> String {
    match t {
        "Root" => "root".into(),
        "IAMUser" => "user".into(),
        "AssumedRole" => "assumed-role".into(),
        "AWSService" => "service".into(),
        "FederatedUser" => "federated".into(),
        "AWSAccount" => "account".into(),
        other => other.to_ascii_lowercase(),
    }
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let recs = records(input.bytes, Some("Records"))?;
    let (rows, c) = out.table("audit_events")?;
    let mut n = 0;
    for (i, r) in recs {
        let Some(id) = s(&r, "/eventID") else {
            return Err(NormalizeError::at(
                i,
                "a record has no `eventID`; is this a CloudTrail log file?",
            ));
        };
        let time = s(&r, "/eventTime")
            .ok_or_else(|| NormalizeError::at(i, format!("event {id} has no `eventTime`")))?;
        let mut row = rows.blank();
        set(&mut row, c.at("key"), Value::Text(id.to_string()));
        set(
            &mut row,
            c.at("source"),
            Value::Text("aws-cloudtrail".into()),
        );
        set(
            &mut row,
            c.at("time"),
            value::time(time).map_err(|m| NormalizeError::at(i, format!("event {id}: {m}")))?,
        );
        let ident_type = s(&r, "/userIdentity/type").unwrap_or("");
        let actor = s(&r, "/userIdentity/arn")
            .or_else(|| s(&r, "/userIdentity/userName"))
            .or_else(|| s(&r, "/userIdentity/invokedBy"))
            .or_else(|| s(&r, "/userIdentity/principalId"));
        set(&mut row, c.at("actor"), value::opt_text(actor));
        set(
            &mut row,
            c.at("actor_type"),
            value::text(&actor_type(ident_type)),
        );
        set(
            &mut row,
            c.at("action"),
            value::opt_text(s(&r, "/eventName")),
        );
        set(
            &mut row,
            c.at("target"),
            value::opt_text(s(&r, "/eventSource")),
        );
        set(
            &mut row,
            c.at("source_ip"),
            value::opt_text(s(&r, "/sourceIPAddress")),
        );
        let mfa = s(&r, "/additionalEventData/MFAUsed")
            .map(|v| v.eq_ignore_ascii_case("yes"))
            .or_else(|| {
                s(
                    &r,
                    "/userIdentity/sessionContext/attributes/mfaAuthenticated",
                )
                .map(|v| v == "true")
            });
        set(
            &mut row,
            c.at("mfa_used"),
            mfa.map(Value::Bool).unwrap_or_default(),
        );
        let failed = r.get("errorCode").is_some_and(|e| !e.is_null())
            || s(&r, "/responseElements/ConsoleLogin") == Some("Failure");
        set(
            &mut row,
            c.at("outcome"),
            Value::Text(if failed { "failure" } else { "success" }.into()),
        );
        set(
            &mut row,
            c.at("evidence"),
            Value::Text(input.evidence.to_string()),
        );
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}
