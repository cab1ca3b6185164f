//! `assay collect` end to end against a local server answering like the GitHub API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

#[path = "../../assay-collect/tests/mock/mod.rs"]
mod mock;
use assert_cmd::Command;
use mock::{ok, status, Server};
use std::path::Path;

const TOKEN: &str = "ghp_cliTOKEN0123456789abcdefghijklmnopqrs";

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("assay")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ASSAY_GH_TOKEN", TOKEN)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn org(s: &Server) {
    let m = |l: &str| format!(r#"{{"login":"{l}","id":1,"type":"User","site_admin":false}}"#);
    s.route(
        "/orgs/acme/members?per_page=100",
        vec![ok(&format!("[{},{}]", m("ana"), m("ben")))],
    );
    s.route(
        "/orgs/acme/members?filter=2fa_disabled&per_page=100",
        vec![ok(&format!("[{}]", m("ben")))],
    );
    s.route("/orgs/acme/members?role=admin&per_page=100", vec![ok("[]")]);
    s.route(
        "/orgs/acme/repos?type=all&per_page=100",
        vec![ok(
            r#"[{"name":"api","full_name":"acme/api","archived":false,"default_branch":"main"}]"#,
        )],
    );
    s.route(
        "/repos/acme/api/branches/main/protection",
        vec![status(
            404,
            r#"{"message":"Branch not protected","status":"404"}"#,
        )],
    );
    s.route("/repos/acme/api/pulls?state=closed&sort=updated&direction=desc&per_page=100", vec![ok(
        r#"[{"number":7,"title":"Fix","user":{"login":"ana","type":"User"},"labels":[],"created_at":"2026-03-01T00:00:00Z","updated_at":"2026-03-02T00:00:00Z","merged_at":"2026-03-02T00:00:00Z","base":{"ref":"main","repo":{"full_name":"acme/api"}}}]"#,
    )]);
    s.route("/repos/acme/api/pulls/7/reviews?per_page=100", vec![ok(r#"[{"id":1,"user":{"login":"ana","type":"User"},"state":"APPROVED","submitted_at":"2026-03-01T10:00:00Z"}]"#)]);
}

#[test]
fn collect_stores_raw_evidence_and_query_reads_it() {
    let s = Server::start();
    org(&s);
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let (code, _, err) = run(
        ws,
        &[
            "init",
            ".",
            "--org",
            "Acme",
            "--type",
            "type1",
            "--as-of",
            "2026-06-30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}\n[[collector]]\nkind = \"github\"\norg = \"acme\"\nbase_url = \"{}\"\ntoken_env = \"ASSAY_GH_TOKEN\"\n\n[[collector]]\nkind = \"github\"\nname = \"broken\"\n", s.base),
    )
    .unwrap();
    // The system clock stepped back: the ledger's last entry is later than now. Collected
    // entries must keep time order (the ledger's clock), or `verify` reports them.
    {
        use assay_locker::entry::{Provenance, Record};
        let mut locker =
            assay_locker::Locker::open_or_create(ws, &assay_locker::LockerConfig::default())
                .unwrap();
        let record = Record {
            blob: String::new(),
            size: 0,
            media_type: "text/plain".into(),
            kind: "document".into(),
            provenance: Provenance {
                agent: "test".into(),
                system: "test".into(),
                locator: "note.txt".into(),
                tool_version: "0".into(),
                batch: None,
            },
            collected_at: "2099-01-01T00:00:00.000Z".into(),
            effective_from: None,
            effective_to: None,
            redactions: Vec::new(),
            params: Default::default(),
        };
        locker.add(b"a note from the future", record).unwrap();
    }
    let (code, out, err) = run(ws, &["collect"]);
    assert_eq!(code, 2, "one collector failed: {out}{err}");
    assert!(out.contains("ok github: stored 7 responses"), "{out}");
    assert!(
        out.contains("FAILED broken: the github collector needs `org"),
        "{out}"
    );
    assert!(err.contains("1 collector failed; the others ran"), "{err}");

    let (code, out, err) = run(
        ws,
        &[
            "query",
            "select key, approvals, self_approved from changes",
            "--csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "key,approvals,self_approved\nacme/api#7,0,true\n");
    let (_, out, _) = run(ws, &["query", "select count(*) from changes"]);
    assert!(out.contains("│ 1"), "{out}");
    let (_, out, _) = run(
        ws,
        &[
            "query",
            "select login, mfa from accounts order by login",
            "--csv",
        ],
    );
    assert_eq!(out, "login,mfa\nana,true\nben,false\n");
    let (_, out, _) = run(
        ws,
        &["query", "select protected from branch_protection", "--csv"],
    );
    assert_eq!(out, "protected\nfalse\n");
    let (code, out, _) = run(ws, &["verify"]);
    assert_eq!(code, 0, "{out}");
    // The token is nowhere in the workspace.
    fn scan(p: &Path) -> bool {
        std::fs::read_dir(p).unwrap().flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                scan(&p)
            } else {
                std::fs::read(&p)
                    .unwrap()
                    .windows(TOKEN.len())
                    .any(|w| w == TOKEN.as_bytes())
            }
        })
    }
    assert!(!scan(ws));
    let cursors = std::fs::read_to_string(ws.join(".assay/cursors.json")).unwrap();
    assert!(cursors.contains("2026-03-02T00:00:00Z"), "{cursors}");
    // Only the named collector runs with --only.
    let (code, out, err) = run(ws, &["collect", "--only", "github"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        s.hits("/repos/acme/api/pulls/7/reviews?per_page=100"),
        1,
        "the second run skips pull requests it has seen"
    );
}
