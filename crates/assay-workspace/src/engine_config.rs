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
}

/// `[judgment]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJudgment {
    #[serde(default)]
    tolerable_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pervasive_share: Option<Spanned<f64>>,
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
                "low" => s.risk = Risk::Low,
                "higher" => s.risk = Risk::Higher,
                other => report(
                    r.span(),
                    format!("unknown risk `{other}`"),
                    "write `risk = \"low\"` or `risk = \"higher\"` under [sampling]",
                ),
            }
        }
    }
    if let Some(raw) = judgment {
        for (field, value, target) in [
            ("tolerable_rate", &raw.tolerable_rate, &mut s.tolerable_rate),
            (
                "pervasive_share",
                &raw.pervasive_share,
                &mut s.pervasive_share,
            ),
        ] {
            if let Some(v) = value {
                let x = *v.get_ref();
                if (0.0..=1.0).contains(&x) {
                    *target = x;
                } else {
                    report(
                        v.span(),
                        format!("`{field}` must be a share between 0 and 1, not {x}"),
                        "write e.g. `tolerable_rate = 0.05` (five per cent) under [judgment]",
                    );
                }
            }
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
