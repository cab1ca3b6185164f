//! Each kind of mistake in a workspace gives one precise diagnostic: code, file, line, column.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_core::Category;
use assay_workspace::{Code, Severity};
use common::*;

#[test]
fn unknown_criterion_is_located() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "  - id: CC8.1",
        "  - id: CC10.1",
    );
    let ws = load(dir.path());
    let d = only(&ws, Code::UnknownCriterion);
    let line = std::fs::read_to_string(dir.path().join("controls/CHG-01.yaml"))
        .expect("read")
        .lines()
        .position(|l| l.contains("CC10.1"))
        .expect("line")
        + 1;
    assert_eq!(
        (d.file.as_str(), d.line, d.column, d.severity),
        ("controls/CHG-01.yaml", line, 9, Severity::Error)
    );
    assert!(d.message.contains("CC10.1"));
    assert_eq!(errors(&ws).len(), 1, "{:#?}", ws.diagnostics);
}

#[test]
fn lower_case_criterion_gets_a_precise_hint() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "  - id: CC8.1",
        "  - id: cc8.1",
    );
    let d = only(&load(dir.path()), Code::UnknownCriterion);
    assert_eq!(
        d.help.as_deref(),
        Some("criterion ids are upper case: write `CC8.1`")
    );
}

#[test]
fn duplicate_control_id_names_both_places() {
    let dir = fresh(&[Category::Security]);
    let text = std::fs::read_to_string(dir.path().join("controls/ACC-01.yaml")).expect("read");
    write(
        dir.path(),
        "controls/ACC-01-copy.yaml",
        &text.replace("ACC-01.", "ACC-01X."),
    );
    let ws = load(dir.path());
    let d = only(&ws, Code::DuplicateId);
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("controls/ACC-01.yaml", 1, 5)
    );
    assert!(
        d.message
            .contains("also used at controls/ACC-01-copy.yaml:1"),
        "{}",
        d.message
    );
}

#[test]
fn duplicate_test_id_across_controls() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/ACC-02.yaml",
        "- id: ACC-02.1",
        "- id: ACC-01.1",
    );
    let d = only(&load(dir.path()), Code::DuplicateId);
    assert!(
        d.message.contains("duplicate test id `ACC-01.1`"),
        "{}",
        d.message
    );
}

#[test]
fn yaml_syntax_error_is_located() {
    let dir = fresh(&[Category::Security]);
    write(
        dir.path(),
        "controls/BAD-01.yaml",
        "id: BAD-01\ntitle: \"unterminated\nowner: x\n",
    );
    let d = only(&load(dir.path()), Code::YamlSyntax);
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("controls/BAD-01.yaml", 2, 8)
    );
}

#[test]
fn tab_indentation_is_a_syntax_error_not_a_panic() {
    let dir = fresh(&[Category::Security]);
    write(
        dir.path(),
        "controls/TAB-01.yaml",
        "id: TAB-01\ncriteria:\n\t- id: CC1.1\n",
    );
    let ws = load(dir.path());
    let d = ws
        .diagnostics
        .iter()
        .find(|d| d.file == "controls/TAB-01.yaml")
        .expect("diagnostic");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.line >= 2, "{d:?}");
}

#[test]
fn control_without_criteria() {
    let dir = fresh(&[Category::Security]);
    write(
        dir.path(),
        "controls/NEW-01.yaml",
        "id: NEW-01\ntitle: T\nowner: ceo\nfrequency: annual\nnature: manual\ntype: detective\ncriteria: []\ntests:\n  - id: NEW-01.1\n    procedure: Inspect.\n",
    );
    let d = only(&load(dir.path()), Code::NoCriteria);
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("controls/NEW-01.yaml", 7, 11)
    );
}

#[test]
fn bad_enum_value_lists_the_allowed_ones() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "frequency: event",
        "frequency: sometimes",
    );
    let d = only(&load(dir.path()), Code::InvalidValue);
    assert_eq!(
        (d.line, d.column),
        (
            line_of(dir.path(), "controls/CHG-01.yaml", "frequency:"),
            12
        )
    );
    assert!(d.help.as_deref().unwrap_or_default().contains("quarterly"));
}

