#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The OSCAL export: each of the six documents validates against NIST's OSCAL 1.2.3 JSON
//! schema, is the same on every call, and gives every object its own UUID.
//!
//! The assessment is computed by the engine over the default library: a Type II with one
//! planted table (laptops, two without disk encryption), and a Type I with no evidence at all.

use assay_core::{
    AuditPeriod, Category, Control, Csoc, Cuec, DataStore, EngineSettings, Inventory, PolicyMeta,
    Role, Scope, System, Vendor,
};
use assay_engine::{Assessment, EvidenceInfo, Inputs};
use assay_report::{oscal, Context};
use assay_tables::{Input, Tables};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// 2026-06-30T12:00:00Z in microseconds.
const SNAPSHOT_AT: i64 = 1_782_820_800_000_000;

const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/oscal");

fn schema_file(model: &str) -> &'static str {
    match model {
        "catalog" => "oscal_catalog_schema.json",
        "profile" => "oscal_profile_schema.json",
        "component-definition" => "oscal_component_schema.json",
        "system-security-plan" => "oscal_ssp_schema.json",
        "assessment-results" => "oscal_assessment-results_schema.json",
        "plan-of-action-and-milestones" => "oscal_poam_schema.json",
        other => panic!("no schema for {other}"),
    }
}

/// The schema directory, or `None` (with a message) when the shared data is not there.
fn schemas() -> Option<PathBuf> {
    let dir = PathBuf::from(SCHEMAS);
    if dir.join("oscal_ssp_schema.json").is_file() {
        Some(dir)
    } else {
        assay_testkit::missing(
            &format!("the OSCAL schemas at {}", dir.display()),
            "the schemas are vendored under crates/assay-report/tests/fixtures/oscal; restore them from git",
        );
        None
    }
}

fn library() -> Vec<Control> {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    catalog.controls.iter().map(|c| c.control.clone()).collect()
}

fn inventory() -> Inventory {
    Inventory {
        systems: vec![
            System {
                id: "api".into(),
                name: "Acme Platform API".into(),
                kind: "application".into(),
                description: "The customer-facing API and web application.".into(),
                environment: "production".into(),
                hosting: Some("aws".into()),
                owner: "head-of-engineering".into(),
                in_scope: true,
            },
            System {
                id: "laptops".into(),
                name: "Company laptops".into(),
                kind: "endpoint".into(),
                description: String::new(),
                environment: "corporate".into(),
                hosting: None,
                owner: "it-admin".into(),
                in_scope: false,
            },
        ],
        data_stores: vec![
            DataStore {
                id: "customer-db".into(),
                name: "Customer database".into(),
                system: "api".into(),
                classification: "confidential".into(),
                personal_data: true,
                encrypted_at_rest: true,
                location: "eu-west-1".into(),
                retention: Some("7 years after contract end".into()),
                owner: "head-of-engineering".into(),
            },
            DataStore {
                id: "docs".into(),
                name: "Public documentation".into(),
                system: "api".into(),
                classification: "public".into(),
                personal_data: false,
                encrypted_at_rest: false,
                location: String::new(),
                retention: None,
                owner: "head-of-engineering".into(),
            },
        ],
        roles: vec![
            Role {
                id: "security-lead".into(),
                title: "Security Lead".into(),
                responsibilities: "Owns the security program and the audit.".into(),
                holder: "Dana Example <dana@acme.example>".into(),
            },
            Role {
                id: "it-admin".into(),
                title: "IT Administrator".into(),
                responsibilities: String::new(),
                holder: String::new(),
            },
        ],
        teams: Vec::new(),
        vendors: vec![Vendor {
            id: "aws".into(),
            name: "Amazon Web Services".into(),
            service: "Cloud hosting".into(),
            criticality: "high".into(),
            subservice: true,
            method: Some("carve-out".into()),
            data_access: true,
            soc2_report: None,
            csocs: vec![Csoc {
                id: "CSOC-AWS-1".into(),
                description: "Physical access to data centers is restricted to authorized staff."
                    .into(),
                criteria: vec!["CC6.4".into()],
            }],
        }],
        cuecs: vec![Cuec {
            id: "CUEC-1".into(),
            description: "Customers grant and remove their own users' access.".into(),
            criteria: vec!["CC6.1".into(), "CC6.2".into()],
        }],
    }
}

