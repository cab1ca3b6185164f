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
            match t.get_ref().as_str() {
                "common" => s.sampling_table = SamplingTable::Common,
                "chiaro" => s.sampling_table = SamplingTable::Chiaro,
                other => report(
                    t.span(),
                    format!("unknown sampling table `{other}`"),
                    "write `table = \"common\"` or `table = \"chiaro\"` under [sampling]",
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
