//! Fragments: the rows one piece of evidence (or one collection run) contributes to the
//! standard tables. A file export is normalized on its own with no snapshot moment, so its
//! fragment depends only on its bytes, kind and import parameters and can be kept (see
//! [`crate::cache`]) from the moment it is imported; the moment is stamped on when tables
//! are assembled, since it comes from the ledger entry.

use crate::normalize::{for_kind, Input, NormalizeError, Output, Run};
use crate::schema;
use datafusion::arrow::array::{new_null_array, ArrayRef, RecordBatch, TimestampMicrosecondArray};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The non-empty tables of one piece of evidence or one collection run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fragment {
    /// Rows by table name, in table order.
    pub batches: BTreeMap<&'static str, RecordBatch>,
}

impl Fragment {
    /// The rows written by a normalizer run.
    pub fn from_output(out: Output) -> Result<Fragment, NormalizeError> {
        let mut batches = BTreeMap::new();
        for (name, mut rows) in out.into_tables() {
            if rows.is_empty() {
                continue;
            }
            let batch = rows
                .finish()
                .map_err(|e| NormalizeError::whole(e.to_string()))?;
            batches.insert(name, batch);
        }
        Ok(Fragment { batches })
    }

    /// Number of rows in all tables.
    pub fn rows(&self) -> usize {
        self.batches.values().map(RecordBatch::num_rows).sum()
    }

    /// Row count per table, in table order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        self.batches
            .iter()
            .map(|(n, b)| (*n, b.num_rows()))
            .collect()
    }

    /// The same rows with every snapshot table's `snapshot_at` set to `at`.
    pub fn stamped(mut self, at: Option<i64>) -> Result<Fragment, NormalizeError> {
        for (name, batch) in self.batches.iter_mut() {
            let Some(table) = schema::table(name).filter(|t| t.snapshot) else {
                continue;
            };
            let schema = table.schema();
            let Some(last) = schema.fields().len().checked_sub(1) else {
                continue;
            };
            let n = batch.num_rows();
            let column: ArrayRef = match at {
                Some(t) => {
                    Arc::new(TimestampMicrosecondArray::from(vec![t; n]).with_timezone("UTC"))
                }
                None => new_null_array(schema.field(last).data_type(), n),
            };
            let mut columns = batch.columns().to_vec();
            if let Some(c) = columns.get_mut(last) {
                *c = column;
            }
            *batch = RecordBatch::try_new(schema, columns)
                .map_err(|e| NormalizeError::whole(e.to_string()))?;
        }
        Ok(self)
    }
}

/// Normalizes one file export (a kind read piece by piece) with no snapshot moment.
/// `Ok(None)` for a kind whose pieces are read together per collection run.
pub fn each(
    kind: &str,
    bytes: &[u8],
    evidence: &str,
    params: &BTreeMap<String, String>,
) -> Result<Option<Fragment>, NormalizeError> {
    let Some(Run::Each(run)) = for_kind(kind).map(|n| n.run) else {
        return Ok(None);
    };
    let input = Input {
        bytes,
        evidence,
        snapshot_at: None,
        params,
        batch: None,
    };
    let mut out = Output::for_input(&input);
    run(&input, &mut out)?;
    Fragment::from_output(out).map(Some)
}

/// Normalizes the pieces of one collection run together. `Ok(None)` for a kind read piece
/// by piece.
pub fn run(kind: &str, inputs: &[Input<'_>]) -> Result<Option<Fragment>, NormalizeError> {
    let Some(Run::Batch(run)) = for_kind(kind).map(|n| n.run) else {
        return Ok(None);
    };
    let mut out = Output::default();
    run(inputs, &mut out)?;
    Fragment::from_output(out).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Array;

    #[test]
    fn a_roster_fragment_is_stamped_with_the_moment_it_speaks_for() {
        let csv = b"email,name,start date,end date\na@x.example,A,2026-01-05,\n";
        let params = BTreeMap::new();
        let f = each("hr-roster", csv, "ev", &params).unwrap().unwrap();
        assert_eq!(f.counts(), vec![("people", 1)]);
        let people = &f.batches["people"];
        let last = people.num_columns() - 1;
        assert!(people.column(last).is_null(0), "no moment before stamping");
        let stamped = f.clone().stamped(Some(86_400_000_000)).unwrap();
        let col = stamped.batches["people"].column(last);
        let times = col
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .unwrap();
        assert_eq!(times.value(0), 86_400_000_000);
        assert_eq!(
            f.stamped(None).unwrap().batches["people"]
                .column(last)
                .null_count(),
            1
        );
    }

    #[test]
    fn collector_kinds_are_not_read_piece_by_piece() {
        let params = BTreeMap::new();
        assert!(each("github-api", b"[]", "ev", &params).unwrap().is_none());
        assert!(run("hr-roster", &[]).unwrap().is_none());
        let e = each("aws-cloudtrail", b"{\"Records\": [{}]}", "ev", &params).unwrap_err();
        assert!(e.message.contains("eventID"), "{e}");
    }
}
