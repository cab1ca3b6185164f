//! Who may do what: the one table of permissions by role. The server checks every route
//! against it, `docs/permissions.md` is generated from it (a test keeps the file current),
//! and the authorization matrix test holds the router to it.
//!
//! A role is held in an organization (it then applies to all its audits) or in one audit.
//! Auditors are read-only on the company's data and see only their audit; they write only
//! requests, comments and sample results.

use serde::{Deserialize, Serialize};

/// A role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything, including handing out ownership.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Runs the audit from the company's side.
    ComplianceManager,
    /// Owns controls: triages their findings and supplies their evidence.
    ControlOwner,
    /// Uploads evidence.
    Contributor,
    /// The CPA firm's examiner: reads the audit, writes requests, comments and samples.
    Auditor,
    /// Reads.
    Viewer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::ComplianceManager,
        Role::ControlOwner,
        Role::Contributor,
        Role::Auditor,
        Role::Viewer,
    ];

    /// The name used in the API and in files (`compliance-manager`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::ComplianceManager => "compliance-manager",
            Role::ControlOwner => "control-owner",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// The role with this name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Something a caller may be allowed to do inside an organization or audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// See the organization, its audits, controls, tests, results, findings, tables.
    Read,
    /// Read evidence contents, download it and its inclusion proofs.
    ReadEvidence,
    /// Upload evidence into the locker.
    UploadEvidence,
    /// Run read-only SQL over the standard tables.
    Query,
    /// Run an assessment and store it.
    Assess,
    /// Triage findings (owner, due date, status, management response).
    Triage,
    /// Generate and download reports.
    Reports,
    /// See members and pending invitations.
    ReadMembers,
    /// Invite members and change or remove their roles (never above one's own role).
    ManageMembers,
    /// Create, list and revoke one's own API tokens.
    Tokens,
    /// Read the server's audit log and export it.
    ReadAuditLog,
    /// Write auditor requests, comments and sample results.
    AuditorWork,
}

use Role::*;

/// The table: each permission, the roles that hold it, and what it means.
pub const TABLE: &[(Permission, &[Role], &str)] = &[
    (
        Permission::Read,
        &[Owner, Admin, ComplianceManager, ControlOwner, Contributor, Auditor, Viewer],
        "see the organization, its audits, controls, tests and results, findings, tables and assessments",
    ),
    (
        Permission::ReadEvidence,
        &[Owner, Admin, ComplianceManager, ControlOwner, Contributor, Auditor, Viewer],
        "list evidence, read and download it, and download its inclusion proof",
    ),
    (
        Permission::UploadEvidence,
        &[Owner, Admin, ComplianceManager, ControlOwner, Contributor],
        "upload evidence into the locker (redacted and checked as `assay evidence import`)",
    ),
    (
        Permission::Query,
        &[Owner, Admin, ComplianceManager, ControlOwner, Auditor],
        "run read-only SQL over the standard tables",
    ),
    (
        Permission::Assess,
        &[Owner, Admin, ComplianceManager],
        "run an assessment and store it",
    ),
    (
        Permission::Triage,
        &[Owner, Admin, ComplianceManager, ControlOwner],
        "triage findings: owner, due date, status, management response",
    ),
    (
        Permission::Reports,
        &[Owner, Admin, ComplianceManager, Auditor, Viewer],
        "generate and download reports",
    ),
    (
        Permission::ReadMembers,
        &[Owner, Admin, ComplianceManager],
        "see members and pending invitations",
    ),
    (
        Permission::ManageMembers,
        &[Owner, Admin],
        "invite members, change and remove roles (never above one's own)",
    ),
    (
        Permission::Tokens,
        &[Owner, Admin, ComplianceManager, ControlOwner, Contributor, Auditor, Viewer],
        "create, list and revoke one's own API tokens (never above one's own role)",
    ),
    (
        Permission::ReadAuditLog,
        &[Owner, Admin],
        "read and export the server's audit log",
    ),
    (
        Permission::AuditorWork,
        &[Auditor],
        "write requests, comments and sample results",
    ),
];

/// Whether `role` holds `perm`.
pub fn allows(role: Role, perm: Permission) -> bool {
    TABLE
        .iter()
        .any(|(p, roles, _)| *p == perm && roles.contains(&role))
}

/// `docs/permissions.md`, generated from [`TABLE`] and the router's routes.
pub fn markdown(routes: &[crate::api::RouteInfo]) -> String {
    let mut s = String::from(
        "# Permissions\n\n<!-- Generated from crates/assay-server/src/permissions.rs and the \
         router by `UPDATE_DOCS=1 cargo test -p assay-server --test api permissions`; do not edit. -->\n\n\
         A role is held in an organization (it applies to all its audits) or in one audit. \
         Without a role in an organization, every route under it answers 404, so ids cannot \
         be guessed; with a role that lacks the permission, 403.\n\n## Roles and permissions\n\n",
    );
    s.push_str("| Permission | Meaning |");
    for r in Role::ALL {
        s.push_str(&format!(" {} |", r.name()));
    }
    s.push_str("\n|---|---|");
    for _ in Role::ALL {
        s.push_str(":-:|");
    }
    s.push('\n');
    for (p, _, meaning) in TABLE {
        s.push_str(&format!("| `{p:?}` | {meaning} |"));
        for r in Role::ALL {
            s.push_str(if allows(r, *p) { " ✓ |" } else { " |" });
        }
        s.push('\n');
    }
    s.push_str("\n## Routes\n\n| Method | Path | Access | What it does |\n|---|---|---|---|\n");
    for r in routes {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.method,
            r.path,
            r.access.describe(),
            r.summary
        ));
    }
    s
}
