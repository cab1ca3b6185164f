//! The populations the demo's auditor obtained from management for the tests that have no
//! population query (event-driven and continuous controls whose records Assay holds no table
//! for, or holds only in part). Each comes from a report the synthetic company could run,
//! recorded as an auditor records information produced by the entity: the report and its
//! parameters, who produced it, when, and the completeness and accuracy procedure performed.
//!
//! Where the company's records are in the standard tables (its HR roster, pull requests,
//! incidents, vendors, endpoints), the report is a query over them and is agreed back to the
//! table. Where they are not (customer terminations, privacy requests, job runs), the report
//! is a numbered register of the synthetic company, sized per register. Calendar samples
//! (months, weeks, days) are the windows of the period; design inspections (a playbook, a
//! policy rule) are the named items inspected.

use assay_engine::manual::Obtained;
use assay_project::{Progress, Project, ProjectError};
use assay_tables::Tables;
use jiff::civil::Date;
use jiff::ToSpan;
use sha2::{Digest, Sha256};

/// When management produced the reports: after the period ends on 2026-09-30, before the
/// fieldwork's testing date.
pub const PRODUCED_AT: &str = "2026-10-06";

/// Windows of the period an auditor samples from.
#[derive(Debug, Clone, Copy)]
enum Every {
    Day,
    Week,
    Month,
    Quarter,
}

/// Where a population's keys come from.
#[derive(Debug, Clone, Copy)]
enum Keys {
    /// A query over one standard table (column `k`); `{start}` and `{end}` are the period's
    /// first and last days.
    Sql(&'static str, &'static str),
    /// The in-scope systems of the inventory of these kinds (all kinds when empty).
    Systems(&'static [&'static str]),
    /// The windows of the period.
    Windows(Every),
    /// A numbered register the company keeps outside the tables: prefix, fewest, most.
    Register(&'static str, u64, u64),
    /// Named items inspected one by one.
    Items(&'static [&'static str]),
}

const HIRES: Keys = Keys::Sql(
    "people",
    "SELECT email AS k FROM people WHERE start_date BETWEEN DATE '{start}' AND DATE '{end}'",
);
const LEAVERS: Keys = Keys::Sql(
    "people",
    "SELECT email AS k FROM people WHERE end_date BETWEEN DATE '{start}' AND DATE '{end}'",
);
const STAFF_AT_END: Keys = Keys::Sql(
    "people",
    "SELECT email AS k FROM people WHERE start_date <= DATE '{end}' AND (end_date IS NULL OR end_date > DATE '{end}')",
);
const INCIDENTS: Keys = Keys::Sql(
    "incidents",
    "SELECT key AS k FROM incidents WHERE CAST(opened_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'",
);
const MAJOR_INCIDENTS: Keys = Keys::Sql(
    "incidents",
    "SELECT key AS k FROM incidents WHERE severity IN ('sev1', 'sev2') AND CAST(opened_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'",
);
const VENDORS: Keys = Keys::Sql("vendors", "SELECT key AS k FROM vendors");
const HIGH_VENDORS: Keys = Keys::Sql(
    "vendors",
    "SELECT key AS k FROM vendors WHERE lower(criticality) = 'high'",
);
const REPOSITORIES: Keys = Keys::Sql(
    "branch_protection",
    "SELECT DISTINCT repo AS k FROM branch_protection",
);
const EMERGENCY_CHANGES: Keys = Keys::Sql(
    "changes",
    "SELECT key AS k FROM changes WHERE merged AND emergency AND CAST(merged_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'",
);
const IAM_USERS: Keys = Keys::Sql(
    "cloud_credentials",
    "SELECT arn AS k FROM cloud_credentials",
);
const OKTA_USERS: Keys = Keys::Sql(
    "accounts",
    "SELECT key AS k FROM accounts WHERE system = 'okta' AND active",
);
const LAPTOPS: Keys = Keys::Sql("endpoints", "SELECT key AS k FROM endpoints");
const BUCKETS: Keys = Keys::Sql(
    "cloud_config",
    "SELECT DISTINCT resource AS k FROM cloud_config WHERE service = 's3'",
);
const CLOUD_WRITERS: Keys = Keys::Sql(
    "audit_events",
    "SELECT DISTINCT actor AS k FROM audit_events WHERE source = 'aws-cloudtrail' AND actor IS NOT NULL AND CAST(time AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'",
);
const ALL_SYSTEMS: Keys = Keys::Systems(&[]);
const APPLICATIONS: Keys = Keys::Systems(&["application"]);
const DATA_STORES: Keys = Keys::Systems(&["database"]);
const ENDPOINTS_PUBLIC: Keys = Keys::Items(&[
    "api.northwind.example",
    "app.northwind.example",
    "cdn.northwind.example",
    "status.northwind.example",
]);
const DETECTIONS: Keys = Keys::Items(&[
    "cloudtrail-logging-stopped",
    "guardduty-high-finding",
    "iam-policy-changed",
    "mfa-removed-from-user",
    "root-account-used",
    "security-group-opened-to-internet",
]);
const ALERTS: Keys = Keys::Register("ALERT", 60, 140);
const INGRESS_RULES: Keys = Keys::Register("SG-RULE", 30, 60);
const PRIVACY_REQUESTS: Keys = Keys::Register("DSR", 8, 24);
const IMPACT_TICKETS: Keys = Keys::Register("CHANGE-IMPACT", 2, 6);

