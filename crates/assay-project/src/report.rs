//! Reports: any kind, in any of its formats, rendered from an assessment (fresh, or read
//! back from a stored `assay assess --json`), and written atomically.

use crate::{Project, ProjectError};
use assay_engine::Assessment;
use assay_report::{Format, Kind};
use std::path::{Path, PathBuf};

/// A report kind by its name.
pub fn report_kind(name: &str) -> Result<Kind, ProjectError> {
    Ok(match name {
        "readiness" => Kind::Readiness,
        "soc2" => Kind::Soc2,
        "workpapers" => Kind::Workpapers,
        "oscal" => Kind::Oscal,
        "soa" => Kind::Soa,
        "hipaa-matrix" => Kind::HipaaMatrix,
        other => {
            return Err(ProjectError::Invalid(format!(
                "unknown report `{other}`; the reports are readiness, soc2, workpapers, oscal, soa, hipaa-matrix"
            )))
        }
    })
}

/// A report format by its name.
pub fn report_format(name: &str) -> Result<Format, ProjectError> {
    Ok(match name {
        "html" => Format::Html,
        "md" | "markdown" => Format::Md,
        "json" => Format::Json,
        "pdf" => Format::Pdf,
        "xlsx" => Format::Xlsx,
        other => {
            return Err(ProjectError::Invalid(format!(
                "unknown format `{other}`; the formats are html, md, json, pdf, xlsx"
            )))
        }
    })
}

impl Project {
    /// The files of one report of `a` (suffix, bytes): one, or OSCAL's six documents.
    pub fn render_report(
        &self,
        a: &Assessment,
        kind: Kind,
        format: Format,
    ) -> Result<Vec<(String, Vec<u8>)>, ProjectError> {
        let ws = self.workspace();
        let Some(config) = ws.config.clone() else {
            return Err(ProjectError::Workspace(
                "assay.toml could not be read; run `assay validate`".into(),
            ));
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
            criteria: &self.catalog.criteria,
            controls: &controls,
            policies: &policies,
            evidence_count: a
                .tables
                .values()
                .flat_map(|t| t.evidence.iter())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        };
        Ok(assay_report::render(&cx, kind, format)?)
    }

    /// Renders one report and writes its file(s) to `out` (default `reports/KIND.FORMAT`,
    /// or `reports/oscal/` for OSCAL); returns the paths written.
    pub fn write_report(
        &self,
        a: &Assessment,
        kind: Kind,
        format: Option<Format>,
        out: Option<&Path>,
    ) -> Result<Vec<PathBuf>, ProjectError> {
        let f = format.unwrap_or(kind.formats()[0]);
        let files = self.render_report(a, kind, f)?;
        let default = if kind == Kind::Oscal {
            self.root.join("reports").join("oscal")
        } else {
            self.root
                .join("reports")
                .join(format!("{}.{}", kind.name(), f.name()))
        };
        let out = out.map(Path::to_path_buf).unwrap_or(default);
        let mut written = Vec::new();
        for (suffix, bytes) in files {
            let path = if kind == Kind::Oscal {
                out.join(format!("{}.json", suffix.trim_start_matches('-')))
            } else {
                out.clone()
            };
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(ProjectError::io(dir))?;
            }
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, &bytes).map_err(ProjectError::io(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(ProjectError::io(&path))?;
            written.push(path);
        }
        Ok(written)
    }
}

impl Project {
    /// An assessment stored by `assay assess --json`, read back: reports rendered from it
    /// are byte-identical to those rendered from the fresh assessment it was.
    pub fn stored_assessment(&self, path: &Path) -> Result<Assessment, ProjectError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(ProjectError::io(path))?;
        let a: Assessment = serde_json::from_str(&text).map_err(|e| ProjectError::Assessment {
            path: name.clone(),
            message: format!("{e}; write it with `assay assess --json > {name}`"),
        })?;
        if a.schema != assay_engine::assessment::SCHEMA {
            return Err(ProjectError::Assessment {
                path: name,
                message: format!(
                    "schema `{}` is not {}; assess again with this version of assay",
                    a.schema,
                    assay_engine::assessment::SCHEMA
                ),
            });
        }
        Ok(a)
    }
}
