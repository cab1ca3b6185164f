//! The evidence basis of an assessment: which snapshot of each source a test reads, how far
//! event evidence reaches, and the SQL session holding exactly those rows.
//!
//! A snapshot speaks for the moment it was taken: the engine reads, per source, the latest
//! snapshot inside the period, else the earliest one after it (which still supports a test
//! of a state that persists, and says so). Event evidence covers the span of its timestamps,
//! or the range recorded with it; when it starts after the period starts or stops before it
//! ends (beyond `event_gap_days`), tests reading it are not tested. Events seen in several
//! pieces of evidence (overlapping exports) count once, by `key`: the row built last is kept
//! (evidence is normalized in ledger order, collection runs after single files).

use crate::Window;
use assay_tables::sandbox::Sandbox;
use assay_tables::schema::{self, TABLES};
use assay_tables::Tables;
use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::{concat_batches, filter_record_batch, max, min};
use datafusion::arrow::datatypes::TimestampMicrosecondType;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionConfig;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// One locker entry the tables were built from, as the engine needs to know it.
#[derive(Debug, Clone)]
pub struct EvidenceInfo {
    /// SHA-256 of the blob (the `evidence` column).
    pub blob: String,
    /// Evidence kind.
    pub kind: String,
    /// The source system or collector that produced it.
    pub source: String,
    /// Import parameters (the target table of a mapped import).
    pub params: BTreeMap<String, String>,
    /// The unit a snapshot is taken in: the collection run or import batch, else the entry.
    pub unit: String,
    /// The moment it speaks for (microseconds), as given to the normalizer.
    pub snapshot_at: Option<i64>,
    /// The recorded effective range, as microseconds from the first day's start to the last
    /// day's end.
    pub effective: Option<(i64, i64)>,
    /// How many days a snapshot of this kind stays fresh (Type I reads the latest snapshot
    /// this old or newer before the as-of date).
    pub ttl_days: Option<u32>,
    /// Pulled by one of Assay's collectors from the system's API (system-generated), rather
    /// than exported by management and imported (information produced by the entity, whose
    /// completeness and accuracy the auditor tests: [`crate::ipe`]).
    pub system_generated: bool,
}

impl EvidenceInfo {
    /// The standard tables its kind writes.
    pub fn tables(&self) -> Vec<&str> {
        match assay_tables::for_kind(&self.kind) {
            Some(n) if n.tables.iter().all(|t| schema::table(t).is_some()) => n.tables.to_vec(),
            Some(_) => self
                .params
                .get("table")
                .map(String::as_str)
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }

    /// The source it belongs to, as snapshots and `ipe.yaml` name it:
    /// `KIND from SYSTEM`, with ` (TABLE)` for a mapped import.
    pub fn group(&self) -> String {
        format!(
            "{} from {}{}",
            self.kind,
            self.source,
            self.params
                .get("table")
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        )
    }
}

/// A snapshot a table's rows come from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SnapshotUse {
    /// The source: kind and system.
    pub source: String,
    /// The moment it speaks for.
    pub at: String,
    /// Taken after the period (or as-of date) ended: supports states that persist.
    pub after_period: bool,
}

/// The span one kind of evidence covers in an event table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceSpan {
    /// The evidence kind, e.g. `okta-system-log`.
    pub kind: String,
    /// First moment it speaks for.
    pub from: String,
    /// Last moment it speaks for.
    pub to: String,
}

/// What a table holds for this assessment and whether it can support a test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableBasis {
    /// `snapshot` or `events`.
    pub kind: String,
    /// Rows the tests read.
    pub rows: usize,
    /// Normalizers (kind and version) that produced them.
    pub normalizers: Vec<String>,
    /// The snapshots read, for a snapshot table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<SnapshotUse>,
    /// First and last moment the events speak for, for an event table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<[String; 2]>,
    /// Events found in more than one piece of evidence, counted once.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub duplicates_dropped: usize,
    /// How far each kind of evidence feeding an event table reaches, so a test can check
    /// the sources it depends on one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceSpan>,
    /// Why tests that read this table cannot be performed; none when they can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    /// SHA-256 of every blob read, sorted.
    pub evidence: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The tables as the tests see them, and how each is supported.
pub struct Basis {
    /// Per table.
    pub tables: BTreeMap<String, TableBasis>,
    /// Per event table, per evidence kind: the first and last moment (microseconds) that
    /// kind's evidence speaks for.
    pub spans: BTreeMap<String, BTreeMap<String, (i64, i64)>>,
    /// SQL over the selected rows: a fresh read-only session per test
    /// ([`Sandbox::session`]), so no test can change what another reads.
    pub sandbox: Sandbox,
}

/// Microseconds as `2026-01-01T00:00:00.000000Z`.
pub fn micros_text(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_else(|_| us.to_string())
}

