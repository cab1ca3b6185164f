//! `github-pulls`: pull requests as the GitHub REST API returns them
//! (`GET /repos/{owner}/{repo}/pulls?state=closed`), each optionally carrying a `reviews`
//! array from `GET /repos/{owner}/{repo}/pulls/{number}/reviews` → `changes`.
//!
//! Approvals count each reviewer's latest deciding review (`APPROVED`, `CHANGES_REQUESTED`
//! or `DISMISSED`; comments decide nothing), ignore bots, and never count the author.

use super::jsonutil::{records, s};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{set, Cols, Rows};
use crate::value::{self, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "github-pulls",
    version: 1,
    tables: &["changes"],
    format: "GitHub pull requests (REST API JSON array), optionally each with `reviews`",
    run: super::Run::Each(run),
    importable: true,
};

fn is_bot(user: &Json) -> bool {
    s(user, "/type") == Some("Bot") || s(user, "/login").is_some_and(|l| l.ends_with("[bot]"))
}

/// The summary of a pull request's reviews: approvers (not the author, not bots), whether
/// the author approved, whether changes are requested.
fn reviews(pr: &Json, author: &str) -> Option<(Vec<String>, bool, bool)> {
    let list = pr.get("reviews")?.as_array()?;
    let mut latest: BTreeMap<String, &str> = BTreeMap::new();
    for r in list {
        let state = s(r, "/state").unwrap_or("");
        if !matches!(state, "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            continue;
        }
        let Some(user) = r.get("user") else { continue };
        if is_bot(user) {
            continue;
        }
        if let Some(login) = s(user, "/login") {
            latest.insert(login.to_string(), state);
        }
    }
    let approvers: Vec<String> = latest
        .iter()
        .filter(|(l, st)| **st == "APPROVED" && l.as_str() != author)
        .map(|(l, _)| l.clone())
        .collect();
    let author_approved = latest.get(author) == Some(&"APPROVED");
    let changes_requested = latest.values().any(|st| *st == "CHANGES_REQUESTED");
    Some((approvers, author_approved, changes_requested))
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let recs = records(input.bytes, None)?;
    let (rows, c) = out.table("changes")?;
    let mut n = 0;
    for (i, pr) in recs {
        push(
            rows,
            &c,
            &pr,
            input.params.get("repo").map(String::as_str),
            input.evidence,
            i,
        )?;
        n += 1;
    }
    Ok(n)
}

/// Appends one pull request (with its `reviews`, when present) to `changes`.
pub(super) fn push(
    rows: &mut Rows,
    c: &Cols,
    pr: &Json,
    repo_fallback: Option<&str>,
    evidence: &str,
    i: usize,
) -> Result<(), NormalizeError> {
    let number = pr.get("number").and_then(Json::as_i64).ok_or_else(|| {
        NormalizeError::at(
            i,
            "a pull request has no `number`; is this the pulls API response?",
        )
    })?;
    let repo = s(pr, "/base/repo/full_name")
        .map(str::to_string)
        .or_else(|| repo_fallback.map(str::to_string))
        .ok_or_else(|| {
            NormalizeError::at(
                i,
                format!("pull request #{number} has no base.repo.full_name"),
            )
        })?;
    let author = s(pr, "/user/login").unwrap_or("");
    let at = |field: &str| {
        value::time(s(pr, &format!("/{field}")).unwrap_or(""))
            .map_err(|m| NormalizeError::at(i, format!("{repo}#{number} {field}: {m}")))
    };
    let mut row = rows.blank();
    set(
        &mut row,
        c.at("key"),
        Value::Text(format!("{repo}#{number}")),
    );
    set(&mut row, c.at("repo"), Value::Text(repo.clone()));
    set(&mut row, c.at("number"), Value::Int(number));
    set(&mut row, c.at("title"), value::opt_text(s(pr, "/title")));
    set(&mut row, c.at("author"), value::text(author));
    set(&mut row, c.at("created_at"), at("created_at")?);
    let merged_at = at("merged_at")?;
    set(
        &mut row,
        c.at("merged"),
        Value::Bool(merged_at != Value::Null),
    );
    set(&mut row, c.at("merged_at"), merged_at);
    set(
        &mut row,
        c.at("merged_by"),
        value::opt_text(s(pr, "/merged_by/login")),
    );
    set(
        &mut row,
        c.at("base_branch"),
        value::opt_text(s(pr, "/base/ref")),
    );
    match reviews(pr, author) {
        Some((approvers, author_approved, changes_requested)) => {
            set(
                &mut row,
                c.at("approvals"),
                Value::Int(approvers.len() as i64),
            );
            set(
                &mut row,
                c.at("self_approved"),
                Value::Bool(author_approved && approvers.is_empty()),
            );
            set(
                &mut row,
                c.at("approvers"),
                Value::Text(approvers.join(",")),
            );
            set(
                &mut row,
                c.at("changes_requested"),
                Value::Bool(changes_requested),
            );
            set(&mut row, c.at("reviews_known"), Value::Bool(true));
        }
        None => set(&mut row, c.at("reviews_known"), Value::Bool(false)),
    }
    let emergency = pr.get("labels").and_then(Json::as_array).is_some_and(|ls| {
        ls.iter()
            .any(|l| s(l, "/name").is_some_and(|n| n.to_ascii_lowercase().contains("emergency")))
    });
    set(&mut row, c.at("emergency"), Value::Bool(emergency));
    set(
        &mut row,
        c.at("evidence"),
        Value::Text(evidence.to_string()),
    );
    rows.push(&mut row);
    Ok(())
}
