//! Crosswalks between two frameworks, derived through the default controls rather than typed
//! in by hand: requirement `a` of one framework and `b` of the other are paired when one
//! control is linked to both, and each of the two links claims at least
//! [`MIN_STRENGTH`] (SOC 2 links state no strength: a criterion a control names counts).
//! Every pair keeps the two rationales that justify it, per control. Weak links (a control
//! that touches a requirement only in part) do not make pairs, since two requirements that
//! merely share a small piece of one control are not equivalent.

use crate::framework::{Framework, Link};
use crate::Catalog;

/// The least strength a link needs to take part in a derived pair.
pub const MIN_STRENGTH: u8 = 5;

/// One control's reason for a pair: its link to each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via<'a> {
    /// The control's id.
    pub control: &'a str,
    /// Its link to the `from` requirement.
    pub from: &'a Link,
    /// Its link to the `to` requirement.
    pub to: &'a Link,
}

/// Two requirements the controls tie together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair<'a> {
    /// The requirement in the first framework.
    pub from: &'a str,
    /// The requirement in the second framework.
    pub to: &'a str,
    /// The controls behind it, by id.
    pub via: Vec<Via<'a>>,
}

fn strong(l: &Link) -> bool {
    l.strength.is_none_or(|s| s >= MIN_STRENGTH)
}

/// The pairs between `from` and `to`, in `from`'s requirement order, then `to`'s.
pub fn derive<'a>(from: &'a Framework, to: &'a Framework) -> Vec<Pair<'a>> {
    let order = |f: &Framework, id: &str| f.requirements.iter().position(|r| r.id == id);
    let mut pairs: Vec<((usize, usize), Pair<'a>)> = Vec::new();
    for a in from.links.iter().filter(|l| strong(l)) {
        for b in to.links_from(&a.control).filter(|l| strong(l)) {
            let (Some(ia), Some(ib)) = (order(from, &a.requirement), order(to, &b.requirement))
            else {
                continue;
            };
            let via = Via {
                control: &a.control,
                from: a,
                to: b,
            };
            match pairs.iter_mut().find(|(k, _)| *k == (ia, ib)) {
                Some((_, p)) => p.via.push(via),
                None => pairs.push((
                    (ia, ib),
                    Pair {
                        from: &a.requirement,
                        to: &b.requirement,
                        via: vec![via],
                    },
                )),
            }
        }
    }
    pairs.sort_by_key(|(k, _)| *k);
    pairs
        .into_iter()
        .map(|(_, mut p)| {
            p.via.sort_by(|x, y| x.control.cmp(y.control));
            p
        })
        .collect()
}

/// Why two frameworks could not be crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no framework `{0}`; the frameworks are {list}", list = crate::framework::IDS.join(", "))]
pub struct UnknownFramework(pub String);

fn framework<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Framework, UnknownFramework> {
    catalog
        .framework(id)
        .ok_or_else(|| UnknownFramework(id.to_string()))
}

/// The crosswalk as CSV: one row per pair and control, with both links' relationship,
/// strength and rationale.
pub fn csv(catalog: &Catalog, from: &str, to: &str) -> Result<String, UnknownFramework> {
    let (f, t) = (framework(catalog, from)?, framework(catalog, to)?);
    let mut out = String::from(
        "from_framework,from,to_framework,to,control,from_relationship,from_strength,from_rationale,to_relationship,to_strength,to_rationale\n",
    );
    for p in derive(f, t) {
        for v in &p.via {
            let cells = [
                f.id.as_str(),
                p.from,
                t.id.as_str(),
                p.to,
                v.control,
                v.from.relationship.map_or("", |r| r.as_str()),
                &v.from.strength.map(|s| s.to_string()).unwrap_or_default(),
                &v.from.rationale,
                v.to.relationship.map_or("", |r| r.as_str()),
                &v.to.strength.map(|s| s.to_string()).unwrap_or_default(),
                &v.to.rationale,
            ];
            let row: Vec<String> = cells.iter().map(|c| field(c)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    Ok(out)
}

/// The crosswalk as text: one line per pair with the controls behind it, then the count.
pub fn text(catalog: &Catalog, from: &str, to: &str) -> Result<String, UnknownFramework> {
    let (f, t) = (framework(catalog, from)?, framework(catalog, to)?);
    let pairs = derive(f, t);
    let mut out = format!(
        "{} ↔ {} (derived through the default controls)\n",
        f.title, t.title
    );
    for p in &pairs {
        let via: Vec<&str> = p.via.iter().map(|v| v.control).collect();
        out.push_str(&format!(
            "  {:<22} {:<22} via {}\n",
            p.from,
            p.to,
            via.join(", ")
        ));
    }
    out.push_str(&format!(
        "{} pairs; `--csv` gives each pair's two rationales per control\n",
        pairs.len()
    ));
    Ok(out)
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
