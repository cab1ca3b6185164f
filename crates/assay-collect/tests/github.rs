//! The GitHub collector against a local server answering like the documented REST API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod mock;
use assay_collect::github::GitHub;
use assay_collect::{CollectError, Stored};
use mock::{ok, status, Normalized, Server};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "ghp_testTOKEN0123456789abcdefghijklmnopqr";

fn collector(server: &Server, var: &str) -> (GitHub, Arc<Mutex<Vec<Duration>>>) {
    std::env::set_var(var, TOKEN);
    let table: toml::Table = toml::from_str(&format!(
        "kind = \"github\"\norg = \"northwind\"\nbase_url = \"{}\"\ntoken_env = \"{var}\"",
        server.base
    ))
    .unwrap();
    let mut gh = GitHub::from_table(&table).unwrap();
    let waits: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let w = waits.clone();
    gh.client_mut()
        .set_sleep(move |d| w.lock().unwrap().push(d));
    (gh, waits)
}

fn member(login: &str, id: u32) -> String {
    format!(
        r#"{{"login":"{login}","id":{id},"node_id":"MDQ6VXNlcj{id}","avatar_url":"https://avatars.githubusercontent.com/u/{id}?v=4","url":"https://api.github.com/users/{login}","type":"User","site_admin":false}}"#
    )
}

fn pr(n: u32, author: &str, merged: bool, updated: &str) -> String {
    let merged_at = if merged {
        format!("\"{updated}\"")
    } else {
        "null".into()
    };
    format!(
        r#"{{"url":"https://api.github.com/repos/northwind/api/pulls/{n}","id":{},"number":{n},"state":"closed","title":"PR {n}","user":{},"labels":[],"created_at":"2026-02-01T00:00:00Z","updated_at":"{updated}","closed_at":"{updated}","merged_at":{merged_at},"base":{{"ref":"main","repo":{{"full_name":"northwind/api"}}}},"head":{{"ref":"f{n}"}}}}"#,
        5000 + n,
        member(author, 10)
    )
}

fn review(login: &str, state: &str) -> String {
    format!(
        r#"{{"id":1,"user":{},"body":"","state":"{state}","submitted_at":"2026-02-01T10:00:00Z","commit_id":"abc"}}"#,
        member(login, 20)
    )
}

