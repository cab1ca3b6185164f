//! The AWS collector against `moto_server` (PyPI `moto[server]`), started here on a free
//! port, or the server at `ASSAY_TEST_AWS_ENDPOINT`. Skipped, saying so, when neither exists
//! (a failure under `ASSAY_REQUIRE_ALL=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
#![cfg(feature = "aws")]

mod mock;
use assay_collect::Context;
use mock::{Memory, Normalized};

fn moto() -> Option<assay_testkit::moto::Moto> {
    assay_testkit::moto::start("ASSAY_TEST_AWS_ENDPOINT", "the AWS collector")
}

async fn seed(endpoint: &str) {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .load()
        .await;
    let iam = aws_sdk_iam::Client::new(&conf);
    iam.create_user()
        .user_name("dana.kim")
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("dana.kim")
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .max_password_age(90)
        .send()
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    for b in ["northwind-logs", "northwind-public"] {
        s3.create_bucket().bucket(b).send().await.unwrap();
    }
    use aws_sdk_s3::types::*;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .build()
                .unwrap(),
        )
        .build();
    s3.put_bucket_encryption()
        .bucket("northwind-logs")
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    s3.put_public_access_block()
        .bucket("northwind-logs")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    ct.create_trail()
        .name("org-trail")
        .s3_bucket_name("northwind-logs")
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("org-trail").send().await.unwrap();
}

#[test]
fn credential_report_password_policy_trails_and_buckets() {
    let Some(m) = moto() else { return };
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(seed(&m.endpoint));
    // The collector runs on the caller's runtime.
    let _entered = rt.enter();

    let t: toml::Table = toml::from_str(&format!(
        "kind = \"aws\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"",
        m.endpoint
    ))
    .unwrap();
    let c = (assay_collect::spec("aws").unwrap().build)(&t).unwrap();
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor: None,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let report = c.collect(&mut cx).unwrap();
    let ops: Vec<String> = sink.0.iter().map(|s| s.locator.clone()).collect();
    assert!(
        ops.contains(&"aws iam GetCredentialReport".to_string()),
        "{ops:#?}"
    );
    assert_eq!(report.stored, sink.0.len());
    assert!(
        sink.0
            .iter()
            .all(|s| !String::from_utf8_lossy(&s.bytes).contains("testing")),
        "no credential in the evidence"
    );

    let t = Normalized::of(&sink.0);
    let q = |sql: &str| t.rows(sql);
    assert_eq!(
        q("select user, access_key_1_active from cloud_credentials where not is_root"),
        ["dana.kim|true"]
    );
    let settings =
        q("select resource, setting, value from cloud_config order by resource, setting");
    for want in [
        "account|password_policy.minimum_password_length|14",
        "account|password_policy.require_symbols|true",
        "account|password_policy.max_password_age|90",
        "northwind-logs|bucket.encryption|aws:kms",
        "northwind-logs|bucket.block_public_acls|true",
        "northwind-public|bucket.public_access_block|none",
    ] {
        assert!(
            settings.contains(&want.to_string()),
            "missing {want} in {settings:#?}"
        );
    }
    assert!(
        settings
            .iter()
            .any(|s| s.ends_with("|trail.is_logging|true")),
        "{settings:#?}"
    );
    assert!(
        settings
            .iter()
            .any(|s| s.ends_with("|trail.multi_region|true")),
        "{settings:#?}"
    );
}
