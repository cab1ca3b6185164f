//! OSCAL 1.2.3 (JSON) export of an assessment, for tools that read NIST's Open Security
//! Controls Assessment Language: a catalog of the Trust Services Criteria and a profile of
//! those in scope, a component definition (the organization's controls mapped to the
//! criteria), a system security plan, the assessment results and a plan of action and
//! milestones.
//!
//! Each function returns the model object; the document on disk is `{"<model>": <object>}`
//! (see [`all`] and [`crate::render`]). Like every report, the documents are a pure function
//! of the [`Context`]: `last-modified` is the first instant of the period's last day, and every
//! UUID is derived from SHA-256 over the names of what it identifies, so the same assessment
//! always exports the same bytes. Criterion ids become OSCAL control ids in lower case
//! (`CC6.1` becomes `cc6.1`); the properties Assay defines carry the [`NAMESPACE`] namespace.

mod component;
mod frameworks;
mod poam;
mod results;
mod ssp;

pub use component::component_definition;
pub use poam::poam;
pub use results::assessment_results;
pub use ssp::ssp;

use crate::Context;
use assay_core::criterion::sort_key;
use assay_core::{AuditType, Control, Criterion, DataStore};
use assay_engine::assessment::{
    ControlOutcome, CriterionResult, CriterionVerdict, Finding, Method, TestOutcome, Verdict,
};
use assay_engine::manual::Outcome;
use assay_engine::triage::Status;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Display;

/// The namespace (`ns`) of the properties Assay defines.
pub const NAMESPACE: &str = "urn:assay:oscal";

/// The OSCAL version the documents conform to.
const OSCAL_VERSION: &str = "1.2.3";
/// Where the Trust Services Criteria are published (the source of the requirements).
const TSC_SOURCE: &str = "https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022";
/// The profile the system security plan imports (the criteria in scope), written next to it.
const PROFILE_HREF: &str = "profile.json";
/// The catalog of the criteria the profile imports, written next to it.
const CATALOG_HREF: &str = "catalog.json";
/// The assessment plan the results import: the workspace's controls and tests.
const PLAN_HREF: &str = "urn:assay:assessment-plan";
/// The system security plan, as `assay report oscal` names it next to the plan of action.
const SSP_HREF: &str = "system-security-plan.json";
/// The identifier scheme of the system id (a UUID).
const UUID_SCHEME: &str = "https://ietf.org/rfc/rfc4122";
/// Exceptions listed in an observation's remarks (the workpapers hold them all).
const EXCEPTIONS_LISTED: usize = 50;
/// Exception keys named per piece of evidence.
const KEYS_NAMED: usize = 10;

/// The six documents as (model name, model object): catalog, profile, component definition, system security
/// plan, assessment results, plan of action and milestones. The file of each is
/// `{"<model name>": <model object>}`.
pub fn all(cx: &Context<'_>) -> Vec<(&'static str, Value)> {
    vec![
        ("catalog", catalog(cx)),
        ("profile", profile(cx)),
        ("component-definition", component_definition(cx)),
        ("system-security-plan", ssp(cx)),
        ("assessment-results", assessment_results(cx)),
        ("plan-of-action-and-milestones", poam(cx)),
    ]
}

/// For each framework beside SOC 2 the assessment judged: its catalog, profile and
/// assessment results, as (file stem such as `catalog-iso27001`, model name, model object).
pub fn frameworks(cx: &Context<'_>) -> Vec<(String, &'static str, Value)> {
    frameworks::documents(cx)
}

/// The Trust Services Criteria of the catalog as an OSCAL catalog: one group per category,
/// one control per criterion (title, summary, points of focus as guidance).
pub fn catalog(cx: &Context<'_>) -> Value {
    literal(build_catalog(cx))
}

