//! `assay.toml`: organization, system, audit type and period, categories in scope, owners,
//! `[[collector]]` and `[[notify]]` tables, and `[monitor]`.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::line_col;
use crate::Origin;
use assay_core::{AuditPeriod, AuditType, Category, Scope};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

const FILE: &str = "assay.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    organization: RawOrganization,
    system: RawSystem,
    audit: RawAudit,
    #[serde(default)]
    owners: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    collector: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    freshness: BTreeMap<String, Spanned<i64>>,
    #[serde(default)]
    sources: BTreeMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    locker: Option<RawLocker>,
    #[serde(default)]
    sampling: Option<crate::engine_config::RawSampling>,
    #[serde(default)]
    judgment: Option<crate::engine_config::RawJudgment>,
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    limits: Option<RawLimits>,
    #[serde(default)]
    notify: Vec<Spanned<crate::notify_config::RawNotify>>,
    #[serde(default)]
    monitor: Option<crate::monitor_config::RawMonitor>,
    #[serde(default)]
    ai: Option<crate::ai_config::RawAi>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    max_expanded_mib: Option<Spanned<i64>>,
    #[serde(default)]
    max_expansion_ratio: Option<Spanned<i64>>,
}

/// Decompression limits (`[limits]`); `None` keeps the default (4096 MiB, 200:1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitSettings {
    /// Maximum size a compressed file (or bundle) may inflate to, in MiB.
    pub max_expanded_mib: Option<u64>,
    /// Maximum expanded bytes per compressed byte.
    pub max_expansion_ratio: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocker {
    #[serde(default)]
    ledger: Option<Spanned<String>>,
    #[serde(default)]
    schema: Option<Spanned<String>>,
    #[serde(default)]
    blobs: Option<Spanned<String>>,
    #[serde(default)]
    bucket: Option<String>,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    allow_http: bool,
}

/// Where the evidence locker keeps its ledger and blobs (`[locker]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockerSettings {
    /// `None` for SQLite in `.assay/`; `Some(schema)` for PostgreSQL (URL from
    /// `ASSAY_DATABASE_URL`).
    pub postgres_schema: Option<String>,
    /// `None` for `.assay/objects/`; `Some` for S3-compatible storage.
    pub s3: Option<S3Settings>,
}

/// An S3-compatible bucket for blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// Bucket.
    pub bucket: String,
    /// Key prefix.
    pub prefix: String,
    /// Endpoint of an S3-compatible service; none for AWS.
    pub endpoint: Option<String>,
    /// Region.
    pub region: String,
    /// Allow plain HTTP (local test servers).
    pub allow_http: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    name: String,
    #[serde(default)]
    legal_name: Option<String>,
    #[serde(default)]
    website: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    #[serde(rename = "type")]
    audit_type: Spanned<String>,
    #[serde(default)]
    as_of: Option<Spanned<toml::Value>>,
    #[serde(default)]
    period_start: Option<Spanned<toml::Value>>,
    #[serde(default)]
    period_end: Option<Spanned<toml::Value>>,
    #[serde(default)]
    categories: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    frameworks: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A `[[collector]]` table; its options are read by the collector itself.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorConfig {
    /// The collector kind, e.g. `github`.
    pub kind: String,
    /// Its name (defaults to the kind).
    pub name: String,
    /// All keys of the table, including kind and name.
    pub options: toml::Table,
    /// Its own schedule (`schedule`, in `[monitor]`'s time zone): the monitor collects it
    /// then, and not with the suite's runs.
    pub schedule: Option<assay_core::cron::Cron>,
    /// Where the table starts in `assay.toml`.
    pub origin: Origin,
}

