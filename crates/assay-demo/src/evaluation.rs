//! The demo's service auditor evaluates the deviations the whole-population tests found, as
//! `evaluation:` in each finding's file (`findings/F-<TEST>.yaml`), with management's response
//! for Section IV, and then closes fieldwork. The causes are the synthetic company's: each
//! is written for one planted failure of the demo, and a deviation the demo did not plant is
//! left unevaluated rather than judged by default. A cause the demo calls isolated that
//! recurs on more than [`ISOLATED_UP_TO`] items (the medium and large companies plant more)
//! is evaluated as systemic: the control did not operate as designed.

use assay_engine::triage::{Evaluation, Extent};
use assay_engine::Assessment;
use assay_project::{Project, ProjectError, TriageUpdate};

use crate::fieldwork::{REVIEWED_AT, TESTER};

/// The most items one isolated cause explains in the demo's evaluation.
pub const ISOLATED_UP_TO: usize = 3;

/// Per test: the extent, the cause (named the same way on every test it touches), and
/// management's response.
const CAUSES: &[(&str, Extent, &str, &str)] = &[
    ("ACC-02.1", Extent::Isolated, "Contractor accounts were activated before their MFA enrollment finished.", "Okta now blocks activation until a factor is enrolled."),
    ("ACC-02.2", Extent::Isolated, "IAM user kofi.kim kept a console password without an MFA device.", "The console password was removed; IAM users are federated through Okta."),
    ("ACC-02.3", Extent::Isolated, "IAM user kofi.kim kept a console password without an MFA device.", "The console password was removed; IAM users are federated through Okta."),
    ("ACC-06.1", Extent::Isolated, "The third-quarter access review started late and was completed after the period ended; the first two quarters' reviews were on time.", "Reviews are now scheduled in the ticket tracker with an escalation to the CTO."),
    ("ACC-07.1", Extent::Isolated, "Leaver tickets were not routed to IT while the HRIS integration was being migrated.", "The HRIS now deactivates Okta accounts directly on the termination date."),
    ("ACC-08.2", Extent::Isolated, "The cloud platform lead signed in as root for billing tasks that require the root user.", "Billing tasks moved to a delegated role; root sign-in now pages the security lead."),
    ("ACC-09.1", Extent::Isolated, "The ci-deploy service key was left out of the rotation job's scope.", "The key was rotated and the job now covers every service user."),
    ("ACC-11.2", Extent::Isolated, "GitHub members joined through invitations that bypassed the SSO-enforced flow.", "GitHub now requires SAML SSO for every member."),
    ("BAK-01.1", Extent::Systemic, "The db-events backup job has no alert on failure, so failed and missed runs went unnoticed across the period.", "Backup failures now alert the on-call engineer; a daily restore check was added."),
    ("CHG-01.1", Extent::Isolated, "Emergency merges by on-call engineers during outages, without a second approval.", "Emergency merges now need a retroactive approval within one business day."),
    ("CHG-05.2", Extent::Isolated, "Emergency merges by on-call engineers during outages, without a second approval.", "Emergency merges now need a retroactive approval within one business day."),
    ("CHG-02.1", Extent::Isolated, "The web repository's branch protection was not restored after a repository migration.", "Protection is now applied by an organization ruleset."),
    ("ENC-02.1", Extent::Isolated, "The exports bucket was created by a script that skipped the default encryption setting.", "Encryption was enabled and a preventive rule refuses unencrypted buckets."),
    ("END-01.1", Extent::Isolated, "One laptop enrolled before the disk encryption profile was assigned to its group.", "The profile is now assigned at enrollment."),
    ("END-02.1", Extent::Isolated, "The endpoint protection agent stopped on one laptop after an OS upgrade.", "Agent health is now checked daily by the MDM."),
    ("HR-03.1", Extent::Isolated, "New hires started while the training platform's enrollment sync was failing.", "Enrollment failures now alert people operations."),
    ("INC-03.1", Extent::Isolated, "The post-mortem of one high-severity incident was drafted but never published.", "Incident closure now requires a linked post-mortem."),
    ("VEN-02.1", Extent::Isolated, "One vendor's annual review was deferred while its contract renewal slipped.", "The review was completed; renewals no longer gate reviews."),
    ("VUL-02.1", Extent::Isolated, "The fix for one critical finding waited on a vendor patch without an approved exception.", "Exceptions are now required before a deadline passes."),
];

/// Records the evaluation of every deviation the demo planted; the tests evaluated.
pub fn record(p: &Project, a: &Assessment) -> Result<Vec<String>, ProjectError> {
    let on = REVIEWED_AT
        .parse()
        .map_err(|e| ProjectError::Invalid(format!("demo date {REVIEWED_AT}: {e}")))?;
    let mut done = Vec::new();
    for t in a.controls.iter().flat_map(|c| &c.tests) {
        if t.rule.id() != "T-DEVIATION" {
            continue;
        }
        let Some((_, extent, cause, response)) = CAUSES.iter().find(|(id, ..)| *id == t.id) else {
            continue;
        };
        let (extent, cause) = if *extent == Extent::Isolated && t.exception_count > ISOLATED_UP_TO {
            (
                Extent::Systemic,
                format!(
                    "{cause} It recurred on {} items across the period, so the control did not operate as designed.",
                    t.exception_count
                ),
            )
        } else {
            (*extent, (*cause).to_string())
        };
        let update = TriageUpdate {
            response: Some((*response).to_string()),
            evaluation: Some(Evaluation {
                extent,
                cause,
                by: Some(TESTER.to_string()),
                on: Some(on),
            }),
            ..TriageUpdate::default()
        };
        p.triage(&format!("F-{}", t.id), &update)?;
        done.push(t.id.clone());
    }
    Ok(done)
}

/// Closes fieldwork in `assay.toml` (`[judgment] fieldwork_complete = true`): what could not
/// be tested becomes a scope limitation. Refuses a workspace that already has a `[judgment]`
/// table, whose author decides.
pub fn close_fieldwork(p: &Project) -> Result<(), ProjectError> {
    let path = p.root().join("assay.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| ProjectError::Io {
        path: path.clone(),
        source,
    })?;
    if text.lines().any(|l| l.trim() == "[judgment]") {
        return Err(ProjectError::Invalid(format!(
            "{}: the demo closes fieldwork itself, but a [judgment] table is already there",
            path.display()
        )));
    }
    let closed = format!(
        "{text}\n[judgment]\n# The demo's service auditor closed fieldwork on {REVIEWED_AT}: what could not be tested\n# by then is a scope limitation.\nfieldwork_complete = true\n"
    );
    std::fs::write(&path, closed).map_err(|source| ProjectError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_is_for_a_planted_whole_population_test_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (id, _, cause, response) in CAUSES {
            assert!(seen.insert(*id), "{id} twice");
            assert!(cause.ends_with('.') && response.ends_with('.'), "{id}");
        }
        // The same cause is named the same way on every test it touches.
        let kofi: Vec<&str> = CAUSES
            .iter()
            .filter(|(_, _, c, _)| c.contains("kofi.kim"))
            .map(|(_, _, c, _)| *c)
            .collect();
        assert_eq!(kofi.len(), 2);
        assert_eq!(kofi[0], kofi[1]);
    }
}
