//! The synthetic company's exports: the HR roster, identity provider and GitHub member
//! lists, the AWS credential report, and the records other systems export (access reviews,
//! training, policy acknowledgements, scanner findings, backup jobs, incidents, vendors,
//! laptops, branch protection, cloud configuration), with their planted failures.

use super::{day, instant, Generated, Import, Person, Rng, PERIOD};
use std::fmt::Write as _;
use std::path::Path;

fn write(
    dir: &Path,
    name: &str,
    text: &str,
    g: &mut Generated,
) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, text)?;
    g.bytes += text.len() as u64;
    Ok(path)
}

fn csv_import(
    g: &mut Generated,
    path: std::path::PathBuf,
    table: &'static str,
    source: &'static str,
    headers: &str,
) {
    let map = headers
        .split(',')
        .map(|h| format!("{}={h}", h.to_ascii_lowercase().replace(' ', "_")))
        .collect::<Vec<_>>()
        .join(",");
    g.imports.push(Import {
        path,
        kind: "csv",
        table: Some(table),
        map: Some(map),
        source,
        effective: Some(day(PERIOD.1)),
    });
}

/// The HR roster in BambooHR's export layout.
pub fn hr_roster(dir: &Path, people: &[Person], g: &mut Generated) -> std::io::Result<()> {
    let mut t = String::from("Employee #,First Name,Last Name,Work Email,Department,Job Title,Supervisor Email,Employment Status,Hire Date,Termination Date\n");
    for (i, p) in people.iter().enumerate() {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{} specialist,{},Full-Time,{},{}",
            1000 + i,
            p.first,
            p.last,
            p.email,
            p.department,
            p.department,
            people[0].email,
            day(p.start),
            p.end.map(day).unwrap_or_default()
        );
    }
    let path = write(dir, "hr/bamboohr-employees.csv", &t, g)?;
    g.imports.push(Import {
        path,
        kind: "hr-roster",
        table: None,
        map: None,
        source: "bamboohr",
        effective: Some(day(PERIOD.1)),
    });
    Ok(())
}

/// Okta users, GitHub organization members and application accounts, as exported to CSV.
pub fn identity(
    dir: &Path,
    people: &[Person],
    scale: super::Scale,
    rng: &mut Rng,
    g: &mut Generated,
) -> std::io::Result<()> {
    let headers = "Key,System,User ID,Login,Email,Status,Active,MFA,Admin,Created At,Deactivated At,Last Login At";
    let mut t = format!("{headers}\n");
    let mut leavers = 0;
    let mut count = 0;
    for (i, p) in people.iter().enumerate() {
        let id = format!("00u{:07x}", i + 1);
        let key = format!("okta:{id}");
        let (mut status, mut active, mut deactivated) = ("ACTIVE", true, String::new());
        if let Some(end) = p.end {
            leavers += 1;
            match leavers % 6 {
                1 => {
                    g.plant("ACC-07.1", format!("{} / {key}", p.email));
                }
                2 => {
                    (status, active, deactivated) =
                        ("DEPROVISIONED", false, instant(end + 6, 36_000));
                    g.plant("ACC-07.1", format!("{} / {key}", p.email));
                }
                _ => {
                    // Deprovisioned on the last day: on time.
                    (status, active, deactivated) = ("DEPROVISIONED", false, instant(end, 61_200));
                    g.clean("ACC-07.1", format!("{} / {key}", p.email));
                }
            }
        }
        let mfa = !(active && i % 23 == 7);
        if !mfa {
            g.plant("ACC-02.1", &key);
        } else if active {
            g.clean("ACC-02.1", &key);
        }
        let last_login = if active {
            instant(PERIOD.1 - rng.below(20) as i64, 32_400)
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "{key},okta,{id},{},{},{status},{active},{mfa},{},{},{deactivated},{last_login}",
            p.email,
            p.email,
            i % 17 == 0,
            instant(p.start, 28_800)
        );
        count += 1;
        if i % 3 == 0 {
            let login = p.login();
            let gkey = format!("github:{login}");
            // Removed from the organization when the person leaves.
            let gactive = p.end.is_none();
            let two_fa = !(gactive && i % 31 == 12);
            if !two_fa {
                g.plant("ACC-11.2", &gkey);
            } else if gactive {
                g.clean("ACC-11.2", &gkey);
            }
            let removed = p.end.map(|e| instant(e, 50_000)).unwrap_or_default();
            let _ = writeln!(
                t,
                "{gkey},github,{},{login},{},{},{gactive},{two_fa},false,{},{removed},",
                5000 + i,
                p.email,
                if gactive { "active" } else { "removed" },
                instant(p.start + 1, 30_000)
            );
            count += 1;
        }
    }
    // Customer-facing application accounts (service desk and admin console), to reach the
    // scale's number of accounts; they are not workforce accounts and feed no test.
    let mut n = 0;
    while count < scale.accounts {
        let _ = writeln!(
            t,
            "console:{n},console,c{n},user{n},user{n}@customer.example,ACTIVE,true,true,false,{},,",
            instant(PERIOD.0 - 30 + (n % 200) as i64, 0)
        );
        n += 1;
        count += 1;
    }
    let path = write(dir, "identity/accounts.csv", &t, g)?;
    csv_import(g, path, "accounts", "okta", headers);
    Ok(())
}

