//! Source roles: the systems a test's population can come from, named by what they are
//! (`idp-log`, `cloud-audit-log`) rather than by product, so a test can say which sources
//! must cover the period before an empty population counts as clean. Each role lists the
//! evidence kinds that fill it, the collectors that gather it, the words by which the
//! inventory shows a company uses it, and how to fill a gap.

use crate::Inventory;

/// A kind of source a test depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRole {
    /// Its id in a test's `sources:`, e.g. `idp-log`.
    pub id: &'static str,
    /// What it is, for statements: "the identity provider's System Log".
    pub what: &'static str,
    /// Evidence kinds that fill it.
    pub kinds: &'static [&'static str],
    /// Collector kinds (`[[collector]] kind`) that gather it.
    pub collectors: &'static [&'static str],
    /// Words that, in an inventory vendor's or in-scope system's id or name, show the
    /// company uses it.
    pub vendors: &'static [&'static str],
    /// How to fill a gap in the period.
    pub fill: &'static str,
}

/// Every role a test can name.
pub const ROLES: &[SourceRole] = &[
    SourceRole {
        id: "idp-log",
        what: "the identity provider's System Log",
        kinds: &["okta-system-log", "okta-api"],
        collectors: &["okta"],
        vendors: &["okta"],
        fill: "run `assay collect --since PERIOD_START` while the Okta API still holds those days (it keeps 90), or import a System Log export with `assay evidence import FILE --kind okta-system-log`",
    },
    SourceRole {
        id: "cloud-audit-log",
        what: "the cloud provider's audit log (CloudTrail)",
        kinds: &["aws-cloudtrail"],
        collectors: &["aws"],
        vendors: &["aws", "amazon"],
        fill: "import the trail's log files for the whole period with `assay evidence import DIR --kind aws-cloudtrail` (CloudTrail event history keeps only 90 days)",
    },
];

/// The role with this id.
pub fn role(id: &str) -> Option<&'static SourceRole> {
    ROLES.iter().find(|r| r.id == id)
}

impl SourceRole {
    /// Whether the inventory shows the company uses this source: a vendor, or a system in
    /// scope, whose id or name holds one of the role's words.
    pub fn in_inventory(&self, inventory: &Inventory) -> bool {
        let named = |id: &str, name: &str| {
            let text = format!("{id} {name}").to_lowercase();
            self.vendors.iter().any(|w| {
                text.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| word == *w)
            })
        };
        inventory.vendors.iter().any(|v| named(&v.id, &v.name))
            || inventory
                .systems
                .iter()
                .any(|s| s.in_scope && named(&s.id, &s.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_unique_and_complete() {
        let mut ids: Vec<&str> = ROLES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ROLES.len());
        for r in ROLES {
            assert!(!r.kinds.is_empty() && !r.fill.is_empty(), "{}", r.id);
        }
        assert_eq!(role("idp-log").map(|r| r.kinds[0]), Some("okta-system-log"));
        assert!(role("nope").is_none());
    }
}