#[test]
fn unknown_field_is_caught_as_a_typo() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "owner: head-of-engineering",
        "ownr: head-of-engineering",
    );
    let ws = load(dir.path());
    let d = ws
        .diagnostics
        .iter()
        .find(|d| d.file == "controls/CHG-01.yaml")
        .expect("diagnostic");
    assert_eq!(d.code, Code::UnknownField, "{d:?}");
    assert_eq!(d.line, line_of(dir.path(), "controls/CHG-01.yaml", "ownr:"));
}

#[test]
fn missing_rationale_is_a_warning() {
    let dir = fresh(&[Category::Security]);
    write(
        dir.path(),
        "controls/NEW-01.yaml",
        "id: NEW-01\ntitle: T\nowner: ceo\nfrequency: annual\nnature: manual\ntype: detective\ncriteria:\n  - id: CC1.1\ntests:\n  - id: NEW-01.1\n    procedure: Inspect.\n",
    );
    let ws = load(dir.path());
    let d = only(&ws, Code::MissingRationale);
    assert_eq!((d.severity, d.line), (Severity::Warning, 8));
    assert!(errors(&ws).is_empty());
}

#[test]
fn policy_naming_unknown_control() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "policies/backup.md",
        "controls: [",
        "controls: [NOPE-99, ",
    );
    let d = only(&load(dir.path()), Code::UnknownControl);
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("policies/backup.md", 10, 12)
    );
}

#[test]
fn policy_without_front_matter() {
    let dir = fresh(&[Category::Security]);
    write(dir.path(), "policies/notes.md", "# Notes\n");
    let d = only(&load(dir.path()), Code::NoFrontMatter);
    assert_eq!((d.file.as_str(), d.line), ("policies/notes.md", 1));
}

#[test]
fn policy_front_matter_errors_count_lines_from_the_file_start() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "policies/backup.md",
        "review_cycle: annual",
        "review_cycle: [annual",
    );
    let ws = load(dir.path());
    let d = ws
        .diagnostics
        .iter()
        .find(|d| d.file == "policies/backup.md")
        .expect("diagnostic");
    assert_eq!(d.severity, Severity::Error);
    assert!((8..=11).contains(&d.line), "{d:?}");
}

#[test]
fn policy_bad_approval_date() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "policies/backup.md",
        "review_cycle: annual",
        "approved: 2026-02-30\nreview_cycle: annual",
    );
    let d = only(&load(dir.path()), Code::InvalidDate);
    assert_eq!((d.line, d.column), (8, 11));
}

#[test]
fn unknown_category_in_assay_toml() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "assay.toml",
        "categories = [\"security\"]",
        "categories = [\"security\", \"integrity\"]",
    );
    let d = only(&load(dir.path()), Code::UnknownCategory);
    assert_eq!(d.file, "assay.toml");
    assert_eq!(d.column, 27);
}

#[test]
fn invalid_date_in_assay_toml() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "assay.toml",
        "period_end = 2026-06-30",
        "period_end = \"2026-13-01\"",
    );
    let d = only(&load(dir.path()), Code::InvalidDate);
    assert_eq!((d.file.as_str(), d.column), ("assay.toml", 14));
}

#[test]
fn toml_syntax_error_is_located() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "assay.toml",
        "period_end = 2026-06-30",
        "period_end = ",
    );
    let ws = load(dir.path());
    let d = only(&ws, Code::TomlSyntax);
    assert!(d.line > 1 && d.column > 0, "{d:?}");
    assert!(ws.coverage.is_none());
}

#[test]
fn type2_period_too_short_and_too_long_warn() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "assay.toml",
        "period_end = 2026-06-30",
        "period_end = 2026-02-28",
    );
    let d = only(&load(dir.path()), Code::PeriodLength);
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("shorter than 3 months"));
    edit(
        dir.path(),
        "assay.toml",
        "period_end = 2026-02-28",
        "period_end = 2027-03-31",
    );
    let d = only(&load(dir.path()), Code::PeriodLength);
    assert!(d.message.contains("longer than 12 months"));
}

