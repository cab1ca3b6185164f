//! `controls/*.yaml`: one control per file, parsed with positions and validated into
//! [`assay_core::Control`].

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{at, at_any, yaml_error};
use crate::LoadedControl;
use assay_catalog::Catalog;
use assay_core::{
    Control, ControlType, CriterionLink, Frequency, Guidance, Nature, Risk, Severity, TestDef,
};
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    owner: Spanned<String>,
    frequency: Spanned<String>,
    nature: Spanned<String>,
    #[serde(rename = "type")]
    control_type: Spanned<String>,
    #[serde(default)]
    risk: Option<Spanned<String>>,
    #[serde(default)]
    criteria: Option<Spanned<Vec<CriterionEntry>>>,
    #[serde(default)]
    tests: Option<Spanned<Vec<TestEntry>>>,
    #[serde(default)]
    guidance: Option<Guidance>,
}

/// Named for serde's messages: "expected struct CriterionEntry".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionEntry {
    id: Spanned<String>,
    #[serde(default)]
    rationale: Option<String>,
    #[serde(default)]
    key: Option<bool>,
    #[serde(default)]
    compensates: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEntry {
    id: Spanned<String>,
    procedure: String,
    #[serde(default)]
    population: Option<Spanned<String>>,
    #[serde(default)]
    expect: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    occurrence: Option<String>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    severity: Option<Spanned<String>>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
}

fn enum_value<T: serde::de::DeserializeOwned>(
    file: &str,
    field: &str,
    v: &Spanned<String>,
    allowed: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(v.value.trim());
    match T::deserialize(de) {
        Ok(x) => Some(x),
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &at(file, v, 0),
                    format!("`{field}` cannot be `{}`", v.value),
                )
                .help(format!("use one of: {allowed}")),
            );
            None
        }
    }
}

/// A test's source roles, each one of [`assay_core::source::ROLES`].
fn sources(file: &str, t: &TestEntry, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    for s in &t.sources {
        let id = s.value.trim();
        if assay_core::source::role(id).is_some() {
            out.push(id.to_string());
        } else {
            let known: Vec<&str> = assay_core::source::ROLES.iter().map(|r| r.id).collect();
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    &at(file, s, 0),
                    format!("test `{}`: `sources` cannot be `{id}`", t.id.value.trim()),
                )
                .help(format!("use one of: {}", known.join(", "))),
            );
        }
    }
    out
}

/// A test's SQL fields: `population` one read-only query, `expect` and `reason` one
/// expression each (see [`crate::sql`]).
fn check_sql(file: &str, t: &TestEntry, diags: &mut Vec<Diagnostic>) {
    let id = t.id.value.trim();
    if let Some(p) = &t.population {
        if let Err(m) = crate::sql::check_query(&p.value) {
            diags.push(
                Diagnostic::error(
                    Code::SqlNotQuery,
                    &at_any(file, p, 0),
                    format!("test `{id}`: `population` is refused: {m}"),
                )
                .help(crate::sql::ONLY_QUERY),
            );
        }
    }
    for (field, v) in [("expect", &t.expect), ("reason", &t.reason)] {
        if let Some(v) = v {
            if let Err(m) = crate::sql::check_expression(&v.value) {
                diags.push(
                    Diagnostic::error(
                        Code::SqlNotQuery,
                        &at_any(file, v, 0),
                        format!("test `{id}`: `{field}` is refused: {m}"),
                    )
                    .help(format!("`{field}` is one SQL expression over the population's columns, such as `mfa_enabled AND active`")),
                );
            }
        }
    }
}

