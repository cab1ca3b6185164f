//! `assay evidence import`: every file of an export is read once, on every core: redacted,
//! hashed, checked in its format (normalized into its rows, which go to the rows cache so
//! assessing parses nothing again) and staged beside the blob store. Only when every file
//! passed are the staged files moved into the store and recorded, so a bad export stores
//! nothing.

use super::evidence::{bytes_bar, clock_after, effective};
use crate::cli::EvidenceImportArgs;
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_locker::import::{self, ImportMeta, PlannedFile, Staged};
use assay_locker::Locker;
use assay_tables::cache;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The first line over `limit` bytes in a file (streamed, so a huge line is never held in
/// memory), as its 1-based number.
fn first_long_line(path: &Path, limit: u64) -> std::io::Result<Option<usize>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut line, mut run) = (1usize, 0u64);
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                line += 1;
                run = 0;
            } else {
                run += 1;
                if run > limit {
                    return Ok(Some(line));
                }
            }
        }
    }
}

fn default_source(kind: &str) -> &'static str {
    match kind {
        "hr-roster" => "hris",
        k if k.starts_with("aws-") => "aws",
        k if k.starts_with("okta-") => "okta",
        k if k.starts_with("github-") => "github",
        _ => "file",
    }
}

/// A file that passed its checks, staged.
struct Checked {
    staged: Staged,
    counts: Vec<(&'static str, usize)>,
    warning: Option<String>,
}

/// What the checks of one import share.
struct Check<'a> {
    kind: &'a str,
    params: &'a BTreeMap<String, String>,
    stage: &'a Path,
    rows_cache: &'a Path,
    max_line_bytes: u64,
}

impl Check<'_> {
    /// Reads, redacts, hashes, normalizes and stages one file; `Err` is the message.
    fn file(&self, i: usize, f: &PlannedFile) -> Result<Checked, String> {
        if f.size > self.max_line_bytes {
            match first_long_line(&f.path, self.max_line_bytes) {
                Ok(Some(line)) => {
                    return Err(format!(
                        "{}:{line}: the line is longer than {} bytes; this is not a {} file, or it is damaged",
                        f.locator, self.max_line_bytes, self.kind
                    ))
                }
                Ok(None) => {}
                Err(e) => return Err(format!("{}: cannot read: {e}", f.locator)),
            }
        }
        let raw = std::fs::read(&f.path).map_err(|e| format!("{}: cannot read: {e}", f.locator))?;
        // Gzip is decompressed once: redaction hands back the content it scanned.
        let (redacted, plain) = assay_locker::redact::redact_owned(raw, false);
        let hash = assay_locker::blob::sha256_hex(&redacted.bytes);
        let content = plain.as_deref().unwrap_or(&redacted.bytes);
        let fragment = assay_tables::fragment::each(self.kind, content, &hash, self.params)
            .map_err(|e| match e.line {
                Some(l) => format!("{}:{l}: {}", f.locator, e.message),
                None => format!("{}: {}", f.locator, e.message),
            })?
            .unwrap_or_default();
        let key = cache::each_key(self.kind, &hash, self.params);
        let tables = cache::tables_of(self.kind, self.params);
        let warning = cache::write(self.rows_cache, &key, &tables, &fragment)
            .err()
            .map(|e| {
                format!(
                    "the rows cache cannot be written ({e}); assessing will read the file again"
                )
            });
        let path = self.stage.join(i.to_string());
        let write = || -> std::io::Result<()> {
            let mut out = std::fs::File::create(&path)?;
            out.write_all(&redacted.bytes)?;
            out.sync_all()
        };
        write().map_err(|e| format!("{}: cannot stage in {}: {e}", f.locator, path.display()))?;
        Ok(Checked {
            staged: Staged {
                hash,
                size: redacted.bytes.len() as u64,
                redactions: redacted.redactions,
                path,
            },
            counts: fragment.counts(),
            warning,
        })
    }
}

