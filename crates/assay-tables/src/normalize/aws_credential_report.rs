//! `aws-credential-report`: the IAM credential report CSV exactly as AWS emits it
//! (`aws iam get-credential-report`, decoded) → `cloud_credentials`.
//!
//! The root user is `<root_account>`; `N/A`, `not_supported` and `no_information` mean no
//! value. Only `user` and `arn` are required; other columns may be missing (older reports).

use super::csvutil::{csv_error, find, headers, reader};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::{self, Value};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "aws-credential-report",
    version: 1,
    tables: &["cloud_credentials"],
    format: "AWS IAM credential report (CSV)",
    run: super::Run::Each(run),
    importable: true,
};

/// (table column, report header, kind of value)
const FIELDS: &[(&str, &str, char)] = &[
    ("created_at", "user creation time", 't'),
    ("password_enabled", "password enabled", 'b'),
    ("password_last_used", "password last used", 't'),
    ("password_last_changed", "password last changed", 't'),
    ("mfa_active", "mfa active", 'b'),
    ("access_key_1_active", "access key 1 active", 'b'),
    (
        "access_key_1_last_rotated",
        "access key 1 last rotated",
        't',
    ),
    ("access_key_1_last_used", "access key 1 last used date", 't'),
    ("access_key_2_active", "access key 2 active", 'b'),
    (
        "access_key_2_last_rotated",
        "access key 2 last rotated",
        't',
    ),
    ("access_key_2_last_used", "access key 2 last used date", 't'),
];

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let mut r = reader(input.bytes)?;
    let h = headers(&mut r)?;
    let (Some(user), Some(arn)) = (find(&h, &["user"]), find(&h, &["arn"])) else {
        return Err(NormalizeError::at(1, format!("not an IAM credential report: it needs `user` and `arn` columns; the headers are: {}", h.join(", "))));
    };
    let positions: Vec<(&str, Option<usize>, char)> = FIELDS
        .iter()
        .map(|(col, header, k)| (*col, find(&h, &[header]), *k))
        .collect();
    let (rows, c) = out.table("cloud_credentials")?;
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&e))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let name = rec.get(user).unwrap_or("");
        let the_arn = rec.get(arn).unwrap_or("");
        if !the_arn.starts_with("arn:") {
            return Err(NormalizeError::at(
                line,
                format!("`{the_arn}` is not an ARN"),
            ));
        }
        let mut row = rows.blank();
        set(&mut row, c.at("key"), Value::Text(the_arn.to_string()));
        set(
            &mut row,
            c.at("account_id"),
            value::opt_text(the_arn.split(':').nth(4)),
        );
        set(&mut row, c.at("user"), Value::Text(name.to_string()));
        set(&mut row, c.at("arn"), Value::Text(the_arn.to_string()));
        set(
            &mut row,
            c.at("is_root"),
            Value::Bool(name == "<root_account>"),
        );
        for (col, pos, kind) in &positions {
            let raw = pos.and_then(|p| rec.get(p)).unwrap_or("");
            let v = if *kind == 't' {
                value::time(raw)
            } else {
                value::boolean(raw)
            };
            set(
                &mut row,
                c.at(col),
                v.map_err(|m| NormalizeError::at(line, format!("{}: {m}", col.replace('_', " "))))?,
            );
        }
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}