/// The parsed and validated `assay.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Organization, system, period and categories.
    pub scope: Scope,
    /// Legal name, if different from the name.
    pub legal_name: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Role id → person (`Name <email>`), with where each is written.
    pub owners: BTreeMap<String, (String, Origin)>,
    /// Collectors, in file order.
    pub collectors: Vec<CollectorConfig>,
    /// Time-to-live in days per evidence kind, overriding the defaults.
    pub freshness: BTreeMap<String, u32>,
    /// `[sources]`: per source role (`idp-log`, ...), the company's own systems that also
    /// fill it, as evidence kinds or `--source` names (e.g. an Azure AD sign-in log imported
    /// as csv with `--source azure-ad`).
    pub sources: BTreeMap<String, Vec<String>>,
    /// Locker backends.
    pub locker: LockerSettings,
    /// Sampling, judgment thresholds and test parameters.
    pub engine: assay_core::EngineSettings,
    /// Decompression limits.
    pub limits: LimitSettings,
    /// Frameworks the audit reports on (`[audit] frameworks`): `soc2` first, always, then
    /// any of `iso27001`, `nist-800-53-moderate`, `hipaa`, `csf2`.
    pub frameworks: Vec<String>,
    /// `[[notify]]`: who hears about compliance drift, in file order.
    pub notify: Vec<crate::notify_config::NotifyRule>,
    /// `[monitor]`: when `assay monitor` runs collection and the tests.
    pub monitor: Option<crate::monitor_config::MonitorSettings>,
    /// `[ai]`: the model that proposes answers, if any.
    pub ai: crate::ai_config::AiSettings,
}

impl Config {
    /// Time-to-live in days for an evidence kind: the workspace's setting, else the default.
    pub fn ttl_days(&self, kind: &str) -> Option<u32> {
        self.freshness
            .get(kind)
            .copied()
            .or_else(|| assay_core::freshness::default_ttl_days(kind))
    }
}

struct Ctx<'a> {
    text: &'a str,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn origin(&self, span: std::ops::Range<usize>) -> Origin {
        let (line, column) = line_col(self.text, span.start);
        let width = self
            .text
            .get(span.clone())
            .map(|s| s.chars().count())
            .unwrap_or(1);
        Origin {
            file: FILE.into(),
            line,
            column,
            width: width.min(80),
        }
    }
}

/// Parses `assay.toml`; `None` when it cannot be used at all (diagnostics say why).
pub(crate) fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let origin = match e.span() {
                Some(span) => {
                    let (line, column) = line_col(text, span.start);
                    Origin {
                        file: FILE.into(),
                        line,
                        column,
                        width: 1,
                    }
                }
                None => Origin::file(FILE),
            };
            let msg = e.message().trim().to_string();
            let (code, help) = if msg.contains("missing field") {
                (
                    Code::MissingField,
                    "add it; see docs/workspace.md for every field of assay.toml",
                )
            } else if msg.contains("unknown field") {
                (
                    Code::UnknownField,
                    "check the spelling against docs/workspace.md, or remove it",
                )
            } else if msg.contains("invalid type") || msg.contains("invalid value") {
                (
                    Code::InvalidValue,
                    "give the field a value of the kind docs/workspace.md describes",
                )
            } else {
                (Code::TomlSyntax, "fix the TOML at this position: quote strings, close brackets, one key per line")
            };
            return (None, vec![Diagnostic::error(code, &origin, msg).help(help)]);
        }
    };
    let mut cx = Ctx {
        text,
        diags: Vec::new(),
    };
    let config = validate(raw, &mut cx);
    (config, cx.diags)
}

fn date_of(cx: &mut Ctx<'_>, field: &str, v: &Spanned<toml::Value>) -> Option<Date> {
    let origin = cx.origin(v.span());
    let text = match v.get_ref() {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => {
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidDate,
                    &origin,
                    format!("`{field}` must be a date, found `{other}`"),
                )
                .help("write a calendar date such as 2026-06-30 (no time of day)"),
            );
            return None;
        }
    };
    match text.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidDate,
                    &origin,
                    format!("`{field}` is not a valid date: `{text}`"),
                )
                .help("write a real calendar date as YYYY-MM-DD, e.g. 2026-06-30"),
            );
            None
        }
    }
}

