//! Running a test's population query: the rows, their frozen record (query, tables,
//! normalizers, evidence, row count and hash) and the rows that fail the expectation.

use crate::basis::Basis;
use crate::digest;
use assay_tables::sandbox;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Int64Type, SchemaRef, TimeUnit, TimestampMicrosecondType,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Exceptions listed in full per test; the count is always exact.
pub const EXCEPTION_LIMIT: usize = 1000;

/// A population as computed, recorded so anyone can judge its completeness and accuracy and
/// re-perform it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frozen {
    /// The SQL run, parameters filled in.
    pub query: String,
    /// Standard tables it reads.
    pub tables: Vec<String>,
    /// Normalizers (kind@version) behind those tables.
    pub normalizers: Vec<String>,
    /// How many pieces of evidence those tables were built from.
    pub evidence_count: usize,
    /// SHA-256 of their hashes, sorted, one per line (the list is under `tables`).
    pub evidence_sha256: String,
    /// Rows in the population.
    pub rows: usize,
    /// SHA-256 over the rows, by the construction named in `rows_digest` ([`crate::digest`]).
    pub rows_sha256: String,
    /// How `rows_sha256` was computed; assessments from before it was recorded used
    /// [`digest::ROWS_DIGEST_V1`].
    #[serde(default = "rows_digest_v1")]
    pub rows_digest: String,
}

/// A population row that fails the expectation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exception {
    /// The row's name in the source system (or the missing window).
    pub key: String,
    /// What is wrong, in words.
    pub reason: String,
    /// The row as selected.
    pub row: Map<String, Value>,
    /// SHA-256 of the evidence it came from.
    pub evidence: Vec<String>,
}

/// A population, run.
pub struct Run {
    /// Its frozen record.
    pub frozen: Frozen,
    /// Every row's key, in population order.
    pub keys: Vec<String>,
    /// Each row's occurrence instant, when the test names an occurrence column.
    pub occurrences: Vec<(usize, Option<i64>)>,
    /// Rows failing the expectation (up to [`EXCEPTION_LIMIT`]).
    pub exceptions: Vec<Exception>,
    /// How many rows fail it.
    pub exception_count: usize,
    /// Failing rows per day (UTC `YYYY-MM-DD`), by the column that dates them (the occurrence
    /// column, the test's `at`, or the event table's time column when selected).
    pub exception_days: BTreeMap<String, usize>,
    /// The rows exactly as hashed (the selected columns, in no particular order), when
    /// [`Ask::keep`] asked for them.
    pub rows_out: Option<(SchemaRef, Vec<RecordBatch>)>,
}

/// What a test asks of its population.
pub struct Ask<'a> {
    /// Population SQL, parameters filled in.
    pub sql: &'a str,
    /// Boolean SQL per row.
    pub expect: Option<&'a str>,
    /// Text SQL per failing row.
    pub reason: Option<&'a str>,
    /// Timestamp column naming when each row happened.
    pub occurrence: Option<&'a str>,
    /// Timestamp column dating each row for the history (the test's `at`), when not the
    /// occurrence column.
    pub at: Option<&'a str>,
    /// Keep the population's rows (selected columns only) in [`Run::rows_out`].
    pub keep: bool,
}

