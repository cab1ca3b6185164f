//! The demo company built straight into tables is the demo's company: the same people from
//! the same seed, and the tables the default suite reads are filled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_demo::{synth, tables};

#[test]
fn the_tables_hold_the_demos_people() {
    let scale = synth::Scale::named("small").unwrap();
    let (built, evidence) = tables::build(scale, 7);
    let expected: Vec<String> = {
        let mut rng = synth::Rng::new(7);
        let mut emails: Vec<String> = synth::people(scale, &mut rng)
            .into_iter()
            .map(|p| p.email)
            .collect();
        emails.sort();
        emails
    };
    let r =
        assay_testkit::block_on(built.query("SELECT email FROM people ORDER BY email")).unwrap();
    let got: Vec<String> = r
        .text_rows()
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect();
    assert_eq!(got, expected);
    assert!(!evidence.is_empty());
    for table in ["audit_events", "changes", "accounts"] {
        let r =
            assay_testkit::block_on(built.query(&format!("SELECT count(*) FROM {table}"))).unwrap();
        let n: u64 = r.text_rows()[0][0].as_deref().unwrap().parse().unwrap();
        assert!(n > 0, "{table} is empty");
    }
}
