//! The standard evidence tables: every table and column, defined once as data. The Arrow
//! schemas, `assay tables --schema` and `docs/tables.md` all come from this list.
//!
//! Every table has `key` (the row's name in the source system, in words an auditor can look
//! up there) and `evidence` (the SHA-256 of the locker blob the row came from). Snapshot
//! tables also have `snapshot_at`: the moment the evidence speaks for.

use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

/// A column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// True or false.
    Bool,
    /// A whole number.
    Int,
    /// A UTC instant (microseconds).
    Time,
    /// A calendar date.
    Date,
}

impl Kind {
    /// The Arrow type.
    pub fn arrow(self) -> DataType {
        match self {
            Kind::Text => DataType::Utf8,
            Kind::Bool => DataType::Boolean,
            Kind::Int => DataType::Int64,
            Kind::Time => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            Kind::Date => DataType::Date32,
        }
    }

    /// The name docs use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Time => "timestamp (UTC)",
            Kind::Date => "date",
        }
    }
}

/// A column: name, type, meaning.
pub type Column = (&'static str, Kind, &'static str);

/// A table: name, what one row is, its columns (after `key`, before `evidence`).
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// One row per ...
    pub row: &'static str,
    /// Whether rows describe a state at `snapshot_at` (rather than events with their times).
    pub snapshot: bool,
    /// Columns between `key` and `evidence`.
    pub columns: &'static [Column],
}

use Kind::*;

