//! The standard tables of a workspace, built from its locker's evidence. Each piece of
//! evidence's rows come from the rows cache when it has them (`import` puts them there), else
//! from its blob (and are then cached); pieces are read on every core.

use crate::progress::{rate, Progress, Unit};
use crate::{Project, ProjectError};
use assay_locker::blob::BlobStore;
use assay_locker::entry::Entry;
use assay_locker::Locker;
use assay_tables::{cache, Fragment, Input, Tables};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

/// The moment a piece of evidence speaks for, in microseconds: its effective day (midnight
/// UTC) when given, else when it was collected.
pub fn snapshot_at(e: &Entry) -> Option<i64> {
    let day = e
        .record
        .effective_to
        .as_deref()
        .map(|d| format!("{d}T00:00:00Z"));
    let text = day.as_deref().unwrap_or(&e.record.collected_at);
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// The tables with what they were built from.
pub struct Loaded {
    /// The standard tables.
    pub tables: Tables,
    /// The ledger entries of known kinds, in ledger order.
    pub entries: Vec<Entry>,
    /// The ledger's size and Merkle root (none without a locker).
    pub head: Option<(u64, String)>,
}

/// A collection run: its kind and batch.
type RunId<'a> = (&'a str, Option<&'a str>);

/// A piece of evidence as a normalizer input.
fn input<'a>(e: &'a Entry, snapshot_at: Option<i64>, bytes: &'a [u8]) -> Input<'a> {
    Input {
        bytes,
        evidence: &e.record.blob,
        snapshot_at,
        params: &e.record.params,
        batch: e.record.provenance.batch.as_deref(),
    }
}

fn tables_err(what: String) -> impl FnOnce(String) -> ProjectError {
    move |e| ProjectError::Tables(format!("cannot read {what}: {e}"))
}

/// One piece of evidence's rows: from the rows cache, else normalized from its blob (and
/// then cached).
fn fragment_of(
    store: &dyn BlobStore,
    cache_root: &Path,
    e: &Entry,
    key: &str,
    progress: &dyn Progress,
) -> Result<Fragment, ProjectError> {
    let tables = cache::tables_of(&e.record.kind, &e.record.params);
    match cache::read(cache_root, key, &tables) {
        Ok(Some(f)) => return Ok(f),
        Ok(None) => {}
        Err(err) => progress.warn(&format!(
            "the rows cache cannot be read ({err}); reading the evidence again"
        )),
    }
    let which = || format!("entry #{} ({})", e.seq, e.record.provenance.locator);
    let bytes = store
        .get(&e.record.blob)
        .map_err(|err| tables_err(which())(err.to_string()))?;
    let f = assay_tables::fragment::each(&e.record.kind, &bytes, &e.record.blob, &e.record.params)
        .map_err(|err| tables_err(which())(err.to_string()))?
        .unwrap_or_default();
    if let Err(err) = cache::write(cache_root, key, &tables, &f) {
        progress.warn(&format!(
            "the rows cache cannot be written ({err}); the next run reads the evidence again"
        ));
    }
    Ok(f)
}

fn each_kind(e: &Entry) -> bool {
    matches!(
        assay_tables::for_kind(&e.record.kind).map(|n| n.run),
        Some(assay_tables::Run::Each(_))
    )
}

impl Project {
    /// The standard tables, the entries they were built from, and the ledger head (empty
    /// tables without a locker).
    pub fn tables(&self, progress: &dyn Progress) -> Result<Loaded, ProjectError> {
        let Some(l) = self.locker_if_any()? else {
            return Ok(Loaded {
                tables: Tables::build([]).map_err(|(_, e)| ProjectError::Tables(e.to_string()))?,
                entries: Vec::new(),
                head: None,
            });
        };
        build(&l, progress)
    }
}

fn build(l: &Locker, progress: &dyn Progress) -> Result<Loaded, ProjectError> {
    let entries: Vec<Entry> = l
        .entries()?
        .into_iter()
        .filter(|e| assay_tables::for_kind(&e.record.kind).is_some())
        .collect();
    let head = Some(l.head()?);
    let cache_root = l.rows_cache();
    if let Err(e) = std::fs::create_dir_all(&cache_root) {
        progress.warn(&format!("the rows cache cannot be created ({e})"));
    }
    let each: Vec<(&Entry, String)> = entries
        .iter()
        .filter(|e| each_kind(e))
        .map(|e| {
            let key = cache::each_key(&e.record.kind, &e.record.blob, &e.record.params);
            (e, key)
        })
        .collect();

    progress.start("building tables", entries.len() as u64, Unit::Pieces);
    let started = Instant::now();
    let store = l.blob_store();
    let (mut rows, mut done) = (0usize, 0u64);
    let fragments = crate::parallel::map(
        &each,
        |_, (e, key)| fragment_of(store, &cache_root, e, key, progress),
        |_, r| {
            done += 1;
            if let Ok(f) = r {
                rows += f.rows();
            }
            progress.update(done, &rate(rows, started));
        },
    );
    let mut builder = assay_tables::Builder::default();
    let mut keep: BTreeSet<String> = each.iter().map(|(_, k)| k.clone()).collect();
    for ((e, _), f) in each.iter().zip(fragments) {
        builder.add_fragment(
            f?.stamped(snapshot_at(e))
                .map_err(|err| ProjectError::Tables(err.to_string()))?,
        );
    }

    // Collection runs: the responses of one run are read together.
    let mut runs: Vec<(RunId<'_>, Vec<&Entry>)> = Vec::new();
    for e in entries.iter().filter(|e| !each_kind(e)) {
        let id = (e.record.kind.as_str(), e.record.provenance.batch.as_deref());
        match runs.iter_mut().find(|(k, _)| *k == id) {
            Some((_, list)) => list.push(e),
            None => runs.push((id, vec![e])),
        }
    }
    for ((kind, _), list) in runs {
        let moments: Vec<Option<i64>> = list.iter().map(|e| snapshot_at(e)).collect();
        let keyed: Vec<Input<'_>> = list
            .iter()
            .zip(&moments)
            .map(|(e, at)| input(e, *at, &[]))
            .collect();
        let key = cache::run_key(kind, &keyed);
        keep.insert(key.clone());
        let tables = cache::tables_of(kind, &BTreeMap::new());
        let cached = cache::read(&cache_root, &key, &tables).unwrap_or_else(|err| {
            progress.warn(&format!(
                "the rows cache cannot be read ({err}); reading the evidence again"
            ));
            None
        });
        let f = match cached {
            Some(f) => f,
            None => {
                let which = format!(
                    "the {kind} collection run of entry #{}",
                    list.first().map_or(0, |e| e.seq)
                );
                let bytes: Vec<Vec<u8>> = list
                    .iter()
                    .map(|e| l.content(e))
                    .collect::<Result<_, _>>()
                    .map_err(|err| tables_err(which.clone())(err.to_string()))?;
                let inputs: Vec<Input<'_>> = list
                    .iter()
                    .zip(&moments)
                    .zip(&bytes)
                    .map(|((e, at), b)| input(e, *at, b))
                    .collect();
                let f = assay_tables::fragment::run(kind, &inputs)
                    .map_err(|err| tables_err(which)(err.to_string()))?
                    .unwrap_or_default();
                if let Err(err) = cache::write(&cache_root, &key, &tables, &f) {
                    progress.warn(&format!("the rows cache cannot be written ({err}); the next run reads the evidence again"));
                }
                f
            }
        };
        done += list.len() as u64;
        progress.update(done, &rate(rows, started));
        builder.add_fragment(f);
    }
    progress.finish();
    cache::prune(&cache_root, &keep);
    let tables = builder
        .finish()
        .map_err(|(_, err)| ProjectError::Tables(format!("cannot build the tables: {err}")))?;
    Ok(Loaded {
        tables,
        entries,
        head,
    })
}