fn validate(raw: RawConfig, cx: &mut Ctx<'_>) -> Option<Config> {
    let audit = &raw.audit;
    let type_origin = cx.origin(audit.audit_type.span());
    let audit_type = match audit
        .audit_type
        .get_ref()
        .to_ascii_lowercase()
        .replace([' ', '-', '_'], "")
        .as_str()
    {
        "type1" | "typei" => Some(AuditType::Type1),
        "type2" | "typeii" => Some(AuditType::Type2),
        other => {
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &type_origin,
                    format!("unknown audit type `{other}`"),
                )
                .help("use `type1` (design as of one date) or `type2` (operation over a period)"),
            );
            None
        }
    };
    let as_of = audit.as_of.as_ref().and_then(|v| date_of(cx, "as_of", v));
    let start = audit
        .period_start
        .as_ref()
        .and_then(|v| date_of(cx, "period_start", v));
    let end = audit
        .period_end
        .as_ref()
        .and_then(|v| date_of(cx, "period_end", v));

    let period = match audit_type? {
        AuditType::Type1 => match (as_of, &audit.as_of) {
            (Some(d), _) => Some(AuditPeriod::Type1 { as_of: d }),
            (None, Some(_)) => None,
            (None, None) => {
                cx.diags.push(
                    Diagnostic::error(
                        Code::MissingPeriod,
                        &type_origin,
                        "a Type I audit needs `as_of` in [audit]",
                    )
                    .help("add `as_of = 2026-06-30` (the date the design is judged as of)"),
                );
                None
            }
        },
        AuditType::Type2 => {
            if audit.period_start.is_none() || audit.period_end.is_none() {
                cx.diags.push(
                    Diagnostic::error(
                        Code::MissingPeriod,
                        &type_origin,
                        "a Type II audit needs `period_start` and `period_end` in [audit]",
                    )
                    .help("add e.g. `period_start = 2026-01-01` and `period_end = 2026-06-30` (3 to 12 months)"),
                );
            }
            match (start, end) {
                (Some(s), Some(e)) if e < s => {
                    let at = audit
                        .period_end
                        .as_ref()
                        .map(|v| cx.origin(v.span()))
                        .unwrap_or_else(|| type_origin.clone());
                    cx.diags.push(
                        Diagnostic::error(
                            Code::PeriodOrder,
                            &at,
                            format!("the period ends ({e}) before it starts ({s})"),
                        )
                        .help("swap the dates, or correct the one that is wrong"),
                    );
                    None
                }
                (Some(s), Some(e)) => {
                    let p = AuditPeriod::Type2 { start: s, end: e };
                    if let Some(problem) = p.length_problem() {
                        let at = audit
                            .period_end
                            .as_ref()
                            .map(|v| cx.origin(v.span()))
                            .unwrap_or_else(|| type_origin.clone());
                        let what = match problem {
                            assay_core::scope::PeriodLength::TooShort => "shorter than 3 months",
                            assay_core::scope::PeriodLength::TooLong => "longer than 12 months",
                        };
                        cx.diags.push(
                            Diagnostic::warning(Code::PeriodLength, &at, format!("the Type II period {s} to {e} is {what}"))
                                .help("SOC 2 Type II periods run 3 to 12 months; auditors and report readers expect that range"),
                        );
                    }
                    Some(p)
                }
                _ => None,
            }
        }
    };

    let mut categories = vec![Category::Security];
    if let Some(list) = &audit.categories {
        for item in list.get_ref() {
            match item.get_ref().parse::<Category>() {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(_) => {}
                Err(e) => {
                    let at = cx.origin(item.span());
                    cx.diags.push(
                        Diagnostic::error(Code::UnknownCategory, &at, e.to_string())
                            .help("`assay catalog criteria` lists the categories; security is always in scope"),
                    );
                }
            }
        }
    }
    categories.sort();

    // SOC 2 always; the others in the catalog's order.
    let mut frameworks = vec!["soc2".to_string()];
    for item in audit.frameworks.iter().flat_map(|l| l.get_ref()) {
        let id = item.get_ref().trim().to_ascii_lowercase();
        if assay_catalog::framework::IDS.contains(&id.as_str()) {
            if !frameworks.contains(&id) {
                frameworks.push(id);
            }
        } else {
            let at = cx.origin(item.span());
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &at,
                    format!("`{}` is not a framework Assay knows", item.get_ref()),
                )
                .help(format!(
                    "use any of {}; `assay catalog crosswalk` and docs/frameworks.md describe them",
                    assay_catalog::framework::IDS.join(", ")
                )),
            );
        }
    }
    frameworks.sort_by_key(|f| assay_catalog::framework::IDS.iter().position(|x| x == f));

    let owners = raw
        .owners
        .iter()
        .map(|(role, person)| {
            (
                role.clone(),
                (person.get_ref().clone(), cx.origin(person.span())),
            )
        })
        .collect();

    let mut collectors = Vec::new();
    let mut names = BTreeMap::new();
    for table in &raw.collector {
        let origin = cx.origin(table.span());
        let t = table.get_ref();
        let Some(kind) = t.get("kind").and_then(|k| k.as_str()) else {
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidCollector,
                    &origin,
                    "a [[collector]] table has no `kind`",
                )
                .help(
                    "add e.g. `kind = \"github\"`; see docs/workspace.md for the collector kinds",
                ),
            );
            continue;
        };
        let name = t
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or(kind)
            .to_string();
        if names.insert(name.clone(), ()).is_some() {
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidCollector,
                    &origin,
                    format!("two collectors are named `{name}`"),
                )
                .help("give one of them a distinct `name = \"...\"`"),
            );
            continue;
        }
        let schedule = match t.get("schedule") {
            None => None,
            Some(v) => match v.as_str().map(assay_core::cron::Cron::parse) {
                Some(Ok(c)) => Some(c),
                Some(Err(m)) => {
                    cx.diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            &origin,
                            format!("collector `{name}`: `schedule`: {m}"),
                        )
                        .help("write a cron schedule, e.g. `schedule = \"*/15 * * * *\"`; it runs in [monitor]'s time zone"),
                    );
                    continue;
                }
                None => {
                    cx.diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            &origin,
                            format!("collector `{name}`: `schedule` must be a cron text"),
                        )
                        .help("e.g. `schedule = \"0 * * * *\"`"),
                    );
                    continue;
                }
            },
        };
        collectors.push(CollectorConfig {
            kind: kind.to_string(),
            name,
            options: t.clone(),
            schedule,
            origin,
        });
    }

    let mut freshness = BTreeMap::new();
    for (kind, days) in &raw.freshness {
        match u32::try_from(*days.get_ref()) {
            Ok(d) if d > 0 => {
                freshness.insert(kind.clone(), d);
            }
            _ => {
                let at = cx.origin(days.span());
                cx.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        &at,
                        format!("freshness of `{kind}` must be a positive number of days"),
                    )
                    .help("write e.g. `hr-roster = 30` under [freshness]"),
                );
            }
        }
    }

    let mut sources = BTreeMap::new();
    for (role, names) in &raw.sources {
        if assay_core::source::role(role).is_none() {
            let at = cx.origin(names.span());
            let known: Vec<&str> = assay_core::source::ROLES.iter().map(|r| r.id).collect();
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &at,
                    format!("[sources] names `{role}`, which is not a source role"),
                )
                .help(format!("use one of: {}", known.join(", "))),
            );
            continue;
        }
        sources.insert(role.clone(), names.get_ref().clone());
    }

    let locker = raw
        .locker
        .as_ref()
        .map(|l| locker_settings(l, cx))
        .unwrap_or_default();

    let engine = crate::engine_config::settings(
        raw.sampling.as_ref(),
        raw.judgment.as_ref(),
        &raw.parameters,
        &mut |span, message, help| {
            let at = cx.origin(span);
            cx.diags
                .push(Diagnostic::error(Code::InvalidValue, &at, message).help(help));
        },
    );

    let notify = crate::notify_config::rules(&raw.notify, &mut |span, message, help| {
        let at = cx.origin(span);
        cx.diags
            .push(Diagnostic::error(Code::InvalidValue, &at, message).help(help));
    });

    let monitor = raw.monitor.as_ref().and_then(|m| {
        crate::monitor_config::settings(m, &mut |span, message, help| {
            let at = cx.origin(span);
            cx.diags
                .push(Diagnostic::error(Code::InvalidValue, &at, message).help(help));
        })
    });

    let ai = raw
        .ai
        .as_ref()
        .and_then(|a| {
            crate::ai_config::settings(a, &mut |span, message, help| {
                let at = cx.origin(span);
                cx.diags
                    .push(Diagnostic::error(Code::InvalidValue, &at, message).help(help));
            })
        })
        .unwrap_or_default();

    let mut limits = LimitSettings::default();
    if let Some(l) = &raw.limits {
        for (field, value, slot) in [
            (
                "max_expanded_mib",
                &l.max_expanded_mib,
                &mut limits.max_expanded_mib,
            ),
            (
                "max_expansion_ratio",
                &l.max_expansion_ratio,
                &mut limits.max_expansion_ratio,
            ),
        ] {
            let Some(v) = value else { continue };
            match u64::try_from(*v.get_ref()) {
                Ok(n) if n > 0 => *slot = Some(n),
                _ => {
                    let at = cx.origin(v.span());
                    cx.diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            &at,
                            format!("`{field}` must be a whole number above 0"),
                        )
                        .help("e.g. `max_expanded_mib = 8192` or `max_expansion_ratio = 500` under [limits]"),
                    );
                }
            }
        }
    }

    Some(Config {
        frameworks,
        notify,
        monitor,
        ai,
        limits,
        locker,
        engine,
        freshness,
        sources,
        scope: Scope {
            organization: raw.organization.name,
            system_name: raw.system.name,
            system_description: raw.system.description,
            period: period?,
            categories,
        },
        legal_name: raw.organization.legal_name,
        website: raw.organization.website,
        owners,
        collectors,
    })
}

