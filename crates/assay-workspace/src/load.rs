//! Loading a whole workspace: every file read, parsed and validated, every problem collected.

use crate::diagnostic::{self, Code, Diagnostic};
use crate::inventory::InventoryBuilder;
use crate::{config, controls, policies, source, validate, Config, WORKSPACE_FILE};
use assay_catalog::Catalog;
use assay_core::{Control, Coverage, Inventory, PolicyMeta};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A position in a workspace file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Path relative to the workspace root, `/`-separated.
    pub file: String,
    /// 1-based line, 0 for the whole file.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// Width of the text in characters.
    #[serde(skip)]
    pub width: usize,
}

impl Origin {
    /// The whole file.
    pub fn file(file: &str) -> Origin {
        Origin {
            file: file.to_string(),
            line: 0,
            column: 0,
            width: 0,
        }
    }

    /// A line and column.
    pub fn at(file: &str, line: usize, column: usize) -> Origin {
        Origin {
            file: file.to_string(),
            line,
            column,
            width: 1,
        }
    }
}

/// A control with the positions of its parts.
#[derive(Debug, Clone)]
pub struct LoadedControl {
    /// The control.
    pub control: Control,
    /// Where its id is written.
    pub origin: Origin,
    /// Where its owner is written.
    pub owner_at: Origin,
    /// Each test id and where it is written.
    pub test_origins: Vec<(String, Origin)>,
    /// Each criterion id and where it is written.
    pub criterion_origins: Vec<(String, Origin)>,
    /// Each control a criterion link says this one compensates for, and where.
    pub compensate_refs: Vec<(String, Origin)>,
}

/// A policy's front matter with positions.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The front matter.
    pub meta: PolicyMeta,
    /// Where its id is written.
    pub origin: Origin,
    /// Each control it names, with where.
    pub control_refs: Vec<(String, Origin)>,
    /// Owner and approver roles, with where.
    pub role_refs: Vec<(String, Origin)>,
}

/// An audit workspace as read from disk.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder holding `assay.toml`.
    pub root: PathBuf,
    /// `assay.toml`, when it could be read and validated.
    pub config: Option<Config>,
    /// Controls that parsed, sorted by id.
    pub controls: Vec<LoadedControl>,
    /// Policies that parsed, sorted by id.
    pub policies: Vec<LoadedPolicy>,
    /// The merged inventory.
    pub inventory: Inventory,
    /// Design coverage of the criteria in scope (when the scope is known).
    pub coverage: Option<Coverage>,
    /// Design coverage of the other frameworks in `[audit] frameworks`.
    pub framework_coverage: Vec<crate::framework_coverage::FrameworkCoverage>,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Workspace {
    /// Loads and validates the workspace at `root`. Problems in its files are diagnostics;
    /// this never fails and never panics on malformed input.
    pub fn load(root: &Path, catalog: &Catalog) -> Workspace {
        let mut diags = Vec::new();
        let mut texts = BTreeMap::new();

        let config = match read(root, WORKSPACE_FILE, &mut diags) {
            Some(text) => {
                let (config, d) = config::parse(&text);
                diags.extend(d);
                texts.insert(WORKSPACE_FILE.to_string(), text);
                config
            }
            None => None,
        };

        let mut controls = Vec::new();
        for file in list(root, "controls", &["yaml", "yml"], &mut diags) {
            if let Some(text) = read(root, &file, &mut diags) {
                let (c, d) = controls::parse(&file, &text, catalog);
                diags.extend(d);
                controls.extend(c);
                texts.insert(file, text);
            }
        }
        controls.sort_by(|a, b| a.control.id.cmp(&b.control.id));

        let mut policies = Vec::new();
        for file in list(root, "policies", &["md"], &mut diags) {
            if let Some(text) = read(root, &file, &mut diags) {
                let (p, d) = policies::parse(&file, &text, catalog);
                diags.extend(d);
                policies.extend(p);
                texts.insert(file, text);
            }
        }
        policies.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));

        let mut inv = InventoryBuilder::default();
        for file in list(root, "inventory", &["yaml", "yml"], &mut diags) {
            if let Some(text) = read(root, &file, &mut diags) {
                diags.extend(inv.add_file(&file, &text, catalog));
                texts.insert(file, text);
            }
        }

        let coverage = config.as_ref().map(|c| {
            let list: Vec<Control> = controls
                .iter()
                .map(|l: &LoadedControl| l.control.clone())
                .collect();
            Coverage::compute(&catalog.criteria, &c.scope.categories, &list)
        });

        let framework_coverage = config
            .as_ref()
            .map(|c| {
                let ids: Vec<&str> = controls.iter().map(|l| l.control.id.as_str()).collect();
                crate::framework_coverage::FrameworkCoverage::compute(catalog, &c.frameworks, &ids)
            })
            .unwrap_or_default();
        let mut ws = Workspace {
            root: root.to_path_buf(),
            framework_coverage,
            config,
            controls,
            policies,
            inventory: inv.inventory.clone(),
            coverage,
            diagnostics: Vec::new(),
        };
        diags.extend(validate::cross_checks(&ws, &inv, catalog));
        source::attach_source_lines(&mut diags, &texts);
        diagnostic::sort(&mut diags);
        ws.diagnostics = diags;
        ws
    }

    /// The validation report as JSON (`assay validate --json`, schema `assay.validate/v1`):
    /// counts, diagnostics, design coverage per category and per framework.
    pub fn report_json(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "assay.validate/v1",
            "ok": self.error_count() == 0,
            "errors": self.error_count(),
            "warnings": self.warning_count(),
            "controls": self.controls.len(),
            "policies": self.policies.len(),
            "diagnostics": self.diagnostics,
            "coverage": self.coverage,
            "frameworks": self.framework_coverage,
        })
    }

    /// Number of error diagnostics.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == diagnostic::Severity::Error)
            .count()
    }

    /// Number of warning diagnostics.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

fn read(root: &Path, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let path = root.join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Some(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
            Err(e) => {
                let (line, column) = source::line_col(
                    &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                    usize::MAX,
                );
                diags.push(
                    Diagnostic::error(
                        Code::Io,
                        &crate::Origin::at(rel, line, column),
                        "the file is not valid UTF-8 text",
                    )
                    .help("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::Io,
                    &crate::Origin::file(rel),
                    format!("cannot read {}: {e}", path.display()),
                )
                .help("check that the file exists and is readable"),
            );
            None
        }
    }
}

/// Files with one of `exts` directly in `root/dir`, as sorted relative paths.
fn list(root: &Path, dir: &str, exts: &[&str], diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let path = root.join(dir);
    if !path.exists() {
        return Vec::new();
    }
    let entries = match std::fs::read_dir(&path) {
        Ok(e) => e,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::Io,
                    &crate::Origin::file(dir),
                    format!("cannot list {}: {e}", path.display()),
                )
                .help("check the folder's permissions"),
            );
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let p = entry.path();
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            diags.push(
                Diagnostic::warning(
                    Code::Io,
                    &crate::Origin::file(dir),
                    format!("skipped a file whose name is not UTF-8: {}", p.display()),
                )
                .help("rename the file using UTF-8 characters"),
            );
            continue;
        };
        if name.starts_with('.') || !p.is_file() {
            continue;
        }
        if p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            files.push(format!("{dir}/{name}"));
        }
    }
    files.sort();
    files
}
