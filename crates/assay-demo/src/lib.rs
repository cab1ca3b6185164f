//! `assay demo` without the printing: the demo company's workspace settings, its policies
//! stored as a first look at the evidence trail, and a year of synthetic evidence run
//! through the whole pipeline ([`run`]): import, assessment, every report, and the check
//! that every planted failure is found and no clean look-alike is reported.

pub mod evaluation;
pub mod fieldwork;
pub mod ipe;
pub mod obtained;
pub mod synth;
pub mod tables;
pub mod walkthroughs;

use assay_core::{AuditPeriod, Category};
use assay_engine::Assessment;
use assay_project::{ImportOutcome, ImportRequest, Progress, Project, ProjectError, Unit};
use assay_workspace::InitOptions;
use jiff::civil::date;
use std::path::PathBuf;
use std::time::Instant;
use synth::{Planted, Scale};

/// The demo company and its audit: fixed, so every run gives the same workspace; with
/// `frameworks` beside SOC 2 to report on.
pub fn options(frameworks: &[String]) -> InitOptions {
    InitOptions {
        organization: "Northwind Analytics, Inc.".into(),
        system_name: Some("Northwind Insights".into()),
        system_description: Some(
            "Northwind Insights is a multi-tenant analytics service. Customers send product events \
             through an ingestion API; a data pipeline validates, enriches and loads them into a \
             warehouse, and customers explore the results in a web application and scheduled reports. \
             The system runs on Amazon Web Services in us-east-1 with recovery in us-west-2; \
             the workforce signs in through Okta, code lives in GitHub, and laptops are managed by MDM."
                .into(),
        ),
        period: AuditPeriod::Type2 { start: date(2026, 1, 1), end: date(2026, 9, 30) },
        categories: Category::ALL.to_vec(),
        demo_inventory: true,
        frameworks: frameworks.to_vec(),
    }
}

/// Where the demo workspace goes: `base/out` when given (new or empty), else a new
/// temporary folder that is kept.
pub fn out_dir(
    base: &std::path::Path,
    out: Option<&std::path::Path>,
) -> Result<PathBuf, ProjectError> {
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| ProjectError::Io { path, source }
    };
    let Some(out) = out else {
        let tmp = tempfile::Builder::new().prefix("assay-demo-").tempdir();
        return Ok(tmp.map_err(io(&std::env::temp_dir()))?.keep());
    };
    let dir = base.join(out);
    if dir.exists() && dir.read_dir().map_err(io(&dir))?.next().is_some() {
        return Err(ProjectError::Invalid(format!(
            "--out {}: the folder is not empty; choose a new or empty folder",
            out.display()
        )));
    }
    Ok(dir)
}

/// What the demo put in the locker before the pipeline.
#[derive(Debug, serde::Serialize)]
pub struct LockerSummary {
    /// Policies stored.
    pub stored: usize,
    /// Their bytes.
    pub bytes: u64,
    /// The checkpoint's tree size.
    pub checkpoint_size: u64,
    /// Its Merkle root.
    pub root: String,
    /// The signing key's id.
    pub key_id: String,
    /// Whether the locker verified.
    pub verified: bool,
}