#[test]
fn type2_period_backwards_and_missing() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "assay.toml",
        "period_end = 2026-06-30",
        "period_end = 2025-06-30",
    );
    assert_eq!(
        only(&load(dir.path()), Code::PeriodOrder).severity,
        Severity::Error
    );
    edit(dir.path(), "assay.toml", "period_end = 2025-06-30\n", "");
    assert_eq!(only(&load(dir.path()), Code::MissingPeriod).line, 15);
}

#[test]
fn design_gap_when_a_criterion_loses_its_controls() {
    let dir = fresh(&[Category::Security]);
    let ws = load(dir.path());
    let cov = ws.coverage.expect("coverage");
    for id in &cov.controls_by_criterion["CC6.4"] {
        std::fs::remove_file(dir.path().join(format!("controls/{id}.yaml"))).expect("remove");
    }
    let ws = load(dir.path());
    let gaps: Vec<_> = ws
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::DesignGap)
        .collect();
    assert_eq!(gaps.len(), 1, "{:#?}", ws.diagnostics);
    assert!(gaps[0].message.starts_with("CC6.4 "));
    assert_eq!(
        ws.coverage.expect("coverage").categories[0].uncovered,
        vec!["CC6.4".to_string()]
    );
}

#[test]
fn inventory_references_and_subservice_method() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "inventory/vendors.yaml",
        "method: carve-out",
        "method: carveout",
    );
    edit(
        dir.path(),
        "inventory/data.yaml",
        "system: ",
        "system: no-such-system #",
    );
    let ws = load(dir.path());
    assert_eq!(only(&ws, Code::InvalidValue).file, "inventory/vendors.yaml");
    assert_eq!(
        only(&ws, Code::UnknownReference).file,
        "inventory/data.yaml"
    );
}

#[test]
fn unknown_owner_role_is_a_warning() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "owner: head-of-engineering",
        "owner: head-of-enginering",
    );
    let d = only(&load(dir.path()), Code::UnknownRole);
    let line = line_of(dir.path(), "controls/CHG-01.yaml", "owner:");
    assert_eq!((d.severity, d.line, d.column), (Severity::Warning, line, 8));
}

#[test]
fn non_utf8_file_is_reported_not_fatal() {
    let dir = fresh(&[Category::Security]);
    std::fs::write(
        dir.path().join("controls/BIN-01.yaml"),
        b"id: BIN-01\ntitle: \xff\xfe\n",
    )
    .expect("write");
    let ws = load(dir.path());
    let d = only(&ws, Code::Io);
    assert_eq!((d.file.as_str(), d.line), ("controls/BIN-01.yaml", 2));
    assert!(ws.controls.len() > 80);
}

#[test]
fn codes_are_stable() {
    let list: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("{c}: {}", c.description()))
        .collect();
    insta::assert_snapshot!(list.join("\n"));
}

