//! `assay questionnaire answer | accept | eval`, `assay policy review` and `assay vendor
//! review`: print what the
//! pipeline's AI assistance (`assay_project::ai`, `assay_project::review`) proposed, recorded
//! or measured.

use crate::cli::{PolicyCommand, QuestionnaireCommand, VendorCommand};
use crate::output::{self, plural};
use crate::Outcome;
use assay_ai::answer::Class;
use assay_project::ai::{QuestionnaireRequest, Results};
use std::path::Path;

fn results(assessment: Option<std::path::PathBuf>) -> Results {
    assessment.map_or(Results::Fresh, Results::Stored)
}

pub fn run(root: &Path, c: QuestionnaireCommand) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let env = |k: &str| std::env::var(k).ok();
    match c {
        QuestionnaireCommand::Answer {
            file,
            question_column,
            out,
            assessment,
            offline,
            dry_run,
            json,
        } => {
            let out = out.unwrap_or_else(|| {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = file
                    .extension()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                file.with_file_name(format!("{stem}.answered.{ext}"))
            });
            let req = QuestionnaireRequest {
                input: file,
                column: question_column,
                out,
                results: results(assessment),
                offline,
            };
            if dry_run {
                for body in project.questionnaire_requests(&req, &env, &output::Bars::default())? {
                    println!("{body}");
                }
                return Ok(Outcome::Ok);
            }
            let done = project.answer_questionnaire(&req, &env, &output::Bars::default())?;
            if json {
                output::json(&serde_json::json!({
                    "schema": "assay.questionnaire/v1",
                    "model": done.model,
                    "written": done.written,
                    "recorded": done.recorded,
                    "proposals": done.proposals,
                }))?;
                return Ok(Outcome::Ok);
            }
            let count = |c: Class| {
                done.proposals
                    .iter()
                    .filter(|p| p.answer.class == c)
                    .count()
            };
            println!(
                "Answered {} ({}): {} yes, {} partial, {} no, {} needs info",
                plural(done.proposals.len(), "question"),
                match &done.model {
                    Some(m) => format!("model {m}"),
                    None => "extractive: no model was used".into(),
                },
                count(Class::Yes),
                count(Class::Partial),
                count(Class::No),
                count(Class::NeedsInfo)
            );
            let notes: usize = done.proposals.iter().map(|p| p.answer.notes.len()).sum();
            if notes > 0 {
                println!("{} for the reviewer (see --json)", plural(notes, "note"));
            }
            println!("Wrote {}", done.written.display());
            println!(
                "Proposals recorded in the ledger (entry {})",
                &done.recorded[..16]
            );
            println!("Review each answer, set Status to accepted or rejected, then run `assay questionnaire accept`.");
            Ok(Outcome::Ok)
        }
        QuestionnaireCommand::Accept {
            file,
            question_column,
            by,
        } => {
            let by = by.or_else(|| env("USER")).ok_or_else(|| {
                anyhow::anyhow!("say who decided with --by NAME ($USER is not set)")
            })?;
            let now = assay_project::inputs::now()?;
            let done = project
                .accept_answers(&file, &question_column, &by, now)
                .map_err(output::rejected)?;
            println!(
                "Recorded {} accepted ({} edited) and {} rejected by {by} (ledger entry {})",
                done.accepted,
                done.edited,
                done.rejected,
                &done.recorded[..16]
            );
            println!("Accepted answers are in {}", assay_project::ai::LIBRARY);
            Ok(Outcome::Ok)
        }
        QuestionnaireCommand::Eval {
            file,
            assessment,
            offline,
            json,
        } => {
            let (r, model) = project.evaluate_answers(
                &file,
                &results(assessment),
                offline,
                &env,
                &output::Bars::default(),
            )?;
            if json {
                let mut v = serde_json::to_value(&r)?;
                v["model"] = serde_json::json!(model);
                output::json(&v)?;
            } else {
                println!(
                    "{} ({})",
                    plural(r.questions, "question"),
                    model.as_deref().unwrap_or("extractive")
                );
                println!(
                    "class accuracy, answerable ({}): {:.1}%",
                    r.answerable,
                    r.class_accuracy_answerable * 100.0
                );
                println!("class accuracy, all: {:.1}%", r.class_accuracy * 100.0);
                println!(
                    "citation precision: {:.1}%  recall: {:.1}%",
                    r.citation_precision * 100.0,
                    r.citation_recall * 100.0
                );
                println!("needs info: {:.1}%", r.needs_info_rate * 100.0);
                println!(
                    "citations that do not resolve: {}; dropped by the check: {}",
                    r.unresolved_citations, r.dropped_citations
                );
            }
            Ok(if r.unresolved_citations > 0 {
                Outcome::Findings
            } else {
                Outcome::Ok
            })
        }
    }
}

