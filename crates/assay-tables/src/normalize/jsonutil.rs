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

fn parse_error(e: &serde_json::Error, line_offset: usize) -> NormalizeError {
    let what = if e.is_eof() {
        "the JSON ends too early (cut off?)"
    } else {
        "the JSON is not valid"
    };
    NormalizeError::at(e.line() + line_offset, format!("{what}: {e}"))
}

/// The records of a JSON input: the array under `key` of an object, a top-level array, or
/// one object per line (NDJSON). Each record comes with its line (NDJSON) or position.
pub fn records(bytes: &[u8], key: Option<&str>) -> Result<Vec<(usize, Json)>, NormalizeError> {
    let data = maybe_gunzip(bytes)?;
    let text = std::str::from_utf8(&data).map_err(|e| {
        NormalizeError::at(
            data[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1,
            "not UTF-8 text",
        )
    })?;
    let trimmed = text.trim_start();
    // NDJSON: several top-level values, one per line.
    let first_line = trimmed.lines().next().unwrap_or("");
    if trimmed.starts_with('{')
        && serde_json::from_str::<Json>(first_line).is_ok()
        && trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1
    {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Json = serde_json::from_str(line).map_err(|e| parse_error(&e, i))?;
            out.push((i + 1, v));
        }
        return Ok(out);
    }
    let doc: Json = serde_json::from_str(text).map_err(|e| parse_error(&e, 0))?;
    let list = match (doc, key) {
        (Json::Array(a), _) => a,
        (Json::Object(mut o), Some(k)) => match o.remove(k) {
            Some(Json::Array(a)) => a,
            _ => {
                return Err(NormalizeError::whole(format!(
                    "expected an object with a `{k}` array, or an array of records"
                )))
            }
        },
        (Json::Object(o), None) => vec![Json::Object(o)],
        _ => return Err(NormalizeError::whole("expected a JSON array of records")),
    };
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i + 1, v))
        .collect())
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
