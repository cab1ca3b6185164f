//! `aws-api`: raw AWS API responses stored by the aws collector → `cloud_config`: the IAM
//! password policy (XML), CloudTrail trails and their logging status (JSON), and each S3
//! bucket's default encryption and public access block (XML). A documented "not configured"
//! error becomes the value `none`.

use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{set, Cols, Rows};
use crate::value::Value;
use serde_json::Value as Json;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "aws-api",
    version: 1,
    tables: &["cloud_config"],
    format: "AWS API responses stored by the aws collector",
    run: super::Run::Each(run),
    importable: false,
};

/// The text of the first `<tag>...</tag>` in an XML document.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim())
}

/// Words of a CamelCase AWS field name joined by `_`, lower case.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn push(rows: &mut Rows, c: &Cols, service: &str, resource: &str, setting: &str, value: &str) {
    let mut row = rows.blank();
    set(
        &mut row,
        c.at("key"),
        Value::Text(format!("{service}:{resource}:{setting}")),
    );
    set(&mut row, c.at("service"), Value::Text(service.to_string()));
    set(
        &mut row,
        c.at("resource"),
        Value::Text(resource.to_string()),
    );
    set(&mut row, c.at("setting"), Value::Text(setting.to_string()));
    set(
        &mut row,
        c.at("value"),
        Value::Text(value.to_ascii_lowercase()),
    );
    rows.push(&mut row);
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let p = |k: &str| input.params.get(k).cloned().unwrap_or_default();
    let (operation, resource) = (p("operation"), p("resource"));
    let body = String::from_utf8_lossy(input.bytes);
    let (rows, c) = out.table("cloud_config")?;
    let before = rows.len();
    let not_configured = |code: &str| tag(&body, "Code") == Some(code);
    match operation.as_str() {
        "GetAccountPasswordPolicy" => {
            if not_configured("NoSuchEntity") {
                push(rows, &c, "iam", "account", "password_policy", "none");
            } else {
                let policy = tag(&body, "PasswordPolicy")
                    .ok_or_else(|| NormalizeError::whole("no <PasswordPolicy> in the response"))?;
                for field in [
                    "MinimumPasswordLength",
                    "RequireSymbols",
                    "RequireNumbers",
                    "RequireUppercaseCharacters",
                    "RequireLowercaseCharacters",
                    "MaxPasswordAge",
                    "PasswordReusePrevention",
                    "HardExpiry",
                    "ExpirePasswords",
                ] {
                    if let Some(v) = tag(policy, field) {
                        push(
                            rows,
                            &c,
                            "iam",
                            "account",
                            &format!("password_policy.{}", snake(field)),
                            v,
                        );
                    }
                }
            }
        }
        "DescribeTrails" => {
            let doc: Json = serde_json::from_str(&body)
                .map_err(|e| NormalizeError::at(e.line(), format!("not JSON: {e}")))?;
            for t in doc
                .get("trailList")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
            {
                let id = t
                    .get("TrailARN")
                    .or(t.get("Name"))
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string();
                push(rows, &c, "cloudtrail", &id, "trail.exists", "true");
                for (field, setting) in [
                    ("IsMultiRegionTrail", "trail.multi_region"),
                    ("LogFileValidationEnabled", "trail.log_file_validation"),
                    ("IncludeGlobalServiceEvents", "trail.global_events"),
                ] {
                    if let Some(v) = t.get(field).and_then(Json::as_bool) {
                        push(rows, &c, "cloudtrail", &id, setting, &v.to_string());
                    }
                }
            }
        }
        "GetTrailStatus" => {
            let doc: Json = serde_json::from_str(&body)
                .map_err(|e| NormalizeError::at(e.line(), format!("not JSON: {e}")))?;
            let logging = doc
                .get("IsLogging")
                .and_then(Json::as_bool)
                .ok_or_else(|| NormalizeError::whole("no IsLogging in the trail status"))?;
            push(
                rows,
                &c,
                "cloudtrail",
                &resource,
                "trail.is_logging",
                &logging.to_string(),
            );
        }
        "GetBucketEncryption" => {
            let v = if not_configured("ServerSideEncryptionConfigurationNotFoundError") {
                "none"
            } else {
                tag(&body, "SSEAlgorithm").unwrap_or("none")
            };
            push(rows, &c, "s3", &resource, "bucket.encryption", v);
        }
        "GetPublicAccessBlock" => {
            if not_configured("NoSuchPublicAccessBlockConfiguration") {
                push(
                    rows,
                    &c,
                    "s3",
                    &resource,
                    "bucket.public_access_block",
                    "none",
                );
            } else {
                for field in [
                    "BlockPublicAcls",
                    "IgnorePublicAcls",
                    "BlockPublicPolicy",
                    "RestrictPublicBuckets",
                ] {
                    if let Some(v) = tag(&body, field) {
                        push(
                            rows,
                            &c,
                            "s3",
                            &resource,
                            &format!("bucket.{}", snake(field)),
                            v,
                        );
                    }
                }
            }
        }
        _ => {}
    }
    Ok(rows.len() - before)
}