fn policies() -> Vec<PolicyMeta> {
    vec![PolicyMeta {
        id: "POL-ACCESS".into(),
        title: "Access Control Policy".into(),
        version: "1.2".into(),
        owner: "security-lead".into(),
        approver: Some("ceo".into()),
        status: "approved".into(),
        approved: Some("2026-01-15".parse().unwrap()),
        review_cycle: "annual".into(),
        criteria: vec!["CC6.1".into(), "CC6.2".into()],
        controls: vec!["END-01".into()],
    }]
}

/// The laptops table: LAP-002 (encryption off) and LAP-003 (unknown) fail END-01.1.
fn laptops() -> (Vec<u8>, String, BTreeMap<String, String>) {
    let rows = json!([
        { "key": "LAP-001", "owner": "alice@acme.example", "os": "macOS 15.5", "encrypted": true, "edr": true, "last_seen": "2026-06-29T10:00:00Z" },
        { "key": "LAP-002", "owner": "bob@acme.example", "os": "Windows 11 23H2", "encrypted": false, "edr": true, "last_seen": "2026-06-28T10:00:00Z" },
        { "key": "LAP-003", "os": "Ubuntu 24.04", "edr": false, "last_seen": "2026-06-15T10:00:00Z" },
    ]);
    let bytes = serde_json::to_vec(&rows).unwrap();
    let hash = hex::encode(Sha256::digest(&bytes));
    let mut params = BTreeMap::new();
    params.insert("table".to_string(), "endpoints".to_string());
    params.insert(
        "map".to_string(),
        "edr=edr,encrypted=encrypted,key=key,last_seen=last_seen,os=os,owner=owner".to_string(),
    );
    (bytes, hash, params)
}

fn assess(scope: &Scope, inventory: &Inventory, with_evidence: bool) -> Assessment {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let controls = library();
    let (bytes, hash, params) = laptops();
    let (tables, evidence) = if with_evidence {
        let tables = Tables::build([(
            "json",
            Input {
                bytes: &bytes,
                evidence: &hash,
                snapshot_at: Some(SNAPSHOT_AT),
                params: &params,
                batch: None,
            },
        )])
        .unwrap_or_else(|(i, e)| panic!("table #{i}: {e}"));
        let evidence = vec![EvidenceInfo {
            blob: hash.clone(),
            kind: "json".into(),
            source: "fixture".into(),
            params: params.clone(),
            unit: "entry-0".into(),
            snapshot_at: Some(SNAPSHOT_AT),
            effective: None,
            ttl_days: None,
            system_generated: true,
        }];
        (tables, evidence)
    } else {
        (
            Tables::build([]).unwrap_or_else(|(i, e)| panic!("table #{i}: {e}")),
            Vec::new(),
        )
    };
    let _rt = assay_testkit::runtime().enter();
    assay_engine::assess(&Inputs {
        scope,
        settings: &EngineSettings::default(),
        controls: &controls,
        criteria: &catalog.criteria,
        inventory,
        tables: &tables,
        evidence: &evidence,
        results: &[],
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret: None,
        only_control: None,
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap()
}

fn type2() -> Scope {
    Scope {
        organization: "Acme Test".into(),
        system_name: "Acme Platform".into(),
        system_description:
            "Acme Platform is a hosted service for scheduling field work.\n\nIt runs on AWS.".into(),
        period: AuditPeriod::Type2 {
            start: "2026-01-01".parse().unwrap(),
            end: "2026-06-30".parse().unwrap(),
        },
        categories: vec![Category::Security, Category::Confidentiality],
    }
}

fn type1() -> Scope {
    Scope {
        organization: "Acme Test".into(),
        system_name: "Acme Platform".into(),
        system_description: String::new(),
        period: AuditPeriod::Type1 {
            as_of: "2026-03-31".parse().unwrap(),
        },
        categories: Category::ALL.to_vec(),
    }
}

/// Schema violations of one document, each with where it is.
fn violations(dir: &std::path::Path, model: &str, object: &Value) -> Vec<String> {
    let file = dir.join(schema_file(model));
    let text = std::fs::read_to_string(&file).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator =
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut doc = Map::new();
    doc.insert(model.to_string(), object.clone());
    let doc = Value::Object(doc);
    validator
        .iter_errors(&doc)
        .map(|e| format!("{model} at {}: {e}", e.instance_path))
        .collect()
}

/// Every value under a `uuid` key.
fn uuids<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "uuid" {
                    if let Some(s) = x.as_str() {
                        out.push(s);
                    }
                }
                uuids(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| uuids(x, out)),
        _ => {}
    }
}

