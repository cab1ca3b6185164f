//! `assay bundle export|verify`: evidence that travels and verifies offline.

use super::{base_dir, workspace_root};
use crate::cli::BundleCommand;
use crate::output::{self, plural, Style};
use crate::Outcome;
use assay_project::bundle;
use serde_json::json;
use std::path::PathBuf;

pub fn run(chdir: &Option<PathBuf>, cmd: BundleCommand) -> anyhow::Result<Outcome> {
    match cmd {
        BundleCommand::Export { out, period, json } => {
            let root = workspace_root(chdir)?;
            let span = period
                .as_deref()
                .map(|p| bundle::span("--period", p))
                .transpose()?;
            let bundle = super::project(&root)?.export_bundle(span)?;
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
            let recorded = recorded
                .as_deref()
                .map(|r| bundle::recorded("--recorded", r))
                .transpose()?;
            let pin = match (&pin_id, &pin_file) {
                (Some(id), _) => Some(bundle::key_id("--key-id", id)?),
                (None, Some(f)) => Some(bundle::key_file("--key", &base_dir(chdir)?.join(f))?),
                (None, None) => None,
            };
            let (bundle, report) = bundle::verify(&path, recorded, pin.as_deref())?;
            let m = &bundle.manifest;
            let key_id = bundle::carried_key_id(&bundle);
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
            let key = super::project(&workspace_root(chdir)?)?.signing_key()?;
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-key/v1",
                    "key_id": key.key_id,
                    "fingerprint": key.fingerprint,
                    "public_key": key.public_key,
                    "file": key.file,
                }))?;
            } else {
                println!("Key id:      {}", key.key_id);
                println!("Fingerprint: {}", key.fingerprint);
                println!("Public key:  {}", key.public_key);
                println!("File:        {}", key.file.display());
                println!("Publish the key id (or give out the file); recipients run `assay bundle verify FILE --key-id {}`.", key.key_id);
            }
            Ok(Outcome::Ok)
        }
    }
}