/// The AWS IAM credential report: root with MFA and no keys, engineers with console access,
/// service users with keys; a console user without MFA and a key not rotated in a year.
pub fn credential_report(
    dir: &Path,
    people: &[Person],
    rng: &mut Rng,
    g: &mut Generated,
) -> std::io::Result<()> {
    let mut t = String::from("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
    let at = |d: i64| format!("{}+00:00", instant(d, 36_000).trim_end_matches('Z'));
    let _ = writeln!(t, "<root_account>,arn:aws:iam::123456789012:root,2019-04-02T17:22:10+00:00,not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", at(PERIOD.0 + 40));
    let engineers: Vec<&Person> = people
        .iter()
        .filter(|p| p.department == "Engineering" && p.end.is_none())
        .take(40)
        .collect();
    for (i, p) in engineers.iter().enumerate() {
        let user = p.email.split('@').next().unwrap_or_default();
        let arn = format!("arn:aws:iam::123456789012:user/{user}");
        let mfa = i != 3;
        if !mfa {
            g.plant("ACC-02.2", &arn);
        }
        let _ = writeln!(t, "{user},{arn},{},true,{},{},N/A,{mfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", at(p.start.max(PERIOD.0 - 400)), at(PERIOD.1 - rng.below(10) as i64), at(PERIOD.0 + 10));
    }
    for (i, name) in ["ci-deploy", "backup-agent", "metrics-export"]
        .iter()
        .enumerate()
    {
        let arn = format!("arn:aws:iam::123456789012:user/service/{name}");
        let rotated = if i == 0 {
            PERIOD.1 - 400
        } else {
            PERIOD.1 - 30 - rng.below(40) as i64
        };
        if i == 0 {
            g.plant("ACC-09.1", format!("{arn} key 1"));
        }
        let _ = writeln!(t, "{name},{arn},2021-08-19T13:00:00+00:00,false,N/A,N/A,N/A,false,true,{},{},us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", at(rotated), at(PERIOD.1 - 1));
    }
    let path = write(dir, "aws/credential-report.csv", &t, g)?;
    g.imports.push(Import {
        path,
        kind: "aws-credential-report",
        table: None,
        map: None,
        source: "aws",
        effective: Some(day(PERIOD.1)),
    });
    Ok(())
}

/// The records other systems export, each with one or two planted failures.
pub fn records(
    dir: &Path,
    people: &[Person],
    rng: &mut Rng,
    g: &mut Generated,
) -> std::io::Result<()> {
    // Quarterly access reviews: Q1 and Q2 done, Q3 missed.
    let h = "Key,System,Reviewer,Period Start,Period End,Completed At,Items,Revocations";
    let mut t = format!("{h}\n");
    for (q, done) in [(1, PERIOD.0 + 85), (2, PERIOD.0 + 175)] {
        let _ = writeln!(
            t,
            "AR-2026-Q{q},okta,{},{},{},{},{},{}",
            people[0].email,
            day(done - 90),
            day(done - 1),
            instant(done, 50_000),
            people.len(),
            1 + rng.below(4)
        );
    }
    g.plant("ACC-06.1", "2026-Q3");
    let p = write(dir, "tickets/access-reviews.csv", &t, g)?;
    csv_import(g, p, "access_reviews", "jira", h);

    // Security training and policy acknowledgements: everyone within 30 days of starting or
    // in the annual campaign; two new hires trained late.
    let h = "Key,Email,Course,Completed At";
    let ha = "Key,Email,Policy,Version,Acknowledged At";
    let mut t = format!("{h}\n");
    let mut a = format!("{ha}\n");
    let mut late = 0;
    for (i, p) in people.iter().enumerate() {
        let hired = p.start >= PERIOD.0;
        let when = if hired {
            if late < 2 && p.start < PERIOD.1 - 60 && p.end.is_none() {
                late += 1;
                g.plant("HR-03.1", &p.email);
                p.start + 45
            } else {
                p.start + 3 + rng.below(20) as i64
            }
        } else {
            PERIOD.0 + 30 + rng.below(60) as i64
        };
        let _ = writeln!(
            t,
            "LMS-{i},{},Security awareness 2026,{}",
            p.email,
            instant(when, 40_000)
        );
        let _ = writeln!(
            a,
            "ACK-{i},{},POL-ISP,2.1,{}",
            p.email,
            instant(when, 41_000)
        );
    }
    let p = write(dir, "lms/training.csv", &t, g)?;
    csv_import(g, p, "training", "lms", h);
    let p = write(dir, "lms/policy-acks.csv", &a, g)?;
    csv_import(g, p, "policy_acks", "lms", ha);

    // Scanner findings: fixed within deadline, except one critical left open.
    let h = "Key,Asset,Finding ID,Severity,Detected At,Remediated At";
    let mut t = format!("{h}\n");
    let sev = [("critical", 10), ("high", 20), ("medium", 60), ("low", 120)];
    for i in 0..(people.len() * 2).max(40) {
        let (s, fix) = sev[i % 4];
        let detected = PERIOD.0 + rng.below(230) as i64;
        let remediated = if i == 4 {
            String::new()
        } else {
            instant(detected + rng.below(fix) as i64, 30_000)
        };
        if i == 4 {
            g.plant("VUL-02.1", format!("VULN-{i:05}"));
        }
        let _ = writeln!(
            t,
            "VULN-{i:05},host-{:03},CVE-2026-{:05},{s},{},{remediated}",
            i % 120,
            1000 + i,
            instant(detected, 20_000)
        );
    }
    let p = write(dir, "scanner/findings.csv", &t, g)?;
    csv_import(g, p, "vulnerabilities", "scanner", h);

    // Backups: daily jobs for two databases with two missed days, one failure; quarterly
    // restore tests.
    let h = "Key,System,Kind,Started At,Finished At,Status";
    let mut t = format!("{h}\n");
    let missed = [PERIOD.0 + 136, PERIOD.0 + 201];
    for d in (PERIOD.0 - 30)..=(PERIOD.1 + 1) {
        if missed.contains(&d) {
            g.plant("BAK-01.1", day(d));
            continue;
        }
        for (s, system) in ["db-main", "db-events"].iter().enumerate() {
            let failed = d == PERIOD.0 + 50 && s == 1;
            if failed {
                g.plant("BAK-01.1", format!("job-{}-{system}", day(d)));
            }
            let _ = writeln!(
                t,
                "job-{}-{system},{system},backup,{},{},{}",
                day(d),
                instant(d, 3600),
                instant(d, 5400),
                if failed { "failed" } else { "success" }
            );
        }
    }
    for (q, d) in [(1, PERIOD.0 + 40), (2, PERIOD.0 + 130), (3, PERIOD.0 + 220)] {
        let _ = writeln!(
            t,
            "restore-2026-q{q},db-main,restore-test,{},{},success",
            instant(d, 36_000),
            instant(d, 50_000)
        );
    }
    let p = write(dir, "backups/jobs.csv", &t, g)?;
    csv_import(g, p, "backups", "aws-backup", h);

    // Incidents: a sev2 without a post-mortem.
    const TITLES: [&str; 12] = [
        "Dashboard refresh delayed for EU tenants",
        "Ingestion API error rate above 5% after a deploy",
        "Scheduled report emails sent twice",
        "Data pipeline halted; customer events delayed three hours",
        "Slow queries on the reporting replica",
        "Customer sign-in failing through SSO for 40 minutes",
        "Expired TLS certificate on a staging endpoint",
        "Warehouse load job failed; dashboards stale for two hours",
        "Webhook retries flooded one customer's endpoint",
        "Elevated API latency during a database failover",
        "Broken link in the onboarding email",
        "Phishing email reached staff; credentials reset for two users",
    ];
    let h = "Key,Severity,Opened At,Closed At,Postmortem,Title";
    let mut t = format!("{h}\n");
    for i in 0..12 {
        let opened = PERIOD.0 + 10 + i * 21;
        let severity = ["sev3", "sev2", "sev4", "sev1"][(i % 4) as usize];
        let pm = if i == 5 {
            String::new()
        } else if matches!(severity, "sev1" | "sev2") {
            format!("PM-{i}")
        } else {
            String::new()
        };
        if i == 5 {
            g.plant("INC-03.1", format!("INC-{i:03}"));
        }
        let _ = writeln!(
            t,
            "INC-{i:03},{severity},{},{},{pm},{}",
            instant(opened, 7200),
            instant(opened + 1, 7200),
            TITLES[i as usize]
        );
    }
    let p = write(dir, "tickets/incidents.csv", &t, g)?;
    csv_import(g, p, "incidents", "pagerduty", h);

    // Vendors: one high-criticality vendor not reviewed in over a year.
    let h = "Key,Name,Criticality,Last Reviewed,SOC2 Report End";
    let mut t = format!("{h}\n");
    for (i, (name, crit)) in [
        ("Amazon Web Services", "high"),
        ("Okta", "high"),
        ("GitHub", "high"),
        ("Datadog", "high"),
        ("Slack", "medium"),
        ("Zoom", "low"),
        ("Stripe", "high"),
    ]
    .iter()
    .enumerate()
    {
        let reviewed = if i == 3 {
            PERIOD.1 - 500
        } else {
            PERIOD.1 - 60 - 20 * i as i64
        };
        if i == 3 {
            g.plant("VEN-02.1", format!("vendor-{i}"));
        }
        let _ = writeln!(
            t,
            "vendor-{i},{name},{crit},{},{}",
            day(reviewed),
            day(reviewed - 30)
        );
    }
    let p = write(dir, "grc/vendors.csv", &t, g)?;
    csv_import(g, p, "vendors", "grc", h);

    // Laptops from the MDM: one unencrypted, one without EDR.
    let h = "Key,Owner,OS,Encrypted,EDR,Last Seen";
    let mut t = format!("{h}\n");
    for (i, p) in people.iter().filter(|p| p.end.is_none()).enumerate() {
        let key = format!("LT-{i:05}");
        if i == 2 {
            g.plant("END-01.1", &key);
        }
        if i == 5 {
            g.plant("END-02.1", &key);
        }
        let _ = writeln!(
            t,
            "{key},{},macOS 15.1,{},{},{}",
            p.email,
            i != 2,
            i != 5,
            instant(PERIOD.1 - rng.below(5) as i64, 3600)
        );
    }
    let p = write(dir, "mdm/devices.csv", &t, g)?;
    csv_import(g, p, "endpoints", "jamf", h);

    // Branch protection of production repositories (GitHub API fields), one unprotected.
    let mut j = String::from("[\n");
    for (i, repo) in super::logs::REPOS.iter().enumerate() {
        let protected = i != 3;
        let key = format!("northwind/{repo}:main");
        if !protected {
            g.plant("CHG-02.1", &key);
        }
        let _ = writeln!(j, "{}{{\"key\": \"{key}\", \"repo\": \"northwind/{repo}\", \"branch\": \"main\", \"protected\": {protected}, \"required_reviews\": {}, \"enforce_admins\": true, \"allow_force_pushes\": false}}", if i > 0 { "," } else { "" }, if protected { 1 } else { 0 });
    }
    j.push(']');
    let p = write(dir, "github/branch-protection.json", &j, g)?;
    g.imports.push(Import { path: p, kind: "json", table: Some("branch_protection"), map: Some("key=key,repo=repo,branch=branch,protected=protected,required_reviews=required_reviews,enforce_admins=enforce_admins,allow_force_pushes=allow_force_pushes".into()), source: "github", effective: Some(day(PERIOD.1)) });

    // Cloud configuration: trails logging, buckets encrypted except one.
    let mut j = String::from("[\n");
    let mut rows = vec![
        (
            "cloudtrail:org-trail:trail.exists",
            "cloudtrail",
            "org-trail",
            "trail.exists",
            "true".to_string(),
        ),
        (
            "cloudtrail:org-trail:trail.is_logging",
            "cloudtrail",
            "org-trail",
            "trail.is_logging",
            "true".to_string(),
        ),
        (
            "cloudtrail:org-trail:trail.multi_region",
            "cloudtrail",
            "org-trail",
            "trail.multi_region",
            "true".to_string(),
        ),
        (
            "cloudtrail:org-trail:trail.log_file_validation",
            "cloudtrail",
            "org-trail",
            "trail.log_file_validation",
            "true".to_string(),
        ),
        (
            "iam:account:password_policy.minimum_password_length",
            "iam",
            "account",
            "password_policy.minimum_password_length",
            "14".to_string(),
        ),
    ];
    let buckets = [
        "events-raw",
        "events-curated",
        "exports",
        "backups-replica",
        "web-assets",
    ];
    let keys: Vec<String> = buckets
        .iter()
        .map(|b| format!("s3:{b}:bucket.encryption"))
        .collect();
    for (b, k) in buckets.iter().zip(&keys) {
        rows.push((
            k.as_str(),
            "s3",
            b,
            "bucket.encryption",
            if *b == "exports" {
                "none".into()
            } else {
                "aws:kms".into()
            },
        ));
    }
    g.plant("ENC-02.1", "s3:exports:bucket.encryption");
    for (i, (k, service, resource, setting, value)) in rows.iter().enumerate() {
        let _ = writeln!(j, "{}{{\"key\": \"{k}\", \"service\": \"{service}\", \"resource\": \"{resource}\", \"setting\": \"{setting}\", \"value\": \"{value}\"}}", if i > 0 { "," } else { "" });
    }
    j.push(']');
    let p = write(dir, "aws/config.json", &j, g)?;
    g.imports.push(Import {
        path: p,
        kind: "json",
        table: Some("cloud_config"),
        map: Some("key=key,service=service,resource=resource,setting=setting,value=value".into()),
        source: "aws",
        effective: Some(day(PERIOD.1)),
    });
    Ok(())
}
