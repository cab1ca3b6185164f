//! The frozen population's rows digest (`rows_sha256`): independent of row order, so a
//! population needs no global sort and can be hashed in pieces and in parallel.
//!
//! Construction (version [`ROWS_DIGEST`]):
//! 1. each row is encoded without ambiguity: per selected cell, in selection order, the byte
//!    `0x00` for a null, or the byte `0x01`, the cell text's length in bytes as an 8-byte
//!    big-endian integer, and the text (UTF-8);
//! 2. each encoded row is hashed with SHA-256 (32 bytes);
//! 3. the row hashes are sorted ascending as bytes, duplicates kept;
//! 4. `rows_sha256` is the SHA-256 of their concatenation.
//!
//! Why it is sound: the row encoding is injective, so two different rows collide in step 2
//! only through a SHA-256 collision. Step 3 maps a multiset of row hashes to one sequence, and
//! fixed-width concatenation makes step 4's input injective in that sequence. Two populations
//! that differ as multisets of rows therefore share a digest only if SHA-256 collides in step 2
//! or step 4. A sum or XOR of row hashes would not have this property (rows could be chosen to
//! cancel out); the sort costs O(n log n) over 32-byte values only.

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The digest's name, recorded in every frozen population as `rows_digest`.
pub const ROWS_DIGEST: &str = "sha256-sorted-rows/v2";

/// The name older assessments imply when they carry no `rows_digest`: rows ordered by every
/// selected column, cells as text separated by 0x1f, rows ended by 0x1e, hashed in sequence.
pub const ROWS_DIGEST_V1: &str = "sha256-ordered-rows/v1";

/// One row's hash from its cells (`None` for a null), in selection order.
pub fn row<'a>(cells: impl IntoIterator<Item = Option<&'a [u8]>>) -> [u8; 32] {
    let mut h = Sha256::new();
    for cell in cells {
        match cell {
            None => h.update([0u8]),
            Some(text) => {
                h.update([1u8]);
                h.update((text.len() as u64).to_be_bytes());
                h.update(text);
            }
        }
    }
    h.finalize().into()
}

/// Every row's hash, per batch, over the first `width` columns (cells as Arrow's default
/// display text). The batches are shared among the machine's cores: rows are independent,
/// so the work splits without changing the result.
pub fn row_hashes(batches: &[RecordBatch], width: usize) -> Result<Vec<Vec<[u8; 32]>>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(batches.len().max(1));
    let per = batches.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = batches
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|b| batch_hashes(b, width))
                        .collect::<Result<Vec<_>, String>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(batches.len());
        for p in parts {
            out.extend(
                p.join()
                    .map_err(|_| "a hashing thread panicked".to_string())??,
            );
        }
        Ok(out)
    })
}

fn batch_hashes(b: &RecordBatch, width: usize) -> Result<Vec<[u8; 32]>, String> {
    let opts = FormatOptions::default();
    let fmts: Vec<ArrayFormatter<'_>> = b
        .columns()
        .iter()
        .take(width)
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut cells: Vec<String> = vec![String::new(); fmts.len()];
    let mut out = Vec::with_capacity(b.num_rows());
    for r in 0..b.num_rows() {
        for (c, f) in fmts.iter().enumerate() {
            cells[c].clear();
            if !b.column(c).is_null(r) {
                let _ = write!(cells[c], "{}", f.value(r));
            }
        }
        out.push(row((0..fmts.len()).map(|c| {
            (!b.column(c).is_null(r)).then_some(cells[c].as_bytes())
        })));
    }
    Ok(out)
}

/// The population's digest from its rows' hashes, in any order.
pub fn rows(mut hashes: Vec<[u8; 32]>) -> String {
    hashes.sort_unstable();
    let mut h = Sha256::new();
    for r in &hashes {
        h.update(r);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(rows_: &[&[Option<&str>]]) -> String {
        rows(
            rows_
                .iter()
                .map(|r| row(r.iter().map(|c| c.map(str::as_bytes))))
                .collect(),
        )
    }

    #[test]
    fn the_digest_ignores_row_order_but_not_repeats_or_cell_boundaries() {
        let a: &[Option<&str>] = &[Some("alice"), Some("true")];
        let b: &[Option<&str>] = &[Some("bob"), None];
        assert_eq!(digest(&[a, b]), digest(&[b, a]));
        assert_ne!(digest(&[a, b]), digest(&[a, b, b]), "a repeated row counts");
        assert_ne!(digest(&[a, a]), digest(&[b, b]));
        let split1: &[Option<&str>] = &[Some("ab"), Some("c")];
        let split2: &[Option<&str>] = &[Some("a"), Some("bc")];
        assert_ne!(
            digest(&[split1]),
            digest(&[split2]),
            "cell boundaries count"
        );
        let null: &[Option<&str>] = &[None];
        let empty: &[Option<&str>] = &[Some("")];
        assert_ne!(
            digest(&[null]),
            digest(&[empty]),
            "a null is not empty text"
        );
    }

    #[test]
    fn the_digest_matches_the_documented_bytes() {
        // The empty population hashes nothing.
        assert_eq!(
            digest(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // One row ("k", null): 0x01, length 1 as 8 bytes, "k", then 0x00.
        let encoded = vec![1u8, 0, 0, 0, 0, 0, 0, 0, 1, b'k', 0];
        let one: [u8; 32] = Sha256::digest(&encoded).into();
        assert_eq!(row([Some(&b"k"[..]), None]), one);
        assert_eq!(
            digest(&[&[Some("k"), None]]),
            hex::encode(Sha256::digest(one))
        );
    }
}
