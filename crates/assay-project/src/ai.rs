//! AI assistance in the pipeline: the workspace's passages (policy sections, controls, tests
//! with their latest results, criteria, evidence metadata) indexed for retrieval; the model
//! client from `[ai]`, with its key from the environment; questionnaires answered into a
//! file; a person's decisions recorded in the ledger and kept in the answer library
//! (`answers/library.json`); and the evaluation over a labelled set. Nothing here feeds the
//! engine: proposals are evidence of what was proposed, never of what a control does.

use crate::{Progress, Project, ProjectError};
use assay_ai::answer::{Class, Origin};
use assay_ai::index::Index;
use assay_ai::library::{Accepted, Library};
use assay_ai::passage::{Kind, Passage, TestState};
use assay_ai::provider::{ModelClient, Structured};
use assay_ai::questionnaire::{self, Mode, Proposal};
use assay_ai::{eval, sheet, AiError};
use assay_engine::assessment::Assessment;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ledger kind of a questionnaire run's proposals.
pub const PROPOSALS: &str = "assay-ai-proposals";
/// The ledger kind of a person's decisions on proposals.
pub const DECISIONS: &str = "assay-ai-decisions";
/// The answer library, relative to the workspace.
pub const LIBRARY: &str = "answers/library.json";

impl From<AiError> for ProjectError {
    fn from(e: AiError) -> Self {
        ProjectError::Invalid(e.to_string())
    }
}

/// Which results the test passages carry.
#[derive(Debug, Clone)]
pub enum Results {
    /// A fresh assessment of the workspace (when it has a locker).
    Fresh,
    /// An assessment stored by `assay assess --json`.
    Stored(PathBuf),
    /// None: tests are described without results.
    None,
}

/// What to answer and how.
#[derive(Debug, Clone)]
pub struct QuestionnaireRequest {
    /// The questionnaire (`.csv` or `.xlsx`).
    pub input: PathBuf,
    /// The question column's header.
    pub column: String,
    /// Where the answered file goes (`.csv` or `.xlsx`).
    pub out: PathBuf,
    /// The test results cited.
    pub results: Results,
    /// Answer extractively even when `[ai]` names a model.
    pub offline: bool,
}

/// A questionnaire answered.
#[derive(Debug)]
pub struct QuestionnaireDone {
    /// Each question's proposal, in order.
    pub proposals: Vec<Proposal>,
    /// The model, or `None` for extractive answers.
    pub model: Option<String>,
    /// The answered file.
    pub written: PathBuf,
    /// The ledger entry recording the proposals (its hash).
    pub recorded: String,
}

/// Decisions recorded.
#[derive(Debug)]
pub struct Decided {
    /// Answers accepted (now in the library).
    pub accepted: usize,
    /// Proposals rejected.
    pub rejected: usize,
    /// Accepted answers the person changed.
    pub edited: usize,
    /// The ledger entry recording the decisions.
    pub recorded: String,
}

/// A proposal recorded earlier.
struct Earlier {
    sha: String,
    class: Class,
    text: String,
}

/// Text as it may leave the machine: secrets redacted by the locker's rules.
pub fn redact(s: &str) -> String {
    String::from_utf8_lossy(&assay_locker::redact::redact(s.as_bytes(), false).bytes).into_owned()
}

fn state(t: &assay_engine::assessment::TestOutcome, a: &Assessment) -> TestState {
    TestState {
        result: serde_json::to_value(t.result)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        exceptions: t.exception_count,
        as_of: format!("{}..{}", a.audit.period_start, a.audit.period_end),
    }
}

impl Project {
    /// The assessment whose results the passages carry.
    fn results(
        &self,
        r: &Results,
        progress: &dyn Progress,
    ) -> Result<Option<Assessment>, ProjectError> {
        match r {
            Results::None => Ok(None),
            Results::Stored(p) => self.stored_assessment(p).map(Some),
            Results::Fresh => match self.locker_if_any()? {
                None => Ok(None),
                Some(_) => self.assess(None, progress).map(Some),
            },
        }
    }

