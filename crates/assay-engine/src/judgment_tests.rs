//! The judgment an auditor would sign, rule by rule: the findings of the partner's review of
//! the demo (issue 22), each as a small fixture with the outcome and rule id it now gets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use crate::assessment::{
    ControlOutcome, CriterionResult, CriterionVerdict, EngagementState, Method, TestOutcome,
    Verdict,
};
use crate::conclude::{engagement, opinion};
use crate::judge::{criteria, requirement, Mapped};
use crate::rule::{OpinionKind, Rule};
use assay_core::{
    Category, Control, ControlType, Criterion, CriterionLink, EngineSettings, Frequency, Inventory,
    Nature, Severity,
};

fn test(id: &str, result: Verdict, rule: Rule) -> TestOutcome {
    TestOutcome {
        id: id.into(),
        procedure: String::new(),
        method: Method::Population,
        result,
        rule,
        statement: String::new(),
        severity: Severity::Medium,
        population: None,
        coverage: None,
        provided: Vec::new(),
        calendar: None,
        sample: None,
        exception_count: usize::from(rule == Rule::TDeviation),
        exceptions: Vec::new(),
        exception_days: Default::default(),
        notes: Vec::new(),
    }
}

fn control(id: &str, criteria: &[&str], result: Verdict, rule: Rule) -> ControlOutcome {
    ControlOutcome {
        id: id.into(),
        title: id.into(),
        owner: "owner".into(),
        frequency: Frequency::Event,
        nature: Nature::Automated,
        criteria: criteria.iter().map(|c| c.to_string()).collect(),
        result,
        rule: Rule::CWorst,
        tests: vec![test(&format!("{id}.1"), result, rule)],
        walkthrough: Some(crate::walkthrough::Walkthrough {
            control: id.into(),
            performed_by: "auditor".into(),
            performed_on: jiff::civil::date(2026, 7, 1),
            procedure: "inquired and inspected one instance".into(),
            conclusion: crate::walkthrough::Design::DesignedAndImplemented,
            notes: String::new(),
            evidence: Vec::new(),
            file: format!("walkthroughs/{id}.yaml"),
        }),
    }
}

fn effective(id: &str, criteria: &[&str]) -> ControlOutcome {
    control(id, criteria, Verdict::Effective, Rule::TClean)
}

fn key(o: &ControlOutcome) -> Mapped<'_> {
    Mapped {
        outcome: o,
        key: true,
        compensates: &[],
    }
}

fn verdict(id: &str, category: &str, v: CriterionResult) -> CriterionVerdict {
    CriterionVerdict {
        id: id.into(),
        category: category.into(),
        verdict: v,
        rule: Rule::KMet,
        statement: format!("{id}: {v:?}"),
        controls: Vec::new(),
        key_controls: Vec::new(),
        caveats: Vec::new(),
    }
}

/// Finding 3: A1.2 was "met" while BCP-01 was untested. A key control not tested keeps the
/// criterion from being met, even when another operated.
#[test]
fn a_criterion_is_not_met_while_a_key_control_is_untested() {
    let bak = effective("BAK-01", &["A1.2"]);
    let bcp = control("BCP-01", &["A1.2"], Verdict::NotTested, Rule::TNoPopulation);
    let (v, rule, statement) = requirement("A1.2", &[key(&bak), key(&bcp)], &mut Vec::new());
    assert_eq!((v, rule), (CriterionResult::NotTested, Rule::KNotTested));
    assert!(statement.contains("BCP-01"), "{statement}");
}

/// Finding 3: two late trainings (HR-03) turned CC1.1 "not met". A supporting control's
/// failure is a caveat when the key controls operated.
#[test]
fn a_supporting_control_failing_is_a_caveat_not_a_failed_criterion() {
    let code = effective("HR-01", &["CC1.1"]);
    let training = control("HR-03", &["CC1.1"], Verdict::NotEffective, Rule::TDeviation);
    let supporting = Mapped {
        outcome: &training,
        key: false,
        compensates: &[],
    };
    let mut caveats = Vec::new();
    let (v, rule, _) = requirement("CC1.1", &[key(&code), supporting], &mut caveats);
    assert_eq!((v, rule), (CriterionResult::Met, Rule::KMet));
    assert!(caveats.iter().any(|c| c.contains("HR-03")), "{caveats:?}");
}