/// Every standard table.
pub const TABLES: &[Table] = &[
    Table {
        name: "people",
        row: "person in the HR roster",
        snapshot: true,
        columns: &[
            ("email", Text, "work email, lower case"),
            ("name", Text, "full name"),
            ("department", Text, "department or team"),
            ("title", Text, "job title"),
            ("manager", Text, "manager's email or name"),
            ("employment_type", Text, "employee, contractor, ..."),
            ("start_date", Date, "first day of work"),
            (
                "end_date",
                Date,
                "last day of work (termination date); null while employed",
            ),
        ],
    },
    Table {
        name: "accounts",
        row: "account in an identity provider or application",
        snapshot: true,
        columns: &[
            ("system", Text, "okta, github, google, ..."),
            ("user_id", Text, "the system's id for the account"),
            ("login", Text, "login or username"),
            ("email", Text, "email, lower case"),
            (
                "status",
                Text,
                "the system's own status word (ACTIVE, SUSPENDED, DEPROVISIONED, ...)",
            ),
            ("active", Bool, "whether the account can sign in"),
            (
                "mfa",
                Bool,
                "whether a second factor is enrolled or enforced; null when unknown",
            ),
            (
                "admin",
                Bool,
                "whether the account has administrative rights",
            ),
            ("created_at", Time, "when the account was created"),
            (
                "deactivated_at",
                Time,
                "when it was last deactivated, suspended or deprovisioned",
            ),
            ("last_login_at", Time, "last sign-in"),
        ],
    },
    Table {
        name: "cloud_credentials",
        row: "IAM user in the AWS credential report (including the root account)",
        snapshot: true,
        columns: &[
            ("account_id", Text, "AWS account id from the ARN"),
            ("user", Text, "user name (`<root_account>` for root)"),
            ("arn", Text, "the user's ARN"),
            ("is_root", Bool, "whether this is the account root user"),
            ("created_at", Time, "user creation time"),
            ("password_enabled", Bool, "console password set"),
            ("password_last_used", Time, "last console sign-in"),
            ("password_last_changed", Time, "last password change"),
            ("mfa_active", Bool, "an MFA device is assigned"),
            ("access_key_1_active", Bool, "first access key is active"),
            (
                "access_key_1_last_rotated",
                Time,
                "first key created or rotated",
            ),
            ("access_key_1_last_used", Time, "first key last used"),
            ("access_key_2_active", Bool, "second access key is active"),
            (
                "access_key_2_last_rotated",
                Time,
                "second key created or rotated",
            ),
            ("access_key_2_last_used", Time, "second key last used"),
        ],
    },
    Table {
        name: "audit_events",
        row: "security-relevant event from an audit log",
        snapshot: false,
        columns: &[
            ("source", Text, "aws-cloudtrail, okta, ..."),
            ("time", Time, "when it happened"),
            ("actor", Text, "who did it (ARN, email, login)"),
            (
                "actor_type",
                Text,
                "root, user, assumed-role, service, system, ...",
            ),
            (
                "action",
                Text,
                "the event name (ConsoleLogin, StopLogging, user.session.start, ...)",
            ),
            ("target", Text, "what it acted on, when known"),
            ("source_ip", Text, "client IP address"),
            (
                "mfa_used",
                Bool,
                "whether MFA was used; null when the log does not say",
            ),
            (
                "federated",
                Bool,
                "whether the actor came through an identity provider (SAML or web-identity federation), whose own MFA then applies; null when the log does not say",
            ),
            (
                "outcome",
                Text,
                "success or failure (the log's own word when neither)",
            ),
        ],
    },
    Table {
        name: "changes",
        row: "change to production: a pull request or change ticket",
        snapshot: false,
        columns: &[
            ("repo", Text, "owner/repository"),
            ("number", Int, "pull request or ticket number"),
            ("title", Text, "title"),
            ("author", Text, "who opened it"),
            ("created_at", Time, "opened"),
            ("merged", Bool, "whether it was merged (implemented)"),
            ("merged_at", Time, "when it was merged"),
            ("merged_by", Text, "who merged it"),
            ("base_branch", Text, "branch it was merged into"),
            (
                "approvals",
                Int,
                "distinct approvers other than the author (latest review state per reviewer)",
            ),
            (
                "approvers",
                Text,
                "those approvers, comma-separated and sorted",
            ),
            (
                "self_approved",
                Bool,
                "the author's own approval is the only approval",
            ),
            (
                "changes_requested",
                Bool,
                "a reviewer's latest review requests changes",
            ),
            (
                "reviews_known",
                Bool,
                "whether reviews were part of the evidence",
            ),
            ("emergency", Bool, "labelled as an emergency change"),
            ("signature", Text, "commit signature status (git: good, bad, unknown-validity, expired, expired-key, revoked, cannot-check, none)"),
        ],
    },
    Table {
        name: "branch_protection",
        row: "protection setting of a repository's default branch",
        snapshot: true,
        columns: &[
            ("repo", Text, "owner/repository"),
            ("branch", Text, "branch name"),
            ("protected", Bool, "whether protection is on"),
            (
                "required_reviews",
                Int,
                "required approving reviews (0 when not required)",
            ),
            (
                "dismiss_stale_reviews",
                Bool,
                "new commits dismiss approvals",
            ),
            (
                "require_code_owner_reviews",
                Bool,
                "code owners must approve",
            ),
            ("enforce_admins", Bool, "rules apply to administrators too"),
            ("required_status_checks", Bool, "status checks must pass"),
            ("allow_force_pushes", Bool, "force pushes allowed"),
        ],
    },
    Table {
        name: "access_reviews",
        row: "completed user access review",
        snapshot: false,
        columns: &[
            ("system", Text, "system reviewed"),
            ("reviewer", Text, "who reviewed"),
            ("period_start", Date, "first day the review covers"),
            ("period_end", Date, "last day the review covers"),
            ("completed_at", Time, "when it was completed"),
            ("items", Int, "accounts reviewed"),
            ("revocations", Int, "accounts removed as a result"),
        ],
    },
    Table {
        name: "training",
        row: "security training completion",
        snapshot: false,
        columns: &[
            ("email", Text, "person"),
            ("course", Text, "course name"),
            ("completed_at", Time, "completion time"),
        ],
    },
    Table {
        name: "policy_acks",
        row: "policy acknowledgement by a person",
        snapshot: false,
        columns: &[
            ("email", Text, "person"),
            ("policy", Text, "policy id or title"),
            ("version", Text, "policy version acknowledged"),
            ("acknowledged_at", Time, "when"),
        ],
    },
    Table {
        name: "vulnerabilities",
        row: "vulnerability finding",
        snapshot: false,
        columns: &[
            ("asset", Text, "affected asset"),
            ("finding_id", Text, "scanner's id (CVE, rule id)"),
            ("severity", Text, "critical, high, medium, low"),
            ("detected_at", Time, "first detected"),
            ("remediated_at", Time, "fixed; null while open"),
        ],
    },
    Table {
        name: "backups",
        row: "backup job or restore test",
        snapshot: false,
        columns: &[
            ("system", Text, "what was backed up"),
            ("kind", Text, "backup or restore-test"),
            ("started_at", Time, "start"),
            ("finished_at", Time, "end"),
            ("status", Text, "success or failure"),
        ],
    },
    Table {
        name: "incidents",
        row: "security or availability incident",
        snapshot: false,
        columns: &[
            ("severity", Text, "sev1..sev4 or critical..low"),
            ("opened_at", Time, "declared"),
            ("closed_at", Time, "resolved; null while open"),
            ("postmortem", Text, "link or id of the post-mortem, if any"),
            ("title", Text, "what happened, in a line"),
        ],
    },
    Table {
        name: "vendors",
        row: "vendor in the vendor inventory",
        snapshot: true,
        columns: &[
            ("name", Text, "vendor"),
            ("criticality", Text, "high, medium, low"),
            ("last_reviewed", Date, "last security review"),
            (
                "soc2_report_end",
                Date,
                "period end of the latest SOC report obtained",
            ),
        ],
    },
    Table {
        name: "endpoints",
        row: "managed laptop or workstation",
        snapshot: true,
        columns: &[
            ("owner", Text, "user email"),
            ("os", Text, "operating system and version"),
            ("encrypted", Bool, "disk encryption on"),
            ("edr", Bool, "endpoint protection running"),
            ("last_seen", Time, "last check-in"),
        ],
    },
    Table {
        name: "cloud_config",
        row: "configuration setting of a cloud resource, as the provider reports it (not judged)",
        snapshot: true,
        columns: &[
            ("service", Text, "iam, cloudtrail, s3, ..."),
            ("resource", Text, "the account, trail ARN or bucket"),
            ("setting", Text, "e.g. password_policy.minimum_length, trail.is_logging, bucket.encryption, bucket.block_public_acls"),
            ("value", Text, "the value, lower case; `none` when the resource reports it is not configured"),
        ],
    },
    Table {
        name: "host_settings",
        row: "security setting of a host, as configured (not judged)",
        snapshot: true,
        columns: &[
            ("host", Text, "host name"),
            ("setting", Text, "e.g. ssh.permitrootlogin, password.max_days, disk.encrypted, firewall.rules, updates.unattended"),
            ("value", Text, "the effective value, lower case"),
            ("explicit", Bool, "set in a file (false: the software's default applies)"),
            ("source", Text, "the file or command it was read from"),
        ],
    },
    Table {
        name: "assets",
        row: "asset in the asset inventory",
        snapshot: true,
        columns: &[
            ("name", Text, "asset name"),
            ("kind", Text, "server, database, bucket, laptop, ..."),
            ("owner", Text, "owner"),
            ("classification", Text, "data classification"),
        ],
    },
];

