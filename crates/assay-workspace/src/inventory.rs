//! `inventory/*.yaml`: systems, data stores, roles, teams, vendors (subservice organizations
//! with CSOCs) and CUECs. Any file may hold any of these lists; they are merged.

use crate::controls::suggest_criterion;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{at, yaml_error};
use crate::Origin;
use assay_catalog::Catalog;
use assay_core::inventory::VendorReport;
use assay_core::{Csoc, Cuec, DataStore, Inventory, Role, System, Team, Vendor};
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    systems: Vec<RawSystem>,
    #[serde(default)]
    data_stores: Vec<RawDataStore>,
    #[serde(default)]
    roles: Vec<RawRole>,
    #[serde(default)]
    teams: Vec<Team>,
    #[serde(default)]
    vendors: Vec<RawVendor>,
    #[serde(default)]
    cuecs: Vec<RawCuec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    id: Spanned<String>,
    name: String,
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    environment: String,
    #[serde(default)]
    hosting: Option<Spanned<String>>,
    owner: Spanned<String>,
    in_scope: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataStore {
    id: Spanned<String>,
    name: String,
    system: Spanned<String>,
    classification: Spanned<String>,
    personal_data: bool,
    encrypted_at_rest: bool,
    #[serde(default)]
    location: String,
    #[serde(default)]
    retention: Option<String>,
    owner: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    responsibilities: String,
    #[serde(default)]
    holder: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    subservice: bool,
    #[serde(default)]
    method: Option<Spanned<String>>,
    #[serde(default)]
    data_access: bool,
    #[serde(default)]
    soc2_report: Option<VendorReport>,
    #[serde(default)]
    csocs: Vec<RawCsoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCsoc {
    id: Spanned<String>,
    description: String,
    #[serde(default)]
    criteria: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCuec {
    id: Spanned<String>,
    description: String,
    #[serde(default)]
    criteria: Vec<Spanned<String>>,
}

/// What a reference in the inventory points at, for cross-checks after all files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    Role,
    System,
    Vendor,
}

/// The inventory being assembled from its files, with positions kept for cross-checks.
#[derive(Default)]
pub(crate) struct InventoryBuilder {
    pub(crate) inventory: Inventory,
    /// (id, where) for every item that has an id, to find duplicates.
    pub(crate) ids: Vec<(String, Origin)>,
    /// (kind, value, where) for every reference, checked once all files are read.
    pub(crate) refs: Vec<(RefKind, String, Origin)>,
}

fn criteria_list(
    file: &str,
    list: &[Spanned<String>],
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out = Vec::new();
    for c in list {
        let cid = c.value.trim();
        if catalog.criterion(cid).is_some() {
            out.push(cid.to_string());
        } else {
            diags.push(
                Diagnostic::error(
                    Code::UnknownCriterion,
                    &at(file, c, 0),
                    format!("unknown criterion `{cid}`"),
                )
                .help(suggest_criterion(cid, catalog)),
            );
        }
    }
    out
}

impl InventoryBuilder {
    /// Reads one inventory file into the builder; returns its diagnostics.
    pub(crate) fn add_file(
        &mut self,
        file: &str,
        text: &str,
        catalog: &Catalog,
    ) -> Vec<Diagnostic> {
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Vec::new();
        }
        let raw: RawFile = match serde_saphyr::from_str(text) {
            Ok(r) => r,
            Err(e) => return vec![yaml_error(file, &e, 0)],
        };
        let mut diags = Vec::new();
        for s in raw.systems {
            self.ids.push((s.id.value.clone(), at(file, &s.id, 0)));
            self.refs
                .push((RefKind::Role, s.owner.value.clone(), at(file, &s.owner, 0)));
            if let Some(h) = &s.hosting {
                self.refs
                    .push((RefKind::Vendor, h.value.clone(), at(file, h, 0)));
            }
            self.inventory.systems.push(System {
                id: s.id.value,
                name: s.name,
                kind: s.kind,
                description: s.description,
                environment: s.environment,
                hosting: s.hosting.map(|h| h.value),
                owner: s.owner.value,
                in_scope: s.in_scope,
            });
        }
        for d in raw.data_stores {
            self.ids.push((d.id.value.clone(), at(file, &d.id, 0)));
            self.refs
                .push((RefKind::Role, d.owner.value.clone(), at(file, &d.owner, 0)));
            self.refs.push((
                RefKind::System,
                d.system.value.clone(),
                at(file, &d.system, 0),
            ));
            let class = d.classification.value.trim().to_ascii_lowercase();
            if !matches!(
                class.as_str(),
                "public" | "internal" | "confidential" | "restricted"
            ) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, &at(file, &d.classification, 0), format!("`classification` cannot be `{}`", d.classification.value))
                        .help("use public, internal, confidential or restricted (see the data classification policy)"),
                );
            }
            self.inventory.data_stores.push(DataStore {
                id: d.id.value,
                name: d.name,
                system: d.system.value,
                classification: class,
                personal_data: d.personal_data,
                encrypted_at_rest: d.encrypted_at_rest,
                location: d.location,
                retention: d.retention,
                owner: d.owner.value,
            });
        }
        for r in raw.roles {
            self.ids.push((r.id.value.clone(), at(file, &r.id, 0)));
            self.inventory.roles.push(Role {
                id: r.id.value,
                title: r.title,
                responsibilities: r.responsibilities,
                holder: r.holder,
            });
        }
        self.inventory.teams.extend(raw.teams);
        for v in raw.vendors {
            let v_at = at(file, &v.id, 0);
            self.ids.push((v.id.value.clone(), v_at.clone()));
            let method = v
                .method
                .as_ref()
                .map(|m| m.value.trim().to_ascii_lowercase());
            if let (Some(m), Some(span)) = (&method, &v.method) {
                if m != "carve-out" && m != "inclusive" {
                    diags.push(
                        Diagnostic::error(Code::InvalidValue, &at(file, span, 0), format!("`method` cannot be `{}`", span.value))
                            .help("use `carve-out` (their controls are excluded from the report) or `inclusive` (they are described and tested)"),
                    );
                }
            }
            if v.subservice && method.is_none() {
                diags.push(
                    Diagnostic::error(Code::MissingMethod, &v_at, format!("subservice organization `{}` has no `method`", v.id.value))
                        .help("add `method: carve-out` or `method: inclusive`; most cloud providers are carved out"),
                );
            }
            if v.subservice && v.csocs.is_empty() {
                diags.push(
                    Diagnostic::warning(Code::MissingMethod, &v_at, format!("subservice organization `{}` lists no CSOCs", v.id.value))
                        .help("add `csocs:` with the controls you rely on it to operate (e.g. physical security of data centers) and the criteria they support"),
                );
            }
            let mut csocs = Vec::new();
            for c in v.csocs {
                self.ids.push((c.id.value.clone(), at(file, &c.id, 0)));
                csocs.push(Csoc {
                    id: c.id.value,
                    description: c.description,
                    criteria: criteria_list(file, &c.criteria, catalog, &mut diags),
                });
            }
            self.inventory.vendors.push(Vendor {
                id: v.id.value,
                name: v.name,
                service: v.service,
                criticality: v.criticality,
                subservice: v.subservice,
                method,
                data_access: v.data_access,
                soc2_report: v.soc2_report,
                csocs,
            });
        }
        for c in raw.cuecs {
            self.ids.push((c.id.value.clone(), at(file, &c.id, 0)));
            self.inventory.cuecs.push(Cuec {
                id: c.id.value,
                description: c.description,
                criteria: criteria_list(file, &c.criteria, catalog, &mut diags),
            });
        }
        diags
    }
}