/// Issue 13: a control file (perhaps from a pull request) with DDL, DML or several
/// statements in its SQL is refused by validate, at the field's file and line.
#[test]
fn sql_fields_hold_one_query_or_one_expression() {
    let cases = [
        ("population: |\n      CREATE EXTERNAL TABLE leak (l VARCHAR) STORED AS CSV LOCATION '/etc/passwd'\n", "population"),
        ("population: CREATE OR REPLACE TABLE accounts AS SELECT * FROM accounts WHERE NOT active\n", "population"),
        ("population: \"COPY (SELECT 1) TO '/home/me/.bashrc'\"\n", "population"),
        ("population: INSERT INTO accounts SELECT * FROM accounts\n", "population"),
        ("population: SELECT key, evidence FROM accounts; DROP TABLE accounts\n", "population"),
        ("population: SELECT key, evidence FROM accounts\n    expect: TRUE) AS x FROM accounts --\n", "expect"),
    ];
    for (sql, field) in cases {
        let dir = fresh(&[Category::Security]);
        write(
            dir.path(),
            "controls/NEW-01.yaml",
            &format!("id: NEW-01\ntitle: T\nowner: ceo\nfrequency: annual\nnature: manual\ntype: detective\ncriteria:\n  - id: CC6.1\n    rationale: r\ntests:\n  - id: NEW-01.1\n    procedure: Inspect.\n    {sql}"),
        );
        let d = only(&load(dir.path()), Code::SqlNotQuery);
        assert_eq!(d.file, "controls/NEW-01.yaml", "{sql}");
        let want = line_of(dir.path(), "controls/NEW-01.yaml", &format!("{field}:"));
        assert!(
            d.line == want || d.line == want + 1,
            "{sql}: line {} not {want}",
            d.line
        );
        assert!(
            d.message.contains(&format!("`{field}` is refused")),
            "{}",
            d.message
        );
    }
    // Parameters and comments are fine.
    let dir = fresh(&[Category::Security]);
    write(
        dir.path(),
        "controls/NEW-01.yaml",
        "id: NEW-01\ntitle: T\nowner: ceo\nfrequency: annual\nnature: manual\ntype: detective\ncriteria:\n  - id: CC6.1\n    rationale: r\ntests:\n  - id: NEW-01.1\n    procedure: Inspect.\n    population: |\n      -- accounts created in the period\n      SELECT key, evidence FROM accounts WHERE created_at >= :period_start\n    expect: active -- still active\n",
    );
    assert!(load(dir.path())
        .diagnostics
        .iter()
        .all(|d| d.code != Code::SqlNotQuery));
}

#[test]
fn limits_are_read_and_bad_values_named_with_their_line() {
    let dir = fresh(&[Category::Security]);
    let toml = std::fs::read_to_string(dir.path().join("assay.toml")).unwrap();
    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[limits]\nmax_expanded_mib = 8192\nmax_expansion_ratio = 500\n"),
    )
    .unwrap();
    let ws = load(dir.path());
    assert!(errors(&ws).is_empty(), "{:#?}", ws.diagnostics);
    let limits = ws.config.expect("config").limits;
    assert_eq!(
        (limits.max_expanded_mib, limits.max_expansion_ratio),
        (Some(8192), Some(500))
    );

    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[limits]\nmax_expanded_mib = 0\nmax_expansion_ratio = -3\n"),
    )
    .unwrap();
    let ws = load(dir.path());
    let bad: Vec<_> = ws
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InvalidValue)
        .collect();
    assert_eq!(bad.len(), 2, "{:#?}", ws.diagnostics);
    assert!(bad[0].message.contains("max_expanded_mib"), "{:#?}", bad);
    assert_eq!(
        bad[0].line,
        line_of(dir.path(), "assay.toml", "max_expanded_mib")
    );
    assert!(bad[1].message.contains("max_expansion_ratio"), "{:#?}", bad);
}

#[test]
fn unknown_source_role_in_a_test_is_located() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/ACC-02.yaml",
        "sources: [cloud-audit-log]",
        "sources: [cloud-audit-logs]",
    );
    let d = only(&load(dir.path()), Code::InvalidValue);
    assert_eq!(d.file, "controls/ACC-02.yaml");
    assert!(
        d.message.contains("`cloud-audit-logs`") && d.message.contains("ACC-02.3"),
        "{}",
        d.message
    );
    let line = std::fs::read_to_string(dir.path().join("controls/ACC-02.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.contains("cloud-audit-logs"))
        .unwrap()
        + 1;
    assert_eq!(d.line, line);
    assert!(d.help.as_deref().unwrap_or("").contains("idp-log"));
}

#[test]
fn unknown_source_role_in_assay_toml_is_located() {
    let dir = fresh(&[Category::Security]);
    let toml = std::fs::read_to_string(dir.path().join("assay.toml")).unwrap();
    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[sources]\nidp = [\"azure-ad\"]\n"),
    )
    .unwrap();
    let d = only(&load(dir.path()), Code::InvalidValue);
    assert_eq!(d.file, "assay.toml");
    assert!(d.message.contains("`idp`"), "{}", d.message);
    let dir = fresh(&[Category::Security]);
    let toml = std::fs::read_to_string(dir.path().join("assay.toml")).unwrap();
    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[sources]\nidp-log = [\"azure-ad\"]\n"),
    )
    .unwrap();
    let ws = load(dir.path());
    assert_eq!(ws.error_count(), 0, "{:#?}", ws.diagnostics);
    assert_eq!(
        ws.config.unwrap().sources.get("idp-log"),
        Some(&vec!["azure-ad".to_string()])
    );
}

