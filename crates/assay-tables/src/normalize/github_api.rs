//! `github-api`: the responses the GitHub collector stored in one run, read together →
//! `accounts` (org members, with 2FA and admin status from the filtered member lists),
//! `branch_protection` (each default branch; a 404 "Branch not protected" means none) and
//! `changes` (closed pull requests, each joined with its reviews).

use super::github_pulls::{self, Review};
use super::jsonutil::{array, endpoint, s};
use super::loose::List;
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "github-api",
    version: 1,
    tables: &["accounts", "branch_protection", "changes"],
    format: "GitHub REST API responses stored by the github collector",
    run: super::Run::Batch(run),
    importable: false,
};

fn logins(list: &[Json]) -> BTreeSet<String> {
    list.iter()
        .filter_map(|m| s(m, "/login").map(str::to_string))
        .collect()
}

fn run(inputs: &[Input<'_>], out: &mut Output) -> Result<usize, NormalizeError> {
    let mut members: Vec<(Json, &str)> = Vec::new();
    let (mut no_2fa, mut admins) = (None::<BTreeSet<String>>, None::<BTreeSet<String>>);
    let mut reviews: BTreeMap<(String, i64), Vec<Json>> = BTreeMap::new();
    for i in inputs {
        match endpoint(i) {
            "members" => members.extend(array(i)?.into_iter().map(|m| (m, i.evidence))),
            "members-2fa-disabled" => no_2fa
                .get_or_insert_with(BTreeSet::new)
                .extend(logins(&array(i)?)),
            "members-admin" => admins
                .get_or_insert_with(BTreeSet::new)
                .extend(logins(&array(i)?)),
            "reviews" => {
                let repo = i.params.get("repo").cloned().unwrap_or_default();
                let number = i
                    .params
                    .get("number")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                reviews.entry((repo, number)).or_default().extend(array(i)?);
            }
            _ => {}
        }
    }
    let mut n = 0;

    let (rows, c) = out.table("accounts")?;
    let snapshot = inputs.iter().find_map(|i| i.snapshot_at);
    for (m, evidence) in &members {
        let Some(login) = s(m, "/login") else {
            continue;
        };
        rows.set_source(evidence, snapshot);
        let mut row = rows.blank();
        set(
            &mut row,
            c.at("key"),
            Value::Text(format!("github:{login}")),
        );
        set(&mut row, c.at("system"), Value::Text("github".into()));
        set(
            &mut row,
            c.at("user_id"),
            m.get("id")
                .map(|v| Value::Text(v.to_string()))
                .unwrap_or_default(),
        );
        set(&mut row, c.at("login"), Value::Text(login.to_string()));
        set(&mut row, c.at("status"), Value::Text("member".into()));
        set(&mut row, c.at("active"), Value::Bool(true));
        set(
            &mut row,
            c.at("mfa"),
            no_2fa
                .as_ref()
                .map(|set| Value::Bool(!set.contains(login)))
                .unwrap_or_default(),
        );
        set(
            &mut row,
            c.at("admin"),
            admins
                .as_ref()
                .map(|set| Value::Bool(set.contains(login)))
                .unwrap_or_default(),
        );
        rows.push(&mut row);
        n += 1;
    }

    let (rows, c) = out.table("branch_protection")?;
    for i in inputs.iter().filter(|i| endpoint(i) == "branch-protection") {
        rows.set_source(i.evidence, i.snapshot_at);
        let repo = i.params.get("repo").cloned().unwrap_or_default();
        let branch = i.params.get("branch").cloned().unwrap_or_default();
        let protected = i.params.get("status").map(String::as_str) != Some("404");
        let doc: Json = serde_json::from_slice(i.bytes).unwrap_or(Json::Null);
        let flag = |p: &str| Value::Bool(doc.pointer(p).and_then(Json::as_bool).unwrap_or(false));
        let mut row = rows.blank();
        set(
            &mut row,
            c.at("key"),
            Value::Text(format!("{repo}@{branch}")),
        );
        set(&mut row, c.at("repo"), Value::Text(repo));
        set(&mut row, c.at("branch"), Value::Text(branch));
        set(&mut row, c.at("protected"), Value::Bool(protected));
        let required = doc
            .pointer("/required_pull_request_reviews/required_approving_review_count")
            .and_then(Json::as_i64);
        let reviews_on = doc.pointer("/required_pull_request_reviews").is_some();
        set(
            &mut row,
            c.at("required_reviews"),
            Value::Int(if reviews_on { required.unwrap_or(1) } else { 0 }),
        );
        set(
            &mut row,
            c.at("dismiss_stale_reviews"),
            flag("/required_pull_request_reviews/dismiss_stale_reviews"),
        );
        set(
            &mut row,
            c.at("require_code_owner_reviews"),
            flag("/required_pull_request_reviews/require_code_owner_reviews"),
        );
        set(
            &mut row,
            c.at("enforce_admins"),
            flag("/enforce_admins/enabled"),
        );
        set(
            &mut row,
            c.at("required_status_checks"),
            Value::Bool(
                doc.pointer("/required_status_checks")
                    .is_some_and(|v| !v.is_null()),
            ),
        );
        set(
            &mut row,
            c.at("allow_force_pushes"),
            flag("/allow_force_pushes/enabled"),
        );
        rows.push(&mut row);
        n += 1;
    }

    let (rows, c) = out.table("changes")?;
    let mut seen = BTreeSet::new();
    for i in inputs.iter().filter(|i| endpoint(i) == "pulls") {
        rows.set_source(i.evidence, i.snapshot_at);
        let repo = i.params.get("repo").cloned();
        let list = array(i)?;
        for (k, v) in list.iter().enumerate() {
            let mut pr = github_pulls::Pull::from_json(v);
            let number = pr.number().unwrap_or(0);
            let full = pr
                .repo()
                .map(str::to_string)
                .or_else(|| repo.clone())
                .unwrap_or_default();
            // A pull request may appear on two pages when it was updated during the run.
            if !seen.insert((full.clone(), number)) {
                continue;
            }
            if pr.merged() {
                // Its reviews are those this run stored; none stored means nothing was
                // reviewed in this run's evidence.
                let stored = reviews.get(&(full, number));
                pr.reviews = List {
                    items: stored
                        .map(|l| l.iter().filter_map(Review::from_json).collect())
                        .unwrap_or_default(),
                    present: true,
                };
            }
            let mut row = rows.blank_cells();
            github_pulls::push(rows, &c, &mut row, &pr, repo.as_deref(), k + 1)?;
            n += 1;
        }
    }
    Ok(n)
}
