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

/// The Trust Services Criteria of the catalog as an OSCAL catalog: one group per category,
/// one control per criterion (title, summary, points of focus as guidance).
pub fn catalog(cx: &Context<'_>) -> Value {
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

// ---------------------------------------------------------------------------------------------
// Component definition
// ---------------------------------------------------------------------------------------------

/// The organization's controls as an OSCAL `component-definition`: one component, the system,
/// whose control implementation takes its requirements from the Trust Services Criteria and
/// holds one implemented requirement per criterion in scope, describing the workspace's
/// controls mapped to it.
pub fn component_definition(cx: &Context<'_>) -> Value {
    let reqs = requirements(cx);
    let implemented: Vec<Value> = reqs
        .iter()
        .map(|req| {
            let controls = mapped(cx, &req.id);
            let mut r = Map::new();
            set(
                &mut r,
                "uuid",
                json!(stable_uuid(
                    cx,
                    &["cd-requirement", &req.id.to_ascii_lowercase()]
                )),
            );
            set(&mut r, "control-id", json!(control_id(&req.id)));
            set(&mut r, "description", json!(addressed(req, &controls)));
            let mut p = vec![prop(
                "category",
                req.criterion.map(|k| k.category.slug()).unwrap_or_default(),
            )];
            p.extend(controls.iter().map(|(c, _)| prop("control", &c.id)));
            put_list(&mut r, "props", props(p));
            put_text(&mut r, "remarks", &complementary(cx, &req.id));
            Value::Object(r)
        })
        .collect();

    let mut component = Map::new();
    set(&mut component, "uuid", json!(system_uuid(cx)));
    set(&mut component, "type", json!("software"));
    set(&mut component, "title", json!(system_name(cx)));
    set(&mut component, "description", json!(system_description(cx)));
    set(
        &mut component,
        "purpose",
        json!(line(&format!(
            "The system of {} in scope of its {} audit",
            organization(cx),
            audit_words(cx)
        ))),
    );
    put_list(
        &mut component,
        "props",
        props([
            prop("control-count", &cx.controls.len().to_string()),
            prop("policy-count", &cx.policies.len().to_string()),
        ]),
    );
    if !implemented.is_empty() {
        let mut ci = Map::new();
        set(
            &mut ci,
            "uuid",
            json!(stable_uuid(cx, &["cd-control-implementation"])),
        );
        set(&mut ci, "source", json!(TSC_SOURCE));
        set(
            &mut ci,
            "description",
            json!(format!(
                "How the controls of {} address the 2017 Trust Services Criteria (with the revised points of focus of 2022) in scope: {}.",
                organization(cx),
                categories_text(cx)
            )),
        );
        set(
            &mut ci,
            "implemented-requirements",
            Value::Array(implemented),
        );
        set(&mut component, "control-implementations", json!([ci]));
    }

    let mut doc = Map::new();
    set(
        &mut doc,
        "uuid",
        json!(document_uuid(cx, "component-definition")),
    );
    set(
        &mut doc,
        "metadata",
        Value::Object(metadata(
            cx,
            &format!(
                "{}: controls of {} mapped to the Trust Services Criteria",
                system_name(cx),
                organization(cx)
            ),
        )),
    );
    set(&mut doc, "components", json!([component]));
    Value::Object(doc)
}

fn system_description(cx: &Context<'_>) -> String {
    let d = cx.scope.system_description.trim();
    if d.is_empty() {
        format!(
            "{}, the system of {} under {} audit.",
            system_name(cx),
            organization(cx),
            audit_words(cx)
        )
    } else {
        d.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// System security plan
// ---------------------------------------------------------------------------------------------

/// The system as an OSCAL `system-security-plan`: its characteristics (name, description,
/// data by classification, boundary), its implementation (users from the inventory's roles,
/// the system itself, its components and its policies) and, per criterion in scope, how the
/// workspace's controls implement it.
pub fn ssp(cx: &Context<'_>) -> Value {
    let reqs = requirements(cx);
    let this_system = system_uuid(cx);

    // Roles: the inventory's, then any other owner a system, control or policy names.
    let mut roles: BTreeMap<String, String> = BTreeMap::new();
    for r in &cx.inventory.roles {
        roles
            .entry(token(&r.id))
            .or_insert_with(|| line_or(&r.title, &r.id));
    }
    let owners = cx
        .inventory
        .systems
        .iter()
        .map(|s| s.owner.as_str())
        .chain(cx.controls.iter().map(|c| c.owner.as_str()))
        .chain(cx.policies.iter().map(|p| p.owner.as_str()));
    for o in owners.filter(|o| !o.trim().is_empty()) {
        roles.entry(token(o)).or_insert_with(|| line(o));
    }

    let mut meta = metadata(cx, &format!("{}: system security plan", system_name(cx)));
    put_list(
        &mut meta,
        "roles",
        roles
            .iter()
            .map(|(id, title)| json!({ "id": id, "title": title }))
            .collect(),
    );

    // System characteristics.
    let mut chars = Map::new();
    set(
        &mut chars,
        "system-ids",
        json!([{ "identifier-type": UUID_SCHEME, "id": this_system }]),
    );
    set(&mut chars, "system-name", json!(system_name(cx)));
    set(&mut chars, "description", json!(system_description(cx)));
    let mut p = vec![
        prop("audit-type", &cx.scope.period.audit_type().to_string()),
        prop("period-start", &period_start(cx)),
        prop("period-end", &period_end(cx)),
    ];
    let mut cats = cx.scope.categories.clone();
    cats.sort();
    cats.dedup();
    p.extend(
        cats.iter()
            .map(|c| prop("trust-services-category", c.slug())),
    );
    put_list(&mut chars, "props", props(p));
    let stores = stores_by_classification(cx);
    if let Some((top, _)) = stores.first() {
        set(
            &mut chars,
            "security-sensitivity-level",
            json!(line_or(top, "unclassified")),
        );
    }
    set(
        &mut chars,
        "system-information",
        json!({ "information-types": information_types(cx, &stores) }),
    );
    set(&mut chars, "status", json!({ "state": "operational" }));
    set(
        &mut chars,
        "authorization-boundary",
        json!({ "description": boundary(cx) }),
    );

    // System implementation.
    let mut imp = Map::new();
    let users: Vec<Value> = cx
        .inventory
        .roles
        .iter()
        .map(|r| {
            let mut u = Map::new();
            set(&mut u, "uuid", json!(stable_uuid(cx, &["user", &r.id])));
            set(&mut u, "title", json!(line_or(&r.title, &r.id)));
            put_text(&mut u, "description", &r.responsibilities);
            set(&mut u, "role-ids", json!([token(&r.id)]));
            Value::Object(u)
        })
        .collect();
    put_list(&mut imp, "users", users);
    let mut components = vec![json!({
        "uuid": this_system,
        "type": "this-system",
        "title": system_name(cx),
        "description": system_description(cx),
        "status": { "state": "operational" },
    })];
    let mut systems: Vec<_> = cx.inventory.systems.iter().collect();
    systems.sort_by(|a, b| a.id.cmp(&b.id));
    for s in systems {
        let mut c = Map::new();
        set(
            &mut c,
            "uuid",
            json!(stable_uuid(cx, &["component", &s.id])),
        );
        set(&mut c, "type", json!(component_type(&s.kind)));
        set(&mut c, "title", json!(line_or(&s.name, &s.id)));
        let description = if s.description.trim().is_empty() {
            format!(
                "{} ({}), a component of {}.",
                line_or(&s.name, &s.id),
                line_or(&s.kind, "component"),
                system_name(cx)
            )
        } else {
            s.description.trim().to_string()
        };
        set(&mut c, "description", json!(description));
        let hosting = s.hosting.as_deref().map(|h| {
            cx.inventory
                .vendors
                .iter()
                .find(|v| v.id == h)
                .map_or_else(|| line(h), |v| line_or(&v.name, h))
        });
        put_list(
            &mut c,
            "props",
            props([
                prop("inventory-id", &s.id),
                prop("kind", &s.kind),
                prop("environment", &s.environment),
                prop("in-boundary", if s.in_scope { "yes" } else { "no" }),
                prop("hosted-by", hosting.as_deref().unwrap_or_default()),
            ]),
        );
        set(&mut c, "status", json!({ "state": "operational" }));
        if !s.owner.trim().is_empty() {
            set(
                &mut c,
                "responsible-roles",
                json!([{ "role-id": token(&s.owner) }]),
            );
        }
        if !s.in_scope {
            set(&mut c, "remarks", json!("Outside the system boundary."));
        }
        components.push(Value::Object(c));
    }
    let mut policies: Vec<_> = cx.policies.iter().collect();
    policies.sort_by(|a, b| a.id.cmp(&b.id));
    for pol in policies {
        let mut c = Map::new();
        set(&mut c, "uuid", json!(stable_uuid(cx, &["policy", &pol.id])));
        set(&mut c, "type", json!("policy"));
        set(&mut c, "title", json!(line_or(&pol.title, &pol.id)));
        let mut d = format!(
            "Policy {}, version {}, {}",
            line_or(&pol.id, "without an id"),
            line_or(&pol.version, "unversioned"),
            line_or(&pol.status, "status not recorded")
        );
        if let Some(day) = pol.approved {
            d.push_str(&format!(" on {day}"));
        }
        d.push_str(&format!(
            "; owned by {}, reviewed {}.",
            line_or(&pol.owner, "no owner"),
            line_or(&pol.review_cycle, "on no stated cycle")
        ));
        set(&mut c, "description", json!(d));
        let mut p = vec![prop("inventory-id", &pol.id), prop("version", &pol.version)];
        p.extend(pol.criteria.iter().map(|k| prop("criterion", k)));
        p.extend(pol.controls.iter().map(|k| prop("control", k)));
        put_list(&mut c, "props", props(p));
        let state = if pol.status.trim().eq_ignore_ascii_case("approved") {
            "operational"
        } else {
            "under-development"
        };
        set(&mut c, "status", json!({ "state": state }));
        if !pol.owner.trim().is_empty() {
            set(
                &mut c,
                "responsible-roles",
                json!([{ "role-id": token(&pol.owner) }]),
            );
        }
        components.push(Value::Object(c));
    }
    set(&mut imp, "components", Value::Array(components));

    // Control implementation.
    let implemented: Vec<Value> = reqs
        .iter()
        .map(|req| {
            let controls = mapped(cx, &req.id);
            let mut r = Map::new();
            set(&mut r, "uuid", json!(requirement_uuid(cx, &req.id)));
            set(&mut r, "control-id", json!(control_id(&req.id)));
            let mut owners: Vec<String> = controls
                .iter()
                .map(|(c, _)| c.owner.as_str())
                .filter(|o| !o.trim().is_empty())
                .map(token)
                .collect();
            owners.sort();
            owners.dedup();
            put_list(
                &mut r,
                "responsible-roles",
                owners
                    .into_iter()
                    .map(|o| json!({ "role-id": o }))
                    .collect(),
            );
            let state = if controls.is_empty() {
                "planned"
            } else {
                "implemented"
            };
            let mut by = Map::new();
            set(&mut by, "component-uuid", json!(this_system));
            set(
                &mut by,
                "uuid",
                json!(stable_uuid(
                    cx,
                    &["ssp-by-component", &req.id.to_ascii_lowercase()]
                )),
            );
            set(&mut by, "description", json!(addressed(req, &controls)));
            put_list(
                &mut by,
                "props",
                props(controls.iter().map(|(c, _)| prop("control", &c.id))),
            );
            set(&mut by, "implementation-status", json!({ "state": state }));
            set(&mut r, "by-components", json!([by]));
            put_text(&mut r, "remarks", &complementary(cx, &req.id));
            Value::Object(r)
        })
        .collect();
    let control_implementation = json!({
        "description": format!(
            "How the controls of {} implement the {} in scope ({}).",
            organization(cx),
            plural(reqs.len(), "Trust Services Criterion", "Trust Services Criteria"),
            categories_text(cx)
        ),
        "implemented-requirements": implemented,
    });

    let mut doc = Map::new();
    set(
        &mut doc,
        "uuid",
        json!(document_uuid(cx, "system-security-plan")),
    );
    set(&mut doc, "metadata", Value::Object(meta));
    set(
        &mut doc,
        "import-profile",
        json!({
            "href": PROFILE_HREF,
            "remarks": format!(
                "The AICPA 2017 Trust Services Criteria (revised points of focus, 2022), categories in scope: {}. The criteria are in catalog.json (imported through profile.json); control ids are the criterion ids in lower case.",
                categories_text(cx)
            ),
        }),
    );
    set(&mut doc, "system-characteristics", Value::Object(chars));
    set(&mut doc, "system-implementation", Value::Object(imp));
    set(&mut doc, "control-implementation", control_implementation);
    Value::Object(doc)
}

/// An inventory kind as an OSCAL component type.
fn component_type(kind: &str) -> &'static str {
    match kind.trim().to_ascii_lowercase().as_str() {
        "saas" | "infrastructure" => "service",
        "network" => "network",
        "endpoint" => "hardware",
        _ => "software",
    }
}

fn classification_rank(c: &str) -> u8 {
    match c {
        "restricted" => 4,
        "confidential" => 3,
        "internal" => 2,
        "public" => 1,
        _ => 0,
    }
}

/// Data stores grouped by classification, most sensitive first.
fn stores_by_classification<'c>(cx: &'c Context<'_>) -> Vec<(String, Vec<&'c DataStore>)> {
    let mut groups: BTreeMap<String, Vec<&DataStore>> = BTreeMap::new();
    for d in &cx.inventory.data_stores {
        let c = line_or(&d.classification.to_ascii_lowercase(), "unclassified");
        groups.entry(c).or_default().push(d);
    }
    let mut out: Vec<(String, Vec<&DataStore>)> = groups.into_iter().collect();
    out.sort_by(|a, b| {
        classification_rank(&b.0)
            .cmp(&classification_rank(&a.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    for (_, stores) in &mut out {
        stores.sort_by(|a, b| a.id.cmp(&b.id));
    }
    out
}

/// One information type per data classification (at least one).
fn information_types(cx: &Context<'_>, stores: &[(String, Vec<&DataStore>)]) -> Vec<Value> {
    if stores.is_empty() {
        return vec![json!({
            "uuid": stable_uuid(cx, &["information-type", "system-data"]),
            "title": "System data",
            "description": format!(
                "The data {} stores, processes and transmits; the inventory records no data stores.",
                system_name(cx)
            ),
        })];
    }
    stores
        .iter()
        .map(|(class, list)| {
            let mut d = format!(
                "Data classified {class}, kept in {}:\n",
                plural(list.len(), "data store", "data stores")
            );
            for s in list {
                let mut bullet = format!(
                    "\n- {} (system {}",
                    line_or(&s.name, &s.id),
                    line_or(&s.system, "not recorded")
                );
                let location = line(&s.location);
                if !location.is_empty() {
                    bullet.push_str(&format!(", {location}"));
                }
                bullet.push_str(&format!(
                    "): personal data {}; encrypted at rest {}",
                    if s.personal_data { "yes" } else { "no" },
                    if s.encrypted_at_rest { "yes" } else { "no" }
                ));
                if let Some(r) = s.retention.as_deref().map(line).filter(|r| !r.is_empty()) {
                    bullet.push_str(&format!("; kept {r}"));
                }
                d.push_str(&bullet);
            }
            json!({
                "uuid": stable_uuid(cx, &["information-type", class]),
                "title": format!("{} data", capitalized(class)),
                "description": d,
            })
        })
        .collect()
}

/// The system boundary as the inventory records it.
fn boundary(cx: &Context<'_>) -> String {
    let inv = cx.inventory;
    let mut inside: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for s in &inv.systems {
        let name = line_or(&s.name, &s.id);
        if s.in_scope {
            inside.push(name);
        } else {
            outside.push(name);
        }
    }
    inside.sort();
    outside.sort();
    let mut parts = vec![format!(
        "The boundary of {} as the inventory of {} records it.",
        system_name(cx),
        organization(cx)
    )];
    if inside.is_empty() && outside.is_empty() {
        parts.push("The inventory lists no components.".to_string());
    } else {
        parts.push(format!(
            "Components inside the boundary: {}.",
            id_list(&inside, "none")
        ));
        if !outside.is_empty() {
            parts.push(format!(
                "Components outside the boundary: {}.",
                id_list(&outside, "none")
            ));
        }
    }
    let mut subservice: Vec<String> = inv
        .vendors
        .iter()
        .filter(|v| v.subservice)
        .map(|v| {
            let method = v
                .method
                .as_deref()
                .map(|m| line(m).to_ascii_lowercase())
                .unwrap_or_default();
            match method.as_str() {
                "carve-out" => format!(
                    "{} (carved out: its controls are outside the boundary and not tested; the criteria rely on its complementary controls)",
                    line_or(&v.name, &v.id)
                ),
                "inclusive" => format!(
                    "{} (inclusive: its relevant controls are inside the boundary)",
                    line_or(&v.name, &v.id)
                ),
                _ => line_or(&v.name, &v.id),
            }
        })
        .collect();
    subservice.sort();
    if !subservice.is_empty() {
        parts.push(format!(
            "Subservice organizations: {}.",
            subservice.join("; ")
        ));
    }
    if !inv.cuecs.is_empty() {
        parts.push(format!(
            "User entities are expected to operate {}.",
            plural(
                inv.cuecs.len(),
                "complementary user-entity control",
                "complementary user-entity controls"
            )
        ));
    }
    parts.join("\n\n")
}

// ---------------------------------------------------------------------------------------------
// Assessment results
// ---------------------------------------------------------------------------------------------

/// A test that ran a population or drew a sample, and so gives an observation.
struct Observed<'c> {
    control: &'c ControlOutcome,
    test: &'c TestOutcome,
    uuid: String,
}

fn observed<'c>(cx: &'c Context<'_>) -> Vec<Observed<'c>> {
    let mut out = Vec::new();
    for c in &cx.assessment.controls {
        for t in &c.tests {
            if t.population.is_some() || t.sample.is_some() {
                out.push(Observed {
                    control: c,
                    test: t,
                    uuid: observation_uuid(cx, &t.id),
                });
            }
        }
    }
    out
}

fn method_word(m: Method) -> &'static str {
    match m {
        Method::Population => "population",
        Method::Calendar => "calendar",
        Method::Sample => "sample",
    }
}

fn observation(cx: &Context<'_>, o: &Observed<'_>) -> Value {
    let t = o.test;
    let mut m = Map::new();
    set(&mut m, "uuid", json!(o.uuid));
    set(
        &mut m,
        "title",
        json!(line_or(&format!("{}: {}", t.id, o.control.title), &t.id)),
    );
    let mut description = t.procedure.trim().to_string();
    if !t.statement.trim().is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(t.statement.trim());
    }
    if description.is_empty() {
        description = format!("Test {} of control {}.", t.id, o.control.id);
    }
    set(&mut m, "description", json!(description));
    put_list(
        &mut m,
        "props",
        props([
            prop("control", &o.control.id),
            prop("test", &t.id),
            prop("method", method_word(t.method)),
            prop("result", t.result.as_str()),
            prop("rule", t.rule),
            prop("severity", t.severity.as_str()),
            prop("exception-count", &t.exception_count.to_string()),
        ]),
    );
    let method = match t.method {
        Method::Population | Method::Calendar => "TEST",
        Method::Sample => "EXAMINE",
    };
    set(&mut m, "methods", json!([method]));
    let mut types = vec!["control-objective"];
    if t.exception_count > 0 || matches!(t.result, Verdict::NotEffective | Verdict::ExceptionsNoted)
    {
        types.push("finding");
    }
    set(&mut m, "types", json!(types));
    set(
        &mut m,
        "subjects",
        json!([{
            "subject-uuid": system_uuid(cx),
            "type": "component",
            "title": system_name(cx),
        }]),
    );
    put_list(&mut m, "relevant-evidence", relevant_evidence(t));
    set(&mut m, "collected", json!(last_modified(cx)));
    put_text(&mut m, "remarks", &observation_remarks(t));
    Value::Object(m)
}

/// The frozen population, the sample, and each piece of evidence behind the exceptions.
fn relevant_evidence(t: &TestOutcome) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(p) = &t.population {
        let mut e = Map::new();
        set(
            &mut e,
            "description",
            json!(format!(
                "Frozen population of {} read from {} ({}). SHA-256 over the hashes of the {} behind those tables (evidence_sha256): `{}`. SHA-256 over the rows in order: `{}`.",
                plural(p.rows, "row", "rows"),
                id_list(&p.tables, "no table"),
                id_list(&p.normalizers, "no normalizer"),
                plural(p.evidence_count, "piece of evidence", "pieces of evidence"),
                line(&p.evidence_sha256),
                line(&p.rows_sha256)
            )),
        );
        put_list(
            &mut e,
            "props",
            props([
                prop("evidence-sha256", &p.evidence_sha256),
                prop("evidence-count", &p.evidence_count.to_string()),
                prop("rows", &p.rows.to_string()),
                prop("rows-sha256", &p.rows_sha256),
            ]),
        );
        if !p.query.trim().is_empty() {
            set(
                &mut e,
                "remarks",
                json!(format!(
                    "The population query:\n\n```sql\n{}\n```",
                    p.query.trim()
                )),
            );
        }
        out.push(Value::Object(e));
    }
    if let Some(s) = &t.sample {
        let size = if s.extended { s.extended_size } else { s.size };
        let mut d = format!(
            "Sample of {} of {} ({}), selected with {} from seed `{}` ({}).",
            size,
            plural(s.population, "item", "items"),
            line_or(&s.basis, "no basis recorded"),
            line_or(s.algorithm, "the recorded algorithm"),
            line(&s.seed),
            if s.seed_from == "default" {
                "derived from organization, period and test".to_string()
            } else {
                format!("from {}", line_or(&s.seed_from, "the results file"))
            }
        );
        match (&s.tester, &s.tested_at) {
            (Some(who), Some(at)) => {
                d.push_str(&format!(" Tested by {} on {}.", line(who), line(at)))
            }
            (Some(who), None) => d.push_str(&format!(" Tested by {}.", line(who))),
            (None, Some(at)) => d.push_str(&format!(" Tested on {}.", line(at))),
            (None, None) => d.push_str(" Results not yet recorded."),
        }
        if let Some(f) = s
            .results_file
            .as_deref()
            .map(line)
            .filter(|f| !f.is_empty())
        {
            d.push_str(&format!(" Results file: {f}."));
        }
        let mut e = Map::new();
        set(&mut e, "description", json!(d));
        put_list(
            &mut e,
            "props",
            props([
                prop("sample-size", &size.to_string()),
                prop("sample-population", &s.population.to_string()),
                prop("sample-seed", &s.seed),
            ]),
        );
        let items: Vec<String> = s
            .items
            .iter()
            .map(|it| {
                let result = match it.result {
                    Some(Outcome::Pass) => "pass",
                    Some(Outcome::Fail) => "fail",
                    None => "not yet tested",
                };
                let mut b = format!("- {}: {result}", line(&it.key));
                if it.extension {
                    b.push_str(" (extension)");
                }
                let notes = line(&it.notes);
                if !notes.is_empty() {
                    b.push_str(&format!("; {notes}"));
                }
                if !it.evidence.is_empty() {
                    b.push_str(&format!("; evidence {}", id_list(&it.evidence, "none")));
                }
                b
            })
            .collect();
        if !items.is_empty() {
            set(
                &mut e,
                "remarks",
                json!(format!("Items selected:\n\n{}", items.join("\n"))),
            );
        }
        out.push(Value::Object(e));
    }
    // Each piece of evidence behind the exceptions, by its SHA-256.
    let mut by_hash: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for x in &t.exceptions {
        for h in &x.evidence {
            let h = h.trim().to_ascii_lowercase();
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            let keys = by_hash.entry(h).or_default();
            let key = line_or(&x.key, "(no key)");
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for (h, keys) in by_hash {
        let named: Vec<&str> = keys.iter().take(KEYS_NAMED).map(String::as_str).collect();
        let more = keys.len().saturating_sub(KEYS_NAMED);
        out.push(json!({
            "href": format!("urn:assay:evidence:sha256:{h}"),
            "description": format!(
                "Evidence behind {}: {}{}.",
                plural(keys.len(), "exception", "exceptions"),
                named.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        }));
    }
    out
}

fn observation_remarks(t: &TestOutcome) -> String {
    let mut parts = Vec::new();
    let notes: Vec<String> = t
        .notes
        .iter()
        .map(|n| line(n))
        .filter(|n| !n.is_empty())
        .map(|n| format!("- {n}"))
        .collect();
    if !notes.is_empty() {
        parts.push(format!("Notes:\n\n{}", notes.join("\n")));
    }
    if !t.exceptions.is_empty() {
        let listed: Vec<String> = t
            .exceptions
            .iter()
            .take(EXCEPTIONS_LISTED)
            .map(|x| format!("- {}: {}", line_or(&x.key, "(no key)"), line(&x.reason)))
            .collect();
        let head = if t.exception_count > listed.len() {
            format!(
                "Exceptions ({}; the first {} listed):",
                t.exception_count,
                listed.len()
            )
        } else {
            format!("Exceptions ({}):", t.exception_count.max(listed.len()))
        };
        parts.push(format!("{head}\n\n{}", listed.join("\n")));
    }
    parts.join("\n\n")
}

fn kind_phrase(kind: &str) -> String {
    match kind {
        "not-effective" => "control not effective".to_string(),
        "exceptions-noted" => "exceptions noted".to_string(),
        "not-tested" => "not tested".to_string(),
        "error" => "test could not be performed".to_string(),
        "design-gap" => "no control addresses the criterion".to_string(),
        other => line_or(&other.replace('-', " "), "finding"),
    }
}

/// A finding's target: the first criterion it affects that is not met (else its first
/// criterion), as a control objective.
fn finding(cx: &Context<'_>, f: &Finding, observed: &[Observed<'_>], with_risk: bool) -> Value {
    let mut m = Map::new();
    set(&mut m, "uuid", json!(finding_uuid(cx, &f.id)));
    set(&mut m, "title", json!(line_or(&f.id, "Finding")));
    let statement = f.statement.trim();
    set(
        &mut m,
        "description",
        json!(if statement.is_empty() {
            format!("Finding {}: {}.", line(&f.id), kind_phrase(f.kind))
        } else {
            statement.to_string()
        }),
    );
    let mut p = vec![
        prop("severity", f.severity.as_str()),
        prop("kind", f.kind),
        prop("rule", f.rule),
        prop("exception-count", &f.exception_count.to_string()),
        prop("control", f.control.as_deref().unwrap_or_default()),
        prop("test", f.test.as_deref().unwrap_or_default()),
        prop("owner", &f.owner),
    ];
    p.extend(f.criteria.iter().map(|k| prop("criterion", k)));
    if let Some(t) = &f.triage {
        p.push(prop("triage-status", t.status.as_str()));
        p.push(prop(
            "due",
            &t.due.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    put_list(&mut m, "props", props(p));

    let target = f
        .criteria
        .iter()
        .find(|id| verdict(cx, id).is_none_or(|v| v.verdict != CriterionResult::Met))
        .or(f.criteria.first());
    let (state, reason) = match target.and_then(|id| verdict(cx, id)).map(|v| v.verdict) {
        Some(CriterionResult::Met) => ("satisfied", "pass"),
        Some(CriterionResult::NotMet) => ("not-satisfied", "fail"),
        _ => ("not-satisfied", "other"),
    };
    let mut tg = Map::new();
    set(&mut tg, "type", json!("objective-id"));
    let target_id = match target {
        Some(id) => control_id(id),
        None => control_id(f.control.as_deref().unwrap_or(&f.id)),
    };
    set(&mut tg, "target-id", json!(target_id));
    if let Some(k) = target.and_then(|id| criterion(cx, id)) {
        set(
            &mut tg,
            "title",
            json!(line_or(&format!("{} {}", k.id, k.subject), &k.id)),
        );
    }
    let affected: Vec<String> = f
        .criteria
        .iter()
        .map(|id| match verdict(cx, id) {
            Some(v) => format!("{} ({})", line(id), verdict_word(v.verdict)),
            None => line(id),
        })
        .collect();
    set(
        &mut tg,
        "description",
        json!(if affected.is_empty() {
            "The finding names no criterion.".to_string()
        } else {
            format!("Criteria affected: {}.", affected.join(", "))
        }),
    );
    set(
        &mut tg,
        "status",
        json!({ "state": state, "reason": reason }),
    );
    set(&mut m, "target", Value::Object(tg));
    if let Some(id) = target {
        set(
            &mut m,
            "implementation-statement-uuid",
            json!(requirement_uuid(cx, id)),
        );
    }
    if let Some(o) = related(f, observed) {
        set(
            &mut m,
            "related-observations",
            json!([{ "observation-uuid": o.uuid }]),
        );
    }
    if with_risk {
        set(
            &mut m,
            "related-risks",
            json!([{ "risk-uuid": risk_uuid(cx, &f.id) }]),
        );
    }
    put_text(&mut m, "remarks", &finding_remarks(f));
    Value::Object(m)
}

/// The observation of the test a finding is about, when the test gave one.
fn related<'o, 'c>(f: &Finding, observed: &'o [Observed<'c>]) -> Option<&'o Observed<'c>> {
    let test = f.test.as_deref()?;
    observed.iter().find(|o| o.test.id == test)
}

fn finding_remarks(f: &Finding) -> String {
    let mut parts = Vec::new();
    if !f.remediation.trim().is_empty() {
        parts.push(format!("Remediation: {}", f.remediation.trim()));
    }
    if let Some(r) = f
        .triage
        .as_ref()
        .and_then(|t| t.response.as_deref())
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        parts.push(format!("Management's response: {r}"));
    }
    parts.join("\n\n")
}

/// The assessment as OSCAL `assessment-results`: one result for the audit period, with the
/// criteria in scope as reviewed controls, one observation per test that ran a population or
/// drew a sample (its frozen population, sample and the evidence behind its exceptions), and one
/// finding per finding of the assessment, targeting the criterion it affects.
pub fn assessment_results(cx: &Context<'_>) -> Value {
    let a = cx.assessment;
    let reqs = requirements(cx);
    let observed = observed(cx);

    let mut meta = metadata(
        cx,
        &format!(
            "{} assessment results: {}, {}",
            audit_words(cx),
            system_name(cx),
            cx.scope.period
        ),
    );
    let mut p = vec![prop("rules-version", a.rules_version)];
    if let Some(l) = &a.ledger {
        p.push(prop("ledger-root", &l.root));
        p.push(prop("ledger-size", &l.size.to_string()));
    }
    put_list(&mut meta, "props", props(p));

    let selection = if reqs.is_empty() {
        json!({ "include-all": {} })
    } else {
        json!({
            "description": format!("The Trust Services Criteria in scope: {}.", categories_text(cx)),
            "include-controls": reqs
                .iter()
                .map(|r| json!({ "control-id": control_id(&r.id) }))
                .collect::<Vec<_>>(),
        })
    };

    let count = |map: &BTreeMap<&'static str, usize>, key: &str| map.get(key).copied().unwrap_or(0);
    let tests: usize = a.controls.iter().map(|c| c.tests.len()).sum();
    let description = format!(
        "{} assessment of {} ({}) against the Trust Services Criteria in scope ({}) for {}: {} and {}. Criteria: {} met, {} not met, {} not tested. {}. Draft opinion: {}.",
        audit_words(cx),
        system_name(cx),
        organization(cx),
        categories_text(cx),
        cx.scope.period,
        plural(a.controls.len(), "control", "controls"),
        plural(tests, "test", "tests"),
        count(&a.summary.criteria, "met"),
        count(&a.summary.criteria, "not met"),
        count(&a.summary.criteria, "not tested"),
        capitalized(&plural(a.findings.len(), "finding", "findings")),
        line_or(a.opinion.kind, "none")
    );

    let mut result = Map::new();
    set(&mut result, "uuid", json!(period_uuid(cx, &["result"])));
    set(
        &mut result,
        "title",
        json!(line(&format!(
            "{} assessment of {}, {}",
            audit_words(cx),
            system_name(cx),
            cx.scope.period
        ))),
    );
    set(&mut result, "description", json!(description));
    set(
        &mut result,
        "start",
        json!(date_time(cx.scope.period.start())),
    );
    set(&mut result, "end", json!(last_modified(cx)));
    put_list(
        &mut result,
        "props",
        props([
            prop("audit-type", &a.audit.audit_type),
            prop("opinion", a.opinion.kind),
            prop("opinion-rule", a.opinion.rule),
            prop("evidence-count", &cx.evidence_count.to_string()),
        ]),
    );
    set(
        &mut result,
        "reviewed-controls",
        json!({ "control-selections": [selection] }),
    );
    put_list(
        &mut result,
        "observations",
        observed.iter().map(|o| observation(cx, o)).collect(),
    );
    put_list(
        &mut result,
        "findings",
        a.findings
            .iter()
            .map(|f| finding(cx, f, &observed, false))
            .collect(),
    );
    let reasons: Vec<String> = a
        .opinion
        .reasons
        .iter()
        .map(|r| line(r))
        .filter(|r| !r.is_empty())
        .map(|r| format!("- {r}"))
        .collect();
    if !reasons.is_empty() {
        set(
            &mut result,
            "remarks",
            json!(format!(
                "Draft opinion ({}):\n\n{}",
                line_or(a.opinion.kind, "none"),
                reasons.join("\n")
            )),
        );
    }

    let mut doc = Map::new();
    set(
        &mut doc,
        "uuid",
        json!(document_uuid(cx, "assessment-results")),
    );
    set(&mut doc, "metadata", Value::Object(meta));
    set(
        &mut doc,
        "import-ap",
        json!({
            "href": PLAN_HREF,
            "remarks": "Assay exports no assessment plan: the plan is the workspace's controls, their tests and the engine settings, recorded in the assessment (`assay assess --json`).",
        }),
    );
    set(&mut doc, "results", json!([Value::Object(result)]));
    Value::Object(doc)
}

// ---------------------------------------------------------------------------------------------
// Plan of action and milestones
// ---------------------------------------------------------------------------------------------

fn risk_status(f: &Finding) -> &'static str {
    match f.triage.as_ref().map(|t| t.status) {
        Some(Status::InProgress) => "remediating",
        Some(Status::Remediated) => "closed",
        Some(Status::RiskAccepted) => "deviation-approved",
        Some(Status::Open) | None => "open",
    }
}

fn risk(cx: &Context<'_>, f: &Finding, observation: Option<&Observed<'_>>) -> Value {
    let mut m = Map::new();
    set(&mut m, "uuid", json!(risk_uuid(cx, &f.id)));
    set(
        &mut m,
        "title",
        json!(line_or(
            &format!("{}: {}", f.id, kind_phrase(f.kind)),
            &f.id
        )),
    );
    let statement = f.statement.trim();
    set(
        &mut m,
        "description",
        json!(if statement.is_empty() {
            format!("Finding {}: {}.", line(&f.id), kind_phrase(f.kind))
        } else {
            statement.to_string()
        }),
    );
    set(
        &mut m,
        "statement",
        json!(format!(
            "{} severity. Until it is resolved, {} may not be met for {}.",
            capitalized(f.severity.as_str()),
            if f.criteria.is_empty() {
                "the criteria its control addresses".to_string()
            } else {
                id_list(&f.criteria, "the criteria it affects")
            },
            system_name(cx)
        )),
    );
    put_list(
        &mut m,
        "props",
        props([prop("severity", f.severity.as_str()), prop("kind", f.kind)]),
    );
    set(&mut m, "status", json!(risk_status(f)));
    if let Some(due) = f.triage.as_ref().and_then(|t| t.due) {
        set(&mut m, "deadline", json!(date_time(due)));
    }
    let mut responses = Vec::new();
    if !f.remediation.trim().is_empty() {
        responses.push(json!({
            "uuid": period_uuid(cx, &["recommendation", &f.id]),
            "lifecycle": "recommendation",
            "title": line_or(&format!("Recommended remediation of {}", f.id), "Recommended remediation"),
            "description": f.remediation.trim(),
        }));
    }
    if let Some(t) = &f.triage {
        if let Some(r) = t
            .response
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let lifecycle = if t.status == Status::Remediated {
                "completed"
            } else {
                "planned"
            };
            responses.push(json!({
                "uuid": period_uuid(cx, &["response", &f.id]),
                "lifecycle": lifecycle,
                "title": line_or(&format!("Management's response to {}", f.id), "Management's response"),
                "description": r,
            }));
        }
    }
    put_list(&mut m, "remediations", responses);
    if let Some(o) = observation {
        set(
            &mut m,
            "related-observations",
            json!([{ "observation-uuid": o.uuid }]),
        );
    }
    Value::Object(m)
}

/// The findings as an OSCAL `plan-of-action-and-milestones`: one POA&M item per finding (with
/// its severity, owner and triage), each related to its finding, its risk and, when its test
/// gave one, its observation. An assessment without findings gives one item saying so.
pub fn poam(cx: &Context<'_>) -> Value {
    let a = cx.assessment;
    let all_observed = observed(cx);
    // Only the observations a finding refers to, in assessment order.
    let observed: Vec<Observed<'_>> = all_observed
        .into_iter()
        .filter(|o| {
            a.findings
                .iter()
                .any(|f| f.test.as_deref() == Some(o.test.id.as_str()))
        })
        .collect();

    let items: Vec<Value> = if a.findings.is_empty() {
        vec![json!({
            "uuid": period_uuid(cx, &["poam-item", "none"]),
            "title": "No findings",
            "description": format!(
                "The {} assessment of {} for {} raised no findings; there is nothing to remediate.",
                audit_words(cx),
                system_name(cx),
                cx.scope.period
            ),
        })]
    } else {
        a.findings
            .iter()
            .map(|f| {
                let mut m = Map::new();
                set(
                    &mut m,
                    "uuid",
                    json!(period_uuid(cx, &["poam-item", &f.id])),
                );
                let about = f
                    .test
                    .as_deref()
                    .or(f.control.as_deref())
                    .map(line)
                    .filter(|s| !s.is_empty() && *s != line(&f.id));
                set(
                    &mut m,
                    "title",
                    json!(line_or(
                        &match about {
                            Some(x) => format!("{}: {} ({x})", f.id, kind_phrase(f.kind)),
                            None => format!("{}: {}", f.id, kind_phrase(f.kind)),
                        },
                        "Finding"
                    )),
                );
                let statement = f.statement.trim();
                set(
                    &mut m,
                    "description",
                    json!(if statement.is_empty() {
                        format!("Finding {}: {}.", line(&f.id), kind_phrase(f.kind))
                    } else {
                        statement.to_string()
                    }),
                );
                let owner = f
                    .triage
                    .as_ref()
                    .and_then(|t| t.owner.as_deref())
                    .filter(|o| !o.trim().is_empty())
                    .unwrap_or(&f.owner);
                let mut p = vec![
                    prop("finding-id", &f.id),
                    prop("severity", f.severity.as_str()),
                    prop("kind", f.kind),
                    prop("owner", owner),
                    prop(
                        "status",
                        f.triage.as_ref().map_or("open", |t| t.status.as_str()),
                    ),
                ];
                if let Some(due) = f.triage.as_ref().and_then(|t| t.due) {
                    p.push(prop("due", &due.to_string()));
                }
                put_list(&mut m, "props", props(p));
                set(
                    &mut m,
                    "related-findings",
                    json!([{ "finding-uuid": finding_uuid(cx, &f.id) }]),
                );
                if let Some(o) = related(f, &observed) {
                    set(
                        &mut m,
                        "related-observations",
                        json!([{ "observation-uuid": o.uuid }]),
                    );
                }
                set(
                    &mut m,
                    "related-risks",
                    json!([{ "risk-uuid": risk_uuid(cx, &f.id) }]),
                );
                put_text(&mut m, "remarks", &finding_remarks(f));
                Value::Object(m)
            })
            .collect()
    };

    let mut doc = Map::new();
    set(
        &mut doc,
        "uuid",
        json!(document_uuid(cx, "plan-of-action-and-milestones")),
    );
    set(
        &mut doc,
        "metadata",
        Value::Object(metadata(
            cx,
            &format!(
                "Plan of action and milestones: {}, {}",
                system_name(cx),
                cx.scope.period
            ),
        )),
    );
    set(&mut doc, "import-ssp", json!({ "href": SSP_HREF }));
    set(
        &mut doc,
        "system-id",
        json!({ "identifier-type": UUID_SCHEME, "id": system_uuid(cx) }),
    );
    put_list(
        &mut doc,
        "observations",
        observed.iter().map(|o| observation(cx, o)).collect(),
    );
    put_list(
        &mut doc,
        "risks",
        a.findings
            .iter()
            .map(|f| risk(cx, f, related(f, &observed)))
            .collect(),
    );
    put_list(
        &mut doc,
        "findings",
        a.findings
            .iter()
            .map(|f| finding(cx, f, &observed, true))
            .collect(),
    );
    set(&mut doc, "poam-items", Value::Array(items));
    Value::Object(doc)
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
