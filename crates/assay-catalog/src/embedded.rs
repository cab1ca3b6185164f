//! Loading the embedded `data/` folder into a [`Catalog`], once.

use crate::framework::{CatalogFile, Framework, Link, MappingFile, Requirement, IDS};
use crate::{LibraryControl, PolicyTemplate, PolicyTemplateMeta, TemplateFile};
use assay_core::{criterion, policy, Criterion};
use include_dir::{include_dir, Dir};
use std::sync::OnceLock;

static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/data");

/// The embedded library, parsed.
#[derive(Debug)]
pub struct Catalog {
    /// All 61 criteria in catalog order.
    pub criteria: Vec<Criterion>,
    /// The default controls, sorted by id.
    pub controls: Vec<LibraryControl>,
    /// Policy templates, sorted by id.
    pub policies: Vec<PolicyTemplate>,
    /// Inventory templates for `assay init`.
    pub inventory: Vec<TemplateFile>,
    /// The demo company's inventory.
    pub demo_inventory: Vec<TemplateFile>,
    /// Every framework (SOC 2 first), with links from the default controls and gaps.
    pub frameworks: Vec<Framework>,
}

/// The embedded data failed to parse: a defect of this build, caught by the crate's tests.
#[derive(Debug, Clone, thiserror::Error)]
#[error("embedded library file {file} is invalid: {message}")]
pub struct CatalogError {
    /// The file inside `data/`.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Catalog {
    /// The catalog embedded in this binary.
    pub fn embedded() -> Result<&'static Catalog, CatalogError> {
        static CELL: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CELL.get_or_init(load).as_ref().map_err(Clone::clone)
    }
}

fn text<'a>(file: &'a include_dir::File<'a>) -> Result<&'a str, CatalogError> {
    file.contents_utf8()
        .ok_or_else(|| err(file.path().display(), "not UTF-8"))
}

fn err(file: impl std::fmt::Display, message: impl std::fmt::Display) -> CatalogError {
    CatalogError {
        file: file.to_string(),
        message: message.to_string(),
    }
}

fn yaml<T: serde::de::DeserializeOwned>(name: &str, src: &str) -> Result<T, CatalogError> {
    serde_saphyr::from_str(src).map_err(|e| err(name, e))
}

fn files_in<'a>(dir: &'a str, ext: &str) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = DATA
        .get_dir(dir)
        .map(|d| {
            d.files()
                .filter(|f| f.path().extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort_by_key(|f| f.path());
    files
}

fn templates(dir: &str, prefix: &str) -> Result<Vec<TemplateFile>, CatalogError> {
    files_in(dir, "yaml")
        .into_iter()
        .map(|f| {
            let name = f
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(TemplateFile {
                path: format!("{prefix}/{name}"),
                text: text(f)?.to_string(),
            })
        })
        .collect()
}

fn load() -> Result<Catalog, CatalogError> {
    let crit_file = DATA
        .get_file("criteria.yaml")
        .ok_or_else(|| err("criteria.yaml", "missing"))?;
    let mut criteria: Vec<Criterion> = yaml("criteria.yaml", text(crit_file)?)?;
    criteria.sort_by_key(|c| criterion::sort_key(&c.id));

    let mut controls = Vec::new();
    for f in files_in("controls", "yaml") {
        let name = f.path().display().to_string();
        let c: LibraryControl = yaml(&name, text(f)?)?;
        controls.push(c);
    }
    controls.sort_by(|a, b| a.control.id.cmp(&b.control.id));

    let mut policies = Vec::new();
    for f in files_in("policies", "md") {
        let name = f.path().display().to_string();
        let src = text(f)?;
        let (front, body, _) =
            policy::split_front_matter(src).ok_or_else(|| err(&name, "no front matter"))?;
        let meta: PolicyTemplateMeta = yaml(&name, front)?;
        let file_name = f
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        policies.push(PolicyTemplate {
            file_name,
            meta,
            body: body.trim_start_matches('\n').to_string(),
        });
    }
    policies.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));

    let frameworks = frameworks(&criteria, &controls)?;
    Ok(Catalog {
        criteria,
        controls,
        policies,
        inventory: templates("inventory", "inventory")?,
        demo_inventory: templates("demo/inventory", "inventory")?,
        frameworks,
    })
}

/// SOC 2 from the criteria and the controls' own criteria links; the others from
/// `frameworks/` (NIST SP 800-53 from NIST's OSCAL catalog) and `mappings/`.
fn frameworks(
    criteria: &[Criterion],
    controls: &[LibraryControl],
) -> Result<Vec<Framework>, CatalogError> {
    let mut out = vec![Framework {
        id: "soc2".into(),
        title: "SOC 2 (AICPA Trust Services Criteria, 2017, revised points of focus 2022)".into(),
        publisher: "AICPA".into(),
        note: "Criterion ids are the AICPA's; summaries and points of focus are Assay's own words."
            .into(),
        requirements: criteria
            .iter()
            .map(|c| Requirement {
                id: c.id.clone(),
                group: format!("{} {}", c.series, c.series_title),
                title: c.subject.clone(),
                summary: c.summary.trim().to_string(),
                specification: None,
            })
            .collect(),
        links: controls
            .iter()
            .flat_map(|c| {
                c.control.criteria.iter().map(|l| Link {
                    control: c.control.id.clone(),
                    requirement: l.id.clone(),
                    relationship: None,
                    strength: None,
                    rationale: l.rationale.trim().to_string(),
                })
            })
            .collect(),
        gaps: Vec::new(),
    }];
    for id in IDS.iter().filter(|id| **id != "soc2") {
        let (title, publisher, note, requirements) = if *id == "nist-800-53-moderate" {
            let name = format!("frameworks/{id}.json");
            let f = DATA.get_file(&name).ok_or_else(|| err(&name, "missing"))?;
            let (title, reqs) =
                crate::nist_oscal::requirements(text(f)?).map_err(|e| err(&name, e))?;
            let note = "NIST SP 800-53 rev. 5 is a U.S. government work in the public domain \
                (CC0); Assay reads NIST's OSCAL resolved-profile catalog of the Moderate baseline \
                as published, and shows the first line of each statement as its summary."
                .to_string();
            (
                title,
                "National Institute of Standards and Technology (NIST)".to_string(),
                note,
                reqs,
            )
        } else {
            let name = format!("frameworks/{id}.yaml");
            let f = DATA.get_file(&name).ok_or_else(|| err(&name, "missing"))?;
            let c: CatalogFile = yaml(&name, text(f)?)?;
            if c.id != *id {
                return Err(err(&name, format!("its id is `{}`, expected `{id}`", c.id)));
            }
            (
                c.title,
                c.publisher,
                c.note.trim().to_string(),
                c.requirements,
            )
        };
        let name = format!("mappings/{id}.yaml");
        let f = DATA.get_file(&name).ok_or_else(|| err(&name, "missing"))?;
        let m: MappingFile = yaml(&name, text(f)?)?;
        if m.framework != *id {
            return Err(err(
                &name,
                format!("it maps `{}`, expected `{id}`", m.framework),
            ));
        }
        out.push(Framework {
            id: id.to_string(),
            title,
            publisher,
            note,
            requirements,
            links: m.links,
            gaps: m.gaps,
        });
    }
    Ok(out)
}