    /// Every passage of the workspace, with the tests' results from `assessment`.
    pub fn passages(&self, assessment: Option<&Assessment>) -> Result<Vec<Passage>, ProjectError> {
        let ws = self.workspace();
        let mut out = Vec::new();
        for p in &ws.policies {
            let path = self.root.join(&p.origin.file);
            let text = std::fs::read_to_string(&path).map_err(ProjectError::io(&path))?;
            if let Some((_, body, _)) = assay_core::policy::split_front_matter(&text) {
                out.extend(assay_ai::policy::passages(&p.meta.id, &p.meta.title, body));
            }
        }
        let mut results = BTreeMap::new();
        if let Some(a) = assessment {
            for c in &a.controls {
                for t in &c.tests {
                    results.insert(t.id.clone(), state(t, a));
                }
            }
        }
        for l in &ws.controls {
            let c = &l.control;
            let mut text = c.description.clone();
            if let Some(g) = &c.guidance {
                text.push_str(&format!("\nWhy: {}", g.why));
            }
            let mut p = Passage::new(
                Kind::Control,
                &c.id,
                &format!("{} {}", c.id, c.title),
                &text,
            );
            p.controls = vec![c.id.clone()];
            out.push(p);
            for t in &c.tests {
                let mut p = Passage::new(
                    Kind::Test,
                    &t.id,
                    &format!("{} (control {}: {})", t.id, c.id, c.title),
                    &t.procedure,
                );
                p.controls = vec![c.id.clone()];
                p.state = results.get(&t.id).cloned();
                out.push(p);
            }
        }
        for cr in &self.catalog.criteria {
            out.push(Passage::new(
                Kind::Criterion,
                &cr.id,
                &format!("{} {}", cr.id, cr.subject),
                &cr.summary,
            ));
            for (i, f) in cr.points_of_focus.iter().enumerate() {
                out.push(Passage::new(
                    Kind::PointOfFocus,
                    &format!("{}/{}", cr.id, i + 1),
                    &format!("{} point of focus {}", cr.id, i + 1),
                    f,
                ));
            }
        }
        if self.locker_if_any()?.is_some() {
            for row in self.evidence_in(&ws, None)? {
                let r = &row.entry.record;
                if r.kind.starts_with("assay-") {
                    continue;
                }
                let text = format!(
                    "Evidence of kind {} from {} ({}), collected {}{}.",
                    r.kind,
                    r.provenance.system,
                    r.provenance.locator,
                    r.collected_at,
                    match (&r.effective_from, &r.effective_to) {
                        (Some(f), Some(t)) => format!(", effective {f} to {t}"),
                        _ => String::new(),
                    }
                );
                out.push(Passage::new(
                    Kind::Evidence,
                    &r.blob,
                    &format!("{} evidence", r.kind),
                    &text,
                ));
            }
        }
        Ok(out)
    }

    /// The index over the workspace's passages.
    pub fn ai_index(
        &self,
        results: &Results,
        progress: &dyn Progress,
    ) -> Result<Index, ProjectError> {
        let a = self.results(results, progress)?;
        Ok(Index::new(self.passages(a.as_ref())?))
    }