/// A key control that did not operate fails the criterion unless a control compensating for
/// it operated; the reasoning names both.
#[test]
fn compensating_controls_are_weighed() {
    let mfa = control(
        "ACC-02",
        &["CC6.1"],
        Verdict::NotEffective,
        Rule::TDeviationSystemic,
    );
    let vpn = effective("NET-04", &["CC6.1"]);
    let compensates = vec!["ACC-02".to_string()];
    let with = Mapped {
        outcome: &vpn,
        key: false,
        compensates: &compensates,
    };
    let (v, rule, statement) = requirement("CC6.1", &[key(&mfa), with], &mut Vec::new());
    assert_eq!((v, rule), (CriterionResult::Met, Rule::KCompensated));
    assert!(
        statement.contains("ACC-02") && statement.contains("NET-04"),
        "{statement}"
    );
    let without = Mapped {
        outcome: &vpn,
        key: false,
        compensates: &[],
    };
    let (v, rule, _) = requirement("CC6.1", &[key(&mfa), without], &mut Vec::new());
    assert_eq!((v, rule), (CriterionResult::NotMet, Rule::KNotEffective));
}

/// Where no link to a criterion says `key`, every mapped control is key; `key: false` on
/// one link makes that control supporting.
#[test]
fn links_say_which_controls_are_key() {
    let crit = Criterion {
        id: "CC1.1".into(),
        category: Category::Security,
        series: "CC1".into(),
        series_title: String::new(),
        subject: String::new(),
        summary: String::new(),
        points_of_focus: Vec::new(),
    };
    let def = |id: &str, key: Option<bool>| Control {
        id: id.into(),
        title: id.into(),
        description: String::new(),
        owner: "owner".into(),
        frequency: Frequency::Event,
        nature: Nature::Automated,
        control_type: ControlType::Preventive,
        criteria: vec![CriterionLink {
            id: "CC1.1".into(),
            rationale: "why".into(),
            key,
            compensates: Vec::new(),
        }],
        tests: Vec::new(),
        guidance: None,
        risk: None,
    };
    let outcomes = [
        effective("HR-01", &["CC1.1"]),
        control("HR-03", &["CC1.1"], Verdict::NotEffective, Rule::TDeviation),
    ];
    let judged = |defs: &[Control]| criteria(&[&crit], &outcomes, defs, &Inventory::default());
    let all = judged(&[def("HR-01", None), def("HR-03", None)]);
    assert_eq!(all[0].rule, Rule::KNotEffective);
    assert_eq!(all[0].key_controls, vec!["HR-01", "HR-03"]);
    let one = judged(&[def("HR-01", None), def("HR-03", Some(false))]);
    assert_eq!(
        (one[0].verdict, one[0].rule),
        (CriterionResult::Met, Rule::KMet)
    );
    assert_eq!(one[0].key_controls, vec!["HR-01"]);
    let none = judged(&[def("HR-01", Some(false)), def("HR-03", Some(false))]);
    assert_eq!(
        none[0].key_controls,
        vec!["HR-01", "HR-03"],
        "no key link: all are key"
    );
}

/// Finding 1: unfinished fieldwork was reported as a disclaimer. Pending samples and
/// unevaluated deviations leave the examination in progress, with the work per criterion,
/// and no opinion.
#[test]
fn unfinished_fieldwork_is_in_progress_not_a_disclaimer() {
    let controls = [
        effective("CHG-01", &["CC8.1"]),
        control(
            "HR-02",
            &["CC1.4"],
            Verdict::NotTested,
            Rule::TSamplePending,
        ),
        control(
            "CHG-02",
            &["CC8.1"],
            Verdict::NotEffective,
            Rule::TDeviation,
        ),
    ];
    let mut cc81 = verdict("CC8.1", "security", CriterionResult::NotMet);
    cc81.controls = vec!["CHG-01".into(), "CHG-02".into()];
    let mut cc14 = verdict("CC1.4", "security", CriterionResult::NotTested);
    cc14.controls = vec!["HR-02".into()];
    let crits = [cc14, cc81];
    let e = engagement(&controls, &crits, false);
    assert_eq!(
        (e.state, e.rule),
        (EngagementState::InProgress, Rule::EInProgress)
    );
    assert_eq!(e.remaining.len(), 2);
    assert!(
        e.remaining[0].work[0].contains("HR-02.1")
            && e.remaining[0].work[0].contains("T-SAMPLE-PENDING")
    );
    assert!(
        e.remaining[1].work[0].contains("evaluate 1 deviation")
            && e.remaining[1].work[0].contains("T-DEVIATION")
    );
    let o = opinion(&crits, &e, &EngineSettings::default());
    assert_eq!(
        (o.kind, o.rule),
        (OpinionKind::InProgress, Rule::OInProgress)
    );
    assert_eq!(o.deviations.len(), 1, "matters found so far are kept");
    assert_eq!(o.limitations.len(), 1);

    // Closing fieldwork turns what is left into scope limitations and concludes.
    let closed = engagement(&controls, &crits, true);
    assert_eq!(closed.state, EngagementState::ReadyForConclusion);
    let o = opinion(&crits, &closed, &EngineSettings::default());
    assert_eq!((o.kind, o.rule), (OpinionKind::Qualified, Rule::OQualified));
    assert_eq!(o.except_for, vec!["CC1.4", "CC8.1"]);

    let mut untouched = verdict("CC8.1", "security", CriterionResult::NotTested);
    untouched.controls = vec!["X".into()];
    let x = [control(
        "X",
        &["CC8.1"],
        Verdict::NotTested,
        Rule::TNoEvidence,
    )];
    let none = engagement(&x, &[untouched], false);
    assert_eq!(
        (none.state, none.rule),
        (EngagementState::NotStarted, Rule::ENotStarted)
    );
}

