//! Hostile workspace files (a pull request can bring any of them) end in diagnostics, never in
//! a hang, a crash or unbounded memory: YAML alias bombs, a 100 MB YAML file, deeply nested
//! TOML and YAML, and arbitrary bytes in every kind of file (property tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_core::Category;
use common::*;
use proptest::prelude::*;

/// The classic "billion laughs": nine levels of aliases, each ten times the one before.
fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [\"lol\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let row = vec![prev; 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{row}]\n"));
    }
    s
}

#[test]
fn yaml_alias_bomb_is_a_diagnostic() {
    let dir = fresh(&[Category::Security]);
    for rel in ["controls/BOMB.yaml", "inventory/systems.yaml"] {
        write(dir.path(), rel, &alias_bomb());
        let ws = load(dir.path());
        assert!(
            errors(&ws).iter().any(|d| d.file == rel),
            "{rel}: {:#?}",
            ws.diagnostics
        );
        std::fs::remove_file(dir.path().join(rel)).unwrap();
    }
}

#[test]
fn hundred_megabyte_yaml_is_loaded_or_refused_without_crashing() {
    let dir = fresh(&[Category::Security]);
    // 100 MB of list items that are not controls: one diagnostic, not a crash or a hang.
    let item = "- {id: X, name: \"padding padding padding padding padding padding\"}\n";
    let text = item.repeat(100_000_000 / item.len() + 1);
    assert!(text.len() >= 100_000_000);
    write(dir.path(), "controls/HUGE.yaml", &text);
    let ws = load(dir.path());
    assert!(
        errors(&ws).iter().any(|d| d.file == "controls/HUGE.yaml"),
        "{:#?}",
        ws.diagnostics.iter().take(5).collect::<Vec<_>>()
    );
}

#[test]
fn deeply_nested_toml_and_yaml_are_diagnostics() {
    let dir = fresh(&[Category::Security]);
    let depth = 100_000;
    let toml = format!(
        "{}\nx = {}{}\n",
        std::fs::read_to_string(dir.path().join("assay.toml")).unwrap(),
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(dir.path().join("assay.toml"), toml).unwrap();
    let ws = load(dir.path());
    assert!(
        errors(&ws).iter().any(|d| d.file == "assay.toml"),
        "{:#?}",
        ws.diagnostics
    );

    let dir = fresh(&[Category::Security]);
    let yaml = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
    write(dir.path(), "controls/DEEP.yaml", &yaml);
    let ws = load(dir.path());
    assert!(
        errors(&ws).iter().any(|d| d.file == "controls/DEEP.yaml"),
        "{:#?}",
        ws.diagnostics
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(assay_testkit::cases(64)))]

    /// Any bytes in any kind of workspace file: the load ends, and every diagnostic about the
    /// file points at a line inside it.
    #[test]
    fn arbitrary_bytes_in_any_file_never_panic(
        which in 0usize..5,
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let files = [
            "assay.toml",
            "controls/CHG-01.yaml",
            "policies/backup.md",
            "inventory/systems.yaml",
            "inventory/people.yaml",
        ];
        let dir = fresh(&[Category::Security]);
        let rel = files[which];
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let ws = load(dir.path());
        let lines = bytes.split(|b| *b == b'\n').count().max(1);
        for d in ws.diagnostics.iter().filter(|d| d.file == rel) {
            prop_assert!(d.line <= lines + 1, "{d:?} is past the end of {rel} ({lines} lines)");
        }
    }
}
