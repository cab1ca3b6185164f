//! `hr-roster`: an HR system's roster export (CSV) → `people`.
//!
//! Headers are matched case-insensitively with common aliases (`Work Email`, `Hire Date`,
//! `Termination Date`, `First Name` + `Last Name`, ...). Dates may be ISO (`2026-01-05`) or
//! US (`01/05/2026`). The email column is required: it is the row's key.

use super::csvutil::{csv_error, find, headers, reader};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::{self, Value};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "hr-roster",
    version: 1,
    tables: &["people"],
    format: "CSV export of the HR roster with an email column",
    run: super::Run::Each(run),
    importable: true,
};

const EMAIL: &[&str] = &[
    "work email",
    "email",
    "email address",
    "e mail",
    "company email",
    "work email address",
    "business email",
];
const NAME: &[&str] = &[
    "name",
    "full name",
    "employee name",
    "display name",
    "legal name",
    "preferred name",
];
const FIRST: &[&str] = &["first name", "given name", "preferred first name"];
const LAST: &[&str] = &["last name", "family name", "surname"];
const DEPARTMENT: &[&str] = &["department", "dept", "team", "department name"];
const TITLE: &[&str] = &["title", "job title", "position", "job"];
const MANAGER: &[&str] = &[
    "manager email",
    "manager",
    "reports to",
    "supervisor",
    "manager work email",
    "supervisor email",
];
const TYPE: &[&str] = &[
    "employment type",
    "employment status",
    "worker type",
    "employee type",
    "type",
];
const START: &[&str] = &[
    "start date",
    "hire date",
    "date of hire",
    "original hire date",
    "start",
    "hired",
];
const END: &[&str] = &[
    "termination date",
    "end date",
    "term date",
    "last day",
    "separation date",
    "last day of work",
    "terminated",
];

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let mut r = reader(input.bytes)?;
    let h = headers(&mut r)?;
    let email = find(&h, EMAIL).ok_or_else(|| {
        NormalizeError::at(
            1,
            format!(
                "no email column; expected one of `Work Email`, `Email`; the headers are: {}",
                h.join(", ")
            ),
        )
    })?;
    let (name, first, last) = (find(&h, NAME), find(&h, FIRST), find(&h, LAST));
    let (dept, title, manager, kind) = (
        find(&h, DEPARTMENT),
        find(&h, TITLE),
        find(&h, MANAGER),
        find(&h, TYPE),
    );
    let (start, end) = (find(&h, START), find(&h, END));
    let (rows, c) = out.table("people")?;
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&e))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
        let addr = get(Some(email)).to_ascii_lowercase();
        if value::is_none(&addr) || !addr.contains('@') {
            return Err(NormalizeError::at(line, format!("`{addr}` is not an email address; every person needs one (it is the row's key)")));
        }
        let full = if !get(name).is_empty() {
            get(name).to_string()
        } else {
            format!("{} {}", get(first), get(last)).trim().to_string()
        };
        let dated = |col: Option<usize>, what: &str| {
            value::date(get(col)).map_err(|m| NormalizeError::at(line, format!("{what}: {m}")))
        };
        let mut row = rows.blank();
        set(&mut row, c.at("key"), Value::Text(addr.clone()));
        set(&mut row, c.at("email"), Value::Text(addr));
        set(&mut row, c.at("name"), value::text(&full));
        set(&mut row, c.at("department"), value::text(get(dept)));
        set(&mut row, c.at("title"), value::text(get(title)));
        set(
            &mut row,
            c.at("manager"),
            value::text(&get(manager).to_ascii_lowercase()),
        );
        set(&mut row, c.at("employment_type"), value::text(get(kind)));
        set(&mut row, c.at("start_date"), dated(start, "start date")?);
        set(&mut row, c.at("end_date"), dated(end, "termination date")?);
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}