/// Marks the demo's policies approved, as a company a year into its program would have
/// them: each at its own version, approved by its approver in November or December 2025,
/// before the period starts. Returns how many were approved.
pub fn approve_policies(root: &std::path::Path) -> Result<usize, ProjectError> {
    let dir = root.join("policies");
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| ProjectError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(io(&dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut approved = 0;
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let version = format!("{}.{}", 1 + i % 3, (i * 7) % 5);
        let day = jiff::civil::date(2025, 11, 3)
            .checked_add(jiff::Span::new().days(3 * i as i64))
            .unwrap_or(jiff::civil::date(2025, 11, 3));
        let mut changed = false;
        let out: Vec<String> = text
            .lines()
            .map(|line| {
                if line.starts_with("version: \"1.0\"") {
                    changed = true;
                    format!("version: \"{version}\"")
                } else if line.starts_with("status: draft") {
                    format!("status: approved\napproved: {day}")
                } else {
                    line.to_string()
                }
            })
            .collect();
        if changed {
            std::fs::write(path, out.join("\n") + "\n").map_err(io(path))?;
            approved += 1;
        }
    }
    Ok(approved)
}

/// Stores the workspace's policies as evidence (they speak for the period end), signs a
/// checkpoint and verifies the locker, as a first look at the evidence trail.
pub fn store_policies(p: &Project, opts: &InitOptions) -> Result<LockerSummary, ProjectError> {
    let summary = p.add(
        &assay_project::AddRequest {
            kind: "policy".into(),
            paths: vec![p.root().join("policies")],
            source: "workspace".into(),
            effective: (
                Some(opts.period.end().to_string()),
                Some(opts.period.end().to_string()),
            ),
            keep_secret_hashes: false,
            new_observation: false,
            relabel: None,
        },
        &assay_project::Silent,
    )?;
    let mut locker = p.locker()?;
    let cp = locker.checkpoint(&assay_project::now())?;
    let verified = locker.verify()?.ok();
    Ok(LockerSummary {
        stored: summary.added.len(),
        bytes: summary.added.iter().map(|e| e.record.size).sum(),
        checkpoint_size: cp.size,
        root: cp.root,
        key_id: cp.key_id,
        verified,
    })
}

/// The reports the demo writes.
pub const REPORTS: &[(&str, &str)] = &[
    ("readiness", "html"),
    ("readiness", "md"),
    ("readiness", "json"),
    ("soc2", "html"),
    ("soc2", "pdf"),
    ("workpapers", "xlsx"),
    ("oscal", "json"),
];

/// What the pipeline did.
pub struct Outcome {
    /// The assessment.
    pub assessment: Assessment,
    /// Planted failures with whether the assessment reports each.
    pub planted: Vec<(Planted, bool)>,
    /// Clean near-misses with whether the assessment reports each (it must not).
    pub clean: Vec<(Planted, bool)>,
    /// Report files written.
    pub reports: Vec<PathBuf>,
    /// The results the demo's auditor recorded for the sampled tests.
    pub fieldwork: fieldwork::Fieldwork,
    /// Seconds per phase.
    pub timings: Vec<(&'static str, f64)>,
    /// Bytes of evidence generated and events among them.
    pub generated: (u64, usize),
}

impl Outcome {
    /// The pipeline's part of `assay demo --json`.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        json!({
            "engagement": self.assessment.engagement,
            "fieldwork": {
                "results": self.fieldwork.written,
                "deviation": self.fieldwork.deviation.as_ref().map(|(test, key)| json!({"test": test, "key": key})),
                "obtained": self.fieldwork.obtained,
                "evaluated": self.fieldwork.evaluated,
                "ipe": self.fieldwork.ipe,
                "walkthroughs": self.fieldwork.walkthroughs,
            },
            "opinion": self.assessment.opinion,
            "summary": self.assessment.summary,
            "planted": self.planted.iter().map(|(p, f)| json!({"test": p.test, "key": p.key, "found": f})).collect::<Vec<_>>(),
            "clean": self.clean.iter().map(|(p, f)| json!({"test": p.test, "key": p.key, "reported": f})).collect::<Vec<_>>(),
            "reports": self.reports,
            "seconds": self.timings.iter().map(|(p, s)| (p.to_string(), json!(s))).collect::<serde_json::Map<_, _>>(),
            "evidence_bytes": self.generated.0,
            "audit_events": self.generated.1,
        })
    }
}

impl Outcome {
    /// Whether every planted failure was found and no clean item reported.
    pub fn exact(&self) -> bool {
        self.planted.iter().all(|(_, f)| *f) && self.clean.iter().all(|(_, r)| !*r)
    }
}

/// Whether the assessment reports `p`.
pub fn found(a: &Assessment, p: &Planted) -> bool {
    a.controls
        .iter()
        .flat_map(|c| &c.tests)
        .find(|t| t.id == p.test)
        .is_some_and(|t| t.exceptions.iter().any(|e| e.key == p.key))
}

fn write_list(path: PathBuf, items: &[Planted]) -> Result<(), ProjectError> {
    let list: Vec<_> = items
        .iter()
        .map(|p| serde_json::json!({"test": p.test, "key": p.key}))
        .collect();
    let text = serde_json::to_string_pretty(&list).unwrap_or_default();
    std::fs::write(&path, text).map_err(|source| ProjectError::Io { path, source })
}

