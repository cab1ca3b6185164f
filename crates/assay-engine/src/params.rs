//! Named parameters in a test's SQL (`:period_start`, `:deprovision_business_days`, ...):
//! the library's defaults, the workspace's overrides, and substitution that leaves string
//! literals, quoted names and comments alone.

use assay_core::Param;
use std::collections::BTreeMap;

/// Parameters every workspace has, with their defaults and meaning. `[parameters]` in
/// `assay.toml` overrides them or adds new ones.
pub const DEFAULTS: &[(&str, i64, &str)] = &[
    ("deprovision_business_days", 1, "business days after the HR end date by which a leaver's accounts must be disabled"),
    ("access_key_max_age_days", 90, "age after which an active cloud access key must have been rotated"),
    ("access_key_unused_days", 90, "days without use after which an active cloud access key must be removed"),
    ("dormant_account_days", 90, "days without sign-in after which an active account counts as dormant"),
    ("training_new_hire_days", 30, "days after the start date by which a new hire completes security training"),
    ("training_refresh_days", 365, "days between two security training completions of a person"),
    ("policy_ack_days", 30, "days after the start date by which a new hire acknowledges the policies"),
    ("vuln_sla_critical_days", 15, "days to remediate a critical vulnerability"),
    ("vuln_sla_high_days", 30, "days to remediate a high vulnerability"),
    ("vuln_sla_medium_days", 90, "days to remediate a medium vulnerability"),
    ("vuln_sla_low_days", 180, "days to remediate a low vulnerability"),
    ("vendor_review_days", 365, "days between two security reviews of a high-criticality vendor"),
    ("incident_postmortem_severities", 2, "incidents of this severity rank or worse (1 = sev1/critical, 2 = sev2/high) need a post-mortem"),
    ("significant_incident_severities", 2, "incidents of this severity rank or worse (1 = sev1/critical, 2 = sev2/high) are significant: Section III of the draft report describes each"),
    ("endpoint_checkin_days", 30, "days since last check-in after which a laptop counts as unmanaged"),
    ("failing_sla_critical_days", 7, "days a failing test of critical severity may stay failing before `assay ci` reports it overdue"),
    ("failing_sla_high_days", 30, "days a failing test of high severity may stay failing before `assay ci` reports it overdue"),
    ("failing_sla_medium_days", 60, "days a failing test of medium severity may stay failing before `assay ci` reports it overdue"),
    ("failing_sla_low_days", 90, "days a failing test of low severity may stay failing before `assay ci` reports it overdue"),
];

/// A parameter's value as an SQL literal.
pub fn literal(p: &Param) -> String {
    match p {
        Param::Int(i) => i.to_string(),
        Param::Text(t) => format!("'{}'", t.replace('\'', "''")),
    }
}

/// The library defaults with the workspace's values on top, as SQL literals.
pub fn merged(overrides: &BTreeMap<String, Param>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = DEFAULTS
        .iter()
        .map(|(n, v, _)| (n.to_string(), v.to_string()))
        .collect();
    for (n, p) in overrides {
        out.insert(n.clone(), literal(p));
    }
    out
}

/// Replaces each `:name` outside quotes and comments with its value. `Err` names the first
/// parameter that has no value. `::` (a cast) is left alone.
pub fn substitute(sql: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 64);
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b':' if b.get(i + 1) == Some(&b':') => i += 2,
            b':' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
            {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                let name = &sql[start..end];
                let value = values.get(name).ok_or_else(|| name.to_string())?;
                out.push_str(&sql[copied..i]);
                out.push_str(value);
                copied = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals() -> BTreeMap<String, String> {
        [
            ("a", "1"),
            ("period_end", "TIMESTAMP '2026-09-30T23:59:59.999999Z'"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn replaces_names_outside_quotes_and_comments() {
        let sql = "SELECT ':a', \":a\" FROM t -- :a\nWHERE x < :a AND y::int = 2 /* :a */ AND t <= :period_end";
        let out = substitute(sql, &vals()).unwrap();
        assert_eq!(
            out,
            "SELECT ':a', \":a\" FROM t -- :a\nWHERE x < 1 AND y::int = 2 /* :a */ AND t <= TIMESTAMP '2026-09-30T23:59:59.999999Z'"
        );
    }

    #[test]
    fn unknown_names_are_reported() {
        assert_eq!(substitute("x = :nope", &vals()), Err("nope".to_string()));
    }

    #[test]
    fn workspace_values_override_defaults_and_text_is_quoted() {
        let mut o = BTreeMap::new();
        o.insert("deprovision_business_days".to_string(), Param::Int(3));
        o.insert("team".to_string(), Param::Text("it's".to_string()));
        let m = merged(&o);
        assert_eq!(m["deprovision_business_days"], "3");
        assert_eq!(m["team"], "'it''s'");
        assert_eq!(m["vuln_sla_high_days"], "30");
    }
}