/// Removes staging folders left by imports that were interrupted (their process is gone).
fn clear_stale_stages(staging: &Path) {
    let Ok(list) = std::fs::read_dir(staging) else {
        return;
    };
    for e in list.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name.split('-').next().unwrap_or("");
        let alive = Path::new("/proc").join(pid).exists() || !Path::new("/proc").exists();
        if pid != std::process::id().to_string() && !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A staging folder, removed when dropped (whether the import succeeded or not).
struct Stage(PathBuf);

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn import(root: &Path, args: EvidenceImportArgs) -> anyhow::Result<Outcome> {
    let importable = |n: &&assay_tables::Normalizer| n.importable;
    let Some(normalizer) = assay_tables::for_kind(&args.kind).filter(importable) else {
        let kinds: Vec<&str> = assay_tables::REGISTRY
            .iter()
            .filter(importable)
            .map(|n| n.kind)
            .collect();
        bail!(
            "--kind {}: not an importable format; use one of {}",
            args.kind,
            kinds.join(", ")
        );
    };
    if !matches!(normalizer.run, assay_tables::Run::Each(_)) {
        bail!("--kind {}: stored by a collector, not imported", args.kind);
    }
    let mut params = BTreeMap::new();
    if matches!(args.kind.as_str(), "csv" | "json") {
        let (Some(table), Some(map)) = (&args.table, &args.map) else {
            bail!("--kind {} needs --table T and --map column=Header,... (with key=...); `assay tables --schema` lists the columns", args.kind);
        };
        params.insert("table".to_string(), table.clone());
        params.insert("map".to_string(), map.clone());
    } else if args.table.is_some() || args.map.is_some() {
        bail!(
            "--table and --map are only for --kind csv or json; {} has a fixed format ({})",
            args.kind,
            normalizer.format
        );
    }
    let (effective_from, effective_to) = effective(&args.effective)?;
    let color = output::stderr_color();
    let mut plan = match import::plan(&args.paths) {
        Ok(p) => p,
        Err(problems) => {
            for p in &problems {
                eprintln!("{} {p}", output::paint("error:", Style::Error, color));
            }
            bail!(
                "{} in the input; nothing was stored",
                plural(problems.len(), "problem")
            );
        }
    };
    // Inside folders, keep only the files this format reads (given files are always read).
    let explicit: Vec<String> = args
        .paths
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    plan.files.retain(|f| {
        explicit.contains(&f.locator) || assay_tables::normalize::reads_file(&args.kind, &f.locator)
    });
    plan.total_bytes = plan.files.iter().map(|f| f.size).sum();
    if plan.files.is_empty() {
        bail!(
            "no {} files found in {}; nothing was stored",
            args.kind,
            explicit.join(", ")
        );
    }

    let staging = import::staging_dir(root);
    clear_stale_stages(&staging);
    let started_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let stage = Stage(staging.join(format!("{}-{started_at}", std::process::id())));
    std::fs::create_dir_all(&stage.0)
        .with_context(|| format!("cannot create the staging folder {}", stage.0.display()))?;
    let rows_cache = super::tables::rows_cache(root);
    std::fs::create_dir_all(&rows_cache)
        .with_context(|| format!("cannot create the rows cache {}", rows_cache.display()))?;
    // Read before any file: it also sets the decompression limits of `[limits]`.
    let locker_config = super::locker_config(root)?;
    let check = Check {
        kind: &args.kind,
        params: &params,
        stage: &stage.0,
        rows_cache: &rows_cache,
        max_line_bytes: args.max_line_bytes,
    };

    // Check and stage every file on every core.
    let bar = bytes_bar(plan.total_bytes, "checking");
    let started = Instant::now();
    let (mut bytes, mut rows) = (0u64, 0usize);
    // One more thread than cores: each file ends with a sync to disk, during which another
    // file can be parsed.
    let results = super::parallel::map_on(
        super::parallel::threads() + 1,
        &plan.files,
        |i, f| check.file(i, f),
        |i, r| {
            bytes += plan.files.get(i).map_or(0, |f| f.size);
            if let Ok(c) = r {
                rows += c.counts.iter().map(|(_, n)| n).sum::<usize>();
            }
            bar.set_position(bytes);
            bar.set_message(super::tables::rate(rows, started));
        },
    );
    bar.finish_and_clear();
    let mut errors = Vec::new();
    let mut staged = Vec::new();
    let mut per_table: BTreeMap<&str, usize> = BTreeMap::new();
    let mut warned = false;
    for r in results {
        match r {
            Ok(c) => {
                for (t, n) in &c.counts {
                    *per_table.entry(t).or_default() += n;
                }
                if let (Some(w), false) = (&c.warning, warned) {
                    eprintln!("{} {w}", output::paint("warning:", Style::Warning, color));
                    warned = true;
                }
                staged.push(c.staged);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{} {e}", output::paint("error:", Style::Error, color));
        }
        bail!(
            "{} not readable as {} ({}); nothing was stored",
            plural(errors.len(), "file"),
            args.kind,
            normalizer.format
        );
    }
    let counted: usize = per_table.values().sum();

    let mut locker = Locker::open_or_create(root, &locker_config)?;
    let mut now = clock_after(&locker)?;
    let meta = ImportMeta {
        kind: args.kind.clone(),
        agent: "evidence-import".into(),
        system: args
            .source
            .clone()
            .unwrap_or_else(|| default_source(&args.kind).to_string()),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        effective_from,
        effective_to,
        keep_secret_hashes: false,
        observation: None,
        params,
    };
    let summary = locker.record_staged(&plan, &meta, staged, &mut now)?;
    drop(stage);
    if args.quiet {
        return Ok(Outcome::Ok);
    }
    if args.json {
        output::json(&json!({
            "schema": "assay.evidence-import/v1",
            "kind": args.kind,
            "batch": summary.batch,
            "added": summary.added,
            "already_stored": summary.already_stored,
            "rows": per_table.iter().map(|(t, n)| json!({"table": t, "rows": n})).collect::<Vec<_>>(),
        }))?;
    } else {
        let color = output::stdout_color();
        println!(
            "{} {} as `{}` ({} rows: {}); batch {}",
            output::paint("Imported", Style::Good, color),
            plural(summary.added.len(), "file"),
            args.kind,
            counted,
            per_table
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            summary.batch
        );
        if summary.already_stored > 0 {
            println!(
                "  {} already stored by this batch; not stored again",
                plural(summary.already_stored, "file")
            );
        }
    }
    Ok(Outcome::Ok)
}