/// An organization with two member pages, one protected and one unprotected repository, an
/// archived one, and two pages of pull requests.
fn scripted() -> Server {
    let s = Server::start();
    s.route("/orgs/northwind/members?per_page=100", vec![ok(&format!("[{},{}]", member("dana", 1), member("luis", 2)))
        .header("Link", r#"<{BASE}/orgs/northwind/members?per_page=100&page=2>; rel="next", <{BASE}/orgs/northwind/members?per_page=100&page=2>; rel="last""#)]);
    s.route(
        "/orgs/northwind/members?per_page=100&page=2",
        vec![ok(&format!("[{}]", member("priya", 3)))],
    );
    s.route(
        "/orgs/northwind/members?filter=2fa_disabled&per_page=100",
        vec![ok(&format!("[{}]", member("luis", 2)))],
    );
    s.route(
        "/orgs/northwind/members?role=admin&per_page=100",
        vec![ok(&format!("[{}]", member("dana", 1)))],
    );
    s.route("/orgs/northwind/repos?type=all&per_page=100", vec![ok(r#"[
        {"id":1,"name":"api","full_name":"northwind/api","private":true,"archived":false,"default_branch":"main"},
        {"id":2,"name":"web","full_name":"northwind/web","private":true,"archived":false,"default_branch":"master"},
        {"id":3,"name":"old","full_name":"northwind/old","private":true,"archived":true,"default_branch":"main"}]"#)]);
    s.route("/repos/northwind/api/branches/main/protection", vec![ok(r#"{"url":"https://api.github.com/repos/northwind/api/branches/main/protection",
        "required_status_checks":{"strict":true,"contexts":["ci"]},
        "required_pull_request_reviews":{"dismiss_stale_reviews":true,"require_code_owner_reviews":false,"required_approving_review_count":1},
        "enforce_admins":{"enabled":true},"allow_force_pushes":{"enabled":false}}"#)]);
    s.route("/repos/northwind/web/branches/master/protection", vec![status(404, r#"{"message":"Branch not protected","documentation_url":"https://docs.github.com/rest/branches/branch-protection#get-branch-protection","status":"404"}"#)]);
    s.route(
        "/repos/northwind/api/pulls?state=closed&sort=updated&direction=desc&per_page=100",
        vec![
            status(502, "<html>Bad Gateway</html>"),
            ok(&format!(
                "[{},{},{}]",
                pr(3, "luis", true, "2026-03-03T00:00:00Z"),
                pr(2, "luis", true, "2026-03-02T00:00:00Z"),
                pr(4, "priya", false, "2026-03-01T12:00:00Z")
            ))
            .header(
                "Link",
                r#"<{BASE}/repos/northwind/api/pulls?state=closed&page=2>; rel="next""#,
            ),
        ],
    );
    s.route(
        "/repos/northwind/api/pulls?state=closed&page=2",
        vec![ok(&format!(
            "[{}]",
            pr(1, "dana", true, "2026-02-01T00:00:00Z")
        ))],
    );
    s.route(
        "/repos/northwind/web/pulls?state=closed&sort=updated&direction=desc&per_page=100",
        vec![ok("[]")],
    );
    s.route(
        "/repos/northwind/api/pulls/3/reviews?per_page=100",
        vec![
            status(429, r#"{"message":"API rate limit exceeded"}"#).header("Retry-After", "7"),
            ok(&format!(
                "[{},{}]",
                review("priya", "APPROVED"),
                review("dana", "COMMENTED")
            )),
        ],
    );
    s.route(
        "/repos/northwind/api/pulls/2/reviews?per_page=100",
        vec![ok(&format!("[{}]", review("luis", "APPROVED")))],
    );
    s.route(
        "/repos/northwind/api/pulls/1/reviews?per_page=100",
        vec![
            status(
                403,
                r#"{"message":"You have exceeded a secondary rate limit"}"#,
            )
            .header("x-ratelimit-remaining", "0")
            .header(
                "x-ratelimit-reset",
                &(jiff::Timestamp::now().as_second() + 30).to_string(),
            ),
            ok(&format!("[{}]", review("luis", "APPROVED"))),
        ],
    );
    s
}

fn run(
    gh: &GitHub,
    cursor: Option<String>,
) -> (Result<assay_collect::Report, CollectError>, Vec<Stored>) {
    mock::collect(gh, cursor)
}

#[test]
fn collects_pages_retries_and_honours_rate_limits() {
    let s = scripted();
    let (gh, waits) = collector(&s, "GH_TOKEN_FULL");
    let (report, stored) = run(&gh, None);
    let report = report.unwrap();
    // 2 member pages + 2fa + admins + repos + 2 protections + 3 pull pages + 3 reviews.
    assert_eq!(
        report.stored,
        13,
        "{:#?}",
        stored.iter().map(|s| &s.locator).collect::<Vec<_>>()
    );
    assert_eq!(stored.len(), 13);
    assert_eq!(report.cursor.as_deref(), Some("2026-03-03T00:00:00Z"));
    assert_eq!(
        s.hits("/repos/northwind/api/pulls?state=closed&sort=updated&direction=desc&per_page=100"),
        2,
        "a 502 is retried"
    );
    assert_eq!(
        s.hits("/repos/northwind/old/branches/main/protection"),
        0,
        "archived repositories are skipped"
    );
    let waits = waits.lock().unwrap().clone();
    assert!(
        waits.contains(&Duration::from_secs(7)),
        "Retry-After is honoured: {waits:?}"
    );
    assert!(
        waits.iter().any(|w| *w >= Duration::from_secs(25)),
        "X-RateLimit-Reset is honoured: {waits:?}"
    );
    let not_protected = stored
        .iter()
        .find(|i| i.params.get("branch").map(String::as_str) == Some("master"))
        .unwrap();
    assert_eq!(
        not_protected.params["status"], "404",
        "404 Branch not protected is stored as evidence"
    );
    // The token goes only in the Authorization header.
    for seen in s.seen.lock().unwrap().iter() {
        assert_eq!(
            seen.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(!seen.path.contains(TOKEN));
    }
    for item in &stored {
        assert!(
            !item.locator.contains(TOKEN) && !String::from_utf8_lossy(&item.bytes).contains(TOKEN)
        );
    }

    // The run's responses, read together, fill accounts, branch protection and changes.
    let t = Normalized::of(&stored);
    let q = |sql: &str| t.rows(sql);
    assert_eq!(
        q("select login, mfa, admin from accounts order by login"),
        ["dana|true|true", "luis|false|false", "priya|true|false"]
    );
    assert_eq!(q("select key, protected, required_reviews, enforce_admins from branch_protection order by key"), ["northwind/api@main|true|1|true", "northwind/web@master|false|0|false"]);
    assert_eq!(
        q("select number, merged, approvals, self_approved from changes order by number"),
        [
            "1|true|1|false",
            "2|true|0|true",
            "3|true|1|false",
            "4|false|NULL|NULL"
        ]
    );
}

#[test]
fn the_next_run_fetches_only_newer_pull_requests() {
    let s = scripted();
    let (gh, _) = collector(&s, "GH_TOKEN_INCR");
    let (report, _) = run(&gh, Some("2026-03-02T00:00:00Z".into()));
    report.unwrap();
    assert_eq!(
        s.hits("/repos/northwind/api/pulls/3/reviews?per_page=100"),
        2,
        "429 then success"
    );
    assert_eq!(
        s.hits("/repos/northwind/api/pulls/2/reviews?per_page=100"),
        0,
        "not newer than the cursor"
    );
    assert_eq!(
        s.hits("/repos/northwind/api/pulls?state=closed&page=2"),
        0,
        "older pages are not fetched"
    );
}

#[test]
fn unauthorized_is_clear_and_never_shows_the_token() {
    let s = Server::start();
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![status(
            401,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        )],
    );
    let (gh, _) = collector(&s, "GH_TOKEN_401");
    let (report, stored) = run(&gh, None);
    let e = report.unwrap_err().to_string();
    assert!(
        e.contains("/orgs/northwind/members?per_page=100: 401 Unauthorized")
            && e.contains("GH_TOKEN_401"),
        "{e}"
    );
    assert!(!e.contains(TOKEN));
    assert!(stored.is_empty());
}

#[test]
fn a_missing_token_names_the_variable() {
    let table: toml::Table =
        toml::from_str("kind = \"github\"\norg = \"x\"\ntoken_env = \"GH_TOKEN_NEVER_SET\"")
            .unwrap();
    let e = GitHub::from_table(&table).err().unwrap().to_string();
    assert!(e.contains("GH_TOKEN_NEVER_SET is not set"), "{e}");
}

#[test]
fn a_next_link_to_another_origin_is_refused_and_nothing_is_sent_there() {
    let s = Server::start();
    let other = Server::start(); // another port: another origin
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![ok(&format!("[{}]", member("dana", 1))).header(
            "Link",
            &format!(r#"<{}/steal?page=2>; rel="next""#, other.base),
        )],
    );
    let (gh, _) = collector(&s, "GH_TOKEN_LINK");
    let (report, _) = run(&gh, None);
    let e = report.unwrap_err().to_string();
    assert!(
        e.contains(&other.base) && e.contains(&s.base) && e.contains("nothing was sent"),
        "{e}"
    );
    assert!(e.contains("next-page link"), "{e}");
    assert!(!e.contains(TOKEN), "{e}");
    assert!(
        other.seen.lock().unwrap().is_empty(),
        "the other origin received no request at all"
    );
}

#[test]
fn a_next_link_with_another_scheme_on_the_same_host_is_refused() {
    let s = Server::start();
    let https_same_host = s.base.replace("http://", "https://");
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![ok("[]").header(
            "Link",
            &format!(r#"<{https_same_host}/orgs/northwind/members?page=2>; rel="next""#),
        )],
    );
    let (gh, _) = collector(&s, "GH_TOKEN_SCHEME");
    let e = run(&gh, None).0.unwrap_err().to_string();
    assert!(
        e.contains("nothing was sent") && e.contains("https://127.0.0.1"),
        "{e}"
    );
}

#[test]
fn a_redirect_to_another_host_gets_no_token_and_fails_clearly() {
    let s = Server::start();
    let other = Server::start();
    other.route("/orgs/northwind/members?per_page=100", vec![ok("[]")]);
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![status(302, "").header(
            "Location",
            &format!("{}/orgs/northwind/members?per_page=100", other.base),
        )],
    );
    let (gh, _) = collector(&s, "GH_TOKEN_302");
    let e = run(&gh, None).0.unwrap_err().to_string();
    assert!(
        e.contains("redirect (302)") && e.contains(&other.base) && e.contains("nothing was sent"),
        "{e}"
    );
    assert!(other.seen.lock().unwrap().is_empty(), "not followed");
    assert!(other
        .seen
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.authorization.is_none()));
}

#[test]
fn a_redirect_on_the_same_origin_is_followed_with_the_token() {
    let s = Server::start();
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![status(301, "").header("Location", "/orgs/renamed/members?per_page=100")],
    );
    s.route(
        "/orgs/renamed/members?per_page=100",
        vec![ok(&format!("[{}]", member("dana", 1)))],
    );
    s.route("/orgs/northwind/*", vec![ok("[]")]);
    let (gh, _) = collector(&s, "GH_TOKEN_301");
    let (report, stored) = run(&gh, None);
    report.unwrap();
    assert_eq!(s.hits("/orgs/renamed/members?per_page=100"), 1);
    assert!(stored[0]
        .locator
        .ends_with("/orgs/renamed/members?per_page=100"));
    let seen = s.seen.lock().unwrap();
    let followed = seen
        .iter()
        .find(|r| r.path == "/orgs/renamed/members?per_page=100")
        .unwrap();
    assert_eq!(
        followed.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[test]
fn an_error_body_echoing_the_token_is_scrubbed() {
    let s = Server::start();
    let basic = "eC1hY2Nlc3MtdG9rZW46Z2hwX3Rlc3RUT0tFTjAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXI";
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![status(
            500,
            &format!(
                r#"{{"message":"internal error","request":"GET /orgs/northwind/members you sent Bearer {TOKEN} (basic {basic}, raw {TOKEN})"}}"#
            ),
        )],
    );
    let (gh, _) = collector(&s, "GH_TOKEN_500");
    let (report, stored) = run(&gh, None);
    let e = report.unwrap_err().to_string();
    assert!(
        e.contains("HTTP 500") && e.contains("internal error"),
        "{e}"
    );
    assert!(e.contains("[redacted]"), "{e}");
    assert!(!e.contains(TOKEN) && !e.contains("ghp_testTOKEN"), "{e}");
    assert!(!e.contains(basic), "base64 (Basic) form: {e}");
    assert!(stored.is_empty());
}

#[test]
fn a_success_body_or_link_echoing_the_token_is_scrubbed_before_storing() {
    let s = Server::start();
    s.route(
        "/orgs/northwind/members?per_page=100",
        vec![
            ok(&format!(r#"[{{"login":"x","note":"{TOKEN}"}}]"#)).header(
                "Link",
                &format!(r#"<{{BASE}}/orgs/northwind/members?per_page=100&t={TOKEN}>; rel="next""#),
            ),
        ],
    );
    s.route("/orgs/northwind/members?per_page=100&t=*", vec![ok("[]")]);
    s.route("/orgs/northwind/*", vec![ok("[]")]);
    let (gh, _) = collector(&s, "GH_TOKEN_ECHO");
    let (report, stored) = run(&gh, None);
    report.unwrap();
    assert!(stored.len() >= 2);
    for item in &stored {
        assert!(!item.locator.contains(TOKEN), "{}", item.locator);
        assert!(!String::from_utf8_lossy(&item.bytes).contains(TOKEN));
    }
    assert!(String::from_utf8_lossy(&stored[0].bytes).contains("[redacted]"));
}
