//! Answering a questionnaire: for each question, an accepted answer from the library if
//! there is one, else a proposal (extractive, or by the model over the retrieved passages),
//! each checked for its citations. The questionnaire's columns are kept; `Answer`, `Class`,
//! `Status`, `Sources`, `Confidence` and `Proposal` are added (or refreshed).

use crate::answer::{Answer, Origin};
use crate::citation::check;
use crate::error::AiError;
use crate::extractive::{self, retrieve};
use crate::index::Index;
use crate::library::Library;
use crate::passage::Passage;
use crate::provider::{parse_reply, prompt_sha256, ModelClient};
use crate::sheet::{Book, Sheet};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The columns added to the question sheet.
pub const COLUMNS: [&str; 6] = [
    "Answer",
    "Class",
    "Status",
    "Sources",
    "Confidence",
    "Proposal",
];

/// How answers are proposed.
pub enum Mode<'a> {
    /// From the passages, without a model.
    Extractive,
    /// By a model.
    Model(&'a ModelClient),
}

/// One question's proposal, as kept for provenance.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// The sheet and line of the question.
    pub at: String,
    /// The question.
    pub question: String,
    /// The answer proposed (or taken from the library).
    pub answer: Answer,
    /// SHA-256 of the request sent to the model, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_sha256: Option<String>,
    /// The passages retrieved, by citation id and SHA-256.
    pub retrieved: Vec<(String, String)>,
    /// SHA-256 of this proposal's answer (class, text, citations): the `Proposal` column.
    pub sha256: String,
}

/// SHA-256 of an answer's class, text and citation ids.
pub fn answer_sha256(a: &Answer) -> String {
    let ids: Vec<&str> = a.citations.iter().map(|c| c.id.as_str()).collect();
    let v = serde_json::json!([a.class.name(), a.text, ids]);
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

/// The passages retrieved for `question`, redacted by `redact` (what a model would see).
pub fn retrieved<'a>(index: &'a Index, question: &str) -> Vec<&'a Passage> {
    retrieve(index, question)
        .into_iter()
        .map(|h| &index.passages()[h.at])
        .collect()
}

fn redacted(passages: &[&Passage], redact: &dyn Fn(&str) -> String) -> Vec<Passage> {
    passages
        .iter()
        .map(|p| Passage {
            title: redact(&p.title),
            text: redact(&p.text),
            ..(*p).clone()
        })
        .collect()
}

/// The request the model would receive for `question` (for `--dry-run`).
pub fn request(
    client: &ModelClient,
    index: &Index,
    question: &str,
    redact: &dyn Fn(&str) -> String,
) -> serde_json::Value {
    let got = retrieved(index, question);
    let red = redacted(&got, redact);
    client.body(&redact(question), &red.iter().collect::<Vec<_>>())
}

/// What answers questions: the index, the library of accepted answers, the mode, and the
/// redaction applied to everything sent to a model.
pub struct Answerer<'a> {
    /// The workspace's passages.
    pub index: &'a Index,
    /// Accepted answers, offered first.
    pub library: &'a Library,
    /// Extractive or by a model.
    pub mode: Mode<'a>,
    /// Applied to every question and passage before it is sent.
    pub redact: &'a dyn Fn(&str) -> String,
}

impl Answerer<'_> {
    /// The proposal for one question.
    pub fn propose(&self, question: &str) -> (Answer, Option<String>, Vec<(String, String)>) {
        let (index, library, mode, redact) = (self.index, self.library, &self.mode, self.redact);
        let got = retrieved(index, question);
        let ids = got.iter().map(|p| (p.id.clone(), p.sha256())).collect();
        if let Some(a) = library.find(question) {
            let answer = Answer {
                class: a.class,
                text: a.answer.clone(),
                citations: a.citations.clone(),
                confidence: 1.0,
                origin: Origin::Library,
                notes: vec![format!(
                    "accepted by {} on {}",
                    a.accepted_by, a.accepted_at
                )],
            };
            return (check(index, question, answer), None, ids);
        }
        match mode {
            Mode::Extractive => (extractive::answer(index, question), None, ids),
            Mode::Model(client) => {
                let red = redacted(&got, redact);
                let body = client.body(&redact(question), &red.iter().collect::<Vec<_>>());
                let hash = prompt_sha256(&body);
                let answer = match client
                    .send(&body)
                    .and_then(|c| parse_reply(&c, &client.model))
                {
                    Ok(a) => check(index, question, a),
                    Err(e) => {
                        let mut a = extractive::answer(index, question);
                        a.class = crate::answer::Class::NeedsInfo;
                        a.citations.clear();
                        a.confidence = 0.0;
                        a.text = "The model gave no usable answer; a person must answer.".into();
                        a.origin = Origin::Model(client.model.clone());
                        a.notes.push(e.to_string());
                        a
                    }
                };
                (answer, Some(hash), ids)
            }
        }
    }

    /// Answers every question of the sheet holding `column`; returns the proposals in order.
    /// `progress` hears each question's position and the total.
    pub fn answer_book(
        &self,
        book: &mut Book,
        column: &str,
        progress: &dyn Fn(usize, usize),
        path: &Path,
    ) -> Result<Vec<Proposal>, AiError> {
        let sheet = question_sheet(book, column, path)?;
        let q = sheet.column(column).unwrap_or(0);
        let cols: Vec<usize> = COLUMNS.iter().map(|c| sheet.column_or_add(c)).collect();
        let total = sheet
            .rows
            .iter()
            .filter(|r| !r[q].trim().is_empty())
            .count();
        let mut out = Vec::new();
        for (i, row) in sheet.rows.iter_mut().enumerate() {
            let question = row[q].trim().to_string();
            if question.is_empty() {
                continue;
            }
            progress(out.len() + 1, total);
            let (answer, prompt_sha256, retrieved) = self.propose(&question);
            let sha = answer_sha256(&answer);
            let status = match answer.origin {
                Origin::Library => "library",
                _ => "proposed",
            };
            let values = [
                answer.text.clone(),
                answer.class.name().to_string(),
                status.to_string(),
                answer.sources(),
                format!("{:.2}", answer.confidence),
                sha[..16].to_string(),
            ];
            for (c, v) in cols.iter().zip(values) {
                row[*c] = v;
            }
            out.push(Proposal {
                at: format!(
                    "{}:{}",
                    sheet.name,
                    sheet.lines.get(i).copied().unwrap_or(0)
                ),
                question,
                answer,
                prompt_sha256,
                retrieved,
                sha256: sha,
            });
        }
        Ok(out)
    }
}

/// The sheet with a column named `column`.
pub fn question_sheet<'a>(
    book: &'a mut Book,
    column: &str,
    path: &Path,
) -> Result<&'a mut Sheet, AiError> {
    let names: Vec<String> = book
        .sheets
        .iter()
        .flat_map(|s| s.headers.iter().filter(|h| !h.is_empty()).cloned())
        .collect();
    book.sheets
        .iter_mut()
        .find(|s| s.column(column).is_some())
        .ok_or_else(|| {
            AiError::file(
                path,
                format!(
                    "no column `{column}`; the columns are: {}. Name the question column with --question-column",
                    names.join(", ")
                ),
            )
        })
}
