//! The engine over the workspace and its locker: the inputs read once, the assessment, a
//! test's sample, and findings files created for new findings with the due-date policy.

use crate::progress::{Progress, Unit};
use crate::{Project, ProjectError};
use assay_core::Severity;
use assay_engine::assessment::TestOutcome;
use assay_engine::manual::Results;
use assay_engine::triage::Triage;
use assay_engine::{Assessment, EvidenceInfo, Inputs, LedgerHead};
use assay_workspace::{Config, Workspace};
use std::path::Path;

/// The engine's inputs, read from the workspace and its locker.
struct Prepared {
    ws: Workspace,
    config: Config,
    tables: assay_tables::Tables,
    evidence: Vec<EvidenceInfo>,
    results: Vec<Results>,
    triage: Vec<Triage>,
    ipe: Vec<assay_engine::ipe::Ipe>,
    walkthroughs: Vec<assay_engine::walkthrough::Walkthrough>,
    head: Option<LedgerHead>,
}

fn day_micros(d: &str) -> Option<i64> {
    format!("{d}T00:00:00Z")
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// Every `*.yaml` under `dir`, sorted, as (workspace-relative name, text).
fn yaml_files(root: &Path, dir: &str) -> Result<Vec<(String, String)>, ProjectError> {
    let path = root.join(dir);
    if !path.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(&path).map_err(ProjectError::io(&path))? {
        let p = e.map_err(ProjectError::io(&path))?.path();
        if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let name = format!(
                "{dir}/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            let text = std::fs::read_to_string(&p).map_err(ProjectError::io(&p))?;
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

/// The facts the engine needs about one piece of evidence.
fn evidence_info(e: &assay_locker::entry::Entry, config: &Config) -> EvidenceInfo {
    let r = &e.record;
    // A range (`--effective START..END`) is the span the evidence covers; a single date is
    // the moment an export speaks for (its snapshot_at), not a span.
    let effective = match (&r.effective_from, &r.effective_to) {
        (Some(a), Some(b)) if a != b => {
            day_micros(a).zip(day_micros(b).map(|b| b + 86_400_000_000 - 1))
        }
        _ => None,
    };
    EvidenceInfo {
        blob: r.blob.clone(),
        kind: r.kind.clone(),
        source: r.provenance.system.clone(),
        params: r.params.clone(),
        unit: r
            .provenance
            .batch
            .clone()
            .unwrap_or_else(|| format!("entry-{}", e.seq)),
        snapshot_at: crate::tables::snapshot_at(e),
        effective,
        ttl_days: config.ttl_days(&r.kind),
        system_generated: r.provenance.agent.starts_with("collect:"),
    }
}

/// A finding's remediation window by severity, in days: the due-date policy of new findings
/// files.
pub fn due_date(severity: Severity, today: jiff::civil::Date) -> jiff::civil::Date {
    let days = match severity {
        Severity::Critical => 14,
        Severity::High => 30,
        Severity::Medium => 60,
        Severity::Low => 90,
    };
    today
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(today)
}

/// What [`Project::sync_findings`] wrote.
#[derive(Debug, Default)]
pub struct Synced {
    /// The findings files created, workspace-relative (`findings/ID.yaml`).
    pub created: Vec<String>,
}

/// `s` cut to at most `n` characters, ending in `…` when cut.
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

impl Project {
    fn prepare(&self, progress: &dyn Progress) -> Result<Prepared, ProjectError> {
        let (ws, config) = self.valid_workspace()?;
        let crate::Loaded {
            tables,
            entries,
            head,
        } = self.tables(progress)?;
        let evidence = entries.iter().map(|e| evidence_info(e, &config)).collect();
        let mut results = Vec::new();
        for (name, text) in yaml_files(&self.root, "results")? {
            results.push(assay_engine::manual::parse(&name, &text).map_err(ProjectError::Invalid)?);
        }
        let mut seen = std::collections::BTreeMap::new();
        for r in &results {
            if let Some(prev) = seen.insert(r.test.clone(), r.file.clone()) {
                return Err(ProjectError::Invalid(format!(
                    "{} and {prev} both record results for {}; keep one file per test",
                    r.file, r.test
                )));
            }
        }
        let mut triage = Vec::new();
        for (name, text) in yaml_files(&self.root, "findings")? {
            triage.push(assay_engine::triage::parse(&name, &text).map_err(ProjectError::Invalid)?);
        }
        let ipe_path = self.root.join("ipe.yaml");
        let ipe = match std::fs::read_to_string(&ipe_path) {
            Ok(text) => {
                assay_engine::ipe::parse("ipe.yaml", &text).map_err(ProjectError::Invalid)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ProjectError::io(&ipe_path)(e)),
        };
        let mut walkthroughs = Vec::new();
        for (name, text) in yaml_files(&self.root, "walkthroughs")? {
            walkthroughs.push(
                assay_engine::walkthrough::parse(&name, &text).map_err(ProjectError::Invalid)?,
            );
        }
        Ok(Prepared {
            ws,
            config,
            tables,
            evidence,
            results,
            triage,
            ipe,
            walkthroughs,
            head: head.map(|(size, root)| LedgerHead { size, root }),
        })
    }

    fn run_engine(
        &self,
        p: &Prepared,
        only: Option<&str>,
        populations: Option<&assay_engine::PopulationSink<'_>>,
        cache: Option<&dyn assay_engine::cache::PopulationCache>,
        progress: &dyn Progress,
    ) -> Result<Assessment, ProjectError> {
        let controls: Vec<assay_core::Control> =
            p.ws.controls.iter().map(|c| c.control.clone()).collect();
        let collectors: Vec<String> = p.config.collectors.iter().map(|c| c.kind.clone()).collect();
        let total: usize = controls
            .iter()
            .filter(|c| only.is_none_or(|id| c.id == id))
            .map(|c| c.tests.len())
            .sum();
        progress.start("testing", total as u64, Unit::Tests);
        let step = |done: usize, _total: usize, id: &str| progress.update(done as u64, id);
        let mut a = assay_engine::assess(&Inputs {
            scope: &p.config.scope,
            settings: &p.config.engine,
            controls: &controls,
            criteria: &self.catalog.criteria,
            inventory: &p.ws.inventory,
            tables: &p.tables,
            evidence: &p.evidence,
            results: &p.results,
            triage: &p.triage,
            ipe: &p.ipe,
            walkthroughs: &p.walkthroughs,
            ledger: p.head.clone(),
            collectors: &collectors,
            source_bindings: &p.config.sources,
            sample_secret: self.sample_secret.as_deref(),
            only_control: only,
            progress: Some(&step),
            populations,
            population_cache: cache,
        })?;
        a.frameworks = assay_engine::framework::judge(
            &a.controls,
            &crate::frameworks::inputs(self.catalog, &p.config.frameworks),
        );
        progress.finish();
        Ok(a)
    }

    /// A fresh assessment of the workspace: every control, or only `only`.
    pub fn assess(
        &self,
        only: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<Assessment, ProjectError> {
        let p = self.prepare(progress)?;
        self.run_engine(&p, only, None, None, progress)
    }

    /// A fresh assessment of every control that reuses the population runs `cache` kept from
    /// earlier ones where a test's query and tables are unchanged (the result is the same as
    /// [`Project::assess`]'s, byte for byte).
    pub fn assess_reusing(
        &self,
        cache: &dyn assay_engine::cache::PopulationCache,
        progress: &dyn Progress,
    ) -> Result<Assessment, ProjectError> {
        let p = self.prepare(progress)?;
        self.run_engine(&p, None, None, Some(cache), progress)
    }

    /// A fresh assessment that also writes every population, exactly the rows hashed into its
    /// `rows_sha256`, as `<dir>/<TEST>.parquet` (the folder is created), so anyone can
    /// re-perform the digest with their own tools. Returns the assessment and the files.
    pub fn assess_writing_populations(
        &self,
        only: Option<&str>,
        dir: &Path,
        progress: &dyn Progress,
    ) -> Result<(Assessment, Vec<std::path::PathBuf>), ProjectError> {
        let p = self.prepare(progress)?;
        std::fs::create_dir_all(dir).map_err(ProjectError::io(dir))?;
        let written = std::cell::RefCell::new(Ok(Vec::new()));
        let sink: &assay_engine::PopulationSink<'_> = &|test, schema, rows| {
            let mut w = written.borrow_mut();
            if let Ok(files) = w.as_mut() {
                let path = dir.join(format!("{test}.parquet"));
                match assay_tables::cache::write_parts(&path, schema, rows) {
                    Ok(()) => files.push(path),
                    Err(e) => *w = Err(ProjectError::Tables(e.to_string())),
                }
            }
        };
        let a = self.run_engine(&p, only, Some(sink), None, progress)?;
        let files = written.into_inner()?;
        Ok((a, files))
    }

    /// One test's outcome with its sample (for a test a person performs on a sample).
    pub fn sample(&self, test: &str, progress: &dyn Progress) -> Result<TestOutcome, ProjectError> {
        let p = self.prepare(progress)?;
        let Some(control) =
            p.ws.controls
                .iter()
                .find(|c| c.control.tests.iter().any(|t| t.id == test))
        else {
            return Err(ProjectError::Invalid(format!(
                "no test `{test}` in the workspace's controls; test ids look like CHG-01.1"
            )));
        };
        let a = self.run_engine(&p, Some(&control.control.id), None, None, progress)?;
        let Some(t) = a
            .controls
            .into_iter()
            .flat_map(|c| c.tests)
            .find(|t| t.id == test)
        else {
            return Err(ProjectError::Invalid(format!("no test `{test}`")));
        };
        if t.sample.is_none() {
            return Err(ProjectError::Invalid(
                if t.method == assay_engine::assessment::Method::Sample {
                    format!("{test} has no sample to draw yet: {}", t.statement)
                } else {
                    format!(
                        "{test} is tested over its whole population ({:?}), not on a sample: {}",
                        t.method, t.statement
                    )
                },
            ));
        }
        Ok(t)
    }

    /// Creates `findings/ID.yaml` for every finding without a triage file: owner from the
    /// control, due date by severity from `today` ([`due_date`]), status open. Existing
    /// files are never touched.
    pub fn sync_findings(
        &self,
        a: &Assessment,
        today: jiff::civil::Date,
    ) -> Result<Synced, ProjectError> {
        let dir = self.root.join("findings");
        std::fs::create_dir_all(&dir).map_err(ProjectError::io(&dir))?;
        let mut out = Synced::default();
        for f in a.findings.iter().filter(|f| f.triage.is_none()) {
            let path = dir.join(format!("{}.yaml", f.id));
            if path.exists() {
                continue;
            }
            let owner = if f.owner.is_empty() {
                "unassigned"
            } else {
                &f.owner
            };
            let text = assay_engine::triage::new_file(
                &f.id,
                owner,
                due_date(f.severity, today),
                &short(&f.statement, 200).replace('\n', " "),
            );
            std::fs::write(&path, text).map_err(ProjectError::io(&path))?;
            out.created.push(format!("findings/{}.yaml", f.id));
        }
        Ok(out)
    }
}
