//! `github-pulls`: pull requests as the GitHub REST API returns them
//! (`GET /repos/{owner}/{repo}/pulls?state=closed`), each optionally carrying a `reviews`
//! array from `GET /repos/{owner}/{repo}/pulls/{number}/reviews` → `changes`. Pull requests
//! are read into typed structs that borrow from the file (see [`super::loose`]).
//!
//! Approvals count each reviewer's latest deciding review (`APPROVED`, `CHANGES_REQUESTED`
//! or `DISMISSED`; comments decide nothing), ignore bots, and never count the author.

use super::jsonutil::maybe_gunzip;
use super::loose::{records, utf8, Int, List, Obj, Str};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{put, Cell, Cols, Rows};
use crate::value;
use serde::Deserialize;
use std::borrow::Cow;
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

/// One pull request, as far as the tables need it.
#[derive(Deserialize, Default)]
pub(super) struct Pull<'a> {
    #[serde(default)]
    number: Int,
    #[serde(borrow, default)]
    title: Str<'a>,
    #[serde(borrow, default)]
    user: Obj<User<'a>>,
    #[serde(borrow, default)]
    created_at: Str<'a>,
    #[serde(borrow, default)]
    merged_at: Str<'a>,
    #[serde(borrow, default)]
    merged_by: Obj<User<'a>>,
    #[serde(borrow, default)]
    base: Obj<Base<'a>>,
    #[serde(borrow, default)]
    labels: List<Label<'a>>,
    /// The pull request's reviews, when the export carries them.
    #[serde(borrow, default)]
    pub(super) reviews: List<Review<'a>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow, default)]
    login: Str<'a>,
    #[serde(rename = "type", borrow, default)]
    kind: Str<'a>,
}

impl User<'_> {
    fn is_bot(&self) -> bool {
        self.kind.get() == Some("Bot") || self.login.get().is_some_and(|l| l.ends_with("[bot]"))
    }
}

#[derive(Deserialize)]
struct Base<'a> {
    #[serde(rename = "ref", borrow, default)]
    branch: Str<'a>,
    #[serde(borrow, default)]
    repo: Obj<Repo<'a>>,
}

#[derive(Deserialize)]
struct Repo<'a> {
    #[serde(borrow, default)]
    full_name: Str<'a>,
}

#[derive(Deserialize)]
struct Label<'a> {
    #[serde(borrow, default)]
    name: Str<'a>,
}

/// One review of a pull request.
#[derive(Deserialize)]
pub(super) struct Review<'a> {
    #[serde(borrow, default)]
    state: Str<'a>,
    #[serde(borrow, default)]
    user: Obj<User<'a>>,
}