fn security(n: usize) -> Vec<CriterionVerdict> {
    let ids = [
        "CC1.1", "CC2.1", "CC3.1", "CC4.1", "CC5.1", "CC6.1", "CC7.1", "CC8.1", "CC9.1", "CC9.2",
    ];
    ids[..n]
        .iter()
        .map(|id| verdict(id, "security", CriterionResult::Met))
        .collect()
}

fn ready() -> crate::assessment::Engagement {
    engagement(&[], &[], true)
}

/// Finding 3: the opinion came from a flat 25% share, and rule order chose between
/// disclaimer and adverse. Now: confined deviations qualify, "except for" the criteria; a
/// spread over more series than `pervasive_series` is adverse; a pervasive limitation alone
/// disclaims; deviations decide before limitations.
#[test]
fn the_opinion_follows_pervasiveness() {
    let s = EngineSettings::default();
    let mut crits = security(10);
    crits[5].verdict = CriterionResult::NotMet;
    let o = opinion(&crits, &ready(), &s);
    assert_eq!((o.kind, o.rule), (OpinionKind::Qualified, Rule::OQualified));
    assert_eq!(o.except_for, vec!["CC6.1"]);
    assert!(
        o.pervasiveness[0].contains("P-CONFINED"),
        "{:?}",
        o.pervasiveness
    );

    for k in &mut crits[..4] {
        k.verdict = CriterionResult::NotMet;
    }
    let o = opinion(&crits, &ready(), &s);
    assert_eq!((o.kind, o.rule), (OpinionKind::Adverse, Rule::OAdverse));
    assert!(
        o.pervasiveness[0].contains("P-SERIES"),
        "{:?}",
        o.pervasiveness
    );
    assert!(o.except_for.is_empty());

    let mut limited = security(10);
    for k in &mut limited[..4] {
        k.verdict = CriterionResult::NotTested;
    }
    let o = opinion(&limited, &ready(), &s);
    assert_eq!(
        (o.kind, o.rule),
        (OpinionKind::Disclaimer, Rule::ODisclaimer)
    );
    assert!(o.deviations.is_empty() && o.limitations.len() == 4);

    let mut both = limited.clone();
    for k in &mut both[4..9] {
        k.verdict = CriterionResult::NotMet;
    }
    assert_eq!(opinion(&both, &ready(), &s).kind, OpinionKind::Adverse);
}

/// A substantial part of one category is pervasive even within one series: two of the three
/// availability criteria.
#[test]
fn a_substantial_part_of_a_category_is_pervasive() {
    let mut crits = security(3);
    crits.extend(
        ["A1.1", "A1.2", "A1.3"].map(|id| verdict(id, "availability", CriterionResult::Met)),
    );
    crits[4].verdict = CriterionResult::NotMet;
    crits[5].verdict = CriterionResult::NotMet;
    let o = opinion(&crits, &ready(), &EngineSettings::default());
    assert_eq!(o.kind, OpinionKind::Adverse);
    assert!(
        o.pervasiveness[0].contains("2 of the 3 availability")
            && o.pervasiveness[0].contains("P-CATEGORY"),
        "{:?}",
        o.pervasiveness
    );
    let all_met = opinion(&security(3), &ready(), &EngineSettings::default());
    assert_eq!(
        (all_met.kind, all_met.rule),
        (OpinionKind::Unmodified, Rule::OUnmodified)
    );
}

/// Finding 4: rates are rounded, not truncated.
#[test]
fn rates_are_rounded() {
    assert_eq!(crate::percent_rounded(1, 6), "16.7%");
    assert_eq!(crate::percent_rounded(1, 229), "0.4%");
    assert_eq!(crate::percent_rounded(2, 3), "66.7%");
    assert_eq!(crate::percent_rounded(1, 0), "0.0%");
}
