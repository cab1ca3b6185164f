//! The draft SOC 2 report: Section I (service auditor's report with the draft opinion and
//! its basis), II (management's assertion), III (system description following the DC 200
//! headings, from `assay.toml` and the inventory), IV (criteria, controls, tests performed
//! and results, with management's responses) and V (other information). Watermarked DRAFT.

use crate::doc::{Block, Doc};
use crate::readiness::{period, title_case};
use crate::soc2_text::{self as text, Facts, ReportType};
use crate::Context;
use assay_engine::assessment::{Method, TestOutcome, Verdict};

fn paragraphs(t: &str) -> Vec<Block> {
    t.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::Para(p.to_string()))
        .collect()
}

/// What each category commits the system to, in words for Section III.
fn commitment(category: &str) -> &'static str {
    match category {
        "security" => "Security: the system and the customer data it holds are protected against unauthorized access, use and disclosure, and against damage that could compromise its availability, integrity, confidentiality or privacy.",
        "availability" => "Availability: the system is available for operation and use as committed in customer agreements and service level objectives, with capacity, backups and recovery to meet them.",
        "processing-integrity" => "Processing integrity: processing is complete, valid, accurate, timely and authorized, as specified to customers.",
        "confidentiality" => "Confidentiality: information designated as confidential is protected from collection to disposal as committed.",
        "privacy" => "Privacy: personal information is collected, used, retained, disclosed and disposed of in line with the privacy notice and commitments.",
        _ => "",
    }
}

fn tested_how(t: &TestOutcome) -> String {
    match t.method {
        Method::Population => format!(
            "Inspected the whole population ({} items){}.",
            t.population.as_ref().map_or(0, |p| p.rows),
            t.population
                .as_ref()
                .map(|p| format!(" from {}", p.tables.join(", ")))
                .unwrap_or_default()
        ),
        Method::Calendar => format!(
            "Inspected the occurrences against the control's calendar ({} windows).",
            t.calendar.as_ref().map_or(0, |c| c.expected.len())
        ),
        Method::Sample => t
            .sample
            .as_ref()
            .map(|s| {
                format!(
                    "Inspected a sample of {} of {} items (seed {}).",
                    s.items.len(),
                    s.population,
                    s.seed
                )
            })
            .unwrap_or_else(|| "Inquiry and inspection.".into()),
    }
}

fn result_text(t: &TestOutcome, responses: &dyn Fn(&str) -> Option<String>) -> String {
    let mut s = match t.result {
        Verdict::Effective => "No exceptions noted.".to_string(),
        Verdict::NotTested => format!("Not tested. {}", t.statement),
        Verdict::Error => format!("Not performed: {}", t.statement),
        _ => {
            let keys: Vec<&str> = t
                .exceptions
                .iter()
                .take(5)
                .map(|e| e.key.as_str())
                .collect();
            format!(
                "Exceptions noted: {}{}",
                t.statement,
                if keys.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Items: {}{}.",
                        keys.join(", "),
                        if t.exception_count > keys.len() {
                            ", …"
                        } else {
                            ""
                        }
                    )
                }
            )
        }
    };
    if let Some(r) = responses(&t.id) {
        s.push_str(&format!("\nManagement's response: {r}"));
    }
    s
}

