//! `[sampling]`, `[judgment]` and `[parameters]` of `assay.toml`: how the engine samples,
//! where its judgment thresholds sit, and values control tests use as `:name` in SQL.

use assay_core::{EngineSettings, Param, Risk, SamplingTable};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// `[sampling]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSampling {
    #[serde(default)]
    table: Option<Spanned<String>>,
    #[serde(default)]
    risk: Option<Spanned<String>>,
    #[serde(default)]
    test_all_up_to: Option<Spanned<i64>>,
    #[serde(default)]
    firm: Option<Spanned<RawFirm>>,
}

/// `[sampling.firm]`: the firm's own table for event-driven populations.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirm {
    name: String,
    event: Vec<RawBand>,
}

/// One band: `{up_to = 50, size = 8}`, `{up_to = 10, size = "all"}`, the last `{size = 25}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    #[serde(default)]
    up_to: Option<i64>,
    size: toml::Value,
}

const FIRM_HELP: &str = "under [sampling.firm] write `name = \"...\"` and `event = [{up_to = 10, size = \"all\"}, {up_to = 50, size = 8}, {size = 25}]`: bands by population size in ascending order, each size a whole number of 1 or more or \"all\", the last band without `up_to`";

/// The firm's table, or why it cannot be used.
fn firm_table(raw: &RawFirm) -> Result<assay_core::FirmTable, String> {
    if raw.name.trim().is_empty() {
        return Err("[sampling.firm] field `name` is empty".into());
    }
    if raw.event.is_empty() {
        return Err("[sampling.firm] field `event` has no band".into());
    }
    let mut bands = Vec::new();
    let mut last: Option<u64> = None;
    for (i, b) in raw.event.iter().enumerate() {
        let n = i + 1;
        let up_to = match b.up_to {
            None if n < raw.event.len() => {
                return Err(format!(
                    "[sampling.firm] band {n} has no `up_to`, but only the last band may be open-ended"
                ))
            }
            None => None,
            Some(v) => match u64::try_from(v) {
                Ok(v) if v >= 1 && last.is_none_or(|l| v > l) => Some(v),
                _ => {
                    return Err(format!(
                        "[sampling.firm] band {n} field `up_to` is {v}: it must be 1 or more and larger than the band before"
                    ))
                }
            },
        };
        if n == raw.event.len() && up_to.is_some() {
            return Err(format!(
                "[sampling.firm] the last band (band {n}) has `up_to`: leave it out, so the table covers every population"
            ));
        }
        let size = match &b.size {
            toml::Value::String(s) if s == "all" => None,
            toml::Value::Integer(k) if *k >= 1 => Some(*k as u64),
            other => {
                return Err(format!(
                    "[sampling.firm] band {n} field `size` is {other}: write a whole number of 1 or more, or \"all\""
                ))
            }
        };
        last = up_to.or(last);
        bands.push(assay_core::Band { up_to, size });
    }
    Ok(assay_core::FirmTable {
        name: raw.name.trim().to_string(),
        bands,
    })
}

/// `[judgment]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJudgment {
    /// Retired with judgment rules version 2: read only to say so.
    #[serde(default)]
    tolerable_rate: Option<Spanned<toml::Value>>,
    /// Retired with judgment rules version 2: read only to say so.
    #[serde(default)]
    pervasive_share: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pervasive_series: Option<Spanned<i64>>,
    #[serde(default)]
    pervasive_category_share: Option<Spanned<f64>>,
    #[serde(default)]
    fieldwork_complete: Option<bool>,
    #[serde(default)]
    event_gap_days: Option<Spanned<i64>>,
}

/// Reports a problem: where, what, how to fix it.
pub type Report<'a> = dyn FnMut(Range<usize>, String, &'static str) + 'a;

