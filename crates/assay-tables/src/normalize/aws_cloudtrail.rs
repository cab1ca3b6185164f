//! `aws-cloudtrail`: CloudTrail log files (`{"Records": [...]}`, gzip or not, as delivered to
//! S3; also an array or NDJSON of events) → `audit_events`, one row per record keyed by
//! `eventID`. Records are read into typed structs that borrow from the file (see
//! [`super::loose`]): only the fields below are looked at.

use super::jsonutil::maybe_gunzip;
use super::loose::{records, utf8, Obj, Present, Str};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{put, Cell};
use crate::value;
use serde::Deserialize;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "aws-cloudtrail",
    // 2: the `federated` column.
    version: 2,
    tables: &["audit_events"],
    format: "CloudTrail log file(s): {\"Records\": [...]}, .json or .json.gz",
    run: super::Run::Each(run),
    importable: true,
};

/// One CloudTrail record, as far as the tables need it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(rename = "eventID", borrow, default)]
    event_id: Str<'a>,
    #[serde(borrow, default)]
    event_time: Str<'a>,
    #[serde(borrow, default)]
    event_name: Str<'a>,
    #[serde(borrow, default)]
    event_source: Str<'a>,
    #[serde(rename = "sourceIPAddress", borrow, default)]
    source_ip_address: Str<'a>,
    #[serde(borrow, default)]
    user_identity: Obj<Identity<'a>>,
    #[serde(borrow, default)]
    additional_event_data: Obj<Additional<'a>>,
    #[serde(default)]
    error_code: Present,
    #[serde(borrow, default)]
    response_elements: Obj<Response<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Str<'a>,
    #[serde(borrow, default)]
    arn: Str<'a>,
    #[serde(borrow, default)]
    user_name: Str<'a>,
    #[serde(borrow, default)]
    invoked_by: Str<'a>,
    #[serde(borrow, default)]
    principal_id: Str<'a>,
    #[serde(borrow, default)]
    session_context: Obj<SessionContext<'a>>,
}

impl Identity<'_> {
    /// Who acted: the ARN, else the user name, the invoking service or the principal id.
    fn name(&self) -> Option<&str> {
        self.arn
            .get()
            .or_else(|| self.user_name.get())
            .or_else(|| self.invoked_by.get())
            .or_else(|| self.principal_id.get())
    }
}

#[derive(Deserialize)]
struct SessionContext<'a> {
    #[serde(borrow, default)]
    attributes: Obj<Attributes<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes<'a> {
    #[serde(borrow, default)]
    mfa_authenticated: Str<'a>,
}

#[derive(Deserialize)]
struct Additional<'a> {
    #[serde(rename = "MFAUsed", borrow, default)]
    mfa_used: Str<'a>,
    #[serde(rename = "SamlProviderArn", borrow, default)]
    saml_provider: Str<'a>,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(rename = "ConsoleLogin", borrow, default)]
    console_login: Str<'a>,
}

fn actor_type(t: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(match t {
        "Root" => "root",
        "IAMUser" => "user",
        "AssumedRole" => "assumed-role",
        "AWSService" => "service",
        "FederatedUser" => "federated",
        "AWSAccount" => "account",
        other => return std::borrow::Cow::Owned(other.to_ascii_lowercase()),
    })
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let data = maybe_gunzip(input.bytes)?;
    let recs: Vec<(usize, Record<'_>)> = records(utf8(&data)?, Some("Records"))?;
    let (rows, c) = out.table("audit_events")?;
    let at = |name: &str| c.at(name);
    let (key, source, time, actor, actor_kind) = (
        at("key"),
        at("source"),
        at("time"),
        at("actor"),
        at("actor_type"),
    );
    let federated_col = at("federated");
    let (action, target, ip, mfa_col, outcome) = (
        at("action"),
        at("target"),
        at("source_ip"),
        at("mfa_used"),
        at("outcome"),
    );
    let mut row = rows.blank_cells();
    for (i, r) in &recs {
        let Some(id) = r.event_id.get() else {
            return Err(NormalizeError::at(
                *i,
                "a record has no `eventID`; is this a CloudTrail log file?",
            ));
        };
        let t = r
            .event_time
            .get()
            .ok_or_else(|| NormalizeError::at(*i, format!("event {id} has no `eventTime`")))?;
        let t = value::time(t).map_err(|m| NormalizeError::at(*i, format!("event {id}: {m}")))?;
        let who = r.user_identity.get();
        put(&mut row, key, Cell::exact(id));
        put(&mut row, source, Cell::exact("aws-cloudtrail"));
        put(&mut row, time, t.into());
        put(
            &mut row,
            actor,
            Cell::opt_text(who.and_then(Identity::name)),
        );
        let kind = actor_type(who.and_then(|w| w.kind.get()).unwrap_or("").trim());
        put(
            &mut row,
            actor_kind,
            if value::is_none(&kind) {
                Cell::Null
            } else {
                Cell::Text(kind)
            },
        );
        put(&mut row, action, Cell::opt_text(r.event_name.get()));
        put(&mut row, target, Cell::opt_text(r.event_source.get()));
        put(&mut row, ip, Cell::opt_text(r.source_ip_address.get()));
        let mfa = r
            .additional_event_data
            .get()
            .and_then(|a| a.mfa_used.get())
            .map(|v| v.eq_ignore_ascii_case("yes"))
            .or_else(|| {
                who.and_then(|w| w.session_context.get())
                    .and_then(|s| s.attributes.get())
                    .and_then(|a| a.mfa_authenticated.get())
                    .map(|v| v == "true")
            });
        put(&mut row, mfa_col, mfa.map(Cell::Bool).unwrap_or_default());
        // A console sign-in through a SAML provider, or an identity that only exists by
        // federation: the second factor happened at the IdP (issue 14).
        let federated = r
            .additional_event_data
            .get()
            .and_then(|a| a.saml_provider.get())
            .is_some()
            || matches!(
                who.and_then(|w| w.kind.get()).map(str::trim),
                Some("SAMLUser" | "WebIdentityUser")
            );
        put(&mut row, federated_col, Cell::Bool(federated));
        let failed = r.error_code.0
            || r.response_elements
                .get()
                .and_then(|x| x.console_login.get())
                == Some("Failure");
        put(
            &mut row,
            outcome,
            Cell::exact(if failed { "failure" } else { "success" }),
        );
        rows.push_cells(&mut row);
    }
    Ok(recs.len())
}
