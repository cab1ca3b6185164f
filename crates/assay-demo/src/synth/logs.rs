//! The synthetic company's logs and change history: CloudTrail log files (gzip, in the
//! `AWSLogs/` tree AWS writes), the Okta System Log (NDJSON, a file a day) and GitHub pull requests with
//! their reviews (REST API JSON), with planted failures: root sign-ins, a console sign-in
//! without MFA, logging stopped, a leaver signing in after leaving, changes merged without an
//! independent approval, an emergency change never approved.

use super::{day, instant, Generated, Import, Person, Rng, Scale, PERIOD, YEAR_START_DAY};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// The production repositories.
pub const REPOS: &[&str] = &["api", "ingest", "pipeline", "web", "infra", "reports"];

const DAYS: i64 = PERIOD.1 - YEAR_START_DAY + 1;
/// Records per CloudTrail file (AWS writes a file every few minutes; big days get several).
const PER_FILE: usize = 5_000;

fn event_id(n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        n >> 16,
        n & 0xffff,
        (n >> 4) & 0xfff,
        n & 0xfff,
        n.wrapping_mul(0x9E37_79B9)
    )
}

struct Trail<'a> {
    dir: &'a Path,
    records: Vec<String>,
    day: i64,
    part: usize,
}

impl Trail<'_> {
    fn flush(&mut self, g: &mut Generated) -> std::io::Result<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        let d = day(self.day);
        let (y, m, dd) = (&d[0..4], &d[5..7], &d[8..10]);
        let dir = self.dir.join(format!(
            "AWSLogs/123456789012/CloudTrail/us-east-1/{y}/{m}/{dd}"
        ));
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "123456789012_CloudTrail_us-east-1_{y}{m}{dd}T{:04}Z_{:06x}.json.gz",
            self.part,
            self.day as usize * 1000 + self.part
        );
        let file = std::fs::File::create(dir.join(name))?;
        let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::fast());
        gz.write_all(b"{\"Records\":[")?;
        for (i, r) in self.records.iter().enumerate() {
            if i > 0 {
                gz.write_all(b",")?;
            }
            gz.write_all(r.as_bytes())?;
            g.bytes += r.len() as u64;
        }
        gz.write_all(b"]}")?;
        gz.finish()?.flush()?;
        g.events += self.records.len();
        self.records.clear();
        self.part += 1;
        Ok(())
    }
}

/// One CloudTrail record; `extra` adds fields or replaces the defaults of
/// `requestParameters`, `responseElements` and `readOnly` (each field appears once).
fn record(id: &str, time: &str, identity: &str, source: &str, name: &str, extra: &str) -> String {
    let default = |field: &str, value: &str| {
        if extra.contains(&format!("\"{field}\":")) {
            String::new()
        } else {
            format!(",\"{field}\":{value}")
        }
    };
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{}","userAgent":"aws-cli/2.15"{}{},"requestID":"{id}","eventID":"{id}"{},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"{extra}}}"#,
        id.len() % 200,
        default("requestParameters", "null"),
        default("responseElements", "null"),
        default("readOnly", "false"),
    )
}

fn iam_user(user: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::123456789012:user/{user}","accountId":"123456789012","userName":"{user}"}}"#,
        user.len()
    )
}

const ROOT: &str = r#"{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}"#;
const ROLE: &str = r#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:pipeline","arn":"arn:aws:sts::123456789012:assumed-role/pipeline/worker","accountId":"123456789012"}"#;