fn build_catalog(cx: &Context<'_>) -> Value {
    let mut groups = Vec::new();
    for cat in assay_core::Category::ALL {
        let mut controls = Vec::new();
        let mut list: Vec<&Criterion> = cx.criteria.iter().filter(|k| k.category == cat).collect();
        list.sort_by_key(|k| sort_key(&k.id));
        for k in list {
            let mut parts = vec![json!({
                "id": format!("{}_smt", control_id(&k.id)),
                "name": "statement",
                "prose": line_or(&k.summary, &k.id),
            })];
            if !k.points_of_focus.is_empty() {
                parts.push(json!({
                    "id": format!("{}_gdn", control_id(&k.id)),
                    "name": "guidance",
                    "prose": k.points_of_focus.iter().map(|p| line(p)).collect::<Vec<_>>().join(" "),
                }));
            }
            controls.push(json!({
                "id": control_id(&k.id),
                "title": line_or(&format!("{} {}", k.id, k.subject), &k.id),
                "parts": parts,
            }));
        }
        if !controls.is_empty() {
            groups.push(json!({
                "id": token(&cat.to_string()),
                "title": capitalized(&cat.to_string().replace('-', " ")),
                "controls": controls,
            }));
        }
    }
    let mut m = metadata(cx, "AICPA Trust Services Criteria (2017, points of focus revised 2022), as summarized by Assay");
    set(&mut m, "remarks", json!("Criterion summaries and points of focus are Assay's own wording; the authoritative text is the AICPA's."));
    json!({
        "uuid": uuid(&["catalog", "aicpa-tsc-2017", &cx.assessment.generator]),
        "metadata": m,
        "groups": groups,
        "back-matter": {"resources": [{"uuid": uuid(&["resource", TSC_SOURCE]), "title": "Trust Services Criteria", "rlinks": [{"href": TSC_SOURCE}]}]},
    })
}

/// The criteria in scope, as a profile of [`catalog`].
pub fn profile(cx: &Context<'_>) -> Value {
    literal(build_profile(cx))
}

fn build_profile(cx: &Context<'_>) -> Value {
    let ids: Vec<String> = requirements(cx).iter().map(|r| control_id(&r.id)).collect();
    let mut import = json!({"href": CATALOG_HREF});
    if ids.is_empty() {
        import["include-all"] = json!({});
    } else {
        import["include-controls"] = json!([{"with-ids": ids}]);
    }
    json!({
        "uuid": stable_uuid(cx, &["profile"]),
        "metadata": metadata(cx, &format!("{}: trust services criteria in scope", system_name(cx))),
        "imports": [import],
    })
}

// ---------------------------------------------------------------------------------------------
// Identifiers, text and small builders
// ---------------------------------------------------------------------------------------------

