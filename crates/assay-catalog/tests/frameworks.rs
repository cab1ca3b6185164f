//! The framework catalogs and mappings: every requirement covered by a control with a
//! rationale or named as a gap with a proposal, no link to an id that does not exist, and
//! crosswalks that are derived, not typed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_catalog::framework::IDS;
use assay_catalog::{crosswalk, Catalog};
use std::collections::BTreeSet;

fn catalog() -> &'static Catalog {
    Catalog::embedded().unwrap()
}

#[test]
fn every_framework_loads_with_its_expected_size() {
    let c = catalog();
    let ids: Vec<&str> = c.frameworks.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, IDS);
    let count = |id: &str, prefix: &str| {
        c.framework(id)
            .unwrap()
            .requirements
            .iter()
            .filter(|r| r.id.starts_with(prefix))
            .count()
    };
    assert_eq!(count("soc2", ""), 61);
    assert_eq!(count("iso27001", "A."), 93, "the 93 Annex A controls");
    assert_eq!(count("iso27001", "A.5."), 37);
    assert_eq!(count("iso27001", "A.8."), 34);
    assert_eq!(count("csf2", ""), 106, "the 106 CSF 2.0 subcategories");
    assert_eq!(
        count("nist-800-53-moderate", ""),
        287,
        "the Moderate baseline"
    );
    let hipaa = c.framework("hipaa").unwrap();
    assert!(hipaa.requirements.iter().all(|r| r.specification.is_some()));
    let spec = |id: &str| {
        hipaa
            .requirement(id)
            .and_then(|r| r.specification)
            .map(|s| s.as_str())
    };
    assert_eq!(
        spec("164.312(a)(2)(iv)"),
        Some("addressable"),
        "encryption and decryption"
    );
    assert_eq!(
        spec("164.308(a)(1)(ii)(A)"),
        Some("required"),
        "risk analysis"
    );
    let ac2 = c
        .framework("nist-800-53-moderate")
        .unwrap()
        .requirement("AC-2(1)")
        .unwrap();
    assert_eq!(ac2.group, "AC Access Control");
    assert!(!ac2.summary.contains("{{"), "{}", ac2.summary);
}

#[test]
fn every_requirement_is_covered_or_a_gap_with_a_proposal() {
    let c = catalog();
    for f in &c.frameworks {
        let mut uncovered = Vec::new();
        for r in &f.requirements {
            let linked = f.links_to(&r.id).any(|l| !l.rationale.trim().is_empty());
            let gap = f
                .gaps_for(&r.id)
                .any(|g| !g.proposal.description.trim().is_empty());
            if !linked && !gap {
                uncovered.push(r.id.as_str());
            }
        }
        assert!(
            uncovered.is_empty(),
            "{}: neither linked nor a gap: {uncovered:?}",
            f.id
        );
        let ids: BTreeSet<&str> = f.requirements.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids.len(),
            f.requirements.len(),
            "{}: a requirement id twice",
            f.id
        );
    }
}

#[test]
fn no_link_or_gap_names_an_id_that_does_not_exist() {
    let c = catalog();
    let controls: BTreeSet<&str> = c.controls.iter().map(|x| x.control.id.as_str()).collect();
    let mut proposals = BTreeSet::new();
    for f in &c.frameworks {
        let mut seen = BTreeSet::new();
        for l in &f.links {
            let what = format!("{}: {} -> {}", f.id, l.control, l.requirement);
            assert!(
                controls.contains(l.control.as_str()),
                "{what}: no such control"
            );
            assert!(
                f.requirement(&l.requirement).is_some(),
                "{what}: no such requirement"
            );
            assert!(seen.insert((&l.control, &l.requirement)), "{what}: twice");
            assert!(
                !l.rationale.trim().is_empty() && !l.rationale.trim().contains('\n'),
                "{what}: needs a one-line rationale"
            );
            if f.id != "soc2" {
                assert!(l.relationship.is_some(), "{what}: no relationship");
                assert!(
                    l.strength.is_some_and(|s| (1..=10).contains(&s)),
                    "{what}: strength must be 1 to 10"
                );
            }
        }
        for g in &f.gaps {
            let what = format!("{}: gap {}", f.id, g.proposal.id);
            assert!(
                !g.requirements.is_empty() && !g.reason.trim().is_empty(),
                "{what}: empty"
            );
            for r in &g.requirements {
                assert!(f.requirement(r).is_some(), "{what}: no requirement {r}");
            }
            assert!(
                !controls.contains(g.proposal.id.as_str()),
                "{what}: the proposal is an existing control"
            );
            assert!(
                proposals.insert(g.proposal.id.clone()),
                "{what}: proposal id used twice"
            );
        }
    }
}