/// The table with this name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

impl Table {
    /// All columns in order: `key`, the table's own, `evidence`, then `snapshot_at` for
    /// snapshot tables.
    pub fn all_columns(&self) -> Vec<Column> {
        let mut cols = vec![("key", Text, "the row's name in the source system")];
        cols.extend_from_slice(self.columns);
        cols.push((
            "evidence",
            Text,
            "SHA-256 of the locker blob the row came from",
        ));
        if self.snapshot {
            cols.push(("snapshot_at", Time, "the moment the evidence speaks for"));
        }
        cols
    }

    /// The Arrow schema.
    pub fn schema(&self) -> Arc<Schema> {
        Arc::new(Schema::new(
            self.all_columns()
                .iter()
                .map(|(name, kind, _)| {
                    Field::new(*name, kind.arrow(), *name != "key" && *name != "evidence")
                })
                .collect::<Vec<_>>(),
        ))
    }

    /// Index of a column.
    pub fn index(&self, column: &str) -> Option<usize> {
        self.all_columns().iter().position(|(n, _, _)| *n == column)
    }
}

/// `docs/tables.md`, generated from [`TABLES`] and the normalizer registry (a test keeps
/// the committed file equal to this).
pub fn markdown() -> String {
    let mut s = String::from(
        "# Evidence tables\n\n\
<!-- Generated from crates/assay-tables/src/schema.rs; run `UPDATE_DOCS=1 cargo test -p assay-tables docs` after changing it. -->\n\n\
Normalizers turn raw evidence in the locker into these tables; `assay query \"SQL\"` runs SQL over \
them and `assay tables` lists their row counts. Every table has `key` (the row's name in the \
source system, as an auditor would look it up there) and `evidence` (the SHA-256 of the locker \
blob the row came from: `assay evidence show <first 12 digits>`). Snapshot tables also have \
`snapshot_at`, the moment the evidence speaks for: its `--effective` day at 00:00 UTC, or when \
it was collected. Several snapshots of the same source give several sets of rows.\n\n\
## Sources\n\n| evidence kind | format | tables | normalizer version |\n|---|---|---|---|\n",
    );
    for n in crate::normalize::REGISTRY {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            n.kind,
            n.format,
            n.tables.join(", "),
            n.version
        ));
    }
    for t in TABLES {
        s.push_str(&format!(
            "\n## `{}`\n\nOne row per {}{}.\n\n| column | type | meaning |\n|---|---|---|\n",
            t.name,
            t.row,
            if t.snapshot { " (a snapshot)" } else { "" }
        ));
        for (name, kind, doc) in t.all_columns() {
            s.push_str(&format!("| `{name}` | {} | {doc} |\n", kind.name()));
        }
    }
    s
}
