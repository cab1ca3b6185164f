//! NIST SP 800-53 rev. 5, Moderate baseline, read from NIST's OSCAL resolved-profile catalog
//! (public domain, embedded as `data/frameworks/nist-800-53-moderate.json`): every control and
//! enhancement that is not withdrawn, by its label (`AC-2`, `AC-2(1)`), with its family as the
//! group and the first line of its statement (parameters shown as `[assignment]`) as summary.

use crate::framework::Requirement;
use serde_json::Value;

/// The catalog's title (from its metadata) and requirements, in catalog order.
pub(crate) fn requirements(json: &str) -> Result<(String, Vec<Requirement>), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let catalog = doc.get("catalog").ok_or("no `catalog` object")?;
    let title = catalog
        .pointer("/metadata/title")
        .and_then(Value::as_str)
        .unwrap_or("NIST SP 800-53")
        .to_string();
    let mut out = Vec::new();
    for group in catalog
        .get("groups")
        .and_then(Value::as_array)
        .ok_or("no `groups`")?
    {
        let family = format!(
            "{} {}",
            str_at(group, "id").to_ascii_uppercase(),
            str_at(group, "title")
        );
        for control in list(group, "controls") {
            walk(control, &family, &mut out)?;
        }
    }
    Ok((title, out))
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn prop<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    list(v, "props").find(|p| str_at(p, "name") == name && p.get("class").is_none())
}

fn walk(control: &Value, family: &str, out: &mut Vec<Requirement>) -> Result<(), String> {
    let withdrawn = list(control, "props")
        .any(|p| str_at(p, "name") == "status" && str_at(p, "value") == "withdrawn");
    if !withdrawn {
        let label = prop(control, "label")
            .map(|p| str_at(p, "value"))
            .filter(|l| !l.is_empty())
            .ok_or_else(|| format!("control `{}` has no label", str_at(control, "id")))?;
        out.push(Requirement {
            id: label.to_string(),
            group: family.to_string(),
            title: str_at(control, "title").to_string(),
            summary: statement(control),
            specification: None,
        });
    }
    for child in list(control, "controls") {
        walk(child, family, out)?;
    }
    Ok(())
}

/// The statement's first prose, with `{{ insert: param, ... }}` shown as `[assignment]`.
fn statement(control: &Value) -> String {
    fn first_prose(part: &Value) -> Option<String> {
        if let Some(p) = part.get("prose").and_then(Value::as_str) {
            return Some(p.to_string());
        }
        list(part, "parts").find_map(first_prose)
    }
    let prose = list(control, "parts")
        .find(|p| str_at(p, "name") == "statement")
        .and_then(first_prose)
        .unwrap_or_default();
    let mut text = String::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find("{{") {
        text.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                text.push_str("[assignment]");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