/// The population report behind each test: what was run (with its parameters), who ran it,
/// and where its keys come from.
const REPORTS: &[(&str, &str, &str, Keys)] = &[
    ("ACC-01.1", "System inventory of in-scope applications as of {end}, with the sign-in method of each from the Okta application catalog", "IT admin", ALL_SYSTEMS),
    ("ACC-03.1", "HRIS new-hire report, start date {start} to {end}, with the access requests raised for each", "People Operations", HIRES),
    ("ACC-04.1", "Role matrix of production roles with the Okta groups and AWS permission sets in effect on {end}", "Security lead", Keys::Items(&["billing-admin", "data-engineer", "prod-admin", "prod-deploy", "prod-readonly", "support-tier2"])),
    ("ACC-04.2", "IAM configuration export on {end}: IAM users with their attached policies (credential report)", "Cloud platform lead", IAM_USERS),
    ("ACC-09.2", "Quarterly reconciliations of the service account inventory to IAM, database users and integration tokens, {start} to {end}", "Security lead", Keys::Windows(Every::Quarter)),
    ("ACC-10.2", "System inventory with each system's password settings, as of {end}", "IT admin", ALL_SYSTEMS),
    ("ACC-11.1", "Okta users assigned the GitHub organization application on {end}, with GitHub two-factor status", "IT admin", OKTA_USERS),
    ("CAP-01.1", "Business impact analysis: critical components with their alert rules and autoscaling settings on {end}", "Cloud platform lead", Keys::Systems(&["application", "database"])),
    ("CAP-01.2", "Monthly capacity review records, {start} to {end}", "Cloud platform lead", Keys::Windows(Every::Month)),
    ("CHG-01.2", "Production repositories with the commit history of each default branch, {start} to {end}", "Head of engineering", REPOSITORIES),
    ("CHG-02.2", "GitHub organization audit log, {start} to {end}, filtered for protection changes and overrides, by month", "Head of engineering", Keys::Windows(Every::Month)),
    ("CHG-03.1", "Production repositories with the check runs of every pull request merged to the default branch, {start} to {end}", "Head of engineering", REPOSITORIES),
    ("CHG-03.2", "Deployment history of the pipeline (GitHub deployments API) per production repository, {start} to {end}", "Head of engineering", REPOSITORIES),
    ("CHG-04.1", "Trust policies of production deploy and administrator roles, Kubernetes RBAC bindings and GitHub environment rules on {end}", "Cloud platform lead", Keys::Items(&["github-environment/production", "iam-role/prod-admin", "iam-role/prod-deploy", "k8s-clusterrolebinding/cluster-admin", "k8s-rolebinding/deployer"])),
    ("CHG-04.2", "CloudTrail role assumptions into production deploy and administrator roles, {start} to {end}, by month", "Cloud platform lead", Keys::Windows(Every::Month)),
    ("CHG-05.1", "Pull requests labelled emergency and merged, {start} to {end}", "Head of engineering", EMERGENCY_CHANGES),
    ("CHG-06.1", "CloudTrail write management events in production accounts, {start} to {end}, grouped by principal", "Cloud platform lead", CLOUD_WRITERS),
    ("CHG-06.2", "Infrastructure change tickets opened {start} to {end} (ticket tracker export)", "Cloud platform lead", Keys::Register("INFRA", 18, 40)),
    ("CNF-01.1", "Storage resources in the production accounts with their classification tags on {end}", "Cloud platform lead", BUCKETS),
    ("CNF-01.2", "Policy-as-code rule requiring a classification tag on storage", "Cloud platform lead", Keys::Items(&["opa-policy/require-data-classification-tag"])),
    ("CNF-03.1", "HRIS new-hire report, start date {start} to {end}, with signed agreements", "People Operations", HIRES),
    ("CNF-03.2", "Vendor inventory with executed NDAs or contracts, as of {end}", "Security lead", VENDORS),
    ("CNF-04.1", "Customer terminations from the billing system, {start} to {end}", "Customer success lead", Keys::Register("CUST-TERM", 6, 14)),
    ("CNF-04.2", "Data deletion certificates issued to terminated customers, {start} to {end}", "Customer success lead", Keys::Register("DEL-CERT", 2, 6)),
    ("CNF-05.1", "Asset inventory: devices disposed, reissued or retired, {start} to {end}", "IT admin", Keys::Register("ASSET-RETIRED", 8, 20)),
    ("CNF-05.2", "Media disposal procedure and the destruction vendor's contract", "IT admin", Keys::Items(&["destruction-vendor-contract", "media-disposal-procedure"])),
    ("COM-02.1", "Standard customer agreement templates and the trust page, as of {end}", "Legal counsel", Keys::Items(&["data-processing-addendum", "master-subscription-agreement", "trust-page"])),
    ("COM-02.2", "Customer contracts signed {start} to {end} with non-standard security terms (contract system export)", "Legal counsel", Keys::Register("CONTRACT", 5, 15)),
    ("COM-04.1", "Code of conduct reporting channel and the auditor's test report", "Legal counsel", Keys::Items(&["code-of-conduct-channel", "test-report-submitted"])),
    ("COM-04.2", "Ethics and whistleblower report log, {start} to {end}", "Legal counsel", Keys::Register("ETHICS", 2, 6)),
    ("COM-05.1", "Customer-impacting incidents from the incident tracker, {start} to {end}, with the status page history", "Head of engineering", MAJOR_INCIDENTS),
    ("COM-05.2", "Status page components and the synthetic monitors linked to them, as of {end}", "Head of engineering", APPLICATIONS),
    ("DSP-01.1", "Data stores deleted {start} to {end} (CloudTrail delete events and inventory removals)", "Cloud platform lead", Keys::Register("STORE-DELETED", 3, 9)),
    ("DSP-01.2", "Orphaned-storage reports, {start} to {end}, by month", "Cloud platform lead", Keys::Windows(Every::Month)),
    ("ENC-01.1", "Public endpoints on {end} (DNS, load balancer listeners, CDN, API gateway) with their TLS policies", "Cloud platform lead", ENDPOINTS_PUBLIC),
    ("ENC-01.2", "Production databases and caches with their TLS parameter settings on {end}", "Cloud platform lead", DATA_STORES),
    ("ENC-02.2", "AWS Config rule findings for unencrypted resources, {start} to {end}", "Cloud platform lead", Keys::Register("CFG-ENC", 3, 10)),
    ("ENC-03.1", "Customer-managed KMS keys in the production accounts on {end}, with rotation status", "Cloud platform lead", Keys::Items(&["alias/backups", "alias/data-lake", "alias/logs", "alias/rds-prod", "alias/secrets"])),
    ("ENC-03.2", "Secret-scanning alerts raised {start} to {end}", "Security lead", Keys::Register("SECRET-ALERT", 2, 7)),
    ("END-01.2", "Okta device assurance policy and the unmanaged-device sign-in attempt", "IT admin", Keys::Items(&["okta-device-assurance-policy", "unmanaged-device-attempt"])),
    ("END-02.2", "EDR detections of medium severity or higher, {start} to {end}", "Security lead", Keys::Register("EDR", 12, 40)),
    ("END-03.1", "MDM configuration profiles on {end}", "IT admin", Keys::Items(&["profile/firewall", "profile/os-updates", "profile/screen-lock"])),
    ("END-03.2", "MDM device report on {end}, with installed OS versions", "IT admin", LAPTOPS),
    ("HR-01.1", "HRIS new-hire report, start date {start} to {end}, with requisitions from the applicant tracking system", "People Operations", HIRES),
    ("HR-05.1", "Disciplinary case log, {start} to {end}", "People Operations", Keys::Register("HR-CASE", 1, 4)),
    ("HR-05.2", "People operations' written confirmation of the cases in the period, and the incident and whistleblower logs", "People Operations", Keys::Items(&["case-log-confirmation"])),
    ("HR-06.1", "HRIS termination report, end date {start} to {end}", "People Operations", LEAVERS),
    ("INC-02.1", "Incident register, {start} to {end}", "Security lead", INCIDENTS),
    ("INC-02.2", "Incident register, {start} to {end}", "Security lead", INCIDENTS),
    ("INC-03.2", "Corrective actions from post-mortems of major incidents, {start} to {end}", "Security lead", MAJOR_INCIDENTS),
    ("INC-04.1", "Incidents in the register involving customer data, {start} to {end}", "Security lead", MAJOR_INCIDENTS),
    ("LOG-01.2", "Object lock settings of the log archive, checked on dates spread over {start} to {end}", "Security lead", Keys::Windows(Every::Month)),
    ("LOG-02.1", "Required detections from the logging and monitoring policy, with the deployed rules on {end}", "Security lead", DETECTIONS),
    ("LOG-02.2", "Required detections from the logging and monitoring policy", "Security lead", DETECTIONS),
    ("LOG-03.1", "Alerts generated {start} to {end} (alerting tool export)", "Security lead", ALERTS),
    ("LOG-03.2", "Alerts generated {start} to {end} (alerting tool export)", "Security lead", ALERTS),
    ("MON-01.1", "Systems connected to the monitoring tool on {end}, against the inventory", "Head of engineering", ALL_SYSTEMS),
    ("MON-01.2", "Failed monitoring checks, {start} to {end}", "Head of engineering", Keys::Register("CHECK-FAIL", 20, 60)),
    ("NET-01.1", "Security group and network ACL rules allowing ingress from anywhere, production accounts, {end}", "Cloud platform lead", INGRESS_RULES),
    ("NET-01.2", "Scanner findings for open or broad ingress, {start} to {end}", "Cloud platform lead", Keys::Register("NET-FINDING", 2, 8)),
    ("NET-02.1", "Public DNS records, load balancers, CDN distributions and API gateways on {end}, with their WAF association", "Cloud platform lead", ENDPOINTS_PUBLIC),
    ("NET-02.2", "Weekly WAF review records, {start} to {end}", "Cloud platform lead", Keys::Windows(Every::Week)),
    ("NET-03.1", "Cloud organization structure and network configuration on {end}", "Cloud platform lead", Keys::Systems(&["infrastructure"])),
    ("NET-03.2", "Data stores in the production accounts with their network exposure on {end}", "Cloud platform lead", DATA_STORES),
    ("NET-04.1", "Production security group rules on {end}", "Cloud platform lead", INGRESS_RULES),
    ("NET-04.2", "Session manager and bastion session logs, {start} to {end}, by day", "Cloud platform lead", Keys::Windows(Every::Day)),
    ("PHY-01.1", "Active badge list of the access control system on {end}", "Office manager", STAFF_AT_END),
    ("PHY-01.2", "Visitor log, {start} to {end}, by day", "Office manager", Keys::Windows(Every::Day)),
    ("PIN-01.1", "In-scope processing services from the system description, with their specifications", "Data platform lead", APPLICATIONS),
    ("PIN-01.2", "Pull requests merged {start} to {end} that changed processing logic (labelled processing-logic)", "Data platform lead", Keys::Register("LOGIC-CHANGE", 12, 40)),
    ("PIN-02.1", "In-scope input paths (API endpoints and import jobs) with their validation schemas", "Data platform lead", Keys::Items(&["POST /v1/batch", "POST /v1/events", "connector: snowflake", "import: csv-upload", "import: s3-drop"])),
    ("PIN-02.2", "Batch import log, {start} to {end}", "Data platform lead", Keys::Register("IMPORT", 60, 200)),
    ("PIN-03.1", "Scheduled processing jobs with their monitors on {end}", "Data platform lead", Keys::Items(&["dedupe-daily", "export-nightly", "ingest-stream", "transform-hourly"])),
    ("PIN-03.2", "Job run history, {start} to {end}", "Data platform lead", Keys::Register("JOBRUN", 200, 600)),
    ("PIN-05.1", "Output service configuration: reconciliation gate and delivery targets", "Data platform lead", Keys::Items(&["delivery-gate", "delivery-target-settings"])),
    ("PIN-05.2", "Delivery log, {start} to {end}", "Data platform lead", Keys::Register("DELIVERY", 100, 400)),
    ("PRV-02.1", "Consent flows in production: sign-up, cookie banner, marketing opt-in", "Privacy lead", Keys::Items(&["cookie-banner", "marketing-opt-in", "sign-up"])),
    ("PRV-02.2", "Consent withdrawals from the consent store, {start} to {end}", "Privacy lead", Keys::Register("CONSENT-WITHDRAWN", 15, 60)),
    ("PRV-03.1", "Features released {start} to {end} (release notes)", "Privacy lead", Keys::Register("FEATURE", 20, 50)),
    ("PRV-03.2", "Privacy reviews that flagged sensitive data, {start} to {end}", "Privacy lead", Keys::Register("PIA", 1, 4)),
    ("PRV-05.1", "Data subject request log, {start} to {end}", "Privacy lead", PRIVACY_REQUESTS),
    ("PRV-05.2", "Data subject request log, {start} to {end}", "Privacy lead", PRIVACY_REQUESTS),
    ("PRV-06.1", "Vendor inventory entries processing personal data, with the public subprocessor list on {end}", "Privacy lead", VENDORS),
    ("PRV-06.2", "Subprocessors with the customer notification and processing start dates, as of {end}", "Privacy lead", VENDORS),
    ("PRV-07.1", "Disclosure log and legal request queue, {start} to {end}", "Legal counsel", Keys::Register("LEGAL-REQ", 1, 5)),
    ("PRV-07.2", "Privacy incidents from the incident register, {start} to {end}", "Privacy lead", MAJOR_INCIDENTS),
    ("PRV-08.1", "Breach response playbook and the tabletop exercise record", "Privacy lead", Keys::Items(&["breach-playbook", "tabletop-exercise"])),
    ("PRV-08.2", "Incidents involving personal data, {start} to {end}, including those reported by subprocessors", "Privacy lead", MAJOR_INCIDENTS),
    ("PRV-09.1", "Privacy complaint and inquiry log, {start} to {end}", "Privacy lead", Keys::Register("PRIV-COMPLAINT", 3, 12)),
    ("PRV-09.2", "Quarterly privacy trend reviews, {start} to {end}", "Privacy lead", Keys::Windows(Every::Quarter)),
    ("RSK-04.1", "Change impact tickets raised from board minutes, decision records and the vendor list, {start} to {end}", "Security lead", IMPACT_TICKETS),
    ("RSK-04.2", "Change impact tickets, {start} to {end}", "Security lead", IMPACT_TICKETS),
    ("VEN-01.1", "Vendor inventory reconciled to accounts payable, the SSO catalog and marketplace subscriptions, {start} to {end}", "Security lead", VENDORS),
    ("VEN-01.2", "High-tier vendors with their risk reviews and contracts, as of {end}", "Security lead", HIGH_VENDORS),
    ("VUL-03.1", "Production repositories with their dependency alert and composition-analysis settings on {end}", "Head of engineering", REPOSITORIES),
    ("VUL-03.2", "Production repositories with the check runs of every pull request merged, {start} to {end}", "Head of engineering", REPOSITORIES),
    ("VUL-04.1", "Configuration baseline: the document, the AWS Config conformance pack and the Security Hub standard", "Cloud platform lead", Keys::Items(&["aws-config-conformance-pack", "baseline-document", "security-hub-standard"])),
    ("VUL-04.2", "Non-compliance findings and drift detections, {start} to {end}", "Cloud platform lead", Keys::Register("DRIFT", 10, 40)),
];

