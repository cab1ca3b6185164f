//! Integrity of the embedded library: a broken catalog must fail here, never at a user.

use crate::Catalog;
use assay_core::{Category, Coverage};
use std::collections::BTreeSet;

fn catalog() -> &'static Catalog {
    match Catalog::embedded() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

/// The role ids the inventory skeleton defines.
fn skeleton_roles() -> BTreeSet<String> {
    #[derive(serde::Deserialize)]
    struct People {
        roles: Vec<Role>,
    }
    #[derive(serde::Deserialize)]
    struct Role {
        id: String,
    }
    let people = catalog()
        .inventory
        .iter()
        .find(|t| t.path == "inventory/people.yaml")
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let parsed: People = serde_saphyr::from_str(&people).unwrap_or(People { roles: vec![] });
    parsed.roles.into_iter().map(|r| r.id).collect()
}

#[test]
fn has_all_61_criteria_by_category() {
    let c = catalog();
    assert_eq!(c.criteria.len(), 61);
    let count = |cat| c.criteria.iter().filter(|k| k.category == cat).count();
    assert_eq!(count(Category::Security), 33);
    assert_eq!(count(Category::Availability), 3);
    assert_eq!(count(Category::ProcessingIntegrity), 5);
    assert_eq!(count(Category::Confidentiality), 2);
    assert_eq!(count(Category::Privacy), 18);
    let ids: BTreeSet<_> = c.criteria.iter().map(|k| &k.id).collect();
    assert_eq!(ids.len(), 61, "criterion ids are unique");
    for k in &c.criteria {
        assert!(
            k.id.starts_with(&k.series),
            "{} is in series {}",
            k.id,
            k.series
        );
        let min = if k.category == Category::Security {
            4
        } else {
            3
        };
        assert!(
            k.points_of_focus.len() >= min,
            "{} has {} points of focus",
            k.id,
            k.points_of_focus.len()
        );
        assert!(
            !k.summary.trim().is_empty() && !k.subject.trim().is_empty(),
            "{} has text",
            k.id
        );
    }
}

#[test]
fn every_control_is_complete_and_consistent() {
    let c = catalog();
    assert!(c.controls.len() >= 80, "only {} controls", c.controls.len());
    let roles = skeleton_roles();
    assert!(roles.len() >= 10, "skeleton roles parsed: {roles:?}");
    let policy_ids: BTreeSet<_> = c.policies.iter().map(|p| p.meta.id.as_str()).collect();
    let mut control_ids = BTreeSet::new();
    let mut test_ids = BTreeSet::new();
    for lc in &c.controls {
        let k = &lc.control;
        assert!(
            control_ids.insert(k.id.clone()),
            "duplicate control {}",
            k.id
        );
        assert!(
            !k.title.trim().is_empty() && !k.description.trim().is_empty(),
            "{} has text",
            k.id
        );
        assert!(
            roles.contains(&k.owner),
            "{} owner {} is not a skeleton role",
            k.id,
            k.owner
        );
        assert!(!k.criteria.is_empty(), "{} maps to no criterion", k.id);
        for link in &k.criteria {
            assert!(
                c.criterion(&link.id).is_some(),
                "{} maps to unknown {}",
                k.id,
                link.id
            );
            assert!(
                link.rationale.trim().len() >= 20,
                "{} -> {} needs a real rationale",
                k.id,
                link.id
            );
        }
        assert!(!k.tests.is_empty(), "{} has no test", k.id);
        for t in &k.tests {
            assert!(
                t.id.starts_with(&format!("{}.", k.id)),
                "test {} belongs to {}",
                t.id,
                k.id
            );
            assert!(test_ids.insert(t.id.clone()), "duplicate test {}", t.id);
            assert!(
                t.procedure.trim().len() >= 40,
                "{} needs a real procedure",
                t.id
            );
        }
        let g = k.guidance.as_ref();
        assert!(
            g.is_some_and(|g| !g.why.is_empty()
                && !g.evidence.is_empty()
                && !g.remediation.is_empty()),
            "{} guidance",
            k.id
        );
        assert!(!lc.policies.is_empty(), "{} names no policy", k.id);
        for p in &lc.policies {
            assert!(
                policy_ids.contains(p.as_str()),
                "{} names unknown policy {p}",
                k.id
            );
        }
    }
}

#[test]
fn library_covers_every_criterion_in_every_scope() {
    let c = catalog();
    let controls: Vec<_> = c.controls.iter().map(|l| l.control.clone()).collect();
    let all = Coverage::compute(&c.criteria, &Category::ALL, &controls);
    assert_eq!(
        (all.in_scope, all.covered),
        (61, 61),
        "uncovered: {:?}",
        all.uncovered().collect::<Vec<_>>()
    );
    for cat in Category::ALL {
        let scope = [Category::Security, cat];
        let cov = Coverage::compute(&c.criteria, &scope, &controls);
        assert_eq!(cov.covered, cov.in_scope, "{cat}");
    }
}

#[test]
fn policies_cover_the_required_topics() {
    let c = catalog();
    let ids: BTreeSet<_> = c.policies.iter().map(|p| p.meta.id.as_str()).collect();
    let required = [
        "POL-ISP",
        "POL-ACCESS",
        "POL-CHANGE",
        "POL-SDLC",
        "POL-IR",
        "POL-BCDR",
        "POL-BACKUP",
        "POL-VENDOR",
        "POL-RISK",
        "POL-DATACLASS",
        "POL-CRYPTO",
        "POL-AUP",
        "POL-HR",
        "POL-ASSET",
        "POL-LOG",
        "POL-VULN",
        "POL-RETENTION",
        "POL-PRIVACY",
        "POL-CONDUCT",
    ];
    for r in required {
        assert!(ids.contains(r), "missing policy {r}");
    }
    assert_eq!(ids.len(), c.policies.len(), "policy ids are unique");
    let roles = skeleton_roles();
    for p in &c.policies {
        assert!(
            roles.contains(&p.meta.owner),
            "{} owner {}",
            p.meta.id,
            p.meta.owner
        );
        assert!(
            !p.meta.criteria.is_empty(),
            "{} supports no criterion",
            p.meta.id
        );
        for k in &p.meta.criteria {
            assert!(c.criterion(k).is_some(), "{} names unknown {k}", p.meta.id);
        }
        let words = p.body.split_whitespace().count();
        assert!(words >= 700, "{} is only {words} words", p.meta.id);
        assert!(
            p.body.contains("{{org}}"),
            "{} names the organization",
            p.meta.id
        );
    }
}