/// A UUID derived from its parts: the first 16 bytes of SHA-256 over the parts joined by
/// U+001F, with the version nibble set to 4 and the variant bits to `10`, as the OSCAL UUID
/// pattern requires.
fn uuid(parts: &[&str]) -> String {
    let digest: [u8; 32] = Sha256::digest(parts.join("\u{1f}").as_bytes()).into();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A UUID for something that keeps its identity across audit periods (the system, its
/// components, users, implemented requirements).
fn stable_uuid(cx: &Context<'_>, parts: &[&str]) -> String {
    let mut key = vec![
        "assay",
        cx.scope.organization.as_str(),
        cx.scope.system_name.as_str(),
    ];
    key.extend_from_slice(parts);
    uuid(&key)
}

/// A UUID for something that belongs to this audit period (results, observations, findings).
fn period_uuid(cx: &Context<'_>, parts: &[&str]) -> String {
    let (start, end) = (period_start(cx), period_end(cx));
    let mut key = vec![
        "assay",
        cx.scope.organization.as_str(),
        cx.scope.system_name.as_str(),
        start.as_str(),
        end.as_str(),
    ];
    key.extend_from_slice(parts);
    uuid(&key)
}

/// A document's opening: its UUID and metadata.
fn document(cx: &Context<'_>, model: &str, meta: Map<String, Value>) -> Map<String, Value> {
    let mut doc = Map::new();
    set(&mut doc, "uuid", json!(document_uuid(cx, model)));
    set(&mut doc, "metadata", Value::Object(meta));
    doc
}

/// A document's UUID: it changes whenever anything the document is computed from changes.
fn document_uuid(cx: &Context<'_>, model: &str) -> String {
    period_uuid(cx, &[model, &revision(cx)])
}

/// SHA-256 over everything the documents are computed from.
fn revision(cx: &Context<'_>) -> String {
    let mut h = Sha256::new();
    let parts = [
        serde_json::to_vec(cx.assessment),
        serde_json::to_vec(cx.scope),
        serde_json::to_vec(cx.inventory),
        serde_json::to_vec(cx.controls),
        serde_json::to_vec(cx.criteria),
        serde_json::to_vec(cx.policies),
    ];
    for p in parts {
        h.update(p.unwrap_or_default());
        h.update(b"\x1e");
    }
    h.update(cx.legal_name.unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

/// The UUID of the component that is the system itself (SSP `this-system`, the subject of
/// every observation, the component of the component definition).
fn system_uuid(cx: &Context<'_>) -> String {
    stable_uuid(cx, &["this-system"])
}

/// The UUID of a criterion's implemented requirement in the system security plan.
fn requirement_uuid(cx: &Context<'_>, criterion: &str) -> String {
    stable_uuid(cx, &["ssp-requirement", &criterion.to_ascii_lowercase()])
}

fn observation_uuid(cx: &Context<'_>, test: &str) -> String {
    period_uuid(cx, &["observation", test])
}

fn finding_uuid(cx: &Context<'_>, finding: &str) -> String {
    period_uuid(cx, &["finding", finding])
}

fn risk_uuid(cx: &Context<'_>, finding: &str) -> String {
    period_uuid(cx, &["risk", finding])
}

/// Text on one line, whitespace collapsed (OSCAL markup-line and string values).
fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`line`], or the fallback when the text is blank (markup-line and string values may not be
/// empty).
fn line_or(text: &str, fallback: &str) -> String {
    let l = line(text);
    if l.is_empty() {
        line(fallback)
    } else {
        l
    }
}

/// An OSCAL token (an XML NCName): ASCII letters, digits, `.`, `-` and `_`, starting with a
/// letter or `_`.
fn token(text: &str) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// A criterion id as an OSCAL control id: `CC6.1` becomes `cc6.1`.
fn control_id(criterion: &str) -> String {
    token(&criterion.to_ascii_lowercase())
}

/// A date as an OSCAL date-time: its first instant, UTC.
fn date_time(date: impl Display) -> String {
    format!("{date}T00:00:00Z")
}

fn period_start(cx: &Context<'_>) -> String {
    cx.scope.period.start().to_string()
}

fn period_end(cx: &Context<'_>) -> String {
    cx.scope.period.end().to_string()
}

/// `last-modified`, the results' end and every observation's `collected`: the period's last day.
fn last_modified(cx: &Context<'_>) -> String {
    date_time(cx.scope.period.end())
}

fn organization(cx: &Context<'_>) -> String {
    line_or(&cx.scope.organization, "The service organization")
}

fn system_name(cx: &Context<'_>) -> String {
    line_or(&cx.scope.system_name, "The system")
}

fn audit_words(cx: &Context<'_>) -> &'static str {
    match cx.scope.period.audit_type() {
        AuditType::Type1 => "SOC 2 Type I",
        AuditType::Type2 => "SOC 2 Type II",
    }
}

fn categories_text(cx: &Context<'_>) -> String {
    let mut cats = cx.scope.categories.clone();
    cats.sort();
    cats.dedup();
    let words: Vec<&str> = cats.iter().map(|c| c.title()).collect();
    if words.is_empty() {
        "Security".to_string()
    } else {
        words.join(", ")
    }
}

/// The fields of the documents Assay writes whose values are OSCAL markup (`title` is
/// markup-line; `description`, `remarks` and `prose` are markup-multiline).
const MARKUP_FIELDS: &[&str] = &["title", "description", "remarks", "prose"];

/// `v` with every markup field made literal text: evidence, inventory and workspace text
/// reach these fields, and OSCAL markup is a Markdown subset (rendered to HTML by OSCAL
/// tools), so each value is escaped with [`crate::doc::md_escape`]: no raw HTML, link,
/// image or emphasis from the input survives. Other strings (names, property values,
/// tokens) are plain text by the model and left as they are.
fn literal(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = match x {
                        Value::String(s) if MARKUP_FIELDS.contains(&k.as_str()) => {
                            Value::String(crate::doc::md_escape(&s))
                        }
                        other => literal(other),
                    };
                    (k, x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(literal).collect()),
        other => other,
    }
}

/// A property Assay defines; `None` for a blank value (property values may not be empty).
fn prop(name: &str, value: &str) -> Option<Value> {
    let v = line(value);
    (!v.is_empty()).then(|| json!({ "name": name, "ns": NAMESPACE, "value": v }))
}

fn props(list: impl IntoIterator<Item = Option<Value>>) -> Vec<Value> {
    list.into_iter().flatten().collect()
}

/// Inserts a list, leaving the key out when it is empty (OSCAL lists hold at least one item).
fn put_list(obj: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        obj.insert(key.to_string(), Value::Array(items));
    }
}

/// Inserts markup text, leaving the key out when it is blank.
fn put_text(obj: &mut Map<String, Value>, key: &str, text: &str) {
    let t = text.trim();
    if !t.is_empty() {
        obj.insert(key.to_string(), json!(t));
    }
}

fn set(obj: &mut Map<String, Value>, key: &str, value: Value) {
    obj.insert(key.to_string(), value);
}

/// Ids listed for a sentence: `CC6.1, CC6.7`.
fn id_list<S: AsRef<str>>(ids: &[S], none: &str) -> String {
    let words: Vec<String> = ids
        .iter()
        .map(|s| line(s.as_ref()))
        .filter(|s| !s.is_empty())
        .collect();
    if words.is_empty() {
        none.to_string()
    } else {
        words.join(", ")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The metadata every document opens with; the organization is its one party.
fn metadata(cx: &Context<'_>, title: &str) -> Map<String, Value> {
    let mut m = Map::new();
    set(&mut m, "title", json!(line_or(title, "Assay assessment")));
    set(&mut m, "last-modified", json!(last_modified(cx)));
    set(
        &mut m,
        "version",
        json!(line_or(&cx.assessment.generator, "assay")),
    );
    set(&mut m, "oscal-version", json!(OSCAL_VERSION));
    let short = organization(cx);
    let name = line_or(cx.legal_name.unwrap_or_default(), &short);
    let mut party = Map::new();
    set(&mut party, "uuid", json!(stable_uuid(cx, &["party"])));
    set(&mut party, "type", json!("organization"));
    set(&mut party, "name", json!(name));
    if name != short {
        set(&mut party, "short-name", json!(short));
    }
    set(&mut m, "parties", json!([party]));
    m
}

/// A criterion the documents speak about: in scope, with its catalog entry when known.
struct Requirement<'c> {
    id: String,
    criterion: Option<&'c Criterion>,
}

impl Requirement<'_> {
    /// `CC6.1 Logical access security`, or the id alone.
    fn title(&self) -> String {
        match self.criterion {
            Some(k) => line_or(&format!("{} {}", k.id, k.subject), &self.id),
            None => line_or(&self.id, "criterion"),
        }
    }
}

/// The criteria in scope in TSC order; failing a catalog, those the assessment judged, then
/// those the controls are mapped to.
fn requirements<'c>(cx: &'c Context<'_>) -> Vec<Requirement<'c>> {
    let mut in_scope: Vec<&Criterion> = cx
        .criteria
        .iter()
        .filter(|k| cx.scope.categories.contains(&k.category))
        .collect();
    in_scope.sort_by_key(|k| sort_key(&k.id));
    in_scope.dedup_by(|a, b| a.id.eq_ignore_ascii_case(&b.id));
    if !in_scope.is_empty() {
        return in_scope
            .into_iter()
            .map(|k| Requirement {
                id: k.id.clone(),
                criterion: Some(k),
            })
            .collect();
    }
    let mut ids: Vec<String> = cx
        .assessment
        .criteria
        .iter()
        .map(|k| k.id.clone())
        .collect();
    if ids.is_empty() {
        ids = cx
            .controls
            .iter()
            .flat_map(|c| c.criterion_ids())
            .map(str::to_string)
            .collect();
    }
    ids.sort_by_key(|id| sort_key(id));
    ids.dedup();
    ids.into_iter()
        .map(|id| Requirement {
            id,
            criterion: None,
        })
        .collect()
}

fn criterion<'c>(cx: &'c Context<'_>, id: &str) -> Option<&'c Criterion> {
    cx.criteria.iter().find(|k| k.id.eq_ignore_ascii_case(id))
}

fn verdict<'c>(cx: &'c Context<'_>, id: &str) -> Option<&'c CriterionVerdict> {
    cx.assessment
        .criteria
        .iter()
        .find(|k| k.id.eq_ignore_ascii_case(id))
}

fn verdict_word(v: CriterionResult) -> &'static str {
    match v {
        CriterionResult::Met => "met",
        CriterionResult::NotMet => "not met",
        CriterionResult::NotTested => "not tested",
    }
}

/// The workspace's controls mapped to a criterion, by id, with the link's rationale.
fn mapped<'c>(cx: &'c Context<'_>, criterion: &str) -> Vec<(&'c Control, &'c str)> {
    let mut out: Vec<(&Control, &str)> = cx
        .controls
        .iter()
        .filter_map(|c| {
            c.criteria
                .iter()
                .find(|l| l.id.eq_ignore_ascii_case(criterion))
                .map(|l| (c, l.rationale.as_str()))
        })
        .collect();
    out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    out
}

/// How a criterion is addressed, in Markdown: a sentence and one bullet per control.
fn addressed(req: &Requirement<'_>, controls: &[(&Control, &str)]) -> String {
    if controls.is_empty() {
        return format!(
            "{}: no control of the workspace is mapped to this criterion (a design gap).",
            req.title()
        );
    }
    let mut text = format!(
        "{} is addressed by {} of the workspace:\n",
        req.title(),
        plural(controls.len(), "control", "controls")
    );
    for (c, why) in controls {
        let mut bullet = format!("\n- **{}** {}", line(&c.id), line(&c.title));
        let why = line(why);
        if !why.is_empty() {
            bullet.push_str(&format!(": {why}"));
        }
        text.push_str(&bullet);
    }
    text
}

/// Complementary user-entity and subservice-organization controls a criterion depends on, as
/// Markdown bullets.
fn complementary(cx: &Context<'_>, criterion: &str) -> String {
    let names = |ids: &[String]| ids.iter().any(|k| k.eq_ignore_ascii_case(criterion));
    let mut lines = Vec::new();
    for c in cx
        .inventory
        .cuecs
        .iter()
        .filter(|c| names(c.criteria.as_slice()))
    {
        lines.push(format!(
            "- Complementary user-entity control {}: {}",
            line(&c.id),
            line(&c.description)
        ));
    }
    for v in cx.inventory.vendors.iter().filter(|v| v.subservice) {
        for s in v.csocs.iter().filter(|s| names(s.criteria.as_slice())) {
            lines.push(format!(
                "- Complementary subservice-organization control {} ({}, {}): {}",
                line(&s.id),
                line_or(&v.name, &v.id),
                line_or(
                    v.method.as_deref().unwrap_or_default(),
                    "method not recorded"
                ),
                line(&s.description)
            ));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::{control_id, token, uuid};

    #[test]
    fn uuids_are_version_4_shaped_and_stable() {
        let a = uuid(&["assay", "Acme", "finding", "F-CHG-01.1"]);
        // SHA-256 of "assay\x1fAcme\x1ffinding\x1fF-CHG-01.1" starts cba999eb987bfd9bec64...;
        // the version nibble becomes 4 and the variant bits 10.
        assert_eq!(a, "cba999eb-987b-4d9b-ac64-249064093df9");
        assert_ne!(a, uuid(&["assay", "Acme", "finding", "F-CHG-01.2"]));
        assert_ne!(uuid(&["ab", "c"]), uuid(&["a", "bc"]));
        let b = a.as_bytes();
        assert_eq!(a.len(), 36);
        assert_eq!([b[8], b[13], b[18], b[23]], [b'-'; 4]);
        assert_eq!(b[14], b'4');
        assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'));
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }

    #[test]
    fn criterion_ids_become_tokens() {
        assert_eq!(control_id("CC6.1"), "cc6.1");
        assert_eq!(control_id("PI1.2"), "pi1.2");
        assert_eq!(token("security lead"), "security-lead");
        assert_eq!(token("1st-line"), "_1st-line");
        assert_eq!(token(""), "_");
    }
}
