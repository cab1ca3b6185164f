//! Loading the embedded `data/` folder into a [`Catalog`], once.

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

    Ok(Catalog {
        criteria,
        controls,
        policies,
        inventory: templates("inventory", "inventory")?,
        demo_inventory: templates("demo/inventory", "inventory")?,
    })
}
