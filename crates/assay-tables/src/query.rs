//! The standard tables in memory, and SQL over them with Apache DataFusion.

use crate::fragment::{self, Fragment};
use crate::normalize::{for_kind, Input, NormalizeError, Run};
use crate::sandbox::{self, clean, Sandbox};
use crate::schema::TABLES;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every standard table, filled: each as the parts it was assembled from (one per piece of
/// evidence, usually), never copied into one.
pub struct Tables {
    batches: BTreeMap<&'static str, Vec<RecordBatch>>,
}

/// A piece of evidence handed over with its bytes (see [`Builder`]).
pub struct Owned {
    /// Its kind.
    pub kind: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes.
    pub evidence: String,
    /// The moment it speaks for (microseconds).
    pub snapshot_at: Option<i64>,
    /// Import parameters.
    pub params: std::collections::BTreeMap<String, String>,
    /// Its collection run or import batch.
    pub batch: Option<String>,
}

impl Owned {
    fn input(&self) -> Input<'_> {
        Input {
            bytes: &self.bytes,
            evidence: &self.evidence,
            snapshot_at: self.snapshot_at,
            params: &self.params,
            batch: self.batch.as_deref(),
        }
    }
}

/// The responses of one collection run (kind, batch), each with its position.
type RunGroup = ((String, Option<String>), Vec<(usize, Owned)>);

/// Builds the tables one piece of evidence at a time, so a file export's bytes can be
/// dropped as soon as it is normalized; the responses of a collection run are kept until
/// [`Builder::finish`] joins them. Rows come in the order their evidence was added.
#[derive(Default)]
pub struct Builder {
    parts: BTreeMap<&'static str, Vec<RecordBatch>>,
    groups: Vec<RunGroup>,
    next: usize,
}

impl Builder {
    /// Normalizes (or, for a collection run, keeps) one piece of evidence. `Err` names it
    /// by its position among those added.
    pub fn add(&mut self, o: Owned) -> Result<(), (usize, NormalizeError)> {
        let i = self.next;
        self.next += 1;
        match for_kind(&o.kind).map(|n| n.run) {
            Some(Run::Each(_)) => {
                let f = fragment::each(&o.kind, &o.bytes, &o.evidence, &o.params)
                    .and_then(|f| f.unwrap_or_default().stamped(o.snapshot_at))
                    .map_err(|e| (i, e))?;
                self.push(f);
            }
            Some(Run::Batch(_)) => {
                let key = (o.kind.clone(), o.batch.clone());
                match self.groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, list)) => list.push((i, o)),
                    None => self.groups.push((key, vec![(i, o)])),
                }
            }
            None => {}
        }
        Ok(())
    }

    /// Adds rows normalized elsewhere (e.g. read from the rows cache), as they are.
    pub fn add_fragment(&mut self, f: Fragment) {
        self.next += 1;
        self.push(f);
    }

    fn push(&mut self, f: Fragment) {
        for (name, batch) in f.batches {
            self.parts.entry(name).or_default().push(batch);
        }
    }

    /// Joins the collection runs and finishes the tables.
    pub fn finish(mut self) -> Result<Tables, (usize, NormalizeError)> {
        for ((kind, _), list) in std::mem::take(&mut self.groups) {
            let first = list.first().map_or(0, |(i, _)| *i);
            let inputs: Vec<Input<'_>> = list.iter().map(|(_, o)| o.input()).collect();
            if let Some(f) = fragment::run(&kind, &inputs).map_err(|e| (first, e))? {
                self.push(f);
            }
        }
        let mut batches = BTreeMap::new();
        for t in TABLES {
            let mut parts = self.parts.remove(t.name).unwrap_or_default();
            parts.retain(|b| b.num_rows() > 0);
            batches.insert(t.name, parts);
        }
        Ok(Tables { batches })
    }
}

/// A query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The SQL is wrong or failed.
    #[error("{0}")]
    Sql(String),
    /// The SQL is not one read-only query (see [`crate::sandbox`]); nothing was run.
    #[error("{0}")]
    Refused(String),
    /// Building the tables failed.
    #[error("{0}")]
    Build(String),
}

/// The result of a query: column names and rows of cells.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// The record batches.
    pub batches: Vec<RecordBatch>,
}