#[test]
fn control_risk_and_test_all_threshold_are_read_and_bad_values_located() {
    let dir = fresh(&[Category::Security]);
    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "nature: automated",
        "nature: automated\nrisk: higher",
    );
    let toml = std::fs::read_to_string(dir.path().join("assay.toml")).unwrap();
    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[sampling]\ntest_all_up_to = 25\n"),
    )
    .unwrap();
    let ws = load(dir.path());
    assert!(errors(&ws).is_empty(), "{:#?}", ws.diagnostics);
    let chg = ws
        .controls
        .iter()
        .find(|c| c.control.id == "CHG-01")
        .expect("CHG-01");
    assert_eq!(chg.control.risk, Some(assay_core::Risk::Higher));
    assert_eq!(
        ws.config.as_ref().expect("config").engine.test_all_up_to,
        25
    );

    edit(
        dir.path(),
        "controls/CHG-01.yaml",
        "risk: higher",
        "risk: high",
    );
    std::fs::write(
        dir.path().join("assay.toml"),
        format!("{toml}\n[sampling]\ntest_all_up_to = -1\n"),
    )
    .unwrap();
    let ws = load(dir.path());
    let bad: Vec<_> = ws
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InvalidValue)
        .collect();
    assert_eq!(bad.len(), 2, "{:#?}", ws.diagnostics);
    let risk = bad
        .iter()
        .find(|d| d.file == "controls/CHG-01.yaml")
        .expect("the control's risk");
    assert_eq!(
        risk.line,
        line_of(dir.path(), "controls/CHG-01.yaml", "risk:")
    );
    assert!(risk
        .help
        .as_deref()
        .unwrap_or_default()
        .contains("low, higher"));
    let threshold = bad
        .iter()
        .find(|d| d.file == "assay.toml")
        .expect("assay.toml");
    assert!(
        threshold.message.contains("test_all_up_to"),
        "{threshold:?}"
    );
    assert_eq!(
        threshold.line,
        line_of(dir.path(), "assay.toml", "test_all_up_to")
    );
    assert!(
        ws.controls.iter().all(|c| c.control.id != "CHG-01"),
        "a control with a bad risk is not loaded"
    );
}

