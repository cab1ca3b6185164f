//! `kind = "github"`: an organization's members (all, with 2FA disabled, admins), its
//! repositories, each default branch's protection (a `404 Branch not protected` is evidence,
//! not an error), and closed pull requests with each merged one's reviews, from the GitHub
//! REST API (`base_url` for GitHub Enterprise: `https://HOST/api/v3`).
//!
//! ```toml
//! [[collector]]
//! kind = "github"
//! org = "acme"
//! token_env = "GITHUB_TOKEN"     # default
//! # base_url = "https://github.example.com/api/v3"
//! # repos = ["api", "web"]       # default: every non-archived repository
//! ```
//!
//! Each response is stored as `github-api` evidence with its endpoint in `params`; the
//! cursor is the newest pull-request update seen, so the next run fetches only newer ones.

use crate::http::{Auth, Client};
use crate::{opt, token, CollectError, Collector, Context, Report, Spec};
use serde_json::Value as Json;

/// The registry entry.
pub const SPEC: Spec = Spec { kind: "github", about: "GitHub organization: members, 2FA, admins, repositories, branch protection, pull requests and reviews", build, retention: None };

/// A configured GitHub collector.
pub struct GitHub {
    client: Client,
    base: String,
    org: String,
    repos: Option<Vec<String>>,
}

fn build(t: &toml::Table) -> Result<Box<dyn Collector>, CollectError> {
    Ok(Box::new(GitHub::from_table(t)?))
}

impl GitHub {
    /// From a `[[collector]]` table.
    pub fn from_table(t: &toml::Table) -> Result<GitHub, CollectError> {
        let org = opt(t, "org").ok_or_else(|| {
            CollectError::Config("the github collector needs `org = \"your-org\"`".into())
        })?;
        let (secret, var) = token(t, "GITHUB_TOKEN")?;
        let base = opt(t, "base_url")
            .unwrap_or("https://api.github.com")
            .trim_end_matches('/')
            .to_string();
        let repos = t.get("repos").and_then(|r| r.as_array()).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        });
        let client = Client::new(Auth::Bearer(secret), &var, &base)?;
        Ok(GitHub {
            client,
            base,
            org: org.to_string(),
            repos,
        })
    }

    /// The HTTP client (tests shorten its waits).
    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    fn list(
        &self,
        cx: &mut Context<'_>,
        url: &str,
        endpoint: &str,
        report: &mut Report,
    ) -> Result<Vec<Json>, CollectError> {
        (cx.progress)(&self.client.shown(url));
        let mut items = Vec::new();
        for page in self.client.pages(url)? {
            cx.store_response("github-api", &page, &[("endpoint", endpoint)], report)?;
            match serde_json::from_slice::<Json>(&page.body) {
                Ok(Json::Array(a)) => items.extend(a),
                _ => {
                    return Err(CollectError::Unexpected {
                        url: page.url,
                        message: "expected a JSON array".into(),
                    })
                }
            }
        }
        Ok(items)
    }
}

impl Collector for GitHub {
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        let mut report = Report::default();
        let (b, org) = (&self.base, &self.org);
        self.list(
            cx,
            &format!("{b}/orgs/{org}/members?per_page=100"),
            "members",
            &mut report,
        )?;
        self.list(
            cx,
            &format!("{b}/orgs/{org}/members?filter=2fa_disabled&per_page=100"),
            "members-2fa-disabled",
            &mut report,
        )?;
        self.list(
            cx,
            &format!("{b}/orgs/{org}/members?role=admin&per_page=100"),
            "members-admin",
            &mut report,
        )?;
        let repos = self.list(
            cx,
            &format!("{b}/orgs/{org}/repos?type=all&per_page=100"),
            "repos",
            &mut report,
        )?;

        // Pull requests updated after the cursor (or --since) are fetched; the newest update
        // seen becomes the next cursor.
        let since = cx
            .since
            .map(|t| t.to_string())
            .or_else(|| cx.cursor.clone());
        let mut newest = since.clone();
        for repo in &repos {
            let (Some(name), Some(full)) = (
                repo.get("name").and_then(Json::as_str),
                repo.get("full_name").and_then(Json::as_str),
            ) else {
                continue;
            };
            if repo.get("archived").and_then(Json::as_bool) == Some(true)
                || self
                    .repos
                    .as_ref()
                    .is_some_and(|only| !only.iter().any(|r| r == name))
            {
                continue;
            }
            let branch = repo
                .get("default_branch")
                .and_then(Json::as_str)
                .unwrap_or("main");
            let url = format!("{b}/repos/{full}/branches/{branch}/protection");
            (cx.progress)(&self.client.shown(&url));
            let prot = self.client.get(&url, &[404])?;
            cx.store_response(
                "github-api",
                &prot,
                &[
                    ("endpoint", "branch-protection"),
                    ("repo", full),
                    ("branch", branch),
                    ("status", &prot.status.to_string()),
                ],
                &mut report,
            )?;

            let mut next = Some(format!(
                "{b}/repos/{full}/pulls?state=closed&sort=updated&direction=desc&per_page=100"
            ));
            while let Some(url) = next.take() {
                (cx.progress)(&self.client.shown(&url));
                let page = self.client.get(&url, &[])?;
                cx.store_response(
                    "github-api",
                    &page,
                    &[("endpoint", "pulls"), ("repo", full)],
                    &mut report,
                )?;
                let prs = match serde_json::from_slice::<Json>(&page.body) {
                    Ok(Json::Array(a)) => a,
                    _ => {
                        return Err(CollectError::Unexpected {
                            url: page.url,
                            message: "expected a JSON array of pull requests".into(),
                        })
                    }
                };
                let mut older = false;
                for pr in &prs {
                    let updated = pr.get("updated_at").and_then(Json::as_str).unwrap_or("");
                    if since.as_deref().is_some_and(|s| updated <= s) {
                        older = true;
                        continue;
                    }
                    if newest.as_deref().is_none_or(|n| updated > n) {
                        newest = Some(updated.to_string());
                    }
                    let (Some(number), true) = (
                        pr.get("number").and_then(Json::as_i64),
                        pr.get("merged_at").is_some_and(|m| !m.is_null()),
                    ) else {
                        continue;
                    };
                    let num = number.to_string();
                    for rp in self.client.pages(&format!(
                        "{b}/repos/{full}/pulls/{number}/reviews?per_page=100"
                    ))? {
                        cx.store_response(
                            "github-api",
                            &rp,
                            &[("endpoint", "reviews"), ("repo", full), ("number", &num)],
                            &mut report,
                        )?;
                    }
                }
                // Sorted by update time, newest first: stop at the first page reaching older ones.
                if !older {
                    next = page.next;
                }
            }
        }
        report.cursor = newest;
        report.requests = self
            .client
            .requests
            .load(std::sync::atomic::Ordering::Relaxed);
        Ok(report)
    }
}