    /// The model client of `[ai]`, or `None` when the provider is `none`. The API key is read
    /// from the environment variable `[ai] api_key_env` names.
    pub fn model_client(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<ModelClient>, ProjectError> {
        let config = assay_workspace::config::read(&self.root).map_err(|d| {
            ProjectError::Workspace(format!(
                "assay.toml has {} problem(s), the first: {}; run `assay validate`",
                d.len(),
                d.first().map(|d| d.message.clone()).unwrap_or_default()
            ))
        })?;
        let ai = config.ai;
        let Some(e) = ai.endpoint else {
            return Ok(None);
        };
        let api_key = match &e.api_key_env {
            None => None,
            Some(var) => Some(env(var).filter(|v| !v.is_empty()).ok_or_else(|| {
                ProjectError::Invalid(format!(
                    "[ai] api_key_env names `{var}`, which is not set; export it, or remove api_key_env for a server without keys"
                ))
            })?),
        };
        Ok(Some(ModelClient {
            base_url: e.base_url,
            model: e.model,
            api_key,
            timeout: Duration::from_secs(ai.timeout_seconds.max(1)),
            retries: ai.retries,
            backoff: Duration::from_millis(500),
            structured: if e.response_format == "json-object" {
                Structured::JsonObject
            } else {
                Structured::JsonSchema
            },
        }))
    }

    /// The answer library (empty when the file does not exist yet).
    pub fn answer_library(&self) -> Result<Library, ProjectError> {
        let path = self.root.join(LIBRARY);
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Library::default()),
            Err(e) => Err(ProjectError::io(&path)(e)),
            Ok(t) => serde_json::from_str(&t).map_err(|e| {
                ProjectError::Invalid(format!(
                    "{}: {e}; fix the JSON or restore it from git",
                    path.display()
                ))
            }),
        }
    }

    /// The exact requests a questionnaire would send to the model, redacted, without sending
    /// anything (`--dry-run`). Fails when `[ai]` names no model.
    pub fn questionnaire_requests(
        &self,
        req: &QuestionnaireRequest,
        env: &dyn Fn(&str) -> Option<String>,
        progress: &dyn Progress,
    ) -> Result<Vec<serde_json::Value>, ProjectError> {
        let Some(client) = self.model_client(env)? else {
            return Err(ProjectError::Invalid(
                "[ai] provider is `none`: nothing leaves the machine, so there is nothing to show; answers are extractive".into(),
            ));
        };
        let mut book = sheet::read(&req.input)?;
        let index = self.ai_index(&req.results, progress)?;
        let s = questionnaire::question_sheet(&mut book, &req.column, &req.input)?;
        let q = s.column(&req.column).unwrap_or(0);
        Ok(s.rows
            .iter()
            .map(|r| r[q].trim())
            .filter(|q| !q.is_empty())
            .map(|q| questionnaire::request(&client, &index, q, &redact))
            .collect())
    }

    /// Answers a questionnaire into `req.out` and records the proposals in the ledger.
    pub fn answer_questionnaire(
        &self,
        req: &QuestionnaireRequest,
        env: &dyn Fn(&str) -> Option<String>,
        progress: &dyn Progress,
    ) -> Result<QuestionnaireDone, ProjectError> {
        let mut book = sheet::read(&req.input)?;
        questionnaire::question_sheet(&mut book, &req.column, &req.input)?;
        let client = if req.offline {
            None
        } else {
            self.model_client(env)?
        };
        let library = self.answer_library()?;
        let index = self.ai_index(&req.results, progress)?;
        let mode = match &client {
            Some(c) => Mode::Model(c),
            None => Mode::Extractive,
        };
        progress.start("Answering", 0, crate::Unit::Questions);
        let answerer = questionnaire::Answerer {
            index: &index,
            library: &library,
            mode,
            redact: &redact,
        };
        let proposals = answerer.answer_book(
            &mut book,
            &req.column,
            &|i, n| progress.update(i as u64, &format!("question {i} of {n}")),
            &req.input,
        )?;
        progress.finish();
        sheet::write(&req.out, &book)?;
        let record = json!({
            "schema": "assay.ai-proposals/v1",
            "questionnaire": req.input.file_name().map(|f| f.to_string_lossy().into_owned()),
            "model": client.as_ref().map(|c| c.model.clone()),
            "mode": if client.is_some() { "model" } else { "extractive" },
            "proposals": proposals,
        });
        let bytes =
            serde_json::to_vec_pretty(&record).map_err(|e| ProjectError::Invalid(e.to_string()))?;
        let entry = self.record_activity(PROPOSALS, "assay-questionnaire", &bytes)?;
        Ok(QuestionnaireDone {
            proposals,
            model: client.map(|c| c.model),
            written: req.out.clone(),
            recorded: entry.hash(),
        })
    }

    /// Records the decisions a person made in an answered questionnaire (`Status` set to
    /// `accepted` or `rejected`): accepted answers enter the library and, with the
    /// rejections, the ledger. Every cited source must exist in the workspace; nothing is
    /// recorded otherwise.
    pub fn accept_answers(
        &self,
        path: &Path,
        column: &str,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<Decided, ProjectError> {
        let mut book = sheet::read(path)?;
        let decisions = assay_ai::decision::decisions(&mut book, column, path)?;
        if decisions.is_empty() {
            return Err(ProjectError::Invalid(format!(
                "{}: no row has `Status` accepted or rejected; set it for each answer you decided on",
                path.display()
            )));
        }
        let index = self.ai_index(&Results::None, &crate::Silent)?;
        let proposals = self.proposals_by_sha()?;
        let mut problems = Vec::new();
        for d in &decisions {
            for s in &d.sources {
                if index.get(s).is_none() {
                    problems.push(format!(
                        "{}: {}, column `Sources`: `{s}` is not a passage of the workspace; cite a policy section, control or test id, or remove it",
                        path.display(),
                        d.at
                    ));
                }
            }
        }
        if !problems.is_empty() {
            let n = problems.len();
            return Err(ProjectError::Rejected {
                problems,
                summary: format!("{n} source(s) do not resolve; nothing was recorded"),
            });
        }
        let mut library = self.answer_library()?;
        let (mut accepted, mut rejected, mut edited) = (0, 0, 0);
        let mut records = Vec::new();
        for d in &decisions {
            let citations: Vec<_> = d
                .sources
                .iter()
                .filter_map(|s| index.get(s))
                .map(assay_ai::extractive::cite)
                .collect();
            let proposal = proposals
                .iter()
                .find(|p| !d.proposal.is_empty() && p.sha.starts_with(&d.proposal));
            let changed = proposal.is_none_or(|p| p.class != d.class || p.text != d.answer);
            if d.accepted {
                accepted += 1;
                edited += usize::from(changed);
                library.put(Accepted {
                    question: d.question.clone(),
                    class: d.class,
                    answer: d.answer.clone(),
                    citations: citations.clone(),
                    accepted_by: by.to_string(),
                    accepted_at: now.to_string(),
                    proposal: proposal.map(|p| p.sha.clone()),
                    edited: changed,
                });
            } else {
                rejected += 1;
            }
            records.push(json!({
                "at": d.at,
                "question": d.question,
                "decision": if d.accepted { "accepted" } else { "rejected" },
                "class": d.class.name(),
                "answer": d.answer,
                "citations": citations,
                "proposal": proposal.map(|p| p.sha.clone()),
                "edited": changed,
            }));
        }
        let bytes = serde_json::to_vec_pretty(&json!({
            "schema": "assay.ai-decisions/v1",
            "questionnaire": path.file_name().map(|f| f.to_string_lossy().into_owned()),
            "decided_by": by,
            "decided_at": now.to_string(),
            "decisions": records,
        }))
        .map_err(|e| ProjectError::Invalid(e.to_string()))?;
        let entry = self.record_activity(DECISIONS, "assay-questionnaire", &bytes)?;
        let lib = self.root.join(LIBRARY);
        if let Some(dir) = lib.parent() {
            std::fs::create_dir_all(dir).map_err(ProjectError::io(dir))?;
        }
        let text = serde_json::to_string_pretty(&library)
            .map_err(|e| ProjectError::Invalid(e.to_string()))?;
        let tmp = lib.with_extension("json.partial");
        std::fs::write(&tmp, text + "\n").map_err(ProjectError::io(&tmp))?;
        std::fs::rename(&tmp, &lib).map_err(ProjectError::io(&lib))?;
        Ok(Decided {
            accepted,
            rejected,
            edited,
            recorded: entry.hash(),
        })
    }

    /// Every proposal in the ledger: its SHA-256, class and text.
    fn proposals_by_sha(&self) -> Result<Vec<Earlier>, ProjectError> {
        let mut out = Vec::new();
        let Some(locker) = self.locker_if_any()? else {
            return Ok(out);
        };
        for row in self.evidence(Some(PROPOSALS))? {
            let bytes = locker.blob_store().get(&row.entry.record.blob)?;
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            for p in v["proposals"].as_array().into_iter().flatten() {
                let (Some(sha), Some(class), Some(text)) = (
                    p["sha256"].as_str(),
                    p["answer"]["class"].as_str().and_then(Class::parse),
                    p["answer"]["text"].as_str(),
                ) else {
                    continue;
                };
                out.push(Earlier {
                    sha: sha.to_string(),
                    class,
                    text: text.to_string(),
                });
            }
        }
        Ok(out)
    }

    /// Answers a labelled question set (`id,question,class,sources` CSV) and scores the
    /// answers: extractive when `offline` or when `[ai]` names no model.
    pub fn evaluate_answers(
        &self,
        set: &Path,
        results: &Results,
        offline: bool,
        env: &dyn Fn(&str) -> Option<String>,
        progress: &dyn Progress,
    ) -> Result<(eval::Report, Option<String>), ProjectError> {
        let labelled = eval::read(set)?;
        let client = if offline {
            None
        } else {
            self.model_client(env)?
        };
        let index = self.ai_index(results, progress)?;
        let mode = match &client {
            Some(c) => Mode::Model(c),
            None => Mode::Extractive,
        };
        let empty = Library::default();
        let answerer = questionnaire::Answerer {
            index: &index,
            library: &empty,
            mode,
            redact: &redact,
        };
        progress.start("Answering", labelled.len() as u64, crate::Unit::Questions);
        let mut answers = Vec::new();
        for l in &labelled {
            let (a, _, _) = answerer.propose(&l.question);
            debug_assert!(a.origin != Origin::Library);
            answers.push(a);
            progress.update(answers.len() as u64, "");
        }
        progress.finish();
        Ok((
            eval::score(&labelled, &answers, &index),
            client.map(|c| c.model),
        ))
    }
}
