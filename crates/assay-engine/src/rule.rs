//! The typed vocabulary of judgment: every rule id, the opinion kinds and the finding kinds,
//! as enums that serialize to the ids and words of `assay.assessment/v1`. A stored
//! assessment reads back into the same values, and a misspelt id is an error, never a silent
//! default.

use serde::{Deserialize, Serialize};

macro_rules! rules {
    ($( $v:ident = $id:literal ),* $(,)?) => {
        /// A judgment rule, by its id (`docs/assessment.md` and [`crate::judge::RULES`]
        /// say what each decides).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Rule {
            $(
                #[doc = $id]
                #[serde(rename = $id)]
                $v,
            )*
        }

        impl Rule {
            /// Every rule, in the order of the rule table.
            pub const ALL: &'static [Rule] = &[$(Rule::$v),*];

            /// Its id, e.g. `T-EMPTY`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Rule::$v => $id,)*
                }
            }
        }
    };
}

rules! {
    TClean = "T-CLEAN",
    TEmpty = "T-EMPTY",
    TCritical = "T-CRITICAL",
    TDeviation = "T-DEVIATION",
    TDeviationIsolated = "T-DEVIATION-ISOLATED",
    TDeviationSystemic = "T-DEVIATION-SYSTEMIC",
    TNoEvidence = "T-NO-EVIDENCE",
    TSourceGap = "T-SOURCE-GAP",
    TError = "T-ERROR",
    TSamplePending = "T-SAMPLE-PENDING",
    TSampleAwaitsIpe = "T-SAMPLE-AWAITS-IPE",
    TSampleClean = "T-SAMPLE-CLEAN",
    TSampleExtend = "T-SAMPLE-EXTEND",
    TSampleExtended = "T-SAMPLE-EXTENDED",
    TSampleDeviations = "T-SAMPLE-DEVIATIONS",
    TNoPopulation = "T-NO-POPULATION",
    TIpeUntested = "T-IPE-UNTESTED",
    CNoTests = "C-NO-TESTS",
    CWorst = "C-WORST",
    CDesignDeficient = "C-DESIGN-DEFICIENT",
    KGap = "K-GAP",
    KNotEffective = "K-NOT-EFFECTIVE",
    KCompensated = "K-COMPENSATED",
    KMet = "K-MET",
    KNotTested = "K-NOT-TESTED",
    ENotStarted = "E-NOT-STARTED",
    EInProgress = "E-IN-PROGRESS",
    EReady = "E-READY",
    PSeries = "P-SERIES",
    PCategory = "P-CATEGORY",
    PConfined = "P-CONFINED",
    OInProgress = "O-IN-PROGRESS",
    OUnmodified = "O-UNMODIFIED",
    OQualified = "O-QUALIFIED",
    OAdverse = "O-ADVERSE",
    ODisclaimer = "O-DISCLAIMER",
}

impl Rule {
    /// What the rule decides, from the rule table.
    pub fn description(self) -> &'static str {
        crate::judge::RULES
            .iter()
            .find(|(id, _)| *id == self.id())
            .map_or("", |(_, d)| d)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

/// The kind of the draft opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpinionKind {
    /// Fieldwork is not finished: no opinion yet, only the matters found so far.
    InProgress,
    /// Every criterion in scope is met.
    Unmodified,
    /// Material but not pervasive matters: "except for" the criteria they touch.
    Qualified,
    /// Deviations are pervasive.
    Adverse,
    /// A scope limitation is pervasive and fieldwork could not resolve it.
    Disclaimer,
}

impl OpinionKind {
    /// Its word in the assessment: `in-progress`, `unmodified`, `qualified`, `adverse`, `disclaimer`.
    pub fn as_str(self) -> &'static str {
        match self {
            OpinionKind::InProgress => "in-progress",
            OpinionKind::Unmodified => "unmodified",
            OpinionKind::Qualified => "qualified",
            OpinionKind::Adverse => "adverse",
            OpinionKind::Disclaimer => "disclaimer",
        }
    }
}

impl std::fmt::Display for OpinionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for OpinionKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The kind of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A test did not operate effectively.
    NotEffective,
    /// Deviations within what the test tolerates.
    ExceptionsNoted,
    /// A test could not be performed.
    NotTested,
    /// A test could not run.
    Error,
    /// No control addresses a criterion.
    DesignGap,
}

impl FindingKind {
    /// Its word in the assessment, e.g. `not-tested`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::NotEffective => "not-effective",
            FindingKind::ExceptionsNoted => "exceptions-noted",
            FindingKind::NotTested => "not-tested",
            FindingKind::Error => "error",
            FindingKind::DesignGap => "design-gap",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for FindingKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The enum and the rule table name the same rules in the same order, and every id
    /// reads back from its JSON form (a snapshot of the table, checked both ways).
    #[test]
    fn the_rule_table_and_the_enum_agree() {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        let table: Vec<&str> = crate::judge::RULES.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, table);
        for r in Rule::ALL {
            let json = serde_json::to_string(r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.id()));
            assert_eq!(serde_json::from_str::<Rule>(&json).ok(), Some(*r));
            assert!(!r.description().is_empty(), "{r} has no description");
        }
        assert!(serde_json::from_str::<Rule>("\"T-EMTPY\"").is_err());
        assert!(serde_json::from_str::<OpinionKind>("\"unqualified\"").is_err());
    }

    /// docs/assessment.md's rule table is this crate's rule list, written out:
    /// `UPDATE_DOCS=1` rewrites it, and otherwise the two must agree.
    #[test]
    #[allow(clippy::panic)] // tests may fail loudly
    fn the_docs_rule_table_is_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/assessment.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let (begin, end) = ("<!-- rules:begin -->\n", "<!-- rules:end -->");
        let (Some(a), Some(b)) = (doc.find(begin), doc.find(end)) else {
            panic!("docs/assessment.md has no {begin:?} ... {end:?} markers");
        };
        let mut table = String::from("| rule | decides |\n|---|---|\n");
        for (id, what) in crate::judge::RULES {
            table.push_str(&format!("| `{id}` | {} |\n", what.replace('|', "\\|")));
        }
        let current = &doc[a + begin.len()..b];
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{table}{}", &doc[..a + begin.len()], &doc[b..]);
            std::fs::write(path, updated).unwrap_or_default();
        } else {
            assert_eq!(
                current, table,
                "docs/assessment.md's rule table is stale: run UPDATE_DOCS=1 cargo test -p assay-engine --lib rule_table"
            );
        }
    }
}