fn locker_settings(l: &RawLocker, cx: &mut Ctx<'_>) -> LockerSettings {
    let mut out = LockerSettings::default();
    match l.ledger.as_ref().map(|v| (v.get_ref().as_str(), v.span())) {
        None | Some(("sqlite", _)) => {}
        Some(("postgres", _)) => {
            let schema = l
                .schema
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_else(|| "assay".into());
            if !schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                || schema.is_empty()
            {
                let at = l
                    .schema
                    .as_ref()
                    .map(|s| cx.origin(s.span()))
                    .unwrap_or_else(|| Origin::file(FILE));
                cx.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        &at,
                        format!("schema `{schema}` is not a plain identifier"),
                    )
                    .help("use lowercase letters, digits and underscores, e.g. `assay_acme`"),
                );
            }
            out.postgres_schema = Some(schema);
        }
        Some((other, span)) => {
            let at = cx.origin(span);
            cx.diags.push(
                Diagnostic::error(Code::InvalidValue, &at, format!("`ledger` cannot be `{other}`"))
                    .help("use `sqlite` (in .assay/, the default) or `postgres` (URL from ASSAY_DATABASE_URL)"),
            );
        }
    }
    match l.blobs.as_ref().map(|v| (v.get_ref().as_str(), v.span())) {
        None | Some(("local", _)) => {}
        Some(("s3", span)) => match &l.bucket {
            Some(bucket) if !bucket.trim().is_empty() => {
                out.s3 = Some(S3Settings {
                    bucket: bucket.clone(),
                    prefix: l.prefix.clone().unwrap_or_default(),
                    endpoint: l.endpoint.clone(),
                    region: l.region.clone().unwrap_or_else(|| "us-east-1".into()),
                    allow_http: l.allow_http,
                })
            }
            _ => {
                let at = cx.origin(span);
                cx.diags.push(
                    Diagnostic::error(Code::MissingField, &at, "`blobs = \"s3\"` needs `bucket`")
                        .help("add `bucket = \"your-bucket\"` (and `endpoint` for an S3-compatible service) under [locker]"),
                );
            }
        },
        Some((other, span)) => {
            let at = cx.origin(span);
            cx.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &at,
                    format!("`blobs` cannot be `{other}`"),
                )
                .help("use `local` (.assay/objects/, the default) or `s3`"),
            );
        }
    }
    out
}

/// Reads and validates only `<root>/assay.toml` (for commands that need no more of the
/// workspace); `Err` holds the diagnostics when it cannot be used.
pub fn read(root: &std::path::Path) -> Result<Config, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(root.join(FILE)).map_err(|e| {
        vec![Diagnostic::error(
            Code::Io,
            &Origin::file(FILE),
            format!("cannot read {FILE}: {e}"),
        )
        .help("check that the file exists and is readable")]
    })?;
    match parse(&text) {
        (Some(c), d) if d.iter().all(|d| d.severity == crate::Severity::Warning) => Ok(c),
        (_, d) => Err(d),
    }
}