/// The report behind a test: source, producer and keys, with the completeness and accuracy
/// procedure performed on it. `None` for a test the demo has no report for.
pub fn report(
    p: &Project,
    test: &str,
    period: (Date, Date),
    tables: &mut Option<Tables>,
    progress: &dyn Progress,
) -> Result<Option<Obtained>, ProjectError> {
    let Some((_, what, by, keys)) = REPORTS.iter().find(|(id, ..)| *id == test) else {
        return Ok(None);
    };
    let fill = |s: &str| {
        s.replace("{start}", &period.0.to_string())
            .replace("{end}", &period.1.to_string())
    };
    let (list, completeness) = match *keys {
        Keys::Sql(table, sql) => {
            let t = match tables {
                Some(t) => t,
                None => tables.insert(p.tables(progress)?.tables),
            };
            let list = query(t, &fill(sql))?;
            let n = list.len();
            (list, format!("Agreed the report's {n} rows to the `{table}` table Assay built from system-generated evidence in the locker, run with the same parameters; no differences."))
        }
        Keys::Systems(kinds) => {
            let ws = p.workspace();
            let list: Vec<String> = ws
                .inventory
                .systems
                .iter()
                .filter(|s| s.in_scope && (kinds.is_empty() || kinds.contains(&s.kind.as_str())))
                .map(|s| s.id.clone())
                .collect();
            let n = list.len();
            (list, format!("Agreed the {n} systems to the system inventory (inventory/systems.yaml) and to the system description; none missing, none added."))
        }
        Keys::Windows(every) => {
            let list = windows(every, period)?;
            let n = list.len();
            (list, format!("The {n} windows of the period {} to {}, listed by the auditor: complete by construction.", period.0, period.1))
        }
        Keys::Register(prefix, fewest, most) => {
            let n = register_size(prefix, fewest, most);
            let list = (1..=n).map(|i| format!("{prefix}-{i:04}")).collect();
            (list, format!("Observed the {by} re-run the export; its {n} entries agreed to the first run and to the register's own count, and two entries were traced to their source records and back."))
        }
        Keys::Items(items) => {
            let n = items.len();
            (items.iter().map(|s| s.to_string()).collect(), format!("Agreed the {n} items to the system description and to the policy that requires them; none missing."))
        }
    };
    let produced_at = PRODUCED_AT
        .parse()
        .map_err(|e| ProjectError::Invalid(format!("demo date {PRODUCED_AT}: {e}")))?;
    let mut keys = list;
    keys.sort();
    keys.dedup();
    Ok(Some(Obtained {
        source: fill(what),
        produced_by: format!("{by}, Northwind Analytics"),
        produced_at,
        completeness,
        keys,
    }))
}