/// The settings, defaults filled in; each bad value is reported and left at its default.
pub fn settings(
    sampling: Option<&RawSampling>,
    judgment: Option<&RawJudgment>,
    parameters: &BTreeMap<String, Spanned<toml::Value>>,
    report: &mut Report<'_>,
) -> EngineSettings {
    let mut s = EngineSettings::default();
    if let Some(raw) = sampling {
        if let Some(t) = &raw.table {
            match (t.get_ref().as_str(), &raw.firm) {
                ("common", _) => s.sampling_table = SamplingTable::Common,
                ("chiaro", _) => s.sampling_table = SamplingTable::Chiaro,
                ("firm", Some(f)) => match firm_table(f.get_ref()) {
                    Ok(table) => s.sampling_table = SamplingTable::Firm(table),
                    Err(m) => report(f.span(), m, FIRM_HELP),
                },
                ("firm", None) => report(
                    t.span(),
                    "`table = \"firm\"` needs the firm's table under [sampling.firm]".into(),
                    FIRM_HELP,
                ),
                (other, _) => report(
                    t.span(),
                    format!("unknown sampling table `{other}`"),
                    "write `table = \"common\"`, `table = \"chiaro\"` or `table = \"firm\"` (with [sampling.firm]) under [sampling]",
                ),
            }
        }
        if let Some(r) = &raw.risk {
            match r.get_ref().as_str() {
                "low" => s.risk = Some(Risk::Low),
                "higher" => s.risk = Some(Risk::Higher),
                other => report(
                    r.span(),
                    format!("unknown risk `{other}`"),
                    "write `risk = \"low\"` or `risk = \"higher\"` under [sampling]",
                ),
            }
        }
        if let Some(v) = &raw.test_all_up_to {
            match u32::try_from(*v.get_ref()) {
                Ok(n) => s.test_all_up_to = n,
                Err(_) => report(
                    v.span(),
                    format!("`test_all_up_to` must be zero or more, not {}", v.get_ref()),
                    "write e.g. `test_all_up_to = 50` under [sampling] (0 leaves it to the table)",
                ),
            }
        }
    }
    if let Some(raw) = judgment {
        if let Some(v) = &raw.tolerable_rate {
            report(
                v.span(),
                "`tolerable_rate` was retired: a whole-population test has no sampling risk, so \
                 each of its deviations is evaluated in findings/ instead of passed by a rate"
                    .into(),
                "delete the line, and record each deviation's evaluation (`evaluation:` in \
                 findings/F-<test>.yaml, see docs/assessment.md)",
            );
        }
        if let Some(v) = &raw.pervasive_share {
            report(
                v.span(),
                "`pervasive_share` was retired: pervasiveness is judged by how far matters \
                 spread, not by a flat share of criteria"
                    .into(),
                "delete the line; `pervasive_series` and `pervasive_category_share` under \
                 [judgment] set the new rules (docs/assessment.md)",
            );
        }
        if let Some(v) = &raw.pervasive_series {
            match u32::try_from(*v.get_ref()) {
                Ok(n) if n >= 1 => s.pervasive_series = n,
                _ => report(
                    v.span(),
                    format!("`pervasive_series` must be 1 or more, not {}", v.get_ref()),
                    "write e.g. `pervasive_series = 3` under [judgment]",
                ),
            }
        }
        if let Some(v) = &raw.pervasive_category_share {
            let x = *v.get_ref();
            if x > 0.0 && x <= 1.0 {
                s.pervasive_category_share = x;
            } else {
                report(
                    v.span(),
                    format!(
                        "`pervasive_category_share` must be a share above 0 and at most 1, not {x}"
                    ),
                    "write e.g. `pervasive_category_share = 0.5` (half) under [judgment]",
                );
            }
        }
        if let Some(done) = raw.fieldwork_complete {
            s.fieldwork_complete = done;
        }
        if let Some(v) = &raw.event_gap_days {
            match u32::try_from(*v.get_ref()) {
                Ok(d) => s.event_gap_days = d,
                Err(_) => report(
                    v.span(),
                    format!("`event_gap_days` must be zero or more, not {}", v.get_ref()),
                    "write e.g. `event_gap_days = 7` under [judgment]",
                ),
            }
        }
    }
    for (name, value) in parameters {
        let param = match value.get_ref() {
            toml::Value::Integer(i) => Some(Param::Int(*i)),
            toml::Value::String(t) => Some(Param::Text(t.clone())),
            _ => None,
        };
        match param {
            Some(p) => {
                s.params.insert(name.clone(), p);
            }
            None => report(
                value.span(),
                format!("parameter `{name}` must be a whole number or a string"),
                "write e.g. `deprovision_business_days = 2` under [parameters]",
            ),
        }
    }
    s
}
