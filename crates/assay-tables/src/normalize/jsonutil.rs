//! Reading JSON evidence: one document, or newline-delimited JSON, optionally gzip-compressed;
//! parse errors name line and column.

use super::NormalizeError;
use serde_json::Value as Json;
use std::io::Read;

/// Decompresses gzip input (CloudTrail delivers `.json.gz`), or returns the input as is.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, NormalizeError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    // Sized from the gzip trailer (the last member's length), so it fills without copies.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    let mut out = Vec::with_capacity(hint.min(bytes.len().saturating_mul(64)).min(1 << 30));
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| {
            NormalizeError::whole(format!(
                "the gzip data is damaged or cut off ({e}); copy the file again"
            ))
        })?;
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