/// A register's size: between `fewest` and `most`, fixed by its prefix, so every run and
/// every test reading the same register sees the same entries.
fn register_size(prefix: &str, fewest: u64, most: u64) -> u64 {
    let d = Sha256::digest(prefix.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    fewest + u64::from_be_bytes(b) % (most - fewest + 1)
}

fn query(t: &Tables, sql: &str) -> Result<Vec<String>, ProjectError> {
    let rt = tokio::runtime::Handle::try_current().map_err(|_| {
        ProjectError::Invalid(
            "the demo's fieldwork needs the caller's Tokio runtime entered".into(),
        )
    })?;
    let result = rt.block_on(t.query(sql)).map_err(|e| {
        ProjectError::Invalid(format!("demo population query failed: {e}\n  query: {sql}"))
    })?;
    Ok(result
        .text_rows()
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect())
}

/// The windows of the period: days (`2026-03-04`), ISO weeks of their Monday (`2026-W10`),
/// months (`2026-03`) or quarters (`2026-Q1`) that overlap it.
fn windows(every: Every, (start, end): (Date, Date)) -> Result<Vec<String>, ProjectError> {
    let mut out = Vec::new();
    let mut d = start;
    let err = |e: jiff::Error| ProjectError::Invalid(format!("demo period: {e}"));
    while d <= end {
        let key = match every {
            Every::Day => d.to_string(),
            Every::Week => {
                let w = d.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Every::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Every::Quarter => format!("{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        };
        if out.last() != Some(&key) {
            out.push(key);
        }
        d = d.checked_add(1.day()).map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn windows_cover_the_period_once_each() {
        let p = (day("2026-01-01"), day("2026-09-30"));
        assert_eq!(
            windows(Every::Quarter, p).unwrap(),
            ["2026-Q1", "2026-Q2", "2026-Q3"]
        );
        assert_eq!(windows(Every::Month, p).unwrap().len(), 9);
        assert_eq!(windows(Every::Day, p).unwrap().len(), 273);
        // 2026-01-01 is a Thursday in ISO week 1; 2026-09-30 a Wednesday in week 40.
        let weeks = windows(Every::Week, p).unwrap();
        assert_eq!(weeks.first().map(String::as_str), Some("2026-W01"));
        assert_eq!(weeks.last().map(String::as_str), Some("2026-W40"));
        assert_eq!(weeks.len(), 40);
    }

    #[test]
    fn registers_are_sized_within_bounds_and_the_same_every_time() {
        for (prefix, lo, hi) in [("ALERT", 60, 140), ("DSR", 8, 24), ("PIA", 1, 4)] {
            let n = register_size(prefix, lo, hi);
            assert!((lo..=hi).contains(&n), "{prefix}: {n}");
            assert_eq!(n, register_size(prefix, lo, hi));
        }
    }

    #[test]
    fn every_report_names_a_catalog_test_without_a_population_query_once() {
        let catalog = assay_catalog::Catalog::embedded().unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (id, ..) in REPORTS {
            assert!(seen.insert(*id), "{id} twice");
            let test = catalog
                .controls
                .iter()
                .flat_map(|c| &c.control.tests)
                .find(|t| t.id == *id)
                .unwrap_or_else(|| panic!("{id} is not in the catalog"));
            assert!(test.population.is_none(), "{id} has a population query");
        }
    }
}
