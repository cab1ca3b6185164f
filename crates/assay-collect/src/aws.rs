//! `kind = "aws"` (cargo feature `aws`, on by default): through the official AWS SDK, the
//! IAM credential report (generated, then fetched), the account password policy, CloudTrail
//! trails and whether each is logging, and every S3 bucket's default encryption and public
//! access block. "Not configured" answers (`NoSuchEntity`,
//! `ServerSideEncryptionConfigurationNotFoundError`, `NoSuchPublicAccessBlockConfiguration`)
//! are evidence, not errors.
//!
//! The credential report is stored as the CSV AWS produces; every other response is stored
//! as the raw body AWS sent (captured by an SDK interceptor), with service, operation and
//! resource in `params`.
//!
//! ```toml
//! [[collector]]
//! kind = "aws"
//! region = "us-east-1"
//! # endpoint_url = "http://127.0.0.1:5000"   # an AWS-compatible server (tests)
//! # profile = "audit"                         # else the standard credential chain
//! ```

use crate::scrub::Scrubber;
use crate::{opt, CollectError, Collector, Context, Report, Spec, Stored};
use aws_sdk_iam::config::ProvideCredentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The registry entry.
pub const SPEC: Spec = Spec { kind: "aws", about: "AWS: IAM credential report, password policy, CloudTrail trails and status, S3 encryption and public access", build, retention: None };

/// A configured AWS collector.
pub struct Aws {
    region: String,
    endpoint: Option<String>,
    profile: Option<String>,
}

fn build(t: &toml::Table) -> Result<Box<dyn Collector>, CollectError> {
    Ok(Box::new(Aws {
        region: opt(t, "region").unwrap_or("us-east-1").to_string(),
        endpoint: opt(t, "endpoint_url").map(str::to_string),
        profile: opt(t, "profile").map(str::to_string),
    }))
}

/// A response's status and raw body.
type Captured = (u16, Vec<u8>);

/// Keeps the raw body of every response, after the SDK has read it.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "assay-raw-capture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let resp = context.response();
        let body = resp.body().bytes().map(<[u8]>::to_vec).unwrap_or_default();
        if let Ok(mut v) = self.0.lock() {
            v.push((resp.status().as_u16(), body));
        }
        Ok(())
    }
}

impl Capture {
    /// The last response captured since the previous call.
    fn take(&self) -> Option<Captured> {
        self.0.lock().ok().and_then(|mut v| {
            let last = v.pop();
            v.clear();
            last
        })
    }
}

/// An SDK error as a message. The SDK signs requests (SigV4), so the secret access key is
/// never sent; but the message includes the service's own text, which a hostile or
/// misconfigured endpoint could fill with anything, so the secret key, the session token
/// (which is sent) and credential-shaped text are scrubbed from it.
fn sdk_err(scrub: &Scrubber, what: &str, e: impl std::error::Error) -> CollectError {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    CollectError::Unexpected {
        url: what.to_string(),
        message: scrub.text(&msg),
    }
}

/// Whether an SDK error is the modeled "not configured" answer with this code.
fn is_code<E: aws_sdk_s3::error::ProvideErrorMetadata>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
    code: &str,
) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some(code)
}

struct Run<'a, 'b> {
    cx: &'a mut Context<'b>,
    capture: Capture,
    report: Report,
}

