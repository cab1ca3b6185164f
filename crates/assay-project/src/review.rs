//! Policy review in the pipeline: the criteria in scope, each with its points of focus and
//! the controls already mapped to it, held against the workspace's policies (or the documents
//! given) and its controls; the proposals recorded in the ledger as `assay-ai-proposals`.

use crate::{Project, ProjectError};
use assay_ai::index::Index;
use assay_ai::passage::Kind;
use assay_ai::review::{review, Asked, CriterionReview};
use serde_json::json;
use std::path::PathBuf;

/// A policy review.
#[derive(Debug)]
pub struct PolicyReview {
    /// The documents reviewed (the workspace's policy files, or those given).
    pub documents: Vec<String>,
    /// Per criterion in scope.
    pub criteria: Vec<CriterionReview>,
    /// The ledger entry recording the proposals.
    pub recorded: String,
}

impl Project {
    /// Reviews the policies of the workspace, or `documents` (Markdown, text or DOCX) when
    /// given, against every criterion in scope and its points of focus.
    pub fn review_policies(&self, documents: &[PathBuf]) -> Result<PolicyReview, ProjectError> {
        let (ws, config) = self.valid_workspace()?;
        let mut passages: Vec<_> = self
            .passages(None)?
            .into_iter()
            .filter(|p| p.kind == Kind::Control || (documents.is_empty() && p.kind == Kind::Policy))
            .collect();
        let names: Vec<String> = if documents.is_empty() {
            ws.policies.iter().map(|p| p.origin.file.clone()).collect()
        } else {
            for d in documents {
                let text = assay_ai::document::text(d)?;
                let name = d
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let id = d
                    .file_stem()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                passages.extend(assay_ai::policy::passages(&id, &name, &text));
            }
            documents.iter().map(|d| d.display().to_string()).collect()
        };
        let index = Index::new(passages);
        let asked: Vec<Asked> = self
            .catalog
            .criteria
            .iter()
            .filter(|c| config.scope.categories.contains(&c.category))
            .map(|c| Asked {
                id: c.id.clone(),
                text: format!("{} {}", c.subject, c.summary),
                points: c.points_of_focus.clone(),
                mapped: ws
                    .controls
                    .iter()
                    .filter(|l| l.control.criteria.iter().any(|k| k.id == c.id))
                    .map(|l| l.control.id.clone())
                    .collect(),
            })
            .collect();
        let criteria = review(&index, &asked);
        let bytes = serde_json::to_vec_pretty(&json!({
            "schema": "assay.ai-proposals/v1",
            "kind": "policy-review",
            "mode": "extractive",
            "documents": names,
            "criteria": criteria,
        }))
        .map_err(|e| ProjectError::Invalid(e.to_string()))?;
        let entry = self.record_activity(crate::ai::PROPOSALS, "assay-policy-review", &bytes)?;
        Ok(PolicyReview {
            documents: names,
            criteria,
            recorded: entry.hash(),
        })
    }
}

/// Facts proposed from a vendor's SOC report.
#[derive(Debug, serde::Serialize)]
pub struct VendorReview {
    /// The document as given.
    pub document: String,
    /// SHA-256 of the document's bytes.
    pub sha256: String,
    /// The vendor, if named.
    pub vendor: Option<String>,
    /// What the document is: `soc-report` or `pentest-report`.
    pub kind: &'static str,
    /// The facts of a SOC report, each with the line it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<assay_ai::vendor::SocFacts>,
    /// The facts of a penetration test report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pentest: Option<assay_ai::vendor::PentestFacts>,
    /// The ledger entry recording the proposal.
    pub recorded: String,
}

impl Project {
    /// Proposes the facts of a vendor's SOC report or penetration test report (PDF, DOCX,
    /// Markdown or text) and records
    /// the proposal, with the document's SHA-256, in the ledger.
    pub fn review_vendor_report(
        &self,
        document: &std::path::Path,
        vendor: Option<&str>,
    ) -> Result<VendorReview, ProjectError> {
        use sha2::Digest as _;
        let bytes = std::fs::read(document).map_err(ProjectError::io(document))?;
        let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
        let text = assay_ai::document::text(document)?;
        let (kind, facts, pentest) = if assay_ai::vendor::is_pentest(&text) {
            let p = assay_ai::vendor::pentest_facts(&text);
            if p.findings.is_empty() && p.tested_to.is_none() {
                return Err(ProjectError::Invalid(format!(
                    "{}: a penetration test report, but neither its test dates nor findings with an id and a severity were found",
                    document.display()
                )));
            }
            ("pentest-report", None, Some(p))
        } else {
            let f = assay_ai::vendor::soc_facts(&text);
            if f.report.is_none() && f.opinion.is_none() {
                return Err(ProjectError::Invalid(format!(
                    "{}: no SOC report found in its text (no `SOC 1`/`SOC 2` with a type, no opinion) and no penetration test; is it the right document?",
                    document.display()
                )));
            }
            ("soc-report", Some(f), None)
        };
        let name = document.display().to_string();
        let record = serde_json::to_vec_pretty(&json!({
            "schema": "assay.ai-proposals/v1",
            "kind": "vendor-report-review",
            "document_kind": kind,
            "mode": "extractive",
            "document": name,
            "document_sha256": sha256,
            "vendor": vendor,
            "facts": facts,
            "pentest": pentest,
        }))
        .map_err(|e| ProjectError::Invalid(e.to_string()))?;
        let entry = self.record_activity(crate::ai::PROPOSALS, "assay-vendor-review", &record)?;
        Ok(VendorReview {
            document: name,
            sha256,
            vendor: vendor.map(str::to_string),
            kind,
            facts,
            pentest,
            recorded: entry.hash(),
        })
    }
}
