//! `policies/*.md`: Markdown documents opening with YAML front matter (id, title, version,
//! owner, status, review cycle, criteria, controls).

use crate::controls::suggest_criterion;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{at, yaml_error};
use crate::{LoadedPolicy, Origin};
use assay_catalog::Catalog;
use assay_core::{policy::split_front_matter, PolicyMeta};
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: Spanned<String>,
    title: String,
    version: String,
    owner: Spanned<String>,
    #[serde(default)]
    approver: Option<Spanned<String>>,
    status: Spanned<String>,
    #[serde(default)]
    approved: Option<Spanned<String>>,
    review_cycle: String,
    #[serde(default)]
    criteria: Vec<Spanned<String>>,
    #[serde(default)]
    controls: Vec<Spanned<String>>,
}

/// Parses one policy file.
pub(crate) fn parse(
    file: &str,
    text: &str,
    catalog: &Catalog,
) -> (Option<LoadedPolicy>, Vec<Diagnostic>) {
    let Some((front, _body, _)) = split_front_matter(text) else {
        let d = Diagnostic::error(Code::NoFrontMatter, &Origin::at(file, 1, 1), "the policy has no YAML front matter")
            .help("open the file with a `---` line, then id, title, version, owner, status, review_cycle, criteria, controls, then `---`");
        return (None, vec![d]);
    };
    // Front matter starts on line 2 of the file.
    let raw: RawPolicy = match serde_saphyr::from_str(front) {
        Ok(r) => r,
        Err(e) => return (None, vec![yaml_error(file, &e, 1)]),
    };
    let mut diags = Vec::new();
    let approved = match &raw.approved {
        Some(s) if !s.value.trim().is_empty() => {
            match s.value.trim().parse::<jiff::civil::Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    diags.push(
                        Diagnostic::error(
                            Code::InvalidDate,
                            &at(file, s, 1),
                            format!("`approved` is not a valid date: `{}`", s.value),
                        )
                        .help("write the approval date as YYYY-MM-DD, e.g. 2026-03-15"),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let status = raw.status.value.trim().to_ascii_lowercase();
    if !matches!(status.as_str(), "draft" | "approved" | "retired") {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                &at(file, &raw.status, 1),
                format!("`status` cannot be `{}`", raw.status.value),
            )
            .help("use draft, approved or retired"),
        );
    }
    if status == "approved" && approved.is_none() && raw.approved.is_none() {
        diags.push(
            Diagnostic::warning(
                Code::MissingField,
                &at(file, &raw.status, 1),
                "an approved policy should say when it was approved",
            )
            .help("add `approved: YYYY-MM-DD` with the date management approved this version"),
        );
    }
    let mut criteria = Vec::new();
    for c in &raw.criteria {
        let cid = c.value.trim();
        if catalog.criterion(cid).is_none() {
            diags.push(
                Diagnostic::error(
                    Code::UnknownCriterion,
                    &at(file, c, 1),
                    format!("unknown criterion `{cid}`"),
                )
                .help(suggest_criterion(cid, catalog)),
            );
        } else {
            criteria.push(cid.to_string());
        }
    }
    let control_refs: Vec<(String, Origin)> = raw
        .controls
        .iter()
        .map(|c| (c.value.trim().to_string(), at(file, c, 1)))
        .collect();
    let meta = PolicyMeta {
        id: raw.id.value.trim().to_string(),
        title: raw.title,
        version: raw.version,
        owner: raw.owner.value.trim().to_string(),
        approver: raw.approver.as_ref().map(|a| a.value.trim().to_string()),
        status,
        approved,
        review_cycle: raw.review_cycle,
        criteria,
        controls: control_refs.iter().map(|(c, _)| c.clone()).collect(),
    };
    let mut role_refs = vec![(meta.owner.clone(), at(file, &raw.owner, 1))];
    if let Some(a) = &raw.approver {
        role_refs.push((a.value.trim().to_string(), at(file, a, 1)));
    }
    let loaded = LoadedPolicy {
        meta,
        origin: at(file, &raw.id, 1),
        control_refs,
        role_refs,
    };
    (Some(loaded), diags)
}