impl Run<'_, '_> {
    fn store_raw(
        &mut self,
        service: &str,
        operation: &str,
        resource: &str,
    ) -> Result<(), CollectError> {
        let Some((status, body)) = self.capture.take() else {
            return Ok(());
        };
        let params: BTreeMap<String, String> = [
            ("service", service),
            ("operation", operation),
            ("resource", resource),
            ("status", &status.to_string()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        self.cx
            .sink
            .store(Stored {
                kind: "aws-api",
                locator: format!("aws {service} {operation} {resource}")
                    .trim_end()
                    .to_string(),
                bytes: body,
                params,
            })
            .map_err(CollectError::Store)?;
        self.report.stored += 1;
        Ok(())
    }
}

impl Collector for Aws {
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        // The SDK runs on the caller's runtime (entered, or `spawn_blocking` inside one).
        let rt = tokio::runtime::Handle::try_current().map_err(|_| {
            CollectError::Config(
                "the AWS collector needs the caller's Tokio runtime entered (`Runtime::enter`)"
                    .into(),
            )
        })?;
        rt.block_on(self.run(cx))
    }
}

impl Aws {
    async fn run(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region.clone()));
        if let Some(e) = &self.endpoint {
            loader = loader.endpoint_url(e);
        }
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        let conf = loader.load().await;
        // The resolved credentials, only to scrub them from messages (the SDK caches them).
        let scrub = match conf.credentials_provider() {
            Some(p) => match p.provide_credentials().await {
                Ok(c) => {
                    Scrubber::new(std::iter::once(c.secret_access_key()).chain(c.session_token()))
                }
                Err(_) => Scrubber::default(),
            },
            None => Scrubber::default(),
        };
        let capture = Capture::default();
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&conf)
                .interceptor(capture.clone())
                .build(),
        );
        let ct = aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&conf)
                .interceptor(capture.clone())
                .build(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(true)
                .interceptor(capture.clone())
                .build(),
        );
        let mut run = Run {
            cx,
            capture,
            report: Report::default(),
        };

        (run.cx.progress)("IAM credential report");
        for attempt in 0..30 {
            let r = iam
                .generate_credential_report()
                .send()
                .await
                .map_err(|e| sdk_err(&scrub, "iam GenerateCredentialReport", e))?;
            run.capture.take();
            if r.state() == Some(&aws_sdk_iam::types::ReportStateType::Complete) {
                break;
            }
            if attempt == 29 {
                return Err(CollectError::Unexpected {
                    url: "iam GenerateCredentialReport".into(),
                    message: "the report did not complete in 60 s".into(),
                });
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
        let report = iam
            .get_credential_report()
            .send()
            .await
            .map_err(|e| sdk_err(&scrub, "iam GetCredentialReport", e))?;
        run.capture.take();
        let csv = report
            .content()
            .map(|b| b.as_ref().to_vec())
            .unwrap_or_default();
        run.cx
            .sink
            .store(Stored {
                kind: "aws-credential-report",
                locator: "aws iam GetCredentialReport".into(),
                bytes: csv,
                params: BTreeMap::new(),
            })
            .map_err(CollectError::Store)?;
        run.report.stored += 1;

        (run.cx.progress)("IAM password policy");
        match iam.get_account_password_policy().send().await {
            Ok(_) => run.store_raw("iam", "GetAccountPasswordPolicy", "account")?,
            Err(e) if is_code(&e, "NoSuchEntity") => {
                run.store_raw("iam", "GetAccountPasswordPolicy", "account")?
            }
            Err(e) => return Err(sdk_err(&scrub, "iam GetAccountPasswordPolicy", e)),
        }

        (run.cx.progress)("CloudTrail trails");
        let trails = ct
            .describe_trails()
            .send()
            .await
            .map_err(|e| sdk_err(&scrub, "cloudtrail DescribeTrails", e))?;
        run.store_raw("cloudtrail", "DescribeTrails", "")?;
        for t in trails.trail_list() {
            let Some(id) = t.trail_arn().or(t.name()) else {
                continue;
            };
            ct.get_trail_status()
                .name(id)
                .send()
                .await
                .map_err(|e| sdk_err(&scrub, "cloudtrail GetTrailStatus", e))?;
            run.store_raw("cloudtrail", "GetTrailStatus", id)?;
        }

        (run.cx.progress)("S3 buckets");
        let buckets = s3
            .list_buckets()
            .send()
            .await
            .map_err(|e| sdk_err(&scrub, "s3 ListBuckets", e))?;
        run.store_raw("s3", "ListBuckets", "")?;
        for b in buckets.buckets() {
            let Some(name) = b.name() else { continue };
            match s3.get_bucket_encryption().bucket(name).send().await {
                Ok(_) => run.store_raw("s3", "GetBucketEncryption", name)?,
                Err(e) if is_code(&e, "ServerSideEncryptionConfigurationNotFoundError") => {
                    run.store_raw("s3", "GetBucketEncryption", name)?
                }
                Err(e) => return Err(sdk_err(&scrub, "s3 GetBucketEncryption", e)),
            }
            match s3.get_public_access_block().bucket(name).send().await {
                Ok(_) => run.store_raw("s3", "GetPublicAccessBlock", name)?,
                Err(e) if is_code(&e, "NoSuchPublicAccessBlockConfiguration") => {
                    run.store_raw("s3", "GetPublicAccessBlock", name)?
                }
                Err(e) => return Err(sdk_err(&scrub, "s3 GetPublicAccessBlock", e)),
            }
        }
        Ok(run.report)
    }
}

#[cfg(test)]
mod tests {
    use super::sdk_err;
    use crate::scrub::Scrubber;

    #[derive(Debug)]
    struct Echo(String, Option<Box<Echo>>);
    impl std::fmt::Display for Echo {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Echo {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn sdk_errors_never_carry_the_secret_key_or_session_token() {
        let (key, session) = (
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "FwoGZXIvYXdzEJr//SESSION",
        );
        let scrub = Scrubber::new([key, session]);
        let e = Echo(
            "service error".into(),
            Some(Box::new(Echo(
                format!(
                    "InvalidClientTokenId: you sent key {key} and X-Amz-Security-Token: {session}"
                ),
                None,
            ))),
        );
        let msg = sdk_err(&scrub, "iam GetCredentialReport", e).to_string();
        assert!(msg.contains("InvalidClientTokenId"), "{msg}");
        assert!(!msg.contains(key) && !msg.contains(session), "{msg}");
    }
}