pub fn policy(root: &Path, c: PolicyCommand) -> anyhow::Result<Outcome> {
    use assay_ai::review::Cover;
    let PolicyCommand::Review { files, all, json } = c;
    let project = super::project(root)?;
    let r = project.review_policies(&files)?;
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.policy-review/v1",
            "mode": "extractive",
            "documents": r.documents,
            "recorded": r.recorded,
            "criteria": r.criteria,
        }))?;
        return Ok(Outcome::Ok);
    }
    let points: Vec<_> = r
        .criteria
        .iter()
        .flat_map(|c| c.points.iter().map(move |p| (c, p)))
        .collect();
    let count = |k: Cover| points.iter().filter(|(_, p)| p.cover == k).count();
    println!(
        "Reviewed {} against {} criteria (extractive: no model was used)",
        plural(r.documents.len(), "document"),
        r.criteria.len()
    );
    println!(
        "Points of focus: {} covered, {} partial, {} missing",
        count(Cover::Covered),
        count(Cover::Partial),
        count(Cover::Missing)
    );
    for (c, p) in points
        .iter()
        .filter(|(_, p)| all || p.cover != Cover::Covered)
    {
        let cover = match p.cover {
            Cover::Covered => "covered",
            Cover::Partial => "partial",
            Cover::Missing => "missing",
        };
        let text: String = p.text.chars().take(90).collect();
        println!(
            "{:<7} {cover:<8} {:>3.0}%  {text}",
            format!("{}/{}", c.id, p.number),
            p.score * 100.0
        );
        for cit in &p.citations {
            println!("                         {}", cit.id);
        }
        if !p.proposed_controls.is_empty() {
            println!(
                "                         link? {}",
                p.proposed_controls.join(", ")
            );
        }
    }
    println!(
        "Proposals recorded in the ledger (entry {})",
        &r.recorded[..16]
    );
    Ok(Outcome::Ok)
}

pub fn vendor(root: &Path, c: VendorCommand) -> anyhow::Result<Outcome> {
    let VendorCommand::Review { file, vendor, json } = c;
    let project = super::project(root)?;
    let r = project.review_vendor_report(&file, vendor.as_deref())?;
    if json {
        let mut v = serde_json::to_value(&r)?;
        v["schema"] = serde_json::json!("assay.vendor-review/v1");
        v["mode"] = serde_json::json!("extractive");
        output::json(&v)?;
        return Ok(Outcome::Ok);
    }
    println!(
        "{} (SHA-256 {}): proposed facts, extractive (no model was used); check each against its line",
        r.document,
        &r.sha256[..16]
    );
    let one = |name: &str, v: &Option<assay_ai::vendor::Read<String>>| match v {
        Some(x) => println!("  {name:<13} {:<28} line {}", x.value, x.line),
        None => println!("  {name:<13} not found"),
    };
    if let Some(p) = &r.pentest {
        one("tester", &p.tester);
        one("tested from", &p.tested_from);
        one("tested to", &p.tested_to);
        let counts: Vec<String> = p
            .by_severity
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        println!(
            "  findings      {} ({})",
            p.findings.len(),
            counts.join(", ")
        );
        for x in &p.findings {
            println!("    line {:<5} {}", x.line, x.value);
        }
    }
    if let Some(f) = &r.facts {
        one("report", &f.report);
        one("period start", &f.period_start);
        one("period end", &f.period_end);
        one("auditor", &f.auditor);
        one("opinion", &f.opinion);
        println!("  exceptions    {}", f.exceptions.len());
        for e in &f.exceptions {
            println!("    line {:<5} {}", e.line, e.value);
        }
        println!("  CUECs         {}", f.cuecs.len());
        for c in &f.cuecs {
            println!("    line {:<5} {}", c.line, c.value);
        }
    }
    println!(
        "Proposal recorded in the ledger (entry {})",
        &r.recorded[..16]
    );
    Ok(Outcome::Ok)
}
