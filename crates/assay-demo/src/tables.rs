//! The demo company built straight into standard tables, with no evidence files, for
//! measuring the engine at sizes where writing and importing files would dominate
//! (`cargo bench -p assay-demo`, `bench/engine.sh`). The people are the demo's own
//! ([`crate::synth::people`], same seed, same random-number generator); accounts, a period of
//! audit events and changes, and the rest of the tables are generated at realistic sizes
//! with a small share of deliberate failures.

use crate::synth::{self, Rng, Scale};
use assay_engine::EvidenceInfo;
use assay_tables::rows::{set, Cols, Rows};
use assay_tables::schema;
use assay_tables::value::Value;
use assay_tables::Tables;
use std::collections::BTreeMap;

const DAY: i64 = 86_400_000_000;
/// The first day of the audit period (the demo's), in microseconds.
pub const YEAR_START: i64 = synth::PERIOD.0 * DAY;
/// Days in the audit period.
const PERIOD_DAYS: i64 = synth::PERIOD.1 - synth::PERIOD.0 + 1;

struct Table {
    rows: Rows,
    cols: Cols,
}

impl Table {
    fn new(name: &str) -> Table {
        let t = schema::table(name).unwrap_or_else(|| unreachable!("{name}"));
        Table {
            rows: Rows::new(t),
            cols: Cols::of(t),
        }
    }
    fn push(&mut self, cells: Vec<(&str, Value)>, snapshot: bool) {
        let mut row = self.rows.blank();
        for (c, v) in cells {
            set(&mut row, self.cols.at(c), v);
        }
        set(
            &mut row,
            self.cols.at("evidence"),
            Value::Text(evidence(self.rows.table().name)),
        );
        if snapshot {
            set(
                &mut row,
                self.cols.at("snapshot_at"),
                Value::Time(snapshot_at()),
            );
        }
        self.rows.push(&mut row);
    }
}

fn evidence(table: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        format!("synthetic {table}").as_bytes(),
    ))
}

