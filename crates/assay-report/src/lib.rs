//! Reports: the readiness report with its remediation roadmap, the draft SOC 2 report
//! (sections I to V), auditor workpapers, and OSCAL documents. Reports render an
//! [`Assessment`] and the workspace it was computed for; they compute no new verdicts.
//!
//! **Architecture invariant:** rendering is a pure function of its [`Context`]: no clock,
//! no I/O, so the same assessment gives the same bytes.

pub mod charts;
pub mod ci;
pub mod doc;
pub mod drift;
pub mod frameworks;
pub mod history;
pub mod oscal;
pub mod pdf;
pub mod readiness;
pub mod soc2;
pub mod soc2_text;
pub mod subservice;
pub mod svg;
pub mod workpapers;

use assay_core::{Control, Criterion, Inventory, PolicyMeta, Scope};
use assay_engine::Assessment;

/// Everything a report renders.
pub struct Context<'a> {
    /// The assessment.
    pub assessment: &'a Assessment,
    /// Organization, system, period, categories.
    pub scope: &'a Scope,
    /// The organization's legal name, when it differs from its name.
    pub legal_name: Option<&'a str>,
    /// The system inventory: components, vendors and subservice organizations, CUECs.
    pub inventory: &'a Inventory,
    /// Every criterion of the catalog (those in scope are reported).
    pub criteria: &'a [Criterion],
    /// The workspace's controls.
    pub controls: &'a [Control],
    /// The workspace's policies (front matter).
    pub policies: &'a [PolicyMeta],
    /// Pieces of evidence in the locker.
    pub evidence_count: usize,
}

/// A report kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Readiness with the remediation roadmap.
    Readiness,
    /// The draft SOC 2 report.
    Soc2,
    /// Auditor workpapers.
    Workpapers,
    /// OSCAL documents.
    Oscal,
    /// The ISO/IEC 27001 Statement of Applicability (needs `iso27001` in the workspace's
    /// frameworks).
    Soa,
    /// The HIPAA Security Rule safeguard matrix (needs `hipaa`).
    HipaaMatrix,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// Markdown.
    Md,
    /// JSON.
    Json,
    /// PDF (rendered in-process with Typst).
    Pdf,
    /// An Excel workbook.
    Xlsx,
}

impl Kind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [Kind; 6] = [
        Kind::Readiness,
        Kind::Soc2,
        Kind::Workpapers,
        Kind::Oscal,
        Kind::Soa,
        Kind::HipaaMatrix,
    ];

    /// The formats this kind comes in; the first is the default.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Kind::Readiness => &[Format::Html, Format::Md, Format::Json, Format::Pdf],
            Kind::Soc2 => &[Format::Html, Format::Pdf, Format::Md],
            Kind::Workpapers => &[Format::Xlsx],
            Kind::Oscal => &[Format::Json],
            Kind::Soa | Kind::HipaaMatrix => &[Format::Xlsx],
        }
    }
}

/// Rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// This kind does not come in this format.
    #[error("the {kind} report comes as {allowed}, not {format}")]
    Format {
        /// The kind.
        kind: &'static str,
        /// The format asked for.
        format: &'static str,
        /// The formats it comes in.
        allowed: String,
    },
    /// The PDF could not be typeset.
    #[error("cannot typeset the PDF: {0}")]
    Pdf(String),
    /// The workbook could not be written.
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    /// The report is for a framework the assessment does not cover.
    #[error("the {kind} report needs `{framework}` in `[audit] frameworks` of assay.toml; add it, then run `assay assess` again")]
    Framework {
        /// The kind.
        kind: &'static str,
        /// The framework it needs.
        framework: &'static str,
    },
}

impl Kind {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Readiness => "readiness",
            Kind::Soc2 => "soc2",
            Kind::Workpapers => "workpapers",
            Kind::Oscal => "oscal",
            Kind::Soa => "soa",
            Kind::HipaaMatrix => "hipaa-matrix",
        }
    }
}

impl Format {
    /// Its name on the command line (and the file extension).
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Json => "json",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The files of a report: (file name suffix, bytes). One file except for OSCAL, which
/// writes its six documents.
pub fn render(
    cx: &Context<'_>,
    kind: Kind,
    format: Format,
) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    if !kind.formats().contains(&format) {
        return Err(RenderError::Format {
            kind: kind.name(),
            format: format.name(),
            allowed: kind
                .formats()
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let one = |bytes: Vec<u8>| Ok(vec![(String::new(), bytes)]);
    match (kind, format) {
        (Kind::Readiness, Format::Json) => one(serde_json::to_string_pretty(&readiness::json(cx))
            .unwrap_or_default()
            .into_bytes()),
        (Kind::Readiness | Kind::Soc2, f) => {
            let d = if kind == Kind::Readiness {
                readiness::doc(cx)
            } else {
                soc2::doc(cx)
            };
            match f {
                Format::Html => one(doc::html(&d).into_bytes()),
                Format::Md => one(doc::markdown(&d).into_bytes()),
                _ => one(pdf::render(&d).map_err(RenderError::Pdf)?),
            }
        }
        (Kind::Workpapers, _) => {
            one(workpapers::xlsx(cx).map_err(|e| RenderError::Xlsx(e.to_string()))?)
        }
        (Kind::Soa | Kind::HipaaMatrix, _) => {
            let (framework, write): (_, fn(&Context<'_>, &_) -> _) = if kind == Kind::Soa {
                ("iso27001", frameworks::soa)
            } else {
                ("hipaa", frameworks::hipaa)
            };
            let f = frameworks::find(cx, framework).ok_or(RenderError::Framework {
                kind: kind.name(),
                framework,
            })?;
            one(write(cx, f).map_err(|e| RenderError::Xlsx(e.to_string()))?)
        }
        (Kind::Oscal, _) => {
            let fixed = oscal::all(cx)
                .into_iter()
                .map(|(n, v)| (n.to_string(), n, v));
            Ok(fixed
                .chain(oscal::frameworks(cx))
                .map(|(file, model, v)| {
                    let text = serde_json::to_string_pretty(&serde_json::json!({ model: v }))
                        .unwrap_or_default();
                    (format!("-{file}"), text.into_bytes())
                })
                .collect())
        }
    }
}
