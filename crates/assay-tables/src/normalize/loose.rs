//! Typed, forgiving JSON reading for the large event formats (CloudTrail, Okta System Log,
//! GitHub pull requests): records are parsed straight into small structs that borrow their
//! strings from the input, skipping every field no table needs, instead of into a
//! `serde_json::Value` tree. A field of an unexpected JSON type reads as absent, exactly as
//! a missing one does, so a source that changes a field's type never fails a whole file.

use super::NormalizeError;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A string field: `Some` only when the JSON value is a string.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The string, when there is one.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StrVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Str(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Str(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// A whole-number field: `Some` only when the JSON value is an integer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Int(pub Option<i64>);

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Int;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Int(Some(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Int(i64::try_from(v).ok()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Int(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Int(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Int(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Int(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Int(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IntVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Int(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Int(None))
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// Whether a field is present with a value other than `null`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Present(pub bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Option::<IgnoredAny>::deserialize(d)?;
        Ok(Present(v.is_some()))
    }
}

/// An object field read as `T`: `None` when absent or not an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<T> Obj<T> {
    /// The object, when there is one.
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// A list field read as `T`s: empty when absent or not an array; elements that are not
/// objects are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T> {
    /// The elements that are objects.
    pub items: Vec<T>,
    /// Whether the field was an array at all.
    pub present: bool,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            items: Vec::new(),
            present: false,
        }
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Obj(item)) = seq.next_element::<Obj<T>>()? {
            items.extend(item);
        }
        Ok(List {
            items,
            present: true,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(List::default())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// The top level of a JSON document: an array of records, an object holding them under
/// `key`, or (without a key) one object that is itself the record.
struct Doc<'k, T> {
    key: Option<&'k str>,
    _t: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Doc<'_, T> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Doc<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key {
            Some(k) => write!(f, "an object with a `{k}` array, or an array of records"),
            None => f.write_str("a JSON array of records"),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(r) = seq.next_element::<T>()? {
            out.push(r);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = self.key else {
            return T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|r| vec![r]);
        };
        let mut found = None;
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            if k == key && found.is_none() {
                found = Some(map.next_value::<Vec<T>>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        found.ok_or_else(|| {
            de::Error::custom(format!(
                "expected an object with a `{key}` array, or an array of records"
            ))
        })
    }
}

fn parse_error(e: &serde_json::Error, line_offset: usize) -> NormalizeError {
    let what = if e.is_eof() {
        "the JSON ends too early (cut off?)"
    } else {
        "the JSON is not valid"
    };
    NormalizeError::at(e.line() + line_offset, format!("{what}: {e}"))
}

/// The input as UTF-8 text; the error names the first line that is not.
pub fn utf8(data: &[u8]) -> Result<&str, NormalizeError> {
    std::str::from_utf8(data).map_err(|e| {
        NormalizeError::at(
            data[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1,
            "not UTF-8 text",
        )
    })
}

/// Whether the text is newline-delimited JSON: its first line is a whole JSON object and
/// more lines with content follow.
fn is_ndjson(text: &str) -> bool {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return false;
    }
    let mut lines = trimmed.lines();
    let first = lines.next().unwrap_or("");
    serde_json::from_str::<IgnoredAny>(first).is_ok() && lines.any(|l| !l.trim().is_empty())
}

/// The records of a JSON text as `T`: the array under `key` of an object, a top-level
/// array, or one object per line (NDJSON). Each comes with its line (NDJSON) or position.
pub fn records<'de, T: Deserialize<'de>>(
    text: &'de str,
    key: Option<&str>,
) -> Result<Vec<(usize, T)>, NormalizeError> {
    if is_ndjson(text) {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r: T = serde_json::from_str(line).map_err(|e| parse_error(&e, i))?;
            out.push((i + 1, r));
        }
        return Ok(out);
    }
    let mut d = serde_json::Deserializer::from_str(text);
    let list = Doc {
        key,
        _t: PhantomData,
    }
    .deserialize(&mut d)
    .and_then(|l| d.end().map(|_| l))
    .map_err(|e| parse_error(&e, 0))?;
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, r))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Rec<'a> {
        #[serde(borrow, default)]
        id: Str<'a>,
        #[serde(default)]
        n: Int,
        #[serde(default)]
        err: Present,
        #[serde(borrow, default)]
        who: Obj<Who<'a>>,
        #[serde(borrow, default)]
        tags: List<Who<'a>>,
    }

    #[derive(Deserialize, Debug)]
    struct Who<'a> {
        #[serde(borrow, default)]
        name: Str<'a>,
    }

    #[test]
    fn fields_of_unexpected_types_read_as_absent() {
        let text = r#"{"Records": [
            {"id": "a", "n": 3, "err": null, "who": {"name": "x"}, "tags": [{"name": "t"}, 4]},
            {"id": 7, "n": "3", "err": "Denied", "who": "x", "tags": {"name": "t"}},
            {"other": [1, {"deep": true}]}
        ], "extra": 1}"#;
        let recs: Vec<(usize, Rec)> = records(text, Some("Records")).unwrap();
        assert_eq!(recs.len(), 3);
        let (i, a) = &recs[0];
        assert_eq!(*i, 1);
        assert_eq!(a.id.get(), Some("a"));
        assert_eq!(a.n.0, Some(3));
        assert!(!a.err.0);
        assert_eq!(a.who.get().and_then(|w| w.name.get()), Some("x"));
        assert_eq!(a.tags.items.len(), 1);
        let b = &recs[1].1;
        assert_eq!((b.id.get(), b.n.0, b.err.0), (None, None, true));
        assert!(b.who.get().is_none() && !b.tags.present);
        assert!(recs[2].1.id.get().is_none());
    }

    #[test]
    fn escaped_strings_are_read_and_ndjson_and_arrays_work() {
        let nd = "{\"id\": \"a\\\"b\"}\n\n{\"id\": \"c\"}\n";
        let recs: Vec<(usize, Rec)> = records(nd, None).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].1.id.get(), Some("a\"b"));
        assert_eq!(recs[1].0, 3, "NDJSON records carry their line");
        let arr: Vec<(usize, Rec)> = records(r#"[{"id": "x"}, {"id": "y"}]"#, None).unwrap();
        assert_eq!(arr[1].1.id.get(), Some("y"));
        let one: Vec<(usize, Rec)> = records(r#"{"id": "solo"}"#, None).unwrap();
        assert_eq!(one[0].1.id.get(), Some("solo"));
    }

    #[test]
    fn errors_name_the_line_or_the_shape() {
        let cut = "[\n{\"id\": \"a\"},\n{\"id\": ";
        let e = records::<Rec>(cut, None).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("ends too early"), "{}", e.message);
        let nd = "{\"id\": \"a\"}\n{\"id\" \"b\"}\n";
        assert_eq!(records::<Rec>(nd, None).unwrap_err().line, Some(2));
        let e = records::<Rec>(r#"{"Items": []}"#, Some("Records")).unwrap_err();
        assert!(e.message.contains("`Records` array"), "{}", e.message);
        let e = records::<Rec>("\"text\"", None).unwrap_err();
        assert!(e.message.contains("array of records"), "{}", e.message);
        assert!(records::<Rec>("[] trailing", None).is_err());
    }
}