impl Tables {
    /// Normalizes every input of a known kind into the tables. `Err` names the input (by
    /// its index) and what is wrong.
    pub fn build<'a>(
        inputs: impl IntoIterator<Item = (&'a str, Input<'a>)>,
    ) -> Result<Tables, (usize, NormalizeError)> {
        let mut b = Builder::default();
        for (kind, i) in inputs {
            b.add(Owned {
                kind: kind.to_string(),
                bytes: i.bytes.to_vec(),
                evidence: i.evidence.to_string(),
                snapshot_at: i.snapshot_at,
                params: i.params.clone(),
                batch: i.batch.map(str::to_string),
            })?;
        }
        b.finish()
    }

    /// Tables from finished batches (e.g. read back from the cache).
    pub fn from_batches(batches: BTreeMap<&'static str, RecordBatch>) -> Tables {
        Tables {
            batches: batches.into_iter().map(|(n, b)| (n, vec![b])).collect(),
        }
    }

    /// Writes every table as `<dir>/<table>.parquet` (the folder is created); returns the
    /// files written.
    pub fn write_parquet(
        &self,
        dir: &std::path::Path,
    ) -> Result<Vec<std::path::PathBuf>, crate::cache::CacheError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::cache::CacheError::Io(dir.to_path_buf(), e))?;
        let mut files = Vec::new();
        for t in TABLES {
            let path = dir.join(format!("{}.parquet", t.name));
            crate::cache::write_parts(&path, &t.schema(), self.parts(t.name))?;
            files.push(path);
        }
        Ok(files)
    }

    /// Row count of every table, in table order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        TABLES
            .iter()
            .map(|t| {
                (
                    t.name,
                    self.parts(t.name).iter().map(RecordBatch::num_rows).sum(),
                )
            })
            .collect()
    }

    /// A table's rows, in parts (empty for a table without rows).
    pub fn parts(&self, name: &str) -> &[RecordBatch] {
        self.batches.get(name).map_or(&[], Vec::as_slice)
    }

    /// The sandbox over every table: each query gets a fresh read-only session (see
    /// [`crate::sandbox`]).
    pub fn sandbox(&self) -> Result<Sandbox, QueryError> {
        let mut sandbox = Sandbox::new(SessionConfig::new())?;
        for t in TABLES {
            let mem = MemTable::try_new(t.schema(), vec![self.parts(t.name).to_vec()])
                .map_err(|e| QueryError::Build(e.to_string()))?;
            sandbox.register_table(t.name, Arc::new(mem));
        }
        Ok(sandbox)
    }

    /// A fresh sandboxed DataFusion session with every table registered.
    pub fn session(&self) -> Result<SessionContext, QueryError> {
        self.sandbox()?.session()
    }

    /// Runs one read-only query (`SELECT`, or `WITH … SELECT`) in the sandbox: anything
    /// else is [`QueryError::Refused`] before it is planned. `assay query` and the HTTP API
    /// run queries through here.
    ///
    /// Async: it runs on the caller's Tokio runtime and never starts one.
    pub async fn query(&self, sql: &str) -> Result<QueryResult, QueryError> {
        sandbox::check_query(sql).map_err(QueryError::Refused)?;
        let ctx = self.session()?;
        let df = sandbox::sql(&ctx, sql).await?;
        let columns = df
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let batches = df
            .collect()
            .await
            .map_err(|e| QueryError::Sql(clean(&e.to_string())))?;
        Ok(QueryResult { columns, batches })
    }
}

fn formatter<'a>(a: &'a dyn Array, opts: &'a FormatOptions<'a>) -> Option<ArrayFormatter<'a>> {
    ArrayFormatter::try_new(a, opts).ok()
}

impl QueryResult {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Every cell as display text (`None` for null), row by row.
    pub fn text_rows(&self) -> Vec<Vec<Option<String>>> {
        let opts = FormatOptions::default();
        let mut out = Vec::new();
        for b in &self.batches {
            let fmts: Vec<Option<ArrayFormatter<'_>>> = b
                .columns()
                .iter()
                .map(|c| formatter(c.as_ref(), &opts))
                .collect();
            for r in 0..b.num_rows() {
                out.push(
                    b.columns()
                        .iter()
                        .zip(&fmts)
                        .map(|(col, f)| {
                            if col.is_null(r) {
                                None
                            } else {
                                f.as_ref().map(|f| f.value(r).to_string())
                            }
                        })
                        .collect(),
                );
            }
        }
        out
    }

    /// Rows as JSON objects: numbers and booleans as such, everything else as text.
    pub fn json_rows(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let text = self.text_rows();
        let mut out = Vec::new();
        let mut offset = 0;
        for b in &self.batches {
            for r in 0..b.num_rows() {
                let mut obj = serde_json::Map::new();
                for (c, col) in b.columns().iter().enumerate() {
                    let name = self.columns.get(c).cloned().unwrap_or_default();
                    let v = if col.is_null(r) {
                        serde_json::Value::Null
                    } else {
                        match col.data_type() {
                            DataType::Boolean => serde_json::Value::Bool(col.as_boolean().value(r)),
                            DataType::Int64 => {
                                serde_json::Value::from(col.as_primitive::<Int64Type>().value(r))
                            }
                            _ => text[offset + r][c]
                                .clone()
                                .map(serde_json::Value::String)
                                .unwrap_or_default(),
                        }
                    };
                    obj.insert(name, v);
                }
                out.push(obj);
            }
            offset += b.num_rows();
        }
        out
    }
}