/// Parses one control file. Returns the control when it is usable, plus its diagnostics.
pub(crate) fn parse(
    file: &str,
    text: &str,
    catalog: &Catalog,
) -> (Option<LoadedControl>, Vec<Diagnostic>) {
    let raw: RawControl = match serde_saphyr::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let mut d = yaml_error(file, &e, 0);
            if d.message.contains("CriterionEntry") {
                d.help = Some("each criteria entry is a mapping: `- id: CC8.1` then `rationale: why this control addresses it`".into());
            }
            return (None, vec![d]);
        }
    };
    let mut diags = Vec::new();
    let id_at = at(file, &raw.id, 0);
    let id = raw.id.value.trim().to_string();
    if id.is_empty() {
        diags.push(
            Diagnostic::error(Code::InvalidValue, &id_at, "the control id is empty")
                .help("give the control a short stable id such as `ACC-01`"),
        );
    }
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    if !id.is_empty() && stem != id {
        diags.push(
            Diagnostic::warning(
                Code::IdMismatch,
                &id_at,
                format!("control `{id}` is in a file named `{stem}`"),
            )
            .help(format!(
                "rename the file to `controls/{id}.yaml` so people find it by id"
            )),
        );
    }

    let frequency: Option<Frequency> = enum_value(
        file,
        "frequency",
        &raw.frequency,
        Frequency::NAMES,
        &mut diags,
    );
    let nature: Option<Nature> =
        enum_value(file, "nature", &raw.nature, "automated, manual", &mut diags);
    let control_type: Option<ControlType> = enum_value(
        file,
        "type",
        &raw.control_type,
        "preventive, detective, corrective",
        &mut diags,
    );

    let mut risk_ok = true;
    let risk: Option<Risk> = raw.risk.as_ref().and_then(|r| {
        let v = enum_value(file, "risk", r, Risk::NAMES, &mut diags);
        risk_ok = v.is_some();
        v
    });

    let mut criteria = Vec::new();
    match &raw.criteria {
        Some(list) if !list.value.is_empty() => {
            let mut seen: Vec<&str> = Vec::new();
            for entry in &list.value {
                let cid = entry.id.value.trim();
                let origin = at(file, &entry.id, 0);
                if catalog.criterion(cid).is_none() {
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownCriterion,
                            &origin,
                            format!("unknown criterion `{cid}`"),
                        )
                        .help(suggest_criterion(cid, catalog)),
                    );
                    continue;
                }
                if seen.contains(&cid) {
                    diags.push(
                        Diagnostic::warning(
                            Code::DuplicateId,
                            &origin,
                            format!("criterion `{cid}` is listed twice"),
                        )
                        .help("keep one entry with the best rationale"),
                    );
                    continue;
                }
                seen.push(cid);
                let rationale = entry
                    .rationale
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or_default()
                    .to_string();
                if rationale.is_empty() {
                    diags.push(
                        Diagnostic::warning(Code::MissingRationale, &origin, format!("the link to `{cid}` gives no rationale"))
                            .help("add `rationale:` with one line on why this control addresses this criterion; auditors distrust bare mappings"),
                    );
                }
                criteria.push(CriterionLink {
                    id: cid.to_string(),
                    rationale,
                    key: entry.key,
                    compensates: entry
                        .compensates
                        .iter()
                        .map(|c| c.value.trim().to_string())
                        .collect(),
                });
            }
        }
        other => {
            let origin = other
                .as_ref()
                .map(|l| at_any(file, l, 0))
                .unwrap_or_else(|| id_at.clone());
            diags.push(
                Diagnostic::error(
                    Code::NoCriteria,
                    &origin,
                    format!("control `{id}` is mapped to no criterion"),
                )
                .help("add `criteria:` with at least one `- id: CCx.y` and its `rationale:`"),
            );
        }
    }

    let mut tests = Vec::new();
    match &raw.tests {
        Some(list) if !list.value.is_empty() => {
            for t in &list.value {
                check_sql(file, t, &mut diags);
                tests.push(TestDef {
                    id: t.id.value.trim().to_string(),
                    procedure: t.procedure.clone(),
                    population: t.population.as_ref().map(|s| s.value.clone()),
                    expect: t.expect.as_ref().map(|s| s.value.clone()),
                    reason: t.reason.as_ref().map(|s| s.value.clone()),
                    occurrence: t.occurrence.clone(),
                    at: t.at.clone(),
                    severity: t.severity.as_ref().and_then(|s| {
                        enum_value::<Severity>(file, "severity", s, Severity::NAMES, &mut diags)
                    }),
                    sources: sources(file, t, &mut diags),
                });
            }
        }
        other => {
            let origin = other
                .as_ref()
                .map(|l| at_any(file, l, 0))
                .unwrap_or_else(|| id_at.clone());
            diags.push(
                Diagnostic::warning(Code::NoTests, &origin, format!("control `{id}` has no test procedure"))
                    .help("add `tests:` with `- id: <control>.1` and a `procedure:` an auditor can perform"),
            );
        }
    }
    let test_origins = raw
        .tests
        .as_ref()
        .map(|l| {
            l.value
                .iter()
                .map(|t| (t.id.value.trim().to_string(), at(file, &t.id, 0)))
                .collect()
        })
        .unwrap_or_default();

    let (Some(frequency), Some(nature), Some(control_type), true) =
        (frequency, nature, control_type, risk_ok)
    else {
        return (None, diags);
    };
    if id.is_empty() {
        return (None, diags);
    }
    let control = Control {
        id,
        title: raw.title,
        description: raw.description,
        owner: raw.owner.value.trim().to_string(),
        frequency,
        nature,
        control_type,
        risk,
        criteria,
        tests,
        guidance: raw.guidance,
    };
    let loaded = LoadedControl {
        control,
        origin: id_at,
        owner_at: at(file, &raw.owner, 0),
        test_origins,
        criterion_origins: raw
            .criteria
            .as_ref()
            .map(|l| {
                l.value
                    .iter()
                    .map(|e| (e.id.value.trim().to_string(), at(file, &e.id, 0)))
                    .collect()
            })
            .unwrap_or_default(),
        compensate_refs: raw
            .criteria
            .as_ref()
            .map(|l| {
                l.value
                    .iter()
                    .flat_map(|e| &e.compensates)
                    .map(|c| (c.value.trim().to_string(), at(file, c, 0)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    (Some(loaded), diags)
}

/// Help for an unknown criterion id: the closest valid ids, or the id ranges.
pub(crate) fn suggest_criterion(id: &str, catalog: &Catalog) -> String {
    let up = id.trim().to_ascii_uppercase();
    if up != id && catalog.criterion(&up).is_some() {
        return format!("criterion ids are upper case: write `{up}`");
    }
    let series: String = up.split('.').next().unwrap_or("").to_string();
    let same: Vec<&str> = catalog
        .criteria
        .iter()
        .filter(|c| c.series == series)
        .map(|c| c.id.as_str())
        .collect();
    if !same.is_empty() {
        return format!(
            "series {series} has {}; `assay catalog criteria` lists all 61",
            same.join(", ")
        );
    }
    "valid ids are CC1.1-CC9.2, A1.1-A1.3, C1.1-C1.2, PI1.1-PI1.5 and P1.1-P8.1; `assay catalog criteria` lists them".into()
}