/// Validates, checks determinism and UUID uniqueness; returns the documents by model name.
fn check(cx: &Context<'_>, dir: &std::path::Path) -> BTreeMap<&'static str, Value> {
    let first = oscal::all(cx);
    let second = oscal::all(cx);
    let names: Vec<&str> = first.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "catalog",
            "profile",
            "component-definition",
            "system-security-plan",
            "assessment-results",
            "plan-of-action-and-milestones"
        ]
    );
    let mut errors = Vec::new();
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert_eq!(a, b, "{name}: two exports of the same assessment differ");
        errors.extend(violations(dir, name, a));
        let mut ids = Vec::new();
        uuids(a, &mut ids);
        let mut seen = BTreeSet::new();
        let dupes: Vec<&str> = ids.iter().copied().filter(|u| !seen.insert(*u)).collect();
        assert!(dupes.is_empty(), "{name}: UUIDs used twice: {dupes:?}");
    }
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(oscal::catalog(cx), first[0].1);
    assert_eq!(oscal::profile(cx), first[1].1);
    assert_eq!(
        oscal::component_definition(cx),
        first[2].1,
        "component_definition and all disagree"
    );
    assert_eq!(oscal::ssp(cx), first[3].1);
    assert_eq!(oscal::assessment_results(cx), first[4].1);
    assert_eq!(oscal::poam(cx), first[5].1);
    // The validation can fail: a document without metadata is rejected.
    let mut broken = first[5].1.clone();
    broken.as_object_mut().unwrap().remove("metadata");
    assert!(!violations(dir, "plan-of-action-and-milestones", &broken).is_empty());
    first.into_iter().collect()
}

fn context<'a>(
    assessment: &'a Assessment,
    scope: &'a Scope,
    inventory: &'a Inventory,
    controls: &'a [Control],
    policies: &'a [PolicyMeta],
) -> Context<'a> {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    Context {
        assessment,
        scope,
        legal_name: Some("Acme Test, Inc."),
        inventory,
        criteria: &catalog.criteria,
        controls,
        policies,
        evidence_count: 1,
    }
}

