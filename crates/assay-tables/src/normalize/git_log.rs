//! `git-log`: `git log --first-parent` output in the git collector's format → `changes`, one
//! row per commit on the branch (a merge commit stands for the change it merged). Approvals
//! come from `Reviewed-by:` / `Approved-by:` trailers naming someone other than the author.

use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::{self, Value};
use std::collections::BTreeSet;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "git-log",
    version: 1,
    tables: &["changes"],
    format: "git log output stored by the git collector",
    run: super::Run::Each(run),
    importable: false,
};

fn signature(code: &str) -> &'static str {
    match code {
        "G" => "good",
        "B" => "bad",
        "U" => "unknown-validity",
        "X" => "expired",
        "Y" => "expired-key",
        "R" => "revoked",
        "E" => "cannot-check",
        _ => "none",
    }
}

/// The email in `Name <email>` (or the text itself), lower case.
fn email_of(s: &str) -> String {
    let t = s.trim();
    match (t.rfind('<'), t.rfind('>')) {
        (Some(a), Some(b)) if a < b => t[a + 1..b].to_ascii_lowercase(),
        _ => t.to_ascii_lowercase(),
    }
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let text = std::str::from_utf8(input.bytes)
        .map_err(|_| NormalizeError::whole("git log output is not UTF-8"))?;
    let repo = input.params.get("repo").cloned().unwrap_or_default();
    let branch = input.params.get("branch").cloned();
    let (rows, c) = out.table("changes")?;
    let mut n = 0;
    for (i, rec) in text.split('\u{1e}').enumerate() {
        let rec = rec.trim_start_matches('\n');
        if rec.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = rec.split('\u{1f}').collect();
        if f.len() < 12 {
            return Err(NormalizeError::at(
                i + 1,
                format!(
                    "commit record has {} fields, expected 12; was it stored by the git collector?",
                    f.len()
                ),
            ));
        }
        let (
            sha,
            author_email,
            author_date,
            committer_email,
            committer_date,
            sig,
            subject,
            trailers,
        ) = (
            f[0],
            f[3].to_ascii_lowercase(),
            f[4],
            f[6].to_ascii_lowercase(),
            f[7],
            f[8],
            f[10],
            f[11],
        );
        let reviewers: BTreeSet<String> = trailers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| {
                matches!(
                    k.trim().to_ascii_lowercase().as_str(),
                    "reviewed-by" | "approved-by"
                )
            })
            .map(|(_, v)| email_of(v))
            .collect();
        let approvers: Vec<String> = reviewers
            .iter()
            .filter(|r| **r != author_email)
            .cloned()
            .collect();
        let number = subject
            .strip_prefix("Merge pull request #")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse::<i64>().ok());
        let at = |s: &str| {
            value::time(s).map_err(|m| NormalizeError::at(i + 1, format!("commit {sha}: {m}")))
        };
        let mut row = rows.blank();
        set(&mut row, c.at("key"), Value::Text(format!("{repo}@{sha}")));
        set(&mut row, c.at("repo"), Value::Text(repo.clone()));
        set(
            &mut row,
            c.at("number"),
            number.map(Value::Int).unwrap_or_default(),
        );
        set(&mut row, c.at("title"), value::text(subject));
        set(&mut row, c.at("author"), Value::Text(author_email.clone()));
        set(&mut row, c.at("created_at"), at(author_date)?);
        set(&mut row, c.at("merged"), Value::Bool(true));
        set(&mut row, c.at("merged_at"), at(committer_date)?);
        set(&mut row, c.at("merged_by"), Value::Text(committer_email));
        set(
            &mut row,
            c.at("base_branch"),
            value::opt_text(branch.as_deref()),
        );
        set(
            &mut row,
            c.at("approvals"),
            Value::Int(approvers.len() as i64),
        );
        set(
            &mut row,
            c.at("self_approved"),
            Value::Bool(approvers.is_empty() && reviewers.contains(&author_email)),
        );
        set(
            &mut row,
            c.at("approvers"),
            Value::Text(approvers.join(",")),
        );
        set(&mut row, c.at("changes_requested"), Value::Bool(false));
        set(&mut row, c.at("reviews_known"), Value::Bool(true));
        set(
            &mut row,
            c.at("emergency"),
            Value::Bool(subject.to_ascii_lowercase().contains("emergency")),
        );
        set(
            &mut row,
            c.at("signature"),
            Value::Text(signature(sig).to_string()),
        );
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}