fn rows_digest_v1() -> String {
    digest::ROWS_DIGEST_V1.to_string()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The standard tables a plan reads, subqueries included.
fn tables_of(plan: &LogicalPlan) -> Vec<String> {
    let mut names = BTreeSet::new();
    let _ = plan.apply_with_subqueries(|p| {
        if let LogicalPlan::TableScan(scan) = p {
            names.insert(scan.table_name.table().to_string());
        }
        Ok(TreeNodeRecursion::Continue)
    });
    names.into_iter().collect()
}

/// The tables a population reads (planning only, in the sandbox: a population that is not
/// one read-only query is refused before it is planned).
pub fn plan_tables(
    ctx: &SessionContext,
    rt: &tokio::runtime::Handle,
    sql: &str,
) -> Result<Vec<String>, String> {
    rt.block_on(async {
        let df = sandbox::sql(ctx, sql).await.map_err(|e| e.to_string())?;
        Ok(tables_of(df.logical_plan()))
    })
}

/// Checks the expectation and reason are one expression each, so they cannot reshape the
/// query they are placed in.
fn check_expressions(ask: &Ask<'_>) -> Result<(), String> {
    for (field, e) in [("expect", ask.expect), ("reason", ask.reason)] {
        if let Some(e) = e {
            sandbox::check_expression(e)
                .map_err(|m| format!("`{field}` is not one SQL expression: {m}"))?;
        }
    }
    Ok(())
}

/// Runs a population and its expectation on `ctx`, a session of the basis's sandbox.
pub fn run(
    basis: &Basis,
    ctx: &SessionContext,
    rt: &tokio::runtime::Handle,
    ask: &Ask<'_>,
) -> Result<Run, String> {
    check_expressions(ask)?;
    rt.block_on(async {
        let df = sandbox::sql(ctx, ask.sql).await.map_err(|e| e.to_string())?;
        let tables = tables_of(df.logical_plan());
        let columns: Vec<String> = df.schema().fields().iter().map(|f| f.name().clone()).collect();
        let df_schema = df.schema().as_arrow().clone();
        if !columns.iter().any(|c| c == "key") {
            return Err("the population selects no `key` column; select the row's name in the source system as `key`".into());
        }
        let evidence_cols: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == "evidence" || c.ends_with("_evidence"))
            .map(|(i, _)| i)
            .collect();
        if evidence_cols.is_empty() {
            return Err("the population selects no `evidence` column; select `evidence` (or `<table>_evidence` for each joined table) so exceptions cite their evidence".into());
        }
        for (field, col) in [("occurrence", ask.occurrence), ("at", ask.at)] {
            if let Some(o) = col {
                if !columns.iter().any(|c| c == o) {
                    return Err(format!("the {field} column `{o}` is not selected by the population"));
                }
            }
        }
        let dating = dating(ask, &tables, &columns);
        let full = format!(
            "SELECT population.*, CAST((\n{}\n) AS BOOLEAN) AS __assay_pass, CAST((\n{}\n) AS VARCHAR) AS __assay_reason{} FROM (\n{}\n) AS population",
            ask.expect.unwrap_or("TRUE"),
            ask.reason.unwrap_or("NULL"),
            dating
                .as_deref()
                .map(|o| format!(", population.{} AS __assay_at", quote(o)))
                .unwrap_or_default(),
            ask.sql,
        );
        let batches = sandbox::sql(ctx, &full)
            .await
            .map_err(|e| e.to_string())?
            .collect()
            .await
            .map_err(|e| clean(&e.to_string()))?;

        let mut normalizers = BTreeSet::new();
        let mut evidence = BTreeSet::new();
        for t in &tables {
            if let Some(b) = basis.tables.get(t) {
                normalizers.extend(b.normalizers.iter().cloned());
                evidence.extend(b.evidence.iter().map(String::as_str));
            }
        }
        let ev_list: Vec<&str> = evidence.into_iter().collect();
        let mut rows = Vec::new();
        let mut failing = Failing::default();
        let mut exception_days: BTreeMap<String, usize> = BTreeMap::new();
        let opts = FormatOptions::default();
        let width = columns.len();
        let key_at = columns.iter().position(|c| c == "key").unwrap_or(0);
        let hashes = digest::row_hashes(&batches, width)?;
        for (b, hashes) in batches.iter().zip(&hashes) {
            let fmts: Vec<ArrayFormatter<'_>> = b
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            let text = |c: usize, r: usize| -> Option<String> {
                let col = b.column(c);
                (!col.is_null(r)).then(|| fmts[c].value(r).to_string())
            };
            let pass = b.column(width).as_boolean();
            let as_time = |c: &dyn Array| {
                cast(c, &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())))
            };
            let at_col = match (ask.occurrence.or(ask.at), &dating) {
                (Some(_), _) => Some(
                    as_time(b.column(width + 2))
                        .map_err(|e| format!("the `{}` column is not a date or time: {e}", dating.as_deref().unwrap_or_default()))?,
                ),
                // A column found by its name dates exceptions only if it is a time.
                (None, Some(_)) => as_time(b.column(width + 2)).ok(),
                (None, None) => None,
            };
            for (r, hash) in hashes.iter().copied().enumerate() {
                let key = text(key_at, r).unwrap_or_default();
                let at = at_col.as_ref().and_then(|at| {
                    let at = at.as_primitive::<TimestampMicrosecondType>();
                    (!at.is_null(r)).then(|| at.value(r))
                });
                let ok = !pass.is_null(r) && pass.value(r);
                if !ok {
                    if let Some(day) = at.and_then(|at| jiff::Timestamp::from_microsecond(at).ok()) {
                        *exception_days.entry(day.strftime("%Y-%m-%d").to_string()).or_default() += 1;
                    }
                    let reason = if pass.is_null(r) {
                        format!("the expectation could not be evaluated (a value it reads is empty): {}", ask.expect.unwrap_or("TRUE"))
                    } else {
                        text(width + 1, r).unwrap_or_else(|| format!("does not meet: {}", ask.expect.unwrap_or("TRUE")))
                    };
                    failing.add((key.clone(), hash), || {
                        let mut row = Map::new();
                        for (c, name) in columns.iter().enumerate() {
                            row.insert(name.clone(), json_cell(b, c, r, text(c, r)));
                        }
                        let mut ev: Vec<String> =
                            evidence_cols.iter().filter_map(|c| text(*c, r)).collect();
                        ev.sort();
                        ev.dedup();
                        Exception { key: key.clone(), reason, row, evidence: ev }
                    });
                }
                rows.push(Row { key, hash, at });
            }
        }
        let rows_sha256 = digest::rows(rows.iter().map(|r| r.hash).collect());
        // Population order: by key, then by row hash (rows that tie on both are identical).
        rows.sort_unstable_by(|a, b| (&a.key, a.hash).cmp(&(&b.key, b.hash)));
        let occurrences = match ask.occurrence {
            Some(_) => rows.iter().enumerate().map(|(i, r)| (i, r.at)).collect(),
            None => Vec::new(),
        };
        let keys: Vec<String> = rows.into_iter().map(|r| r.key).collect();
        let frozen = Frozen {
            query: ask.sql.to_string(),
            tables,
            normalizers: normalizers.into_iter().collect(),
            evidence_count: ev_list.len(),
            evidence_sha256: hex::encode(Sha256::digest(ev_list.join("\n").as_bytes())),
            rows: keys.len(),
            rows_sha256,
            rows_digest: digest::ROWS_DIGEST.to_string(),
        };
        let exception_count = failing.count;
        let rows_out = if ask.keep {
            let selected: Vec<usize> = (0..width).collect();
            let whole = batches.first().map_or_else(|| Arc::new(df_schema), |b| b.schema());
            let schema = Arc::new(whole.project(&selected).map_err(|e| e.to_string())?);
            let rows = batches
                .iter()
                .map(|b| b.project(&selected))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            Some((schema, rows))
        } else {
            None
        };
        Ok(Run {
            frozen,
            keys,
            occurrences,
            exceptions: failing.listed(),
            exception_count,
            exception_days,
            rows_out,
        })
    })
}