#[test]
fn a_type2_export_validates_against_the_oscal_schemas() {
    let Some(dir) = schemas() else { return };
    let scope = type2();
    let inv = inventory();
    let controls = library();
    let pols = policies();
    let a = assess(&scope, &inv, true);
    let cx = context(&a, &scope, &inv, &controls, &pols);
    let docs = check(&cx, &dir);

    // Metadata: deterministic, from the period and the generator.
    for (name, d) in &docs {
        assert_eq!(
            d["metadata"]["last-modified"], "2026-06-30T00:00:00Z",
            "{name}"
        );
        assert_eq!(d["metadata"]["oscal-version"], "1.2.3", "{name}");
        assert_eq!(d["metadata"]["version"], json!(a.generator), "{name}");
    }

    // Component definition: one requirement per criterion in scope, lower-case ids.
    let cd = &docs["component-definition"];
    let reqs = cd["components"][0]["control-implementations"][0]["implemented-requirements"]
        .as_array()
        .unwrap();
    let in_scope = a.criteria.len();
    assert_eq!(reqs.len(), in_scope);
    let ids: Vec<&str> = reqs
        .iter()
        .map(|r| r["control-id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"cc6.1") && ids.contains(&"c1.1"), "{ids:?}");
    assert!(
        !ids.iter().any(|i| i.starts_with("a1")),
        "availability is out of scope"
    );
    let cc67 = reqs.iter().find(|r| r["control-id"] == "cc6.7").unwrap();
    assert!(cc67["description"].as_str().unwrap().contains("END-01"));

    // SSP: this-system plus the inventory's components and the policy; users from roles.
    let ssp = &docs["system-security-plan"];
    let comps = ssp["system-implementation"]["components"]
        .as_array()
        .unwrap();
    assert_eq!(comps[0]["type"], "this-system");
    assert_eq!(comps.len(), 1 + inv.systems.len() + pols.len());
    assert_eq!(
        ssp["system-implementation"]["users"]
            .as_array()
            .unwrap()
            .len(),
        inv.roles.len()
    );
    assert_eq!(
        ssp["system-characteristics"]["security-sensitivity-level"],
        "confidential"
    );
    assert_eq!(
        ssp["control-implementation"]["implemented-requirements"]
            .as_array()
            .unwrap()
            .len(),
        in_scope
    );

    // Assessment results: period, observations with evidence, one finding per finding.
    let ar = &docs["assessment-results"];
    let result = &ar["results"][0];
    assert_eq!(result["start"], "2026-01-01T00:00:00Z");
    assert_eq!(result["end"], "2026-06-30T00:00:00Z");
    let obs = result["observations"].as_array().unwrap();
    let end01 = obs
        .iter()
        .find(|o| o["title"].as_str().unwrap().starts_with("END-01.1"))
        .expect("an observation of END-01.1");
    assert_eq!(end01["methods"], json!(["TEST"]));
    let (_, hash, _) = laptops();
    let evidence = end01["relevant-evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["href"] == json!(format!("urn:assay:evidence:sha256:{hash}"))),
        "{evidence:#?}"
    );
    let test = a
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .find(|t| t.id == "END-01.1")
        .unwrap();
    let frozen = test
        .population
        .as_ref()
        .expect("END-01.1 ran its population");
    assert!(evidence.iter().any(|e| e["description"]
        .as_str()
        .unwrap()
        .contains(&frozen.evidence_sha256)));
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), a.findings.len());
    let f = findings
        .iter()
        .find(|f| f["title"] == "F-END-01.1")
        .expect("a finding for END-01.1");
    assert_eq!(f["target"]["type"], "objective-id");
    assert_eq!(
        f["related-observations"][0]["observation-uuid"],
        end01["uuid"]
    );

    // POA&M: one item per finding, each tied to its finding and risk.
    let poam = &docs["plan-of-action-and-milestones"];
    let items = poam["poam-items"].as_array().unwrap();
    assert_eq!(items.len(), a.findings.len());
    assert_eq!(poam["risks"].as_array().unwrap().len(), a.findings.len());
    let ssp_id = &ssp["system-characteristics"]["system-ids"][0]["id"];
    assert_eq!(&poam["system-id"]["id"], ssp_id);
}

