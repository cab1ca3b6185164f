//! A person's decisions, read back from an answered questionnaire: each row whose `Status`
//! is `accepted` or `rejected`, with the class, answer and sources as the person left them.

use crate::answer::Class;
use crate::error::AiError;
use crate::questionnaire::question_sheet;
use crate::sheet::Book;
use std::path::Path;

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The sheet and line.
    pub at: String,
    /// The question.
    pub question: String,
    /// Accepted (else rejected).
    pub accepted: bool,
    /// The class as left.
    pub class: Class,
    /// The answer as left.
    pub answer: String,
    /// The citation ids in `Sources`.
    pub sources: Vec<String>,
    /// The `Proposal` column: the start of the proposal's SHA-256.
    pub proposal: String,
}

/// The citation ids of a `Sources` cell (`id (result); id`).
pub fn source_ids(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(|s| s.split(" (").next().unwrap_or("").trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every decision in the sheet holding `column`; other statuses are left alone.
pub fn decisions(book: &mut Book, column: &str, path: &Path) -> Result<Vec<Decision>, AiError> {
    let sheet = question_sheet(book, column, path)?;
    let col = |name: &str| {
        sheet.column(name).ok_or_else(|| {
            AiError::file(path, format!("no `{name}` column; answer the questionnaire with `assay questionnaire answer` first"))
        })
    };
    let (q, status, class, answer, sources) = (
        col(column)?,
        col("Status")?,
        col("Class")?,
        col("Answer")?,
        col("Sources")?,
    );
    let proposal = sheet.column("Proposal");
    let mut out = Vec::new();
    for (i, row) in sheet.rows.iter().enumerate() {
        let at = format!(
            "{}:{}",
            sheet.name,
            sheet.lines.get(i).copied().unwrap_or(0)
        );
        let accepted = match row[status].trim().to_lowercase().as_str() {
            "accepted" | "accept" => true,
            "rejected" | "reject" => false,
            _ => continue,
        };
        let c = Class::parse(&row[class]).ok_or_else(|| {
            AiError::file(
                path,
                format!(
                "{at}, column `Class`: `{}` is not a class; write yes, partial, no or needs-info",
                row[class]
            ),
            )
        })?;
        if accepted && row[answer].trim().is_empty() {
            return Err(AiError::file(path, format!("{at}, column `Answer`: an accepted answer is empty; write the answer or set `Status` to rejected")));
        }
        out.push(Decision {
            at,
            question: row[q].trim().to_string(),
            accepted,
            class: c,
            answer: row[answer].trim().to_string(),
            sources: source_ids(&row[sources]),
            proposal: proposal
                .map(|p| row[p].trim().to_string())
                .unwrap_or_default(),
        });
    }
    Ok(out)
}
