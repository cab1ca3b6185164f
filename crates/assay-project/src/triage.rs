//! Triage of a finding, written back to `findings/<id>.yaml`: the git workspace stays the
//! source of truth for what a person decides, whichever front end they used.

use crate::{Project, ProjectError};
use assay_engine::triage::{self, Status, Triage};

/// What to change; fields left out keep their value.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageUpdate {
    /// Owner role or person.
    #[serde(default)]
    pub owner: Option<String>,
    /// Due date.
    #[serde(default)]
    #[schemars(schema_with = "assay_engine::triage::date_schema")]
    pub due: Option<jiff::civil::Date>,
    /// Status.
    #[serde(default)]
    pub status: Option<Status>,
    /// Management's response.
    #[serde(default)]
    pub response: Option<String>,
    /// The service auditor's evaluation of the test's deviations (extent and cause).
    #[serde(default)]
    pub evaluation: Option<triage::Evaluation>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Project {
    /// Applies `update` to the triage of finding `id` (a new file, status open, when there
    /// is none) and writes the file atomically; the triage as written.
    pub fn triage(&self, id: &str, update: &TriageUpdate) -> Result<Triage, ProjectError> {
        if !valid_id(id) {
            return Err(ProjectError::Invalid(format!(
                "finding `{id}`: ids use letters, digits, dots, dashes and underscores, e.g. F-CHG-01.1"
            )));
        }
        let dir = self.root.join("findings");
        let path = dir.join(format!("{id}.yaml"));
        let file = format!("findings/{id}.yaml");
        let mut t = match std::fs::read_to_string(&path) {
            Ok(text) => triage::parse(&file, &text).map_err(ProjectError::Invalid)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Triage {
                id: id.to_string(),
                owner: None,
                due: None,
                status: Status::Open,
                response: None,
                evaluation: None,
                file: file.clone(),
            },
            Err(e) => return Err(ProjectError::io(&path)(e)),
        };
        if t.id != id {
            return Err(ProjectError::Invalid(format!(
                "{file} holds the triage of `{}`, not `{id}`; fix the file's id first",
                t.id
            )));
        }
        if let Some(o) = &update.owner {
            t.owner = Some(o.trim().to_string()).filter(|o| !o.is_empty());
        }
        if let Some(d) = update.due {
            t.due = Some(d);
        }
        if let Some(s) = update.status {
            t.status = s;
        }
        if let Some(r) = &update.response {
            t.response = Some(r.clone()).filter(|r| !r.trim().is_empty());
        }
        if let Some(e) = &update.evaluation {
            if e.cause.trim().is_empty() {
                return Err(ProjectError::Invalid(format!(
                    "{file}: field `evaluation.cause` is empty\n  help: say in a sentence what caused the deviations, named the same way on every test it touches"
                )));
            }
            t.evaluation = Some(e.clone());
        }
        let text = triage::render(&t);
        // What is written must read back as written.
        let back = triage::parse(&file, &text).map_err(ProjectError::Invalid)?;
        std::fs::create_dir_all(&dir).map_err(ProjectError::io(&dir))?;
        let tmp = dir.join(format!(".{id}.yaml.partial"));
        std::fs::write(&tmp, &text).map_err(ProjectError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(ProjectError::io(&path))?;
        Ok(back)
    }
}