impl<'a> Pull<'a> {
    /// Reads a pull request from a stored API response (the GitHub collector's `pulls`).
    pub(super) fn from_json(v: &'a serde_json::Value) -> Pull<'a> {
        Pull::deserialize(v).unwrap_or_default()
    }

    /// The pull request's number, when it has one.
    pub(super) fn number(&self) -> Option<i64> {
        self.number.0
    }

    /// `base.repo.full_name`, when given.
    pub(super) fn repo(&self) -> Option<&str> {
        self.base
            .get()
            .and_then(|b| b.repo.get())
            .and_then(|r| r.full_name.get())
    }

    /// Whether it was merged.
    pub(super) fn merged(&self) -> bool {
        self.merged_at.get().is_some()
    }
}

impl<'a> Review<'a> {
    /// Reads a review from a stored API response (the collector's `reviews`).
    pub(super) fn from_json(v: &'a serde_json::Value) -> Option<Review<'a>> {
        Review::deserialize(v).ok()
    }
}

/// The summary of a pull request's reviews: approvers (not the author, not bots), whether
/// the author approved, whether changes are requested.
fn reviews(pr: &Pull<'_>, author: &str) -> Option<(Vec<String>, bool, bool)> {
    if !pr.reviews.present {
        return None;
    }
    let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &pr.reviews.items {
        let state = r.state.get().unwrap_or("");
        if !matches!(state, "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            continue;
        }
        let Some(user) = r.user.get() else { continue };
        if user.is_bot() {
            continue;
        }
        if let Some(login) = user.login.get() {
            latest.insert(login, state);
        }
    }
    let approvers: Vec<String> = latest
        .iter()
        .filter(|(l, st)| **st == "APPROVED" && **l != author)
        .map(|(l, _)| l.to_string())
        .collect();
    let author_approved = latest.get(author) == Some(&"APPROVED");
    let changes_requested = latest.values().any(|st| *st == "CHANGES_REQUESTED");
    Some((approvers, author_approved, changes_requested))
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let data = maybe_gunzip(input.bytes)?;
    let recs: Vec<(usize, Pull<'_>)> = records(utf8(&data)?, None)?;
    let (rows, c) = out.table("changes")?;
    let repo = input.params.get("repo").map(String::as_str);
    let mut row = rows.blank_cells();
    for (i, pr) in &recs {
        push(rows, &c, &mut row, pr, repo, *i)?;
    }
    Ok(recs.len())
}

/// Appends one pull request (with its `reviews`, when present) to `changes` (`row` is a
/// reusable buffer from [`Rows::blank_cells`]).
pub(super) fn push<'a>(
    rows: &mut Rows,
    c: &Cols,
    row: &mut [Cell<'a>],
    pr: &'a Pull<'a>,
    repo_fallback: Option<&'a str>,
    i: usize,
) -> Result<(), NormalizeError> {
    let number = pr.number().ok_or_else(|| {
        NormalizeError::at(
            i,
            "a pull request has no `number`; is this the pulls API response?",
        )
    })?;
    let repo = pr.repo().or(repo_fallback).ok_or_else(|| {
        NormalizeError::at(
            i,
            format!("pull request #{number} has no base.repo.full_name"),
        )
    })?;
    let user = pr.user.get();
    let author = user.and_then(|u| u.login.get()).unwrap_or("");
    let at = |field: &str, v: &Str<'_>| {
        value::time(v.get().unwrap_or(""))
            .map_err(|m| NormalizeError::at(i, format!("{repo}#{number} {field}: {m}")))
    };
    put(
        row,
        c.at("key"),
        Cell::Text(Cow::Owned(format!("{repo}#{number}"))),
    );
    put(row, c.at("repo"), Cell::exact(repo));
    put(row, c.at("number"), Cell::Int(number));
    put(row, c.at("title"), Cell::opt_text(pr.title.get()));
    put(row, c.at("author"), Cell::text(author));
    put(
        row,
        c.at("created_at"),
        at("created_at", &pr.created_at)?.into(),
    );
    let merged_at = at("merged_at", &pr.merged_at)?;
    put(
        row,
        c.at("merged"),
        Cell::Bool(merged_at != value::Value::Null),
    );
    put(row, c.at("merged_at"), merged_at.into());
    put(
        row,
        c.at("merged_by"),
        Cell::opt_text(pr.merged_by.get().and_then(|u| u.login.get())),
    );
    put(
        row,
        c.at("base_branch"),
        Cell::opt_text(pr.base.get().and_then(|b| b.branch.get())),
    );
    match reviews(pr, author) {
        Some((approvers, author_approved, changes_requested)) => {
            put(row, c.at("approvals"), Cell::Int(approvers.len() as i64));
            put(
                row,
                c.at("self_approved"),
                Cell::Bool(author_approved && approvers.is_empty()),
            );
            put(
                row,
                c.at("approvers"),
                Cell::Text(Cow::Owned(approvers.join(","))),
            );
            put(
                row,
                c.at("changes_requested"),
                Cell::Bool(changes_requested),
            );
            put(row, c.at("reviews_known"), Cell::Bool(true));
        }
        None => put(row, c.at("reviews_known"), Cell::Bool(false)),
    }
    let emergency = pr.labels.items.iter().any(|l| {
        l.name
            .get()
            .is_some_and(|n| n.to_ascii_lowercase().contains("emergency"))
    });
    put(row, c.at("emergency"), Cell::Bool(emergency));
    rows.push_cells(row);
    Ok(())
}