/// CloudTrail: 60% of the scale's events, spread evenly over the year.
pub fn cloudtrail(
    dir: &Path,
    people: &[Person],
    scale: Scale,
    rng: &mut Rng,
    g: &mut Generated,
    progress: &dyn Fn(u64),
) -> std::io::Result<()> {
    let total = scale.events * 6 / 10;
    let per_day = (total as i64 / DAYS).max(1) as usize;
    let engineers: Vec<String> = people
        .iter()
        .filter(|p| p.department == "Engineering" && p.end.is_none())
        .take(40)
        .map(|p| p.email.split('@').next().unwrap_or_default().to_string())
        .collect();
    let root = dir.join("cloudtrail");
    let mut trail = Trail {
        dir: &root,
        records: Vec::with_capacity(PER_FILE),
        day: YEAR_START_DAY,
        part: 0,
    };
    let mut n: u64 = 0;
    let specials = [
        (PERIOD.0 + 33, "root"),
        (PERIOD.0 + 150, "root"),
        (PERIOD.0 - 20, "root-before"),
        (PERIOD.0 + 95, "stop"),
        (PERIOD.0 + 120, "nomfa"),
    ];
    for d in YEAR_START_DAY..=PERIOD.1 {
        trail.day = d;
        trail.part = 0;
        for i in 0..per_day {
            n += 1;
            let id = event_id(n);
            let secs = (i as i64 * 86_000 / per_day as i64) + 60;
            let time = instant(d, secs);
            let r = match rng.below(100) {
                0..=4 if !engineers.is_empty() => {
                    let user = &engineers[rng.below(engineers.len() as u64) as usize];
                    record(
                        &id,
                        &time,
                        &iam_user(user),
                        "signin.amazonaws.com",
                        "ConsoleLogin",
                        r#","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}"#,
                    )
                }
                5..=39 => record(&id, &time, ROLE, "sts.amazonaws.com", "AssumeRole", ""),
                40..=79 => record(
                    &id,
                    &time,
                    ROLE,
                    "s3.amazonaws.com",
                    "GetObject",
                    r#","readOnly":true"#,
                ),
                _ => record(
                    &id,
                    &time,
                    ROLE,
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                    r#","readOnly":true"#,
                ),
            };
            trail.records.push(r);
            if trail.records.len() >= PER_FILE {
                trail.flush(g)?;
                progress(g.bytes);
            }
        }
        for (sd, what) in specials.iter().filter(|(sd, _)| *sd == d) {
            n += 1;
            let id = event_id(n);
            let time = instant(*sd, 50_000);
            let r = match *what {
                "root" | "root-before" => {
                    if *what == "root" {
                        g.plant("ACC-08.2", &id);
                    } else {
                        // Before the audit period: out of scope, never reported.
                        g.clean("ACC-08.2", &id);
                    }
                    record(
                        &id,
                        &time,
                        ROOT,
                        "signin.amazonaws.com",
                        "ConsoleLogin",
                        r#","additionalEventData":{"MFAUsed":"Yes"}"#,
                    )
                }
                "stop" => {
                    g.plant("LOG-01.1", &id);
                    record(
                        &id,
                        &time,
                        &iam_user(engineers.first().map_or("admin", String::as_str)),
                        "cloudtrail.amazonaws.com",
                        "StopLogging",
                        r#","requestParameters":{"name":"arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"}"#,
                    )
                }
                _ => {
                    g.plant("ACC-02.3", &id);
                    record(
                        &id,
                        &time,
                        &iam_user(engineers.get(3).map_or("admin", String::as_str)),
                        "signin.amazonaws.com",
                        "ConsoleLogin",
                        r#","additionalEventData":{"MFAUsed":"No"}"#,
                    )
                }
            };
            trail.records.push(r);
        }
        trail.flush(g)?;
        progress(g.bytes);
    }
    g.imports.push(Import {
        path: root.join("AWSLogs"),
        kind: "aws-cloudtrail",
        table: None,
        map: None,
        source: "aws",
        effective: None,
    });
    Ok(())
}

