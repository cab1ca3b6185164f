//! `kind = "git"`: commits and merges on a local repository's default branch, with authors,
//! committers, signature status and trailers (`Reviewed-by:`, `Approved-by:`), for change
//! evidence without GitHub. Runs `git log` on the machine (no network); the raw output is
//! stored as it is, and the cursor is the newest commit, so the next run adds only newer ones.
//!
//! ```toml
//! [[collector]]
//! kind = "git"
//! path = "../api"          # the repository (default: the workspace folder)
//! branch = "main"          # default: the branch HEAD points at
//! ```

use crate::{opt, CollectError, Collector, Context, Report, Spec, Stored};
use std::collections::BTreeMap;
use std::process::Command;

/// The registry entry.
pub const SPEC: Spec = Spec {
    kind: "git",
    about: "a local git repository's default branch: commits, merges, signatures, trailers",
    build,
    retention: None,
};

/// The `git log` format: one record per commit, fields separated by US (0x1f), records ended
/// by RS (0x1e). Fields: hash, parents, author name, author email, author date, committer
/// name, committer email, committer date, signature status, signer, subject, trailers.
pub const FORMAT: &str = "%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%G?%x1f%GS%x1f%s%x1f%(trailers:unfold,only)%x1e";

/// A configured git collector.
pub struct Git {
    path: String,
    branch: Option<String>,
}

fn build(t: &toml::Table) -> Result<Box<dyn Collector>, CollectError> {
    Ok(Box::new(Git {
        path: opt(t, "path").unwrap_or(".").to_string(),
        branch: opt(t, "branch").map(str::to_string),
    }))
}

fn git(path: &str, args: &[&str]) -> Result<Vec<u8>, CollectError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(path)
        .args(args)
        .output()
        .map_err(|e| {
            CollectError::Config(format!(
                "cannot run git ({e}); install git (Debian: apt-get install git)"
            ))
        })?;
    if !out.status.success() {
        return Err(CollectError::Unexpected {
            url: format!("git -C {path} {}", args.join(" ")),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

impl Collector for Git {
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        let branch = match &self.branch {
            Some(b) => b.clone(),
            None => {
                String::from_utf8_lossy(&git(&self.path, &["rev-parse", "--abbrev-ref", "HEAD"])?)
                    .trim()
                    .to_string()
            }
        };
        let top = String::from_utf8_lossy(&git(&self.path, &["rev-parse", "--show-toplevel"])?)
            .trim()
            .to_string();
        let repo = std::path::Path::new(&top)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| top.clone());
        let head = String::from_utf8_lossy(&git(&self.path, &["rev-parse", &branch])?)
            .trim()
            .to_string();
        let range = match &cx.cursor {
            Some(c) if c == &head => {
                return Ok(Report {
                    cursor: Some(head),
                    notes: vec![format!("{repo}@{branch}: no new commits")],
                    ..Report::default()
                })
            }
            Some(c) => format!("{c}..{branch}"),
            None => branch.clone(),
        };
        let mut args = vec![
            "log".to_string(),
            "--first-parent".into(),
            format!("--format={FORMAT}"),
            range.clone(),
        ];
        if let Some(since) = cx.since {
            args.push(format!("--since={since}"));
        }
        (cx.progress)(&format!("git log {range}"));
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = git(&self.path, &arg_refs)?;
        let mut report = Report {
            cursor: Some(head),
            ..Report::default()
        };
        if out.is_empty() {
            return Ok(report);
        }
        let params: BTreeMap<String, String> =
            [("repo", repo.as_str()), ("branch", branch.as_str())]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        cx.sink
            .store(Stored {
                kind: "git-log",
                locator: format!("git -C {top} log --first-parent {range}"),
                bytes: out,
                params,
            })
            .map_err(CollectError::Store)?;
        report.stored = 1;
        Ok(report)
    }
}