/// The import of one generated export, as `assay evidence import` would be asked for it.
pub fn import_request(imp: &synth::Import) -> ImportRequest {
    let (from, to) = match &imp.effective {
        Some(text) => {
            let (a, b) = text.split_once("..").unwrap_or((text, text));
            (Some(a.to_string()), Some(b.to_string()))
        }
        None => (None, None),
    };
    ImportRequest {
        paths: vec![imp.path.clone()],
        kind: imp.kind.to_string(),
        table: imp.table.map(str::to_string),
        map: imp.map.clone(),
        source: Some(imp.source.to_string()),
        effective: (from, to),
        max_line_bytes: 256 * 1024 * 1024,
        relabel: None,
    }
}

/// Generates the company's evidence at `scale` into `exports/`, imports it, assesses and
/// writes every report. `imported` is told of each import as it is stored.
pub fn run(
    p: &Project,
    scale_name: &str,
    seed: u64,
    progress: &dyn Progress,
    imported: &mut dyn FnMut(&ImportOutcome, &str),
) -> Result<Outcome, ProjectError> {
    let scale = Scale::named(scale_name).ok_or_else(|| {
        ProjectError::Invalid(format!("--scale {scale_name}: use small, medium or large"))
    })?;
    let mut timings = Vec::new();
    let exports = p.root().join("exports");

    let t = Instant::now();
    progress.start("generating evidence", 0, Unit::Bytes);
    let generated =
        synth::generate(&exports, scale, seed, &|b| progress.update(b, "")).map_err(|source| {
            ProjectError::Io {
                path: exports.clone(),
                source,
            }
        })?;
    progress.finish();
    write_list(exports.join("planted.json"), &generated.planted)?;
    write_list(exports.join("clean.json"), &generated.clean)?;
    timings.push(("generate", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    for imp in &generated.imports {
        let outcome = p.import(&import_request(imp), progress)?;
        imported(&outcome, imp.kind);
    }
    timings.push(("import", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let first = p.assess(None, progress)?;
    timings.push(("assess", t.elapsed().as_secs_f64()));

    // The auditor's fieldwork on the sampled tests, then the assessment that includes it.
    let t = Instant::now();
    // The sources of information produced by the entity are tested first, then the samples.
    let walked = walkthroughs::record(p)?;
    let ipe = ipe::record(p, &first)?;
    let mut fieldwork = fieldwork::record(p, &first, progress)?;
    fieldwork.ipe = ipe;
    fieldwork.walkthroughs = walked;
    // The whole-population tests' deviations are evaluated, and fieldwork is closed: the
    // examination is then ready for conclusion.
    fieldwork.evaluated = evaluation::record(p, &first)?;
    evaluation::close_fieldwork(p)?;
    let assessment = p.assess(None, progress)?;
    timings.push(("fieldwork", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    // The framework workbooks for the frameworks the workspace reports on.
    let extra = [("iso27001", "soa"), ("hipaa", "hipaa-matrix")];
    let wanted = extra
        .iter()
        .filter(|(f, _)| assessment.frameworks.iter().any(|x| x.id == *f))
        .map(|(_, kind)| (*kind, "xlsx"));
    let list: Vec<(&str, &str)> = REPORTS.iter().copied().chain(wanted).collect();
    progress.start("rendering reports", list.len() as u64, Unit::Pieces);
    let mut reports = Vec::new();
    for (i, (kind, format)) in list.iter().enumerate() {
        let kind = assay_project::report_kind(kind)?;
        let format = assay_project::report_format(format)?;
        reports.extend(p.write_report(&assessment, kind, Some(format), None)?);
        progress.update(i as u64 + 1, "");
    }
    progress.finish();
    timings.push(("reports", t.elapsed().as_secs_f64()));

    let mark = |list: &[Planted]| -> Vec<(Planted, bool)> {
        list.iter()
            .map(|x| (x.clone(), found(&assessment, x)))
            .collect()
    };
    let planted = mark(&generated.planted);
    let clean = mark(&generated.clean);
    Ok(Outcome {
        assessment,
        planted,
        clean,
        reports,
        fieldwork,
        timings,
        generated: (generated.bytes, generated.events),
    })
}