/// The Okta System Log: sign-ins of the workforce (40% of the scale's events), and one
/// leaver signing in after their last day.
pub fn okta(
    dir: &Path,
    people: &[Person],
    scale: Scale,
    rng: &mut Rng,
    g: &mut Generated,
    progress: &dyn Fn(u64),
) -> std::io::Result<()> {
    let total = scale.events * 4 / 10;
    let per_day = (total as i64 / DAYS).max(1) as usize;
    // One file a day, as a System Log export by time window would be.
    let path = dir.join("okta/system-log");
    std::fs::create_dir_all(&path)?;
    let leaver = people
        .iter()
        .find(|p| p.end.is_some_and(|e| e < PERIOD.1 - 10));
    let mut n: u64 = 1 << 40;
    let mut line = String::with_capacity(700);
    for d in YEAR_START_DAY..=PERIOD.1 {
        let mut out = std::io::BufWriter::new(std::fs::File::create(
            path.join(format!("{}.ndjson", day(d))),
        )?);
        let mut count = per_day;
        if leaver.is_some_and(|p| p.end.map(|e| e + 3) == Some(d)) {
            count += 1;
        }
        for i in 0..count {
            n += 1;
            let id = event_id(n);
            let person = match leaver {
                Some(p) if i == per_day => {
                    g.plant("ACC-07.3", &id);
                    p
                }
                _ => {
                    let mut p = &people[rng.below(people.len() as u64) as usize];
                    if p.start > d || p.end.is_some_and(|e| e < d) {
                        p = &people[0];
                    }
                    // Someone signing in while employed (a leaver on their last day too).
                    if d >= PERIOD.0 && p.start <= d && p.end.is_none_or(|e| e >= d) {
                        g.clean("ACC-07.3", &id);
                    }
                    p
                }
            };
            let event = if i % 5 == 4 {
                "user.authentication.auth_via_mfa"
            } else {
                "user.session.start"
            };
            line.clear();
            let _ = write!(
                line,
                r#"{{"uuid":"{id}","published":"{}","eventType":"{event}","version":"0","severity":"INFO","displayMessage":"{event}","actor":{{"id":"00u{:07x}","type":"User","alternateId":"{}","displayName":"{} {}"}},"client":{{"ipAddress":"203.0.113.{}","userAgent":{{"rawUserAgent":"Mozilla/5.0","os":"Mac OS X","browser":"CHROME"}},"zone":"null","device":"Computer"}},"outcome":{{"result":"SUCCESS"}},"target":[],"transaction":{{"type":"WEB","id":"tx{n}"}},"legacyEventType":"core.user_auth.login_success"}}"#,
                instant(d, (i as i64 * 86_000 / count as i64) + 30),
                n & 0xfffffff,
                person.email,
                person.first,
                person.last,
                n % 250
            );
            line.push('\n');
            out.write_all(line.as_bytes())?;
            g.bytes += line.len() as u64;
            g.events += 1;
        }
        out.flush()?;
        if d % 16 == 0 {
            progress(g.bytes);
        }
    }
    g.imports.push(Import {
        path,
        kind: "okta-system-log",
        table: None,
        map: None,
        source: "okta",
        effective: None,
    });
    Ok(())
}