impl Basis {
    /// Selects snapshots, measures event coverage, drops duplicate events and registers the
    /// result in a SQL session.
    pub fn new(
        tables: &Tables,
        evidence: &[EvidenceInfo],
        window: &Window,
        event_gap_days: u32,
    ) -> Result<Basis, String> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let config = SessionConfig::new().with_target_partitions(threads);
        let mut sandbox = Sandbox::new(config).map_err(|e| e.to_string())?;
        for f in crate::udf::functions() {
            sandbox.register_udf(f);
        }
        let mut out = BTreeMap::new();
        let mut spans = BTreeMap::new();
        for t in TABLES {
            let feeding: Vec<&EvidenceInfo> = evidence
                .iter()
                .filter(|e| e.tables().contains(&t.name))
                .collect();
            let mut normalizers: Vec<String> = feeding
                .iter()
                .filter_map(|e| assay_tables::for_kind(&e.kind))
                .map(|n| format!("{}@{}", n.kind, n.version))
                .collect();
            normalizers.sort();
            normalizers.dedup();
            let parts = tables.parts(t.name);
            let (parts, basis) = if t.snapshot {
                // Snapshot tables are small: filtered as one batch.
                let one = concat_batches(&t.schema(), parts).map_err(|e| e.to_string())?;
                let (batch, basis) = snapshot_table(&one, &feeding, window, normalizers)?;
                (vec![batch], basis)
            } else {
                let (parts, basis, by_kind) =
                    event_table(t.name, parts, &feeding, window, event_gap_days, normalizers)?;
                spans.insert(t.name.to_string(), by_kind);
                (parts, basis)
            };
            let mem = MemTable::try_new(t.schema(), partitions(parts, threads))
                .map_err(|e| e.to_string())?;
            sandbox.register_table(t.name, Arc::new(mem));
            out.insert(t.name.to_string(), basis);
        }
        Ok(Basis {
            tables: out,
            spans,
            sandbox,
        })
    }
}

/// Parts dealt into `n` partitions of nearly equal rows (for parallel scans); a single
/// large part is sliced. Row order within the table is kept partition by partition.
fn partitions(parts: Vec<RecordBatch>, n: usize) -> Vec<Vec<RecordBatch>> {
    let rows: usize = parts.iter().map(RecordBatch::num_rows).sum();
    if rows < 10_000 || n <= 1 {
        return vec![parts];
    }
    let per = rows.div_ceil(n);
    let mut out: Vec<Vec<RecordBatch>> = vec![Vec::new()];
    let mut filled = 0;
    for part in parts {
        let mut offset = 0;
        while offset < part.num_rows() {
            if filled == per && out.len() < n {
                out.push(Vec::new());
                filled = 0;
            }
            let take = (part.num_rows() - offset).min(per.saturating_sub(filled).max(1));
            if let Some(last) = out.last_mut() {
                last.push(part.slice(offset, take));
            }
            offset += take;
            filled += take;
        }
    }
    out
}

fn snapshot_table(
    batch: &RecordBatch,
    feeding: &[&EvidenceInfo],
    window: &Window,
    normalizers: Vec<String>,
) -> Result<(RecordBatch, TableBasis), String> {
    // Units per source: moment = latest snapshot_at of its entries.
    let mut units: BTreeMap<String, BTreeMap<String, (i64, Vec<&EvidenceInfo>)>> = BTreeMap::new();
    for e in feeding {
        let Some(at) = e.snapshot_at else { continue };
        let unit = units
            .entry(e.group())
            .or_default()
            .entry(e.unit.clone())
            .or_insert((at, Vec::new()));
        unit.0 = unit.0.max(at);
        unit.1.push(e);
    }
    let mut allowed: HashSet<(String, i64)> = HashSet::new();
    let mut used = Vec::new();
    let mut stale = Vec::new();
    let mut blobs = BTreeSet::new();
    for (group, list) in &units {
        let earliest_ok = window.snapshot_from(
            list.values()
                .flat_map(|(_, es)| es.iter())
                .find_map(|e| e.ttl_days),
        );
        let inside = list
            .values()
            .filter(|(at, _)| *at >= earliest_ok && *at <= window.end)
            .max_by_key(|(at, _)| *at);
        let after = list
            .values()
            .filter(|(at, _)| *at > window.end)
            .min_by_key(|(at, _)| *at);
        let Some((at, entries)) = inside.or(after) else {
            stale.push(group.clone());
            continue;
        };
        for e in entries {
            if let Some(s) = e.snapshot_at {
                allowed.insert((e.blob.clone(), s));
            }
            blobs.insert(e.blob.clone());
        }
        used.push(SnapshotUse {
            source: group.clone(),
            at: micros_text(*at),
            after_period: *at > window.end,
        });
    }
    used.sort();
    let filtered = keep_rows(batch, |ev, snap| {
        snap.is_some_and(|s| allowed.contains(&(ev.to_string(), s)))
    })?;
    let gap = if feeding.is_empty() {
        Some("no evidence of a kind that fills this table".to_string())
    } else if used.is_empty() {
        Some(format!(
            "every snapshot predates the {} ({})",
            window.noun(),
            stale.join(", ")
        ))
    } else {
        None
    };
    Ok((
        filtered.clone(),
        TableBasis {
            kind: "snapshot".into(),
            rows: filtered.num_rows(),
            normalizers,
            snapshots: used,
            coverage: None,
            duplicates_dropped: 0,
            sources: Vec::new(),
            gap,
            evidence: blobs.into_iter().collect(),
        },
    ))
}

