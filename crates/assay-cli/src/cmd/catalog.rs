//! `assay catalog`: the Trust Services Criteria, the default controls, policy templates,
//! framework requirements and crosswalks.

use crate::cli::CatalogCommand;
use crate::output::{self, Style};
use crate::Outcome;
use anyhow::bail;
use assay_catalog::lookup::Found;
use assay_catalog::Catalog;
use assay_core::{criterion::sort_key, Category};
use serde_json::json;

fn category(arg: &Option<String>) -> anyhow::Result<Option<Category>> {
    arg.as_deref()
        .map(|c| c.parse::<Category>())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--category: {e}"))
}

fn table(header: Vec<&str>) -> comfy_table::Table {
    let mut t = output::table(header);
    t.set_width(120);
    t
}

pub fn run(cmd: CatalogCommand, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let color = output::stdout_color();
    match cmd {
        CatalogCommand::Criteria {
            category: cat,
            json,
        } => {
            let list = catalog.criteria_of(category(&cat)?);
            if json {
                output::json(&json!({ "schema": "assay.criteria/v1", "criteria": list }))?;
            } else {
                let mut t = table(vec!["id", "category", "series", "subject"]);
                for c in &list {
                    t.add_row(vec![
                        c.id.as_str(),
                        c.category.title(),
                        &format!("{} {}", c.series, c.series_title),
                        &c.subject,
                    ]);
                }
                println!("{t}\n{} criteria", list.len());
            }
        }
        CatalogCommand::Show { id, json } => match catalog.lookup(&id) {
            Some(Found::Criterion { criterion: c, controls }) => {
                if json {
                    output::json(&json!({
                        "schema": "assay.criterion/v1",
                        "criterion": c,
                        "default_controls": controls.iter().map(|l| json!({"id": l.control, "rationale": l.rationale})).collect::<Vec<_>>(),
                    }))?;
                } else {
                    println!(
                        "{} {}",
                        output::paint(&c.id, Style::Strong, color),
                        c.subject
                    );
                    println!("{} · {} {}\n", c.category.title(), c.series, c.series_title);
                    println!("{}\n", c.summary);
                    println!("{}", output::paint("Points of focus", Style::Strong, color));
                    for p in &c.points_of_focus {
                        println!("  - {p}");
                    }
                    println!(
                        "\n{}",
                        output::paint("Default controls mapped to it", Style::Strong, color)
                    );
                    for l in &controls {
                        println!("  {:<7} {}", l.control, l.rationale);
                    }
                }
            }
            Some(Found::Control(lc)) => {
                if json {
                    output::json(
                        &json!({ "schema": "assay.control/v1", "control": lc.control, "policies": lc.policies }),
                    )?;
                } else {
                    print!("{}", assay_workspace::render::control_yaml(&lc.control));
                }
            }
            Some(Found::Requirement {
                framework: f,
                requirement: r,
            }) => {
                if json {
                    let links: Vec<_> = f.links_to(&r.id).collect();
                    let gaps: Vec<_> = f.gaps_for(&r.id).collect();
                    output::json(
                        &json!({ "schema": "assay.requirement/v1", "framework": f.id, "requirement": r, "links": links, "gaps": gaps }),
                    )?;
                } else {
                    print!("{}", assay_catalog::framework::describe(f, r));
                }
            }
            None => bail!("`{id}` is not a criterion, a default control or a framework requirement; `assay catalog criteria` and `assay catalog controls` list them"),
        },
        CatalogCommand::Controls {
            category: cat,
            json,
        } => {
            let list = catalog.controls_of(category(&cat)?);
            if json {
                let controls: Vec<_> = list
                    .iter()
                    .map(|lc| json!({"control": lc.control, "policies": lc.policies}))
                    .collect();
                output::json(&json!({ "schema": "assay.controls/v1", "controls": controls }))?;
            } else {
                let mut t = table(vec!["id", "title", "frequency", "nature", "criteria"]);
                for lc in &list {
                    let c = &lc.control;
                    let mut ids: Vec<&str> = c.criterion_ids().collect();
                    ids.sort_by_key(|i| sort_key(i));
                    t.add_row(vec![
                        c.id.clone(),
                        c.title.clone(),
                        format!("{:?}", c.frequency).to_lowercase(),
                        format!("{:?}", c.nature).to_lowercase(),
                        ids.join(" "),
                    ]);
                }
                println!("{t}\n{} controls", list.len());
            }
        }
        CatalogCommand::Policies { json } => {
            if json {
                let list: Vec<_> = catalog
                    .policies
                    .iter()
                    .map(|p| json!({"id": p.meta.id, "title": p.meta.title, "file": p.file_name, "owner": p.meta.owner, "criteria": p.meta.criteria}))
                    .collect();
                output::json(&json!({ "schema": "assay.policies/v1", "policies": list }))?;
            } else {
                let mut t = table(vec!["id", "title", "owner", "criteria"]);
                for p in &catalog.policies {
                    t.add_row(vec![
                        p.meta.id.clone(),
                        p.meta.title.clone(),
                        p.meta.owner.clone(),
                        p.meta.criteria.join(" "),
                    ]);
                }
                println!("{t}\n{} policies", catalog.policies.len());
            }
        }
        CatalogCommand::Crosswalk { from, to, csv } => {
            let render = if csv {
                assay_catalog::crosswalk::csv
            } else {
                assay_catalog::crosswalk::text
            };
            print!("{}", render(catalog, &from, &to)?);
        }
    }
    Ok(Outcome::Ok)
}
