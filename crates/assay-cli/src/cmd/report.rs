//! `assay report KIND --format FMT --out PATH`: readiness, the draft SOC 2 report,
//! workpapers and OSCAL, rendered from a fresh assessment of the workspace.

use crate::output::plural;
use crate::Outcome;
use anyhow::{bail, Context as _};
use assay_catalog::Catalog;
use assay_report::{Format, Kind};
use std::path::{Path, PathBuf};

fn kind(name: &str) -> anyhow::Result<Kind> {
    Ok(match name {
        "readiness" => Kind::Readiness,
        "soc2" => Kind::Soc2,
        "workpapers" => Kind::Workpapers,
        "oscal" => Kind::Oscal,
        other => {
            bail!("unknown report `{other}`; the reports are readiness, soc2, workpapers, oscal")
        }
    })
}

fn format(name: &str) -> anyhow::Result<Format> {
    Ok(match name {
        "html" => Format::Html,
        "md" | "markdown" => Format::Md,
        "json" => Format::Json,
        "pdf" => Format::Pdf,
        "xlsx" => Format::Xlsx,
        other => bail!("unknown format `{other}`; the formats are html, md, json, pdf, xlsx"),
    })
}

/// Renders one report and writes its file(s); returns the paths written.
pub fn write(
    root: &Path,
    a: &assay_engine::Assessment,
    kind_name: &str,
    format_name: Option<&str>,
    out: Option<&Path>,
    catalog: &Catalog,
) -> anyhow::Result<Vec<PathBuf>> {
    let k = kind(kind_name)?;
    let f = match format_name {
        Some(n) => format(n)?,
        None => k.formats()[0],
    };
    let ws = assay_workspace::Workspace::load(root, catalog);
    let Some(config) = ws.config.clone() else {
        bail!("assay.toml could not be read; run `assay validate`");
    };
    let controls: Vec<assay_core::Control> =
        ws.controls.iter().map(|c| c.control.clone()).collect();
    let policies: Vec<assay_core::PolicyMeta> =
        ws.policies.iter().map(|p| p.meta.clone()).collect();
    let cx = assay_report::Context {
        assessment: a,
        scope: &config.scope,
        legal_name: config.legal_name.as_deref(),
        inventory: &ws.inventory,
        criteria: &catalog.criteria,
        controls: &controls,
        policies: &policies,
        evidence_count: a
            .tables
            .values()
            .flat_map(|t| t.evidence.iter())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
    };
    let files = assay_report::render(&cx, k, f)?;
    let default = if k == Kind::Oscal {
        root.join("reports").join("oscal")
    } else {
        root.join("reports")
            .join(format!("{}.{}", k.name(), f.name()))
    };
    let out = out.map(Path::to_path_buf).unwrap_or(default);
    let mut written = Vec::new();
    for (suffix, bytes) in files {
        let path = if k == Kind::Oscal {
            out.join(format!("{}.json", suffix.trim_start_matches('-')))
        } else {
            out.clone()
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `assay report`.
pub fn run(
    root: &Path,
    kind_name: &str,
    format_name: Option<&str>,
    out: Option<&Path>,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    kind(kind_name)?;
    if let Some(f) = format_name {
        format(f)?;
    }
    let a = super::assess::assessment(root, catalog)?;
    let written = write(root, &a, kind_name, format_name, out, catalog)?;
    for p in &written {
        println!("wrote {}", p.display());
    }
    if written.len() > 1 {
        println!("{}", plural(written.len(), "file"));
    }
    Ok(Outcome::Ok)
}