/// The column that dates each row: the occurrence column, else the test's `at`, else the time column of an event
/// table the population reads (`basis::event_time`) when it is selected under that name, else
/// `snapshot_at` when selected.
fn dating(ask: &Ask<'_>, tables: &[String], columns: &[String]) -> Option<String> {
    if let Some(o) = ask.occurrence.or(ask.at) {
        return Some(o.to_string());
    }
    let selected = |c: &str| columns.iter().any(|x| x == c);
    tables
        .iter()
        .filter_map(|t| crate::basis::event_time(t))
        .find(|c| selected(c))
        .or_else(|| selected("snapshot_at").then_some("snapshot_at"))
        .map(str::to_string)
}

/// A population row as kept after the query: its key, hash and occurrence instant.
struct Row {
    key: String,
    hash: [u8; 32],
    at: Option<i64>,
}

/// The failing rows: all counted, the first [`EXCEPTION_LIMIT`] in population order kept.
#[derive(Default)]
struct Failing {
    count: usize,
    kept: Vec<((String, [u8; 32]), Exception)>,
    /// Once [`EXCEPTION_LIMIT`] rows are kept, the last of them: no later row can be listed.
    bound: Option<(String, [u8; 32])>,
}

impl Failing {
    /// Counts a failing row and keeps it (built by `make`) while it may still be listed.
    fn add(&mut self, order: (String, [u8; 32]), make: impl FnOnce() -> Exception) {
        self.count += 1;
        if self.bound.as_ref().is_some_and(|bound| order >= *bound) {
            return;
        }
        self.kept.push((order, make()));
        if self.kept.len() >= 2 * EXCEPTION_LIMIT {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.kept.sort_by(|a, b| a.0.cmp(&b.0));
        self.kept.truncate(EXCEPTION_LIMIT);
        if self.kept.len() == EXCEPTION_LIMIT {
            self.bound = self.kept.last().map(|(o, _)| o.clone());
        }
    }

    fn listed(mut self) -> Vec<Exception> {
        self.trim();
        self.kept.into_iter().map(|(_, e)| e).collect()
    }
}

fn json_cell(b: &RecordBatch, c: usize, r: usize, text: Option<String>) -> Value {
    let col = b.column(c);
    if col.is_null(r) {
        return Value::Null;
    }
    match col.data_type() {
        DataType::Boolean => Value::Bool(col.as_boolean().value(r)),
        DataType::Int64 => Value::from(col.as_primitive::<Int64Type>().value(r)),
        _ => text.map(Value::String).unwrap_or(Value::Null),
    }
}

/// DataFusion's messages without their internal prefixes.
pub fn clean(msg: &str) -> String {
    msg.trim_start_matches("Error during planning: ")
        .trim_start_matches("SQL error: ")
        .trim_start_matches("Schema error: ")
        .to_string()
}