/// Rows whose (evidence, snapshot_at) pass `keep`.
fn keep_rows(
    batch: &RecordBatch,
    keep: impl Fn(&str, Option<i64>) -> bool,
) -> Result<RecordBatch, String> {
    let schema = batch.schema();
    let ev = schema.index_of("evidence").map_err(|e| e.to_string())?;
    let ev = batch.column(ev).as_string::<i32>();
    let snap = schema
        .index_of("snapshot_at")
        .ok()
        .map(|i| batch.column(i).as_primitive::<TimestampMicrosecondType>());
    let mask: BooleanArray = (0..batch.num_rows())
        .map(|i| {
            let s = snap.and_then(|a| (!a.is_null(i)).then(|| a.value(i)));
            Some(keep(ev.value(i), s))
        })
        .collect();
    filter_record_batch(batch, &mask).map_err(|e| e.to_string())
}

/// Per evidence kind: the first and last moment (microseconds) it speaks for.
type Spans = BTreeMap<String, (i64, i64)>;

fn event_table(
    name: &str,
    parts: &[RecordBatch],
    feeding: &[&EvidenceInfo],
    window: &Window,
    gap_days: u32,
    normalizers: Vec<String>,
) -> Result<(Vec<RecordBatch>, TableBasis, Spans), String> {
    // Duplicates by key: keep the last, across all parts.
    let total: usize = parts.iter().map(RecordBatch::num_rows).sum();
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::with_capacity(total);
    for (p, batch) in parts.iter().enumerate() {
        let keys = batch.column(0).as_string::<i32>();
        for i in 0..batch.num_rows() {
            seen.insert(keys.value(i), (p, i));
        }
    }
    let dropped = total - seen.len();
    let parts: Vec<RecordBatch> = if dropped > 0 {
        let mut kept = Vec::with_capacity(parts.len());
        for (p, batch) in parts.iter().enumerate() {
            let keys = batch.column(0).as_string::<i32>();
            let mask: BooleanArray = (0..batch.num_rows())
                .map(|i| Some(seen.get(keys.value(i)) == Some(&(p, i))))
                .collect();
            kept.push(filter_record_batch(batch, &mask).map_err(|e| e.to_string())?);
        }
        kept
    } else {
        parts.to_vec()
    };
    drop(seen);
    let rows: usize = parts.iter().map(RecordBatch::num_rows).sum();
    let mut from: Option<i64> = None;
    let mut to: Option<i64> = None;
    let mut widen = |a: i64, b: i64| {
        from = Some(from.map_or(a, |f| f.min(a)));
        to = Some(to.map_or(b, |t| t.max(b)));
    };
    // A log (audit_events) covers the span of its timestamps; an export of records
    // (changes, reviews, training, ...) covers everything up to the moment it was taken.
    let log = name == "audit_events";
    // The same spans per evidence kind, for tests that check their sources one by one.
    let mut by_kind: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut widen_kind = |kind: &str, a: i64, b: i64| {
        let span = by_kind.entry(kind.to_string()).or_insert((a, b));
        *span = (span.0.min(a), span.1.max(b));
    };
    // Spans are kept per evidence kind and per source name (`@name`), for [sources].
    for e in feeding {
        let source = format!("@{}", e.source);
        match (e.effective, e.snapshot_at) {
            (Some((a, b)), _) => {
                widen(a, b);
                widen_kind(&e.kind, a, b);
                widen_kind(&source, a, b);
            }
            (None, Some(at)) if !log => {
                widen(window.start.min(at), at);
                widen_kind(&e.kind, window.start.min(at), at);
                widen_kind(&source, window.start.min(at), at);
            }
            _ => {}
        }
    }
    if log {
        let sources: Vec<String> = feeding.iter().map(|e| format!("@{}", e.source)).collect();
        let kind_of: HashMap<&str, (&str, &str)> = feeding
            .iter()
            .zip(&sources)
            .map(|(e, s)| (e.blob.as_str(), (e.kind.as_str(), s.as_str())))
            .collect();
        for batch in &parts {
            if let Some(col) = event_time(name).and_then(|c| batch.schema().index_of(c).ok()) {
                let times = batch.column(col).as_primitive::<TimestampMicrosecondType>();
                if let (Some(a), Some(b)) = (min(times), max(times)) {
                    widen(a, b);
                }
                for ((kind, source), a, b) in spans_by_evidence(batch, times, &kind_of) {
                    widen_kind(kind, a, b);
                    widen_kind(source, a, b);
                }
            }
        }
    }
    let slack = i64::from(gap_days) * 86_400_000_000;
    let gap = match (from, to) {
        _ if feeding.is_empty() => Some("no evidence of a kind that fills this table".to_string()),
        (Some(a), Some(_)) if a > window.start + slack => Some(format!(
            "the events start at {}, after the {} starts",
            micros_text(a),
            window.noun()
        )),
        (Some(_), Some(b)) if b < window.end - slack => Some(format!(
            "the evidence stops at {}, before the {} ends",
            micros_text(b),
            window.noun()
        )),
        (Some(_), Some(_)) => None,
        _ => Some("the evidence holds no events and records no period it covers".to_string()),
    };
    let blobs: BTreeSet<String> = feeding.iter().map(|e| e.blob.clone()).collect();
    Ok((
        parts,
        TableBasis {
            kind: "events".into(),
            rows,
            normalizers,
            snapshots: Vec::new(),
            coverage: from.zip(to).map(|(a, b)| [micros_text(a), micros_text(b)]),
            duplicates_dropped: dropped,
            sources: by_kind
                .iter()
                .filter(|(k, _)| !k.starts_with('@'))
                .map(|(kind, (a, b))| SourceSpan {
                    kind: kind.clone(),
                    from: micros_text(*a),
                    to: micros_text(*b),
                })
                .collect(),
            gap,
            evidence: blobs.into_iter().collect(),
        },
        by_kind,
    ))
}

