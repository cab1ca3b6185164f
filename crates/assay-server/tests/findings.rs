//! Findings triage through the API, on both backends: written back to `findings/<id>.yaml`
//! (the workspace stays the source of truth), read by the next assessment, and bad input
//! refused as a problem with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_server::permissions::Role;
use common::{Backend, Harness, BACKENDS};
use serde_json::json;

fn triage(backend: Backend) {
    let Some(h) = Harness::new(backend) else {
        return;
    };
    let lead = h.member("lead@acme.test", Some(&h.a), false, Role::ComplianceManager);
    let base = format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit);
    assert_eq!(
        h.send("POST", &format!("{base}/assessments"), &lead, None)
            .status,
        200
    );
    let id = h
        .send("GET", &format!("{base}/findings?limit=1"), &lead, None)
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A restarted server shows the same latest assessment.
    let kept = h.reopen();
    let before = h
        .state
        .served(&h.a.audit_id)
        .unwrap()
        .latest
        .read()
        .unwrap()
        .clone()
        .unwrap();
    let after = kept
        .served(&h.a.audit_id)
        .unwrap()
        .latest
        .read()
        .unwrap()
        .clone();
    let after = after.expect("the latest assessment survives a restart");
    assert_eq!(
        serde_json::to_value(&*before).unwrap(),
        serde_json::to_value(&*after).unwrap()
    );
    drop(kept);
    let path = h.root_a().join("findings").join(format!("{id}.yaml"));
    // Bad input: a status that does not exist, a field that does not exist, not JSON.
    for body in [json!({ "status": "done" }), json!({ "colour": "red" })] {
        let a = h.send("PATCH", &format!("{base}/findings/{id}"), &lead, Some(body));
        assert!(a.status.is_client_error(), "{}", a.text());
        assert_eq!(
            a.headers["content-type"],
            "application/problem+json",
            "{}",
            a.text()
        );
    }
    assert!(!path.exists(), "nothing written for bad input");
    assert_eq!(
        h.send(
            "PATCH",
            &format!("{base}/findings/F-NO-SUCH"),
            &lead,
            Some(json!({ "status": "open" }))
        )
        .status,
        404
    );
    // Triage: written to the file, in the workspace.
    let a = h.send(
        "PATCH",
        &format!("{base}/findings/{id}"),
        &lead,
        Some(json!({ "owner": "head-of-engineering", "due": "2026-12-31", "status": "in-progress", "response": "Owners named for every system.\nReview in January." })),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("status: in-progress") && text.contains("due: 2026-12-31"),
        "{text}"
    );
    // A second change keeps what it does not name.
    let a = h.send(
        "PATCH",
        &format!("{base}/findings/{id}"),
        &lead,
        Some(json!({ "status": "remediated" })),
    );
    assert_eq!(a.json()["owner"], "head-of-engineering");
    assert_eq!(
        a.json()["response"],
        "Owners named for every system.\nReview in January."
    );
    // The next assessment reads it.
    assert_eq!(
        h.send("POST", &format!("{base}/assessments"), &lead, None)
            .status,
        200
    );
    let f = h
        .send("GET", &format!("{base}/findings?limit=500"), &lead, None)
        .json();
    let mine = f["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id.as_str())
        .cloned()
        .unwrap_or_else(|| {
            // A remediated finding may be resolved by the engine; then it is among the resolved triage.
            let a = h
                .send("GET", &format!("{base}/assessments/latest"), &lead, None)
                .json();
            a["resolved_triage"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == id.as_str())
                .cloned()
                .unwrap()
        });
    assert!(mine.to_string().contains("remediated"), "{mine}");
    // The log has it.
    let owner = h.member("owner@acme.test", Some(&h.a), false, Role::Owner);
    let log = h
        .send(
            "GET",
            &format!("/api/v1/orgs/{}/audit-log", h.a.org),
            &owner,
            None,
        )
        .text();
    assert!(log.contains("finding.triaged"), "{log}");
}

#[test]
fn triage_is_written_to_the_workspace_on_both_backends() {
    for b in BACKENDS {
        triage(b);
    }
}
