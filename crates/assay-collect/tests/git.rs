//! The git collector on a real repository made here, and its normalizer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod mock;
use assay_collect::{Context, Stored};
use mock::Memory;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str], author: &str, date: &str) {
    let (name, email) = author.split_once(' ').unwrap();
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", "Merge Bot")
        .env("GIT_COMMITTER_EMAIL", "bot@acme.example")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn commit(dir: &Path, file: &str, msg: &str, author: &str, date: &str) {
    std::fs::write(dir.join(file), msg).unwrap();
    git(dir, &["add", file], author, date);
    git(
        dir,
        &["commit", "-q", "--no-gpg-sign", "-m", msg],
        author,
        date,
    );
}

fn collect(dir: &Path, cursor: Option<String>) -> (assay_collect::Report, Vec<Stored>) {
    let t: toml::Table =
        toml::from_str(&format!("kind = \"git\"\npath = \"{}\"", dir.display())).unwrap();
    let c = (assay_collect::spec("git").unwrap().build)(&t).unwrap();
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let r = c.collect(&mut cx).unwrap();
    (r, sink.0)
}

#[test]
fn commits_merges_trailers_and_an_incremental_cursor() {
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path().join("api");
    std::fs::create_dir_all(&d).unwrap();
    git(
        &d,
        &["init", "-q", "-b", "main"],
        "Ana ana@acme.example",
        "2026-01-01T00:00:00Z",
    );
    commit(
        &d,
        "a",
        "Initial commit",
        "Ana ana@acme.example",
        "2026-01-02T10:00:00Z",
    );
    commit(
        &d,
        "b",
        "Fix login\n\nReviewed-by: Ben <ben@acme.example>",
        "Ana ana@acme.example",
        "2026-01-03T10:00:00Z",
    );
    commit(
        &d,
        "c",
        "Self review\n\nReviewed-by: Ana <ana@acme.example>",
        "Ana ana@acme.example",
        "2026-01-04T10:00:00Z",
    );
    git(
        &d,
        &["checkout", "-q", "-b", "feature"],
        "Ben ben@acme.example",
        "2026-01-05T10:00:00Z",
    );
    commit(
        &d,
        "d",
        "Feature work",
        "Ben ben@acme.example",
        "2026-01-05T10:00:00Z",
    );
    git(
        &d,
        &["checkout", "-q", "main"],
        "Ben ben@acme.example",
        "2026-01-05T11:00:00Z",
    );
    git(
        &d,
        &[
            "merge",
            "-q",
            "--no-ff",
            "--no-gpg-sign",
            "feature",
            "-m",
            "Merge pull request #12 from acme/feature\n\nApproved-by: Ana <ana@acme.example>",
        ],
        "Ben ben@acme.example",
        "2026-01-06T10:00:00Z",
    );

    let (report, stored) = collect(&d, None);
    assert_eq!(report.stored, 1);
    let head = report.cursor.clone().unwrap();
    let item = &stored[0];
    assert_eq!(item.kind, "git-log");
    let t = assay_tables::Tables::build([(
        item.kind,
        assay_tables::Input {
            bytes: &item.bytes,
            evidence: "e",
            snapshot_at: None,
            params: &item.params,
            batch: None,
        },
    )])
    .map_err(|(i, e)| format!("{i}: {e}"))
    .unwrap();
    let q = |sql: &str| {
        assay_testkit::block_on(t.query(sql))
            .unwrap()
            .text_rows()
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| c.unwrap_or("NULL".into()))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        q("select title, author, number, approvals, approvers, self_approved, signature, base_branch from changes order by merged_at"),
        [
            "Initial commit|ana@acme.example|NULL|0||false|none|main",
            "Fix login|ana@acme.example|NULL|1|ben@acme.example|false|none|main",
            "Self review|ana@acme.example|NULL|0||true|none|main",
            "Merge pull request #12 from acme/feature|ben@acme.example|12|1|ana@acme.example|false|none|main",
        ],
        "first-parent history: the feature commit is represented by its merge"
    );
    assert!(q("select key from changes limit 1")[0].starts_with("api@"));

    let (again, stored) = collect(&d, Some(head.clone()));
    assert_eq!(
        (again.stored, stored.len()),
        (0, 0),
        "nothing new since the cursor"
    );
    commit(
        &d,
        "e",
        "Later change",
        "Ana ana@acme.example",
        "2026-02-01T10:00:00Z",
    );
    let (later, stored) = collect(&d, Some(head));
    assert_eq!(later.stored, 1);
    assert_eq!(
        String::from_utf8_lossy(&stored[0].bytes)
            .matches('\u{1e}')
            .count(),
        1,
        "only the new commit"
    );
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let t: toml::Table = toml::from_str(&format!(
        "kind = \"git\"\npath = \"{}\"",
        dir.path().display()
    ))
    .unwrap();
    let c = (assay_collect::spec("git").unwrap().build)(&t).unwrap();
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor: None,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let e = c.collect(&mut cx).err().unwrap().to_string();
    assert!(e.contains("not a git repository"), "{e}");
}