/// The first and last event time of each evidence kind in one batch. Rows of one piece of
/// evidence are usually contiguous, so the kind is looked up only when the evidence changes.
fn spans_by_evidence<'k>(
    batch: &RecordBatch,
    times: &datafusion::arrow::array::PrimitiveArray<TimestampMicrosecondType>,
    kind_of: &HashMap<&str, (&'k str, &'k str)>,
) -> Vec<((&'k str, &'k str), i64, i64)> {
    let Ok(ev) = batch.schema().index_of("evidence") else {
        return Vec::new();
    };
    let ev = batch.column(ev).as_string::<i32>();
    let mut spans: BTreeMap<(&'k str, &'k str), (i64, i64)> = BTreeMap::new();
    let mut last: Option<(&str, Option<(&'k str, &'k str)>)> = None;
    for i in 0..batch.num_rows() {
        if times.is_null(i) || ev.is_null(i) {
            continue;
        }
        let blob = ev.value(i);
        let kind = match last {
            Some((b, k)) if b == blob => k,
            _ => {
                let k = kind_of.get(blob).copied();
                last = Some((blob, k));
                k
            }
        };
        if let Some(k) = kind {
            let t = times.value(i);
            let span = spans.entry(k).or_insert((t, t));
            *span = (span.0.min(t), span.1.max(t));
        }
    }
    spans.into_iter().map(|(k, (a, b))| (k, a, b)).collect()
}

/// The column saying when an event table's row happened.
pub fn event_time(table: &str) -> Option<&'static str> {
    Some(match table {
        "audit_events" => "time",
        "changes" => "created_at",
        "access_reviews" => "completed_at",
        "training" => "completed_at",
        "policy_acks" => "acknowledged_at",
        "vulnerabilities" => "detected_at",
        "backups" => "started_at",
        "incidents" => "opened_at",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    fn part(from: i64, n: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from_iter_values(from..from + n))],
        )
        .unwrap()
    }

    fn values(p: &[Vec<RecordBatch>]) -> Vec<i64> {
        p.iter()
            .flatten()
            .flat_map(|b| {
                let a = b
                    .column(0)
                    .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
                a.values().to_vec()
            })
            .collect()
    }

    #[test]
    fn partitions_keep_every_row_in_order_and_balance_them() {
        let parts = vec![part(0, 7_000), part(7_000, 30_000), part(37_000, 3)];
        let p = partitions(parts, 2);
        assert_eq!(p.len(), 2);
        assert_eq!(values(&p), (0..37_003).collect::<Vec<_>>());
        let sizes: Vec<usize> = p
            .iter()
            .map(|x| x.iter().map(RecordBatch::num_rows).sum())
            .collect();
        assert_eq!(sizes, vec![18_502, 18_501]);
        let small = partitions(vec![part(0, 10)], 2);
        assert_eq!(small.len(), 1, "small tables stay whole");
        assert_eq!(
            partitions(vec![part(0, 20_000)], 3).len(),
            3,
            "one large part is sliced"
        );
    }
}
