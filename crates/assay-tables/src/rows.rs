//! Building a table's rows column by column (Arrow builders), with the column positions
//! looked up once per normalizer run rather than once per row.

use crate::schema::{Kind, Table};
use crate::value::Value;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Int64Builder, RecordBatch, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::error::ArrowError;
use std::sync::Arc;

enum Col {
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Time(TimestampMicrosecondBuilder),
    Date(Date32Builder),
}

/// The rows of one table being built.
pub struct Rows {
    table: &'static Table,
    cols: Vec<Col>,
    len: usize,
    /// Where the next rows come from: the framework writes the `evidence` and `snapshot_at`
    /// columns from it, whatever the normalizer put there.
    source: Option<Source>,
    evidence_at: usize,
    snapshot_at: Option<usize>,
}

/// The piece of evidence rows are being read from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    evidence: String,
    snapshot_at: Option<i64>,
}

impl Rows {
    /// No rows yet.
    pub fn new(table: &'static Table) -> Rows {
        let cols = table
            .all_columns()
            .iter()
            .map(|(_, kind, _)| match kind {
                Kind::Text => Col::Text(StringBuilder::new()),
                Kind::Bool => Col::Bool(BooleanBuilder::new()),
                Kind::Int => Col::Int(Int64Builder::new()),
                Kind::Time => Col::Time(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
                Kind::Date => Col::Date(Date32Builder::new()),
            })
            .collect();
        let evidence_at = table.index("evidence").unwrap_or(usize::MAX);
        let snapshot_at = table.index("snapshot_at");
        Rows {
            table,
            cols,
            len: 0,
            source: None,
            evidence_at,
            snapshot_at,
        }
    }

    /// Sets the evidence the rows pushed from now on come from: its hash fills the
    /// `evidence` column and its moment the `snapshot_at` column of every such row.
    pub fn set_source(&mut self, evidence: &str, snapshot_at: Option<i64>) {
        if self
            .source
            .as_ref()
            .is_some_and(|s| s.evidence == evidence && s.snapshot_at == snapshot_at)
        {
            return;
        }
        self.source = Some(Source {
            evidence: evidence.to_string(),
            snapshot_at,
        });
    }

    /// The table.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A fresh row: one `Null` per column.
    pub fn blank(&self) -> Vec<Value> {
        vec![Value::Null; self.cols.len()]
    }

    /// Appends a row (one value per column, in column order). A value of the wrong type
    /// for its column is stored as null.
    pub fn push(&mut self, row: &mut [Value]) {
        let mut cells: Vec<Cell<'_>> = row.iter_mut().map(|v| std::mem::take(v).into()).collect();
        self.push_cells(&mut cells);
    }

    /// The rows as one Arrow record batch.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Text(b) => Arc::new(b.finish()),
                    Col::Bool(b) => Arc::new(b.finish()),
                    Col::Int(b) => Arc::new(b.finish()),
                    Col::Time(b) => Arc::new(b.finish()),
                    Col::Date(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.len = 0;
        RecordBatch::try_new(self.table.schema(), arrays)
    }
}

/// A cell borrowing its text from the input, for normalizers of large event files: the
/// text is copied once, into the column, rather than into a `String` first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cell<'a> {
    /// No value.
    #[default]
    Null,
    /// Text.
    Text(std::borrow::Cow<'a, str>),
    /// Boolean.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Microseconds since the Unix epoch, UTC.
    Time(i64),
    /// Days since 1970-01-01.
    Date(i32),
}

impl<'a> Cell<'a> {
    /// Text as the source wrote it, or null for a marker of no value (see
    /// [`crate::value::is_none`]); trimmed.
    pub fn text(s: &'a str) -> Cell<'a> {
        if crate::value::is_none(s) {
            Cell::Null
        } else {
            Cell::Text(std::borrow::Cow::Borrowed(s.trim()))
        }
    }

    /// Optional text (see [`Cell::text`]).
    pub fn opt_text(s: Option<&'a str>) -> Cell<'a> {
        s.map(Cell::text).unwrap_or(Cell::Null)
    }

    /// Text kept exactly as given.
    pub fn exact(s: &'a str) -> Cell<'a> {
        Cell::Text(std::borrow::Cow::Borrowed(s))
    }
}

impl From<Value> for Cell<'_> {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Cell::Null,
            Value::Date(d) => Cell::Date(d),
            Value::Text(s) => Cell::Text(std::borrow::Cow::Owned(s)),
            Value::Bool(b) => Cell::Bool(b),
            Value::Int(i) => Cell::Int(i),
            Value::Time(t) => Cell::Time(t),
        }
    }
}

impl Rows {
    /// A row of null cells, to fill with [`Rows::push_cells`] (reuse it across rows).
    pub fn blank_cells<'a>(&self) -> Vec<Cell<'a>> {
        vec![Cell::Null; self.cols.len()]
    }

    /// Appends a row of borrowed cells and resets them to null. A value of the wrong type
    /// for its column is stored as null.
    pub fn push_cells(&mut self, row: &mut [Cell<'_>]) {
        let source = self.source.as_ref();
        for (i, (col, v)) in self.cols.iter_mut().zip(row.iter_mut()).enumerate() {
            let mut v = std::mem::take(v);
            if let Some(s) = source {
                if i == self.evidence_at {
                    v = Cell::Text(std::borrow::Cow::Borrowed(&s.evidence));
                } else if Some(i) == self.snapshot_at {
                    v = s.snapshot_at.map(Cell::Time).unwrap_or(Cell::Null);
                }
            }
            match (col, v) {
                (Col::Text(b), Cell::Text(s)) => b.append_value(&*s),
                (Col::Bool(b), Cell::Bool(x)) => b.append_value(x),
                (Col::Int(b), Cell::Int(x)) => b.append_value(x),
                (Col::Time(b), Cell::Time(x)) => b.append_value(x),
                (Col::Date(b), Cell::Date(x)) => b.append_value(x),
                (Col::Text(b), _) => b.append_null(),
                (Col::Bool(b), _) => b.append_null(),
                (Col::Int(b), _) => b.append_null(),
                (Col::Time(b), _) => b.append_null(),
                (Col::Date(b), _) => b.append_null(),
            }
        }
        self.len += 1;
    }
}

/// Sets a borrowed cell, ignoring unknown positions.
pub fn put<'a>(row: &mut [Cell<'a>], at: usize, v: Cell<'a>) {
    if let Some(cell) = row.get_mut(at) {
        *cell = v;
    }
}

/// Column positions of a table, looked up by name once.
pub struct Cols(Vec<(&'static str, usize)>);

impl Cols {
    /// Positions of every column of `table`.
    pub fn of(table: &'static Table) -> Cols {
        Cols(
            table
                .all_columns()
                .iter()
                .enumerate()
                .map(|(i, (n, _, _))| (*n, i))
                .collect(),
        )
    }

    /// The position of `name` (a column the code names; the schema tests check they exist).
    pub fn at(&self, name: &str) -> usize {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| *i)
            .unwrap_or(usize::MAX)
    }
}

/// Sets a cell, ignoring unknown positions.
pub fn set(row: &mut [Value], at: usize, v: Value) {
    if let Some(cell) = row.get_mut(at) {
        *cell = v;
    }
}