#[test]
fn a_firm_sampling_table_is_read_and_a_bad_one_located() {
    let dir = fresh(&[Category::Security]);
    let toml = std::fs::read_to_string(dir.path().join("assay.toml")).unwrap();
    let with = |firm: &str| {
        std::fs::write(
            dir.path().join("assay.toml"),
            format!("{toml}\n[sampling]\ntable = \"firm\"\n\n[sampling.firm]\nname = \"Ledgerline 2026\"\n{firm}\n"),
        )
        .unwrap();
        load(dir.path())
    };
    let ws = with(r#"event = [{up_to = 10, size = "all"}, {up_to = 50, size = 8}, {size = 25}]"#);
    assert!(errors(&ws).is_empty(), "{:#?}", ws.diagnostics);
    let assay_core::SamplingTable::Firm(t) = ws.config.expect("config").engine.sampling_table
    else {
        panic!("not the firm's table");
    };
    assert_eq!(t.name, "Ledgerline 2026");
    assert_eq!(
        t.bands,
        [
            assay_core::Band {
                up_to: Some(10),
                size: None
            },
            assay_core::Band {
                up_to: Some(50),
                size: Some(8)
            },
            assay_core::Band {
                up_to: None,
                size: Some(25)
            },
        ]
    );
    // Bands out of order, a size of zero, an open band before the last: each located.
    for (firm, says) in [
        (
            r#"event = [{up_to = 50, size = 5}, {up_to = 10, size = 2}, {size = 25}]"#,
            "band 2 field `up_to`",
        ),
        (
            r#"event = [{up_to = 10, size = 0}, {size = 25}]"#,
            "band 1 field `size`",
        ),
        (
            r#"event = [{size = 5}, {size = 25}]"#,
            "band 1 has no `up_to`",
        ),
        (r#"event = [{up_to = 10, size = 5}]"#, "the last band"),
    ] {
        let ws = with(firm);
        let bad: Vec<_> = ws
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::InvalidValue && d.file == "assay.toml")
            .collect();
        assert_eq!(bad.len(), 1, "{firm}: {:#?}", ws.diagnostics);
        assert!(bad[0].message.contains(says), "{firm}: {}", bad[0].message);
        assert_eq!(
            bad[0].line,
            line_of(dir.path(), "assay.toml", "[sampling.firm]")
        );
    }
}

/// Appends `text` to the workspace's assay.toml.
fn append_toml(dir: &std::path::Path, text: &str) {
    let path = dir.join("assay.toml");
    let mut t = std::fs::read_to_string(&path).expect("read");
    t.push_str(text);
    std::fs::write(&path, t).expect("write");
}

#[test]
fn an_email_rule_needs_its_recipients_and_sender() {
    let dir = fresh(&[Category::Security]);
    append_toml(
        dir.path(),
        "\n[[notify]]\nchannel = \"email\"\nurl_env = \"ASSAY_SMTP_URL\"\nto = [\"security@example.com\"]\n",
    );
    let d = only(&load(dir.path()), Code::InvalidValue);
    assert!(d.message.contains("needs `to` and `from`"), "{}", d.message);
    assert_eq!(d.file, "assay.toml");

    let dir = fresh(&[Category::Security]);
    append_toml(
        dir.path(),
        "\n[[notify]]\nchannel = \"email\"\nurl_env = \"ASSAY_SMTP_URL\"\nto = [\"security\"]\nfrom = \"assay@example.com\"\n",
    );
    let d = only(&load(dir.path()), Code::InvalidValue);
    assert!(
        d.message.contains("`to` must list e-mail addresses"),
        "{}",
        d.message
    );

    let dir = fresh(&[Category::Security]);
    append_toml(
        dir.path(),
        "\n[[notify]]\nchannel = \"email\"\nurl_env = \"ASSAY_SMTP_URL\"\nto = [\"security@example.com\"]\nfrom = \"assay@example.com\"\n",
    );
    let ws = load(dir.path());
    assert!(errors(&ws).is_empty(), "{:#?}", ws.diagnostics);
    let rule = &ws.config.as_ref().expect("config").notify[0];
    assert_eq!((rule.name.as_str(), rule.to.len()), ("email", 1));
}

#[test]
fn an_ai_provider_is_checked_field_by_field() {
    let dir = fresh(&[Category::Security]);
    append_toml(
        dir.path(),
        "\n[ai]\nprovider = \"openai-compatible\"\nbase_url = \"127.0.0.1:8080\"\nmodel = \"m\"\napi_key_env = \"sk-live-123\"\n",
    );
    let ws = load(dir.path());
    let messages: Vec<&str> = errors(&ws).iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("is not an http(s) URL")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`api_key_env` must name an environment variable")),
        "{messages:?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("sk-live-123")),
        "the key is not echoed"
    );

    let dir = fresh(&[Category::Security]);
    append_toml(dir.path(), "\n[ai]\nprovider = \"none\"\n");
    let ws = load(dir.path());
    assert!(errors(&ws).is_empty(), "{:#?}", ws.diagnostics);
    assert!(ws.config.as_ref().expect("config").ai.endpoint.is_none());
}
