//! `assay bundle export|verify`: evidence that travels and verifies offline.

use super::{base_dir, workspace_root};
use crate::cli::BundleCommand;
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_catalog::Catalog;
use assay_locker::bundle::Bundle;
use assay_locker::checkpoint::Keys;
use assay_locker::Locker;
use assay_project::inputs::date as parse_date;
use assay_workspace::Workspace;
use serde_json::json;
use std::path::PathBuf;

pub fn run(
    chdir: &Option<PathBuf>,
    cmd: BundleCommand,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    match cmd {
        BundleCommand::Export { out, period, json } => {
            let root = workspace_root(chdir)?;
            let span = match &period {
                Some(p) => {
                    let (a, b) = p
                        .split_once("..")
                        .context("--period takes START..END, e.g. 2026-01-01..2026-06-30")?;
                    let (a, b) = (parse_date("--period", a)?, parse_date("--period", b)?);
                    if b < a {
                        bail!("--period {p}: ends before it starts");
                    }
                    Some((a.to_string(), b.to_string()))
                }
                None => None,
            };
            let mut locker = super::project(&root)?.locker()?;
            let report = locker.verify()?;
            if !report.ok() {
                bail!(
                    "the locker fails verification ({}); run `assay verify` before exporting",
                    plural(report.problems.len(), "fault")
                );
            }
            let org = Workspace::load(&root, catalog)
                .config
                .map(|c| c.scope.organization)
                .unwrap_or_default();
            let bundle = locker.export_bundle(&org, span, &assay_project::now())?;
            let path = base_dir(chdir)?.join(&out);
            bundle.write(&path)?;
            let m = &bundle.manifest;
            let cp = m.checkpoints.last();
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-export/v1",
                    "file": path,
                    "entries": m.entries.len(),
                    "included": m.included.len(),
                    "blobs": bundle.blobs.len(),
                    "checkpoint": cp,
                    "statement": bundle.statement,
                }))?;
            } else {
                println!(
                    "Wrote {}: {} with evidence ({}) of {} in the ledger",
                    path.display(),
                    plural(m.included.len(), "entry").replace("entrys", "entries"),
                    plural(bundle.blobs.len(), "blob"),
                    m.entries.len()
                );
                if let Some(cp) = cp {
                    println!(
                        "Checkpoint: size {} root {} key {}",
                        cp.size, cp.root, cp.key_id
                    );
                    println!("Give the recipient the key id out of band (`assay bundle key` prints it); they run `assay bundle verify {} --key-id {}`.", out.display(), cp.key_id);
                }
            }
            Ok(Outcome::Ok)
        }
        BundleCommand::Verify {
            file,
            recorded,
            key_id: pin_id,
            key: pin_file,
            json,
        } => {
            let path = base_dir(chdir)?.join(&file);
            let recorded = match &recorded {
                Some(r) => {
                    let (size, root) = r
                        .split_once(':')
                        .context("--recorded takes SIZE:ROOT, as `assay checkpoint` prints them")?;
                    Some((
                        size.trim()
                            .parse::<u64>()
                            .context("--recorded: SIZE must be a number")?,
                        root.trim().to_ascii_lowercase(),
                    ))
                }
                None => None,
            };
            let pin = match (&pin_id, &pin_file) {
                (Some(id), _) => {
                    let id = id.trim().to_ascii_lowercase();
                    if !(16..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit())
                    {
                        bail!("--key-id {id}: a key id is 16 hex digits (or the 64-digit fingerprint), as `assay bundle key` prints it");
                    }
                    Some(id)
                }
                (None, Some(f)) => {
                    let f = base_dir(chdir)?.join(f);
                    let keys = Keys::public_from(&f).with_context(|| {
                        "--key takes the organization's public key file: 64 hex digits, as .assay/keys/ledger.ed25519.pub holds"
                    })?;
                    Some(keys.fingerprint())
                }
                (None, None) => None,
            };
            let limits = assay_project::limits(None)?;
            let bundle = Bundle::read(&path, limits)?;
            let report = bundle.verify(recorded, pin.as_deref())?;
            let m = &bundle.manifest;
            let key_id = Keys::public_from_hex(&m.public_key)
                .map(|k| k.key_id())
                .unwrap_or_default();
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-verify/v2",
                    "ok": report.ok(),
                    "organization": m.organization,
                    "period": m.period,
                    "key_id": key_id,
                    "key_pinned": pin.is_some(),
                    "included": m.included.len(),
                    "report": report,
                }))?;
            } else {
                let color = output::stdout_color();
                output::print_problems(&report.problems, color);
                println!(
                    "{} bundle from {} ({}), signed by key {key_id}",
                    if report.ok() {
                        output::paint("verified:", Style::Good, color)
                    } else {
                        output::paint("TAMPERED:", Style::Error, color)
                    },
                    if m.organization.is_empty() {
                        "an unnamed organization"
                    } else {
                        &m.organization
                    },
                    m.period.as_deref().unwrap_or("all evidence"),
                );
                println!(
                    "  {} in the ledger, {} with evidence, {} checked, all covered by the signed statement",
                    m.entries.len(),
                    m.included.len(),
                    plural(report.checkpoints as usize, "checkpoint")
                );
                if pin.is_some() && report.ok() {
                    println!(
                        "  The key is the one you pinned: this bundle was signed by its holder."
                    );
                } else if pin.is_none() {
                    println!(
                        "  The key is whatever the bundle itself claims: anyone can sign a bundle with a key of their own. Compare {key_id} with the key id the organization published, or pass --key-id {key_id} / --key FILE."
                    );
                }
            }
            Ok(if report.ok() {
                Outcome::Ok
            } else {
                Outcome::Findings
            })
        }
        BundleCommand::Key { json } => {
            let root = workspace_root(chdir)?;
            let dir = Locker::dir_of(&root).join("keys");
            let file = dir.join(assay_locker::checkpoint::PUBLIC_FILE);
            if !file.exists() {
                bail!(
                    "no signing key at {}; it is created with the locker by `assay evidence add`",
                    file.display()
                );
            }
            let keys = Keys::public_from(&file)?;
            let public = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .trim()
                .to_string();
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-key/v1",
                    "key_id": keys.key_id(),
                    "fingerprint": keys.fingerprint(),
                    "public_key": public,
                    "file": file,
                }))?;
            } else {
                println!("Key id:      {}", keys.key_id());
                println!("Fingerprint: {}", keys.fingerprint());
                println!("Public key:  {public}");
                println!("File:        {}", file.display());
                println!("Publish the key id (or give out the file); recipients run `assay bundle verify FILE --key-id {}`.", keys.key_id());
            }
            Ok(Outcome::Ok)
        }
    }
}
