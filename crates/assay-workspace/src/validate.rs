//! Checks across files: duplicate ids, references between policies, controls and the
//! inventory, owners, criteria outside the scope, and design gaps.

use crate::diagnostic::{Code, Diagnostic};
use crate::inventory::{InventoryBuilder, RefKind};
use crate::{Origin, Workspace, WORKSPACE_FILE};
use assay_catalog::Catalog;
use std::collections::{BTreeMap, BTreeSet};

fn duplicates<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a Origin)>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut first: BTreeMap<&str, &Origin> = BTreeMap::new();
    for (id, origin) in items {
        match first.get(id) {
            Some(prev) => diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    origin,
                    format!(
                        "duplicate {what} id `{id}`: also used at {}:{}",
                        prev.file, prev.line
                    ),
                )
                .help(format!(
                    "give each {what} its own id; ids must be unique across the workspace"
                )),
            ),
            None => {
                first.insert(id, origin);
            }
        }
    }
}

pub(crate) fn cross_checks(
    ws: &Workspace,
    inv: &InventoryBuilder,
    catalog: &Catalog,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();

    duplicates(
        ws.controls
            .iter()
            .map(|c| (c.control.id.as_str(), &c.origin)),
        "control",
        &mut diags,
    );
    duplicates(
        ws.controls
            .iter()
            .flat_map(|c| c.test_origins.iter().map(|(id, o)| (id.as_str(), o))),
        "test",
        &mut diags,
    );
    duplicates(
        ws.policies.iter().map(|p| (p.meta.id.as_str(), &p.origin)),
        "policy",
        &mut diags,
    );
    duplicates(
        inv.ids.iter().map(|(id, o)| (id.as_str(), o)),
        "inventory",
        &mut diags,
    );

    let control_ids: BTreeSet<&str> = ws.controls.iter().map(|c| c.control.id.as_str()).collect();
    for c in &ws.controls {
        for (cid, origin) in &c.compensate_refs {
            if cid == &c.control.id {
                diags.push(
                    Diagnostic::error(
                        Code::UnknownControl,
                        origin,
                        format!("control `{cid}` says it compensates for itself"),
                    )
                    .help(
                        "`compensates` lists other controls, whose failure this one makes up for",
                    ),
                );
            } else if !control_ids.contains(cid.as_str()) {
                diags.push(
                    Diagnostic::error(Code::UnknownControl, origin, format!("control `{}` compensates for unknown control `{cid}`", c.control.id))
                        .help("correct the id, add the control under controls/, or remove it from `compensates`"),
                );
            }
        }
    }
    for p in &ws.policies {
        for (cid, origin) in &p.control_refs {
            if !control_ids.contains(cid.as_str()) {
                diags.push(
                    Diagnostic::error(Code::UnknownControl, origin, format!("policy `{}` names unknown control `{cid}`", p.meta.id))
                        .help("correct the id, add the control under controls/, or remove it from the policy's `controls` list"),
                );
            }
        }
    }

    // Owners are checked against the roles of inventory/people.yaml, when it lists any.
    let roles: BTreeSet<&str> = ws.inventory.roles.iter().map(|r| r.id.as_str()).collect();
    if !roles.is_empty() {
        let role_help = || {
            format!(
                "use a role id from inventory/people.yaml ({}), or add the role there",
                roles.iter().copied().collect::<Vec<_>>().join(", ")
            )
        };
        let mut check = |role: &str, origin: &Origin| {
            if !roles.contains(role) {
                diags.push(
                    Diagnostic::warning(
                        Code::UnknownRole,
                        origin,
                        format!("owner `{role}` is not a role in the inventory"),
                    )
                    .help(role_help()),
                );
            }
        };
        for c in &ws.controls {
            check(&c.control.owner, &c.owner_at);
        }
        for p in &ws.policies {
            for (role, origin) in &p.role_refs {
                check(role, origin);
            }
        }
        for (kind, value, origin) in &inv.refs {
            if *kind == RefKind::Role {
                check(value, origin);
            }
        }
        if let Some(cfg) = &ws.config {
            for (role, (_, origin)) in &cfg.owners {
                check(role, origin);
            }
        }
    }

    let systems: BTreeSet<&str> = ws.inventory.systems.iter().map(|s| s.id.as_str()).collect();
    let vendors: BTreeSet<&str> = ws.inventory.vendors.iter().map(|v| v.id.as_str()).collect();
    for (kind, value, origin) in &inv.refs {
        let (set, what, file) = match kind {
            RefKind::Role => continue,
            RefKind::System => (&systems, "system", "systems"),
            RefKind::Vendor => (&vendors, "vendor", "vendors"),
        };
        if !set.contains(value.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::UnknownReference,
                    origin,
                    format!("unknown {what} `{value}`"),
                )
                .help(format!(
                    "use an id from the `{file}` list of the inventory, or add the {what} there"
                )),
            );
        }
    }

    if let Some(cfg) = &ws.config {
        let scope = &cfg.scope.categories;
        for c in &ws.controls {
            for (cid, origin) in &c.criterion_origins {
                if let Some(crit) = catalog.criterion(cid) {
                    if !scope.contains(&crit.category) {
                        diags.push(
                            Diagnostic::warning(
                                Code::CriterionOutOfScope,
                                origin,
                                format!(
                                    "`{cid}` is a {} criterion, which is not in scope",
                                    crit.category.title()
                                ),
                            )
                            .help(format!(
                                "add `{}` to `categories` in assay.toml, or remove this link",
                                crit.category.slug()
                            )),
                        );
                    }
                }
            }
        }
        if ws.controls.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Code::EmptyWorkspace,
                    &Origin::file("controls"),
                    "the workspace has no controls",
                )
                .help("`assay init` writes a default library; or add controls/<ID>.yaml files"),
            );
        }
        if let Some(cov) = &ws.coverage {
            for cid in cov.uncovered() {
                let subject = catalog
                    .criterion(cid)
                    .map(|c| c.subject.as_str())
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::warning(Code::DesignGap, &Origin::file(WORKSPACE_FILE), format!("{cid} ({subject}) has no control"))
                        .help(format!("map a control to {cid} with a rationale, or add one; `assay catalog show {cid}` lists what auditors look for")),
                );
            }
        }
    }
    diags
}