/// The report as a document.
pub fn doc(cx: &Context<'_>) -> Doc {
    let a = cx.assessment;
    let org = cx.legal_name.unwrap_or(&cx.scope.organization);
    let type1 = a.audit.audit_type == "type1";
    let categories: Vec<&str> = a.categories.iter().map(String::as_str).collect();
    let carved: Vec<&str> = cx
        .inventory
        .vendors
        .iter()
        .filter(|v| v.subservice && v.method.as_deref() == Some("carve-out"))
        .map(|v| v.name.as_str())
        .collect();
    let facts = Facts {
        organization: org,
        system: &cx.scope.system_name,
        report_type: if type1 {
            ReportType::Type1
        } else {
            ReportType::Type2
        },
        period_start: &a.audit.period_start,
        period_end: &a.audit.period_end,
        categories: &categories,
        subservice: &carved,
        has_cuecs: !cx.inventory.cuecs.is_empty(),
    };
    let kind = a.opinion.kind;
    let responses = |test: &str| {
        a.findings
            .iter()
            .find(|f| f.test.as_deref() == Some(test))
            .and_then(|f| f.triage.as_ref())
            .and_then(|t| t.response.clone())
    };
    let mut b = vec![Block::Notice(text::draft_notice())];
    if cx.evidence_count == 0 {
        b.push(Block::Notice("No evidence for the tests has been stored in the locker (nothing fills the evidence tables): no test of operating effectiveness could be performed, and the draft opinion below reflects that scope limitation.".into()));
    }

    b.push(Block::Heading(
        1,
        "Section I: Independent service auditor's report (draft)".into(),
    ));
    // Deviations and scope limitations stay apart from the assessment into the text.
    let remaining: Vec<String> = a
        .engagement
        .remaining
        .iter()
        .map(|r| format!("{}: {}", r.criterion, r.work.join("; ")))
        .collect();
    let matters = text::Matters {
        deviations: &a.opinion.deviations,
        limitations: &a.opinion.limitations,
        except_for: &a.opinion.except_for,
        remaining: &remaining,
    };
    b.extend(paragraphs(&text::section1_opinion(&facts, kind, &matters)));
    b.push(Block::Facts(vec![
        (
            "Examination".into(),
            format!(
                "{} (rule {})",
                a.engagement.state.as_str(),
                a.engagement.rule
            ),
        ),
        (
            "Draft opinion".into(),
            format!("{} (rule {})", a.opinion.kind, a.opinion.rule),
        ),
        (
            "Pervasiveness".into(),
            if a.opinion.pervasiveness.is_empty() {
                "not judged (nothing to judge, or the examination is not concluded)".into()
            } else {
                a.opinion.pervasiveness.join(" ")
            },
        ),
        (
            "Computed from".into(),
            a.ledger
                .as_ref()
                .map(|l| format!("ledger size {}, Merkle root {}", l.size, l.root))
                .unwrap_or_else(|| "no evidence locker".into()),
        ),
        (
            "Generated by".into(),
            format!(
                "{} (judgment rules version {})",
                a.generator, a.rules_version
            ),
        ),
    ]));

    b.push(Block::Heading(
        1,
        "Section II: Management's assertion".into(),
    ));
    b.extend(paragraphs(&text::section2_assertion(
        &facts, kind, &matters,
    )));

    b.push(Block::Heading(
        1,
        "Section III: Description of the system".into(),
    ));
    b.extend(paragraphs(&text::section3_intro(&facts)));
    b.push(Block::Heading(2, "Services provided".into()));
    b.push(Block::Para(
        if cx.scope.system_description.trim().is_empty() {
            text::proofread(&format!(
                "{} is operated by {org}. (Add a description under [system] in assay.toml.)",
                cx.scope.system_name
            ))
        } else {
            cx.scope.system_description.trim().to_string()
        },
    ));
    b.push(Block::Heading(
        2,
        "Principal service commitments and system requirements".into(),
    ));
    b.push(Block::Para(format!("{org} makes commitments to its customers in its agreements and public documentation, and has established system requirements to meet them, for the {} categories:", text::categories_phrase(&categories))));
    b.push(Block::List(
        categories
            .iter()
            .map(|c| commitment(c).to_string())
            .filter(|c| !c.is_empty())
            .collect(),
    ));
    b.push(Block::Heading(2, "Components of the system".into()));
    b.push(Block::Heading(3, "Infrastructure and software".into()));
    let systems: Vec<Vec<String>> = cx
        .inventory
        .systems
        .iter()
        .filter(|s| s.in_scope)
        .map(|s| {
            vec![
                s.name.clone(),
                s.kind.clone(),
                s.description.clone(),
                s.hosting.clone().unwrap_or_default(),
                s.owner.clone(),
            ]
        })
        .collect();
    if systems.is_empty() {
        b.push(Block::Para(
            "The inventory lists no in-scope systems yet (inventory/systems.yaml).".into(),
        ));
    } else {
        b.push(Block::Table {
            header: ["system", "kind", "description", "hosting", "owner"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: systems,
        });
    }
    b.push(Block::Heading(3, "People".into()));
    let people: Vec<String> = cx
        .inventory
        .teams
        .iter()
        .map(|t| format!("{} ({} people): {}", t.name, t.headcount, t.description))
        .chain(
            cx.inventory
                .roles
                .iter()
                .map(|r| format!("{}: {}", r.title, r.responsibilities)),
        )
        .collect();
    b.push(if people.is_empty() {
        Block::Para("The inventory lists no teams or roles yet.".into())
    } else {
        Block::List(people)
    });
    b.push(Block::Heading(3, "Procedures".into()));
    let approved = cx
        .policies
        .iter()
        .filter(|p| p.status == "approved")
        .count();
    b.push(Block::Para(if approved == cx.policies.len() {
        format!("{org} documents its procedures in the following policies, each owned, approved by management and reviewed on a stated cycle:")
    } else {
        format!(
            "{org} documents its procedures in the following policies, each owned and reviewed on a stated cycle. {} of {} are approved by management; the others are shown with their status and are not yet in force:",
            approved,
            cx.policies.len()
        )
    }));
    b.push(Block::Table {
        header: [
            "policy",
            "version",
            "owner",
            "status",
            "approved",
            "review cycle",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: cx
            .policies
            .iter()
            .map(|p| {
                vec![
                    format!("{} {}", p.id, p.title),
                    p.version.clone(),
                    p.owner.clone(),
                    p.status.clone(),
                    p.approved.map(|d| d.to_string()).unwrap_or_default(),
                    p.review_cycle.clone(),
                ]
            })
            .collect(),
    });
    b.push(Block::Heading(3, "Data".into()));
    let stores: Vec<Vec<String>> = cx
        .inventory
        .data_stores
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.classification.clone(),
                if d.personal_data {
                    "yes".into()
                } else {
                    "no".into()
                },
                if d.encrypted_at_rest {
                    "yes".into()
                } else {
                    "no".into()
                },
                d.location.clone(),
            ]
        })
        .collect();
    if stores.is_empty() {
        b.push(Block::Para(
            "The inventory lists no data stores yet.".into(),
        ));
    } else {
        b.push(Block::Table {
            header: [
                "data store",
                "classification",
                "personal data",
                "encrypted at rest",
                "location",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: stores,
        });
    }
    b.push(Block::Heading(2, "System boundaries".into()));
    let out_of_scope: Vec<String> = cx
        .inventory
        .systems
        .iter()
        .filter(|s| !s.in_scope)
        .map(|s| s.name.clone())
        .collect();
    b.push(Block::Para(format!(
        "The system comprises the in-scope components listed above.{}",
        if out_of_scope.is_empty() {
            String::new()
        } else {
            format!(" Outside the boundary: {}.", out_of_scope.join(", "))
        }
    )));
    b.push(Block::Heading(
        2,
        "Subservice organizations and their controls".into(),
    ));
    let subs: Vec<Vec<String>> = cx
        .inventory
        .vendors
        .iter()
        .filter(|v| v.subservice)
        .flat_map(|v| {
            let method = v.method.clone().unwrap_or_default();
            let list: Vec<Vec<String>> = v
                .csocs
                .iter()
                .map(|c| {
                    vec![
                        v.name.clone(),
                        method.clone(),
                        c.description.clone(),
                        c.criteria.join(", "),
                    ]
                })
                .collect();
            if list.is_empty() {
                vec![vec![
                    v.name.clone(),
                    method,
                    v.service.clone(),
                    String::new(),
                ]]
            } else {
                list
            }
        })
        .collect();
    if subs.is_empty() {
        b.push(Block::Para("No subservice organizations are used.".into()));
    } else {
        b.push(Block::Table {
            header: [
                "subservice organization",
                "method",
                "complementary subservice organization control",
                "criteria",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: subs,
        });
    }
    b.push(Block::Heading(
        2,
        "Complementary user entity controls".into(),
    ));
    if cx.inventory.cuecs.is_empty() {
        b.push(Block::Para(
            "The system is designed with no complementary user entity controls.".into(),
        ));
    } else {
        b.push(Block::Table {
            header: vec![
                "id".into(),
                "user entity responsibility".into(),
                "criteria".into(),
            ],
            rows: cx
                .inventory
                .cuecs
                .iter()
                .map(|c| vec![c.id.clone(), c.description.clone(), c.criteria.join(", ")])
                .collect(),
        });
    }
    b.push(Block::Heading(
        2,
        "Incidents and significant changes during the period".into(),
    ));
    let rows_of = |id: &str| {
        a.controls
            .iter()
            .flat_map(|c| &c.tests)
            .find(|t| t.id == id)
            .and_then(|t| t.population.as_ref())
            .map(|p| p.rows)
    };
    // Significant incidents are described one by one (DC 200), not counted.
    let rank = a
        .parameters
        .get("significant_incident_severities")
        .cloned()
        .unwrap_or_else(|| "2".into());
    if a.significant_incidents.is_empty() {
        b.push(Block::Para(format!(
            "No incident of severity rank {rank} or worse (1 = sev1/critical, 2 = sev2/high) was recorded in the incident register during the {}.",
            if type1 { "period up to the date" } else { "period" }
        )));
    } else {
        b.push(Block::Para(format!(
            "Significant incidents (severity rank {rank} or worse, 1 = sev1/critical, 2 = sev2/high) recorded in the incident register during the {}, with their resolution:",
            if type1 { "period up to the date" } else { "period" }
        )));
        b.push(Block::Table {
            header: vec![
                "incident".into(),
                "severity".into(),
                "what happened".into(),
                "opened".into(),
                "resolved".into(),
                "post-mortem".into(),
            ],
            rows: a
                .significant_incidents
                .iter()
                .map(|i| {
                    vec![
                        i.key.clone(),
                        i.severity.clone(),
                        i.title
                            .clone()
                            .unwrap_or_else(|| "not described in the register".into()),
                        i.opened.clone(),
                        i.closed.clone().unwrap_or_else(|| "still open".into()),
                        i.postmortem.clone().unwrap_or_else(|| "none".into()),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::List(vec![
        match rows_of("INC-02.3") {
            Some(n) => format!("{n} incidents were recorded in the incident register during the {} (population of test INC-02.3).", if type1 { "period up to the date" } else { "period" }),
            None => "The incident register was not available as evidence.".into(),
        },
        match rows_of("CHG-01.1") {
            Some(n) => format!("{n} changes to production were merged during the period (population of test CHG-01.1)."),
            None => "Change records were not available as evidence.".into(),
        },
    ]));

    b.push(Block::Heading(
        1,
        "Section IV: Trust services criteria, controls, tests and results".into(),
    ));
    b.extend(paragraphs(&text::section4_intro(&facts)));
    for cat in &a.categories {
        b.push(Block::Heading(2, title_case(cat)));
        for k in a.criteria.iter().filter(|k| &k.category == cat) {
            let summary = cx
                .criteria
                .iter()
                .find(|c| c.id == k.id)
                .map(|c| c.summary.clone())
                .unwrap_or_default();
            b.push(Block::Heading(3, format!("{}: {}", k.id, summary)));
            let mut rows = Vec::new();
            for cid in &k.controls {
                let Some(c) = a.controls.iter().find(|c| &c.id == cid) else {
                    continue;
                };
                for t in &c.tests {
                    let procedure = if type1 {
                        "Inquired and inspected the design and implementation.".to_string()
                    } else if matches!(t.result, Verdict::NotTested | Verdict::Error) {
                        t.procedure.clone()
                    } else {
                        format!("{} {}", tested_how(t), t.procedure)
                    };
                    rows.push(vec![
                        format!("{} {}", c.id, c.title),
                        t.id.clone(),
                        procedure,
                        result_text(t, &responses),
                    ]);
                }
                if c.tests.is_empty() {
                    rows.push(vec![
                        format!("{} {}", c.id, c.title),
                        String::new(),
                        "No test defined.".into(),
                        "Not tested.".into(),
                    ]);
                }
            }
            if rows.is_empty() {
                b.push(Block::Para(format!(
                    "No control addresses {}: a design gap.",
                    k.id
                )));
            } else {
                b.push(Block::Table {
                    header: vec![
                        "control".into(),
                        "test".into(),
                        "test performed".into(),
                        "results".into(),
                    ],
                    rows,
                });
            }
            if !k.caveats.is_empty() {
                b.push(Block::List(k.caveats.clone()));
            }
        }
    }

    b.push(Block::Heading(
        1,
        "Section V: Other information provided by management".into(),
    ));
    b.extend(paragraphs(&text::section5_intro(&facts)));
    let answered: Vec<Vec<String>> = a
        .findings
        .iter()
        .filter_map(|f| f.triage.as_ref().map(|t| (f, t)))
        .map(|(f, t)| {
            vec![
                f.id.clone(),
                t.status.as_str().into(),
                t.owner.clone().unwrap_or_default(),
                t.due.map(|d| d.to_string()).unwrap_or_default(),
                t.response.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if answered.is_empty() {
        b.push(Block::Para(
            "Management has not yet responded to the findings (findings/*.yaml).".into(),
        ));
    } else {
        b.push(Block::Table {
            header: ["finding", "status", "owner", "due", "management's response"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: answered,
        });
    }

    let in_progress = kind == text::OpinionKind::InProgress;
    Doc {
        title: format!(
            "SOC 2 {} report ({}): {}",
            if type1 { "Type I" } else { "Type II" },
            if in_progress {
                "draft, examination in progress"
            } else {
                "draft"
            },
            org
        ),
        subtitle: vec![
            format!("{} · {}", cx.scope.system_name, period(cx)),
            format!(
                "Trust services categories: {}",
                text::categories_phrase(&categories)
            ),
            "DRAFT: for a licensed CPA firm to review, complete and issue".into(),
        ],
        watermark: Some(if in_progress {
            "IN PROGRESS".into()
        } else {
            "DRAFT".into()
        }),
        contents: true,
        blocks: b,
    }
}