/// GitHub pull requests with reviews, in files of 10,000.
pub fn pulls(
    dir: &Path,
    people: &[Person],
    scale: Scale,
    rng: &mut Rng,
    g: &mut Generated,
    progress: &dyn Fn(u64),
) -> std::io::Result<()> {
    let logins: Vec<String> = people
        .iter()
        .filter(|p| p.department == "Engineering")
        .map(Person::login)
        .collect();
    let logins = if logins.len() < 2 {
        vec!["ada-kim".to_string(), "ben-ortega".to_string()]
    } else {
        logins
    };
    let gh = dir.join("github/pulls");
    std::fs::create_dir_all(&gh)?;
    let mut file = 0;
    let mut buf = String::new();
    let mut in_file = 0;
    let per_day = scale.changes as f64 / DAYS as f64;
    for i in 0..scale.changes {
        let repo = REPOS[i % REPOS.len()];
        let number = 1000 + i;
        let created = YEAR_START_DAY + (i as f64 / per_day) as i64;
        let merged = created.min(PERIOD.1);
        let author = &logins[rng.below(logins.len() as u64) as usize];
        let mut reviewer = &logins[rng.below(logins.len() as u64) as usize];
        if reviewer == author {
            reviewer =
                &logins[(logins.iter().position(|l| l == author).unwrap_or(0) + 1) % logins.len()];
        }
        let key = format!("northwind/{repo}#{number}");
        let in_period = merged >= PERIOD.0;
        // Planted: two merged without approval, one approved only by its author, one
        // emergency change never approved; one unapproved merge before the period.
        let (reviews, emergency) = match i {
            _ if in_period
                && i % 997 == 500
                && g.planted.iter().filter(|p| p.test == "CHG-01.1").count() < 3 =>
            {
                g.plant("CHG-01.1", &key);
                let who = if g.planted.iter().filter(|p| p.test == "CHG-01.1").count() == 2 {
                    author
                } else {
                    reviewer
                };
                let state = if who == author {
                    "APPROVED"
                } else {
                    "COMMENTED"
                };
                (vec![(who.as_str(), state)], false)
            }
            _ if in_period
                && i % 1999 == 1200
                && !g.planted.iter().any(|p| p.test == "CHG-05.2") =>
            {
                g.plant("CHG-05.2", &key);
                g.plant("CHG-01.1", &key);
                (vec![], true)
            }
            3 => {
                // Merged without approval before the period: outside the audit window.
                g.clean("CHG-01.1", &key);
                (vec![], false)
            }
            _ => {
                // Approved by someone other than its author; an emergency change approved.
                if in_period {
                    g.clean("CHG-01.1", &key);
                    if i % 211 == 17 {
                        g.clean("CHG-05.2", &key);
                    }
                }
                (vec![(reviewer.as_str(), "APPROVED")], i % 211 == 17)
            }
        };
        let labels = if emergency {
            r#"[{"name":"emergency"}]"#
        } else {
            "[]"
        };
        let mut rv = String::new();
        for (k, (who, state)) in reviews.iter().enumerate() {
            let _ = write!(
                rv,
                r#"{}{{"id":{},"user":{{"login":"{who}","type":"User"}},"body":"","state":"{state}","submitted_at":"{}","commit_id":"c{number}"}}"#,
                if k > 0 { "," } else { "" },
                number * 10 + k,
                instant(merged, 30_000)
            );
        }
        let _ = write!(
            buf,
            r#"{}{{"url":"https://api.github.com/repos/northwind/{repo}/pulls/{number}","id":{},"number":{number},"state":"closed","title":"Change {number}","user":{{"login":"{author}","type":"User"}},"labels":{labels},"created_at":"{}","updated_at":"{}","closed_at":"{}","merged_at":"{}","merge_commit_sha":"m{number}","head":{{"ref":"feature-{number}","sha":"c{number}","repo":{{"full_name":"northwind/{repo}"}}}},"base":{{"ref":"main","sha":"b{number}","repo":{{"name":"{repo}","full_name":"northwind/{repo}","private":true}}}},"reviews":[{rv}]}}"#,
            if in_file > 0 { ",\n" } else { "[\n" },
            50_000 + i,
            instant(created, 20_000),
            instant(merged, 40_000),
            instant(merged, 40_000),
            instant(merged, 40_000),
        );
        in_file += 1;
        if in_file == 10_000 || i + 1 == scale.changes {
            buf.push_str("\n]\n");
            std::fs::write(gh.join(format!("pulls-{file:04}.json")), &buf)?;
            g.bytes += buf.len() as u64;
            buf.clear();
            in_file = 0;
            file += 1;
            progress(g.bytes);
        }
    }
    g.imports.push(Import {
        path: gh,
        kind: "github-pulls",
        table: None,
        map: None,
        source: "github",
        effective: Some(day(PERIOD.1 + 1)),
    });
    Ok(())
}