#[test]
fn a_type1_export_without_evidence_validates() {
    let Some(dir) = schemas() else { return };
    let scope = type1();
    let inv = Inventory::default();
    let controls = library();
    let pols: Vec<PolicyMeta> = Vec::new();
    let a = assess(&scope, &inv, false);
    let cx = Context {
        legal_name: None,
        evidence_count: 0,
        ..context(&a, &scope, &inv, &controls, &pols)
    };
    let docs = check(&cx, &dir);
    let result = &docs["assessment-results"]["results"][0];
    assert_eq!(result["start"], "2026-03-31T00:00:00Z");
    assert_eq!(result["end"], "2026-03-31T00:00:00Z");
    // No data stores: still one information type; no roles: no users.
    let ssp = &docs["system-security-plan"];
    assert_eq!(
        ssp["system-characteristics"]["system-information"]["information-types"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(ssp["system-implementation"].get("users").is_none());

    // Without findings the plan of action still has its one required item.
    let mut clean = a.clone();
    clean.findings.clear();
    let cx = Context {
        assessment: &clean,
        ..cx
    };
    let poam = oscal::poam(&cx);
    assert!(violations(&dir, "plan-of-action-and-milestones", &poam).is_empty());
    assert_eq!(poam["poam-items"].as_array().unwrap().len(), 1);
    assert!(poam.get("findings").is_none() && poam.get("risks").is_none());
    let ar = oscal::assessment_results(&cx);
    assert!(violations(&dir, "assessment-results", &ar).is_empty());
}

/// The workspace reporting on every framework: each one's catalog, profile and assessment
/// results validate, the component definition (with a control implementation per framework)
/// still validates, and requirement ids become valid OSCAL control ids.
#[test]
fn every_framework_exports_documents_that_validate() {
    use assay_engine::framework::{judge, FrameworkInput, RequirementInput};
    let Some(dir) = schemas() else { return };
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let scope = type2();
    let inv = inventory();
    let controls = library();
    let pols = policies();
    let mut a = assess(&scope, &inv, true);
    let inputs: Vec<FrameworkInput> = catalog
        .frameworks
        .iter()
        .filter(|f| f.id != "soc2")
        .map(|f| FrameworkInput {
            id: f.id.clone(),
            title: f.title.clone(),
            requirements: f
                .requirements
                .iter()
                .map(|r| RequirementInput {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    group: r.group.clone(),
                    summary: r.summary.clone(),
                    specification: r.specification.map(|s| s.as_str().to_string()),
                    controls: f.links_to(&r.id).map(|l| l.control.clone()).collect(),
                    gap: f.gaps_for(&r.id).next().map(|g| g.reason.clone()),
                })
                .collect(),
        })
        .collect();
    a.frameworks = judge(&a.controls, &inputs);
    let cx = context(&a, &scope, &inv, &controls, &pols);
    let docs = oscal::frameworks(&cx);
    let stems: Vec<&str> = docs.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(docs.len(), 12, "{stems:?}");
    assert!(stems.contains(&"catalog-nist-800-53-moderate"));
    let mut errors = Vec::new();
    for (stem, model, doc) in &docs {
        errors.extend(
            violations(&dir, model, doc)
                .into_iter()
                .map(|e| format!("{stem}: {e}")),
        );
    }
    let cd = oscal::component_definition(&cx);
    errors.extend(violations(&dir, "component-definition", &cd));
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    let implementations = cd["component-definition"]["components"][0]["control-implementations"]
        .as_array()
        .or(cd["components"][0]["control-implementations"].as_array())
        .unwrap();
    assert_eq!(implementations.len(), 5, "SOC 2 and the four frameworks");
    let (_, _, nist) = docs
        .iter()
        .find(|(s, _, _)| s == "catalog-nist-800-53-moderate")
        .unwrap();
    let text = nist.to_string();
    assert!(text.contains("\"id\":\"ac-2.1\""), "AC-2(1) becomes ac-2.1");
    let (_, _, hipaa) = docs.iter().find(|(s, _, _)| s == "catalog-hipaa").unwrap();
    assert!(hipaa.to_string().contains("\"id\":\"_164.312.a.1\""));
    // The same assessment exports the same bytes.
    assert_eq!(docs, oscal::frameworks(&cx));
}