#[test]
fn crosswalks_are_derived_through_strong_links_and_keep_both_rationales() {
    let c = catalog();
    let soc2 = c.framework("soc2").unwrap();
    let iso = c.framework("iso27001").unwrap();
    let pairs = crosswalk::derive(soc2, iso);
    assert!(!pairs.is_empty());
    for p in &pairs {
        for v in &p.via {
            assert_eq!(v.from.control, v.to.control);
            assert_eq!(
                (v.from.requirement.as_str(), v.to.requirement.as_str()),
                (p.from, p.to)
            );
            assert!(v.to.strength.unwrap() >= crosswalk::MIN_STRENGTH);
        }
    }
    // A requirement reached only through weak links is in no pair.
    let weak_only: Vec<&str> = iso
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .filter(|r| {
            iso.links_to(r).next().is_some()
                && iso
                    .links_to(r)
                    .all(|l| l.strength.unwrap() < crosswalk::MIN_STRENGTH)
        })
        .collect();
    assert!(
        !weak_only.is_empty(),
        "the mapping has weak-only requirements"
    );
    for r in &weak_only {
        assert!(
            !pairs.iter().any(|p| p.to == *r),
            "{r} paired through weak links"
        );
    }
    // The reverse crosswalk has the same pairs.
    let back: BTreeSet<(&str, &str)> = crosswalk::derive(iso, soc2)
        .iter()
        .map(|p| (p.to, p.from))
        .collect();
    let fwd: BTreeSet<(&str, &str)> = pairs.iter().map(|p| (p.from, p.to)).collect();
    assert_eq!(fwd, back);
    let csv = crosswalk::csv(c, "hipaa", "nist-800-53-moderate").unwrap();
    assert!(csv.starts_with("from_framework,from,to_framework,to,control,"));
    assert!(csv.lines().count() > 10);
    assert_eq!(
        crosswalk::csv(c, "hipaa", "pci").unwrap_err().to_string(),
        "no framework `pci`; the frameworks are soc2, iso27001, nist-800-53-moderate, hipaa, csf2"
    );
}

/// The crosswalks docs/frameworks.md documents, exported under docs/crosswalks/.
const DOCUMENTED: &[(&str, &str)] = &[
    ("soc2", "iso27001"),
    ("nist-800-53-moderate", "iso27001"),
    ("hipaa", "nist-800-53-moderate"),
];

/// docs/crosswalks/*.csv and the size table in docs/frameworks.md are what the catalog
/// derives; `UPDATE_DOCS=1 cargo test -p assay-catalog --test frameworks` rewrites them.
#[test]
fn documented_crosswalks_are_current() {
    let c = catalog();
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut table = String::from(
        "| framework | requirements | linked | in a gap | links | gaps |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for f in &c.frameworks {
        let linked = f
            .requirements
            .iter()
            .filter(|r| f.links_to(&r.id).next().is_some())
            .count();
        let gapped = f
            .requirements
            .iter()
            .filter(|r| f.gaps_for(&r.id).next().is_some())
            .count();
        table.push_str(&format!(
            "| {} | {} | {linked} | {gapped} | {} | {} |\n",
            f.id,
            f.requirements.len(),
            f.links.len(),
            f.gaps.len()
        ));
    }
    table.push_str("\n| crosswalk | pairs | rows (pair × control) | file |\n|---|---:|---:|---|\n");
    let mut stale = Vec::new();
    for (a, b) in DOCUMENTED {
        let csv = crosswalk::csv(c, a, b).unwrap();
        let pairs = crosswalk::derive(c.framework(a).unwrap(), c.framework(b).unwrap()).len();
        let name = format!("crosswalks/{a}--{b}.csv");
        table.push_str(&format!(
            "| {a} ↔ {b} | {pairs} | {} | [{name}]({name}) |\n",
            csv.lines().count() - 1
        ));
        let path = docs.join(&name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &csv).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != csv {
            stale.push(name);
        }
    }
    let md_path = docs.join("frameworks.md");
    let md = std::fs::read_to_string(&md_path).unwrap();
    let (start, end) = ("<!-- sizes: generated -->\n", "<!-- end sizes -->");
    let (Some(i), Some(j)) = (md.find(start), md.find(end)) else {
        panic!("docs/frameworks.md lacks the size markers")
    };
    let fresh = format!("{}{start}{table}{}", &md[..i], &md[j..]);
    if update {
        std::fs::write(&md_path, fresh).unwrap();
    } else if fresh != md {
        stale.push("frameworks.md".into());
    }
    assert!(
        stale.is_empty(),
        "docs out of date: {stale:?}; run UPDATE_DOCS=1 cargo test -p assay-catalog --test frameworks"
    );
}
