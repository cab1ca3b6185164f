//! Reading JSON evidence: one document, or newline-delimited JSON, optionally gzip-compressed;
//! parse errors name line and column.

use super::NormalizeError;
use serde_json::Value as Json;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

static MAX_EXPANDED: AtomicU64 = AtomicU64::new(4096 << 20);
static MAX_RATIO: AtomicU64 = AtomicU64::new(200);
/// Output below this is never refused for its ratio.
const RATIO_GRACE: u64 = 64 << 20;

/// Sets the decompression limits of gzip evidence for this process: at most `max_expanded`
/// bytes out, and (beyond 64 MiB out) at most `max_ratio` bytes out per byte in. The
/// defaults are 4 GiB and 200, as in the locker (`docs/locker.md`).
pub fn set_gzip_limits(max_expanded: u64, max_ratio: u64) {
    MAX_EXPANDED.store(max_expanded, Ordering::Relaxed);
    MAX_RATIO.store(max_ratio, Ordering::Relaxed);
}

/// Counts the compressed bytes the decoder reads.
struct Counted<'a>(&'a [u8], u64);

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1 += n as u64;
        Ok(n)
    }
}

/// Decompresses gzip input (CloudTrail delivers `.json.gz`), or returns the input as is.
/// Decompression streams and stops at the limits ([`set_gzip_limits`]), so a gzip bomb is
/// refused with bounded memory.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, NormalizeError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let (max, ratio) = (
        MAX_EXPANDED.load(Ordering::Relaxed),
        MAX_RATIO.load(Ordering::Relaxed),
    );
    // Sized from the gzip trailer (the last member's length), so it fills without copies;
    // only a hint, capped, since anyone can write any trailer.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    let mut out = Vec::with_capacity(
        hint.min(bytes.len().saturating_mul(64))
            .min(1 << 30)
            .min(usize::try_from(max).unwrap_or(usize::MAX)),
    );
    let mut dec = flate2::read::MultiGzDecoder::new(Counted(bytes, 0));
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = dec.read(&mut buf).map_err(|e| {
            NormalizeError::whole(format!(
                "the gzip data is damaged or cut off ({e}); copy the file again"
            ))
        })?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        let (expanded, compressed) = (out.len() as u64, dec.get_ref().1.max(1));
        if expanded > max {
            return Err(NormalizeError::whole(format!(
                "it inflates to more than {} MiB, the limit of expanded size; if the file is genuine, raise `max_expanded_mib` under [limits] in assay.toml (or set ASSAY_MAX_EXPANDED_MIB)",
                max >> 20
            )));
        }
        if expanded > RATIO_GRACE && expanded / compressed > ratio {
            return Err(NormalizeError::whole(format!(
                "it inflates more than {ratio}:1, the limit of expansion ratio, which only decompression bombs reach; if the file is genuine, raise `max_expansion_ratio` under [limits] in assay.toml (or set ASSAY_MAX_EXPANSION_RATIO)"
            )));
        }
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// The records of a JSON input (gzip or not) as `serde_json::Value`s: the array under `key`
/// of an object, a top-level array, or one object per line (NDJSON). Each record comes with
/// its line (NDJSON) or position. See [`super::loose::records`] for typed records.
pub fn records(bytes: &[u8], key: Option<&str>) -> Result<Vec<(usize, Json)>, NormalizeError> {
    let data = maybe_gunzip(bytes)?;
    super::loose::records(super::loose::utf8(&data)?, key)
}

/// A string at a JSON pointer (`/a/b`), when it is a string.
pub fn s<'a>(v: &'a Json, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Json::as_str)
}

/// A stored API response that must be a JSON array.
pub fn array(input: &super::Input<'_>) -> Result<Vec<Json>, NormalizeError> {
    match serde_json::from_slice::<Json>(input.bytes) {
        Ok(Json::Array(a)) => Ok(a),
        Ok(_) => Err(NormalizeError::whole("expected a JSON array")),
        Err(e) => Err(NormalizeError::at(
            e.line(),
            format!("the JSON is not valid: {e}"),
        )),
    }
}

/// The API endpoint a collector recorded with a response.
pub fn endpoint<'a>(i: &super::Input<'a>) -> &'a str {
    i.params.get("endpoint").map(String::as_str).unwrap_or("")
}