/// The moment every snapshot speaks for: the day after the period ends.
pub fn snapshot_at() -> i64 {
    (synth::PERIOD.1 + 1) * DAY
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The default library assessed over the tables (Type II over the demo's period, every
/// category). Call it inside the caller's Tokio runtime, which runs the engine's queries.
pub fn assess(
    catalog: &assay_catalog::Catalog,
    tables: &Tables,
    evidence: &[EvidenceInfo],
    progress: Option<&assay_engine::Progress<'_>>,
) -> Result<assay_engine::Assessment, assay_engine::EngineError> {
    let controls: Vec<assay_core::Control> =
        catalog.controls.iter().map(|c| c.control.clone()).collect();
    let scope = assay_core::Scope {
        organization: "Northwind Analytics, Inc.".into(),
        system_name: "Northwind Analytics platform".into(),
        system_description: String::new(),
        period: assay_core::AuditPeriod::Type2 {
            start: day(synth::PERIOD.0),
            end: day(synth::PERIOD.1),
        },
        categories: assay_core::Category::ALL.to_vec(),
    };
    assay_engine::assess(&assay_engine::Inputs {
        scope: &scope,
        settings: &assay_core::EngineSettings::default(),
        controls: &controls,
        criteria: &catalog.criteria,
        inventory: &Default::default(),
        tables,
        evidence,
        results: &[],
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret: None,
        only_control: None,
        progress,
        populations: None,
        population_cache: None,
    })
}

/// A day number (days since 1970-01-01) as a civil date.
fn day(d: i64) -> jiff::civil::Date {
    jiff::civil::date(1970, 1, 1).saturating_add(jiff::Span::new().days(d))
}

/// The tables and the evidence facts the engine needs.
pub fn build(size: Scale, seed: u64) -> (Tables, Vec<EvidenceInfo>) {
    let mut rng = Rng::new(seed);
    let mut out = BTreeMap::new();
    let staff = synth::people(size, &mut rng);
    let email = |i: usize| staff[i % staff.len().max(1)].email.clone();

    let mut people = Table::new("people");
    let mut accounts = Table::new("accounts");
    let mut training = Table::new("training");
    let mut acks = Table::new("policy_acks");
    let mut endpoints = Table::new("endpoints");
    for (i, person) in staff.iter().enumerate() {
        let start = person.start * DAY;
        let leaver = person.end.is_some();
        let end = person.end.map(|e| e * DAY);
        people.push(
            vec![
                ("key", t(&email(i))),
                ("email", t(&email(i))),
                ("name", t(&format!("{} {}", person.first, person.last))),
                ("department", t(person.department)),
                ("start_date", Value::Date((start / DAY) as i32)),
                (
                    "end_date",
                    end.map_or(Value::Null, |e| Value::Date((e / DAY) as i32)),
                ),
            ],
            true,
        );
        let still_active = leaver && rng.chance(20);
        let late = rng.chance(30);
        let deactivated = end.map(|e| e + if late { 5 * DAY } else { 0 });
        for system in ["okta", "github"] {
            if system == "github" && i % 3 != 0 {
                continue;
            }
            accounts.push(
                vec![
                    ("key", t(&format!("{system}:{i}"))),
                    ("system", t(system)),
                    ("login", t(&email(i))),
                    ("email", t(&email(i))),
                    (
                        "status",
                        t(if !leaver || still_active {
                            "ACTIVE"
                        } else {
                            "DEPROVISIONED"
                        }),
                    ),
                    ("active", Value::Bool(!leaver || still_active)),
                    ("mfa", Value::Bool(!rng.chance(10))),
                    ("admin", Value::Bool(rng.chance(20))),
                    ("created_at", Value::Time(start)),
                    (
                        "deactivated_at",
                        if leaver && !still_active {
                            deactivated.map_or(Value::Null, Value::Time)
                        } else {
                            Value::Null
                        },
                    ),
                    (
                        "last_login_at",
                        Value::Time(snapshot_at() - (rng.below(120) as i64) * DAY),
                    ),
                ],
                true,
            );
        }
        let trained = start.max(YEAR_START) + (rng.below(40) as i64) * DAY;
        training.push(
            vec![
                ("key", t(&format!("tr-{i}"))),
                ("email", t(&email(i))),
                ("course", t("security-awareness")),
                ("completed_at", Value::Time(trained)),
            ],
            false,
        );
        acks.push(
            vec![
                ("key", t(&format!("ack-{i}"))),
                ("email", t(&email(i))),
                ("policy", t("POL-ISP")),
                ("version", t("1.0")),
                ("acknowledged_at", Value::Time(trained)),
            ],
            false,
        );
        endpoints.push(
            vec![
                ("key", t(&format!("laptop-{i}"))),
                ("owner", t(&email(i))),
                ("os", t("macOS 15")),
                ("encrypted", Value::Bool(!rng.chance(5))),
                ("edr", Value::Bool(!rng.chance(5))),
                (
                    "last_seen",
                    Value::Time(snapshot_at() - (rng.below(40) as i64) * DAY),
                ),
            ],
            true,
        );
    }

    let mut creds = Table::new("cloud_credentials");
    for i in 0..(size.people / 20).max(5) {
        let root = i == 0;
        creds.push(
            vec![
                (
                    "key",
                    t(&format!(
                        "arn:aws:iam::123456789012:{}",
                        if root {
                            "root".into()
                        } else {
                            format!("user/u{i}")
                        }
                    )),
                ),
                ("account_id", t("123456789012")),
                ("user", t(if root { "<root_account>" } else { "user" })),
                ("is_root", Value::Bool(root)),
                ("password_enabled", Value::Bool(!root && i % 2 == 0)),
                ("mfa_active", Value::Bool(root || !rng.chance(30))),
                ("access_key_1_active", Value::Bool(!root)),
                (
                    "access_key_1_last_rotated",
                    Value::Time(snapshot_at() - (rng.below(200) as i64) * DAY),
                ),
                (
                    "access_key_1_last_used",
                    Value::Time(snapshot_at() - (rng.below(120) as i64) * DAY),
                ),
                ("access_key_2_active", Value::Bool(false)),
            ],
            true,
        );
    }

    let mut events = Table::new("audit_events");
    let span = PERIOD_DAYS * DAY;
    for i in 0..size.events {
        let time = YEAR_START + (i as i64) * (span / size.events.max(1) as i64);
        let person = rng.below(size.people as u64) as usize;
        let (source, action, actor_type) = match rng.below(1000) {
            0 => ("aws-cloudtrail", "StopLogging", "user"),
            1..=2 => ("aws-cloudtrail", "ConsoleLogin", "root"),
            3..=300 => ("aws-cloudtrail", "ConsoleLogin", "user"),
            301..=600 => ("okta", "user.session.start", "user"),
            _ => ("aws-cloudtrail", "GetObject", "assumed-role"),
        };
        events.push(
            vec![
                ("key", t(&format!("evt-{i:09}"))),
                ("source", t(source)),
                ("time", Value::Time(time)),
                ("actor", t(&email(person))),
                ("actor_type", t(actor_type)),
                ("action", t(action)),
                ("source_ip", t("198.51.100.7")),
                ("mfa_used", Value::Bool(!rng.chance(5))),
                ("outcome", t("success")),
            ],
            false,
        );
    }

    let mut changes = Table::new("changes");
    for i in 0..size.changes {
        let created = YEAR_START + (i as i64) * (span / size.changes.max(1) as i64);
        let approved = !rng.chance(20);
        changes.push(
            vec![
                ("key", t(&format!("acme/repo{}#{i}", i % 50))),
                ("repo", t(&format!("acme/repo{}", i % 50))),
                ("number", Value::Int(i as i64)),
                ("author", t(&email(rng.below(size.people as u64) as usize))),
                ("created_at", Value::Time(created)),
                ("merged", Value::Bool(true)),
                ("merged_at", Value::Time(created + 3_600_000_000)),
                ("approvals", Value::Int(i64::from(approved))),
                ("self_approved", Value::Bool(!approved && rng.chance(300))),
                ("changes_requested", Value::Bool(false)),
                ("reviews_known", Value::Bool(true)),
                ("emergency", Value::Bool(rng.chance(5))),
            ],
            false,
        );
    }

    let mut protection = Table::new("branch_protection");
    for r in 0..50 {
        protection.push(
            vec![
                ("key", t(&format!("acme/repo{r}:main"))),
                ("repo", t(&format!("acme/repo{r}"))),
                ("branch", t("main")),
                ("protected", Value::Bool(r != 7)),
                ("required_reviews", Value::Int(if r == 9 { 0 } else { 1 })),
                ("enforce_admins", Value::Bool(r % 10 != 3)),
                ("allow_force_pushes", Value::Bool(false)),
            ],
            true,
        );
    }

    let mut reviews = Table::new("access_reviews");
    for q in 0..PERIOD_DAYS / 91 {
        reviews.push(
            vec![
                ("key", t(&format!("AR-{q}"))),
                ("system", t("okta")),
                ("reviewer", t("cto@acme.example")),
                (
                    "completed_at",
                    Value::Time(YEAR_START + (q * 91 + 80) * DAY),
                ),
                ("items", Value::Int(size.people as i64)),
                ("revocations", Value::Int(3)),
            ],
            false,
        );
    }

    let mut vulns = Table::new("vulnerabilities");
    for i in 0..(size.people * 4) {
        let detected = YEAR_START + (rng.below(PERIOD_DAYS as u64 - 5) as i64) * DAY;
        let fixed_after = rng.below(120) as i64;
        vulns.push(
            vec![
                ("key", t(&format!("VULN-{i}"))),
                ("asset", t(&format!("host-{}", i % 300))),
                ("finding_id", t(&format!("CVE-2026-{i:05}"))),
                ("severity", t(["critical", "high", "medium", "low"][i % 4])),
                ("detected_at", Value::Time(detected)),
                ("remediated_at", Value::Time(detected + fixed_after * DAY)),
            ],
            false,
        );
    }

    let mut backups = Table::new("backups");
    for d in 0..PERIOD_DAYS {
        for (s, system) in ["db-main", "db-analytics"].iter().enumerate() {
            let start = YEAR_START + d * DAY + 3_600_000_000;
            backups.push(
                vec![
                    ("key", t(&format!("job-{d}-{s}"))),
                    ("system", t(system)),
                    ("kind", t("backup")),
                    ("started_at", Value::Time(start)),
                    ("finished_at", Value::Time(start + 1_800_000_000)),
                    ("status", t(if d % 97 == 5 { "failed" } else { "success" })),
                ],
                false,
            );
        }
    }
    for q in 0..PERIOD_DAYS / 91 {
        let start = YEAR_START + (q * 91 + 40) * DAY;
        backups.push(
            vec![
                ("key", t(&format!("restore-{q}"))),
                ("system", t("db-main")),
                ("kind", t("restore-test")),
                ("started_at", Value::Time(start)),
                ("finished_at", Value::Time(start + DAY / 4)),
                ("status", t("success")),
            ],
            false,
        );
    }

    let mut incidents = Table::new("incidents");
    for i in 0..40 {
        let opened = YEAR_START + (i * 9) * DAY;
        incidents.push(
            vec![
                ("key", t(&format!("INC-{i}"))),
                (
                    "severity",
                    t(["sev1", "sev2", "sev3", "sev4"][(i % 4) as usize]),
                ),
                ("opened_at", Value::Time(opened)),
                ("closed_at", Value::Time(opened + 2 * DAY)),
                (
                    "postmortem",
                    if i % 13 == 1 {
                        Value::Null
                    } else {
                        t(&format!("PM-{i}"))
                    },
                ),
            ],
            false,
        );
    }

    let mut vendors = Table::new("vendors");
    for i in 0..60 {
        vendors.push(
            vec![
                ("key", t(&format!("vendor-{i}"))),
                ("name", t(&format!("Vendor {i}"))),
                ("criticality", t(["high", "medium", "low"][i % 3])),
                (
                    "last_reviewed",
                    Value::Date(((snapshot_at() - (rng.below(420) as i64) * DAY) / DAY) as i32),
                ),
            ],
            true,
        );
    }

    let mut config = Table::new("cloud_config");
    for (setting, value) in [
        ("trail.exists", "true"),
        ("trail.is_logging", "true"),
        ("trail.multi_region", "true"),
        ("trail.log_file_validation", "true"),
    ] {
        config.push(
            vec![
                ("key", t(&format!("cloudtrail:main:{setting}"))),
                ("service", t("cloudtrail")),
                ("resource", t("main")),
                ("setting", t(setting)),
                ("value", t(value)),
            ],
            true,
        );
    }
    config.push(
        vec![
            (
                "key",
                t("iam:account:password_policy.minimum_password_length"),
            ),
            ("service", t("iam")),
            ("resource", t("account")),
            ("setting", t("password_policy.minimum_password_length")),
            ("value", t("14")),
        ],
        true,
    );
    for b in 0..40 {
        config.push(
            vec![
                ("key", t(&format!("s3:bucket{b}:bucket.encryption"))),
                ("service", t("s3")),
                ("resource", t(&format!("bucket{b}"))),
                ("setting", t("bucket.encryption")),
                ("value", t(if b == 13 { "none" } else { "aws:kms" })),
            ],
            true,
        );
    }

    let mut hosts = Table::new("host_settings");
    for h in 0..100 {
        for (setting, value) in [
            ("ssh.permitrootlogin", if h == 42 { "yes" } else { "no" }),
            ("ssh.passwordauthentication", "no"),
        ] {
            hosts.push(
                vec![
                    ("key", t(&format!("host{h}:{setting}"))),
                    ("host", t(&format!("host{h}"))),
                    ("setting", t(setting)),
                    ("value", t(value)),
                    ("explicit", Value::Bool(true)),
                    ("source", t("/etc/ssh/sshd_config")),
                ],
                true,
            );
        }
    }

    let mut evidence_list = Vec::new();
    for table in [
        people, accounts, training, acks, endpoints, creds, events, changes, protection, reviews,
        vulns, backups, incidents, vendors, config, hosts,
    ] {
        let name = table.rows.table().name;
        let mut rows = table.rows;
        let batch = rows.finish().unwrap_or_else(|e| unreachable!("{e}"));
        let mut params = BTreeMap::new();
        params.insert("table".to_string(), name.to_string());
        evidence_list.push(EvidenceInfo {
            blob: evidence(name),
            kind: "json".into(),
            source: "synthetic".into(),
            params,
            unit: name.to_string(),
            snapshot_at: Some(snapshot_at()),
            effective: None,
            ttl_days: None,
            system_generated: true,
        });
        out.insert(name, batch);
    }
    (Tables::from_batches(out), evidence_list)
}
