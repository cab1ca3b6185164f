//! Diagnostics: what is wrong with a workspace, where, and how to fix it.
//!
//! Every diagnostic has a stable kebab-case [`Code`]; the full list is snapshot-tested so
//! codes never change silently (scripts and CI filters depend on them).

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is. Errors make `assay validate` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The workspace cannot be used as it is.
    Error,
    /// Worth fixing; the workspace still works.
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $name:literal : $desc:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $desc] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name shown to users.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $desc,)* }
            }
        }
    };
}

codes! {
    Io = "io-error": "A workspace file or folder could not be read.",
    TomlSyntax = "toml-syntax": "assay.toml is not valid TOML.",
    YamlSyntax = "yaml-syntax": "A YAML file or policy front matter is not valid YAML.",
    MissingField = "missing-field": "A required field is absent.",
    UnknownField = "unknown-field": "A field name is not part of the format (often a typo).",
    InvalidValue = "invalid-value": "A field has the wrong type or a value outside its allowed set.",
    InvalidDate = "invalid-date": "A date is not a valid YYYY-MM-DD calendar date.",
    MissingPeriod = "missing-period": "The audit type needs an as-of date (Type I) or a period (Type II).",
    PeriodOrder = "period-order": "The audit period ends before it starts.",
    PeriodLength = "period-length": "A Type II period is shorter than 3 or longer than 12 months.",
    UnknownCategory = "unknown-category": "A category is not one of the five Trust Services Categories.",
    UnknownCriterion = "unknown-criterion": "A criterion id is not in the Trust Services Criteria catalog.",
    CriterionOutOfScope = "criterion-out-of-scope": "A criterion belongs to a category that is not in scope.",
    DuplicateId = "duplicate-id": "Two controls, tests, policies or inventory items share an id.",
    NoCriteria = "no-criteria": "A control is mapped to no criterion.",
    MissingRationale = "missing-rationale": "A control-to-criterion link gives no rationale.",
    NoTests = "no-tests": "A control has no test procedure.",
    IdMismatch = "id-mismatch": "A control's file name differs from its id.",
    NoFrontMatter = "no-front-matter": "A policy does not open with YAML front matter between --- lines.",
    UnknownControl = "unknown-control": "A policy, or a control's `compensates`, names a control that does not exist.",
    UnknownRole = "unknown-role": "An owner is not a role listed in inventory/people.yaml.",
    UnknownReference = "unknown-reference": "An inventory item refers to a system or vendor that does not exist.",
    MissingMethod = "missing-method": "A subservice organization has no carve-out or inclusive method, or no CSOCs.",
    InvalidCollector = "invalid-collector": "A `[[collector]]` table has no kind, or a name used twice.",
    DesignGap = "design-gap": "A criterion in scope has no control mapped to it.",
    EmptyWorkspace = "empty-workspace": "The workspace has no controls.",
    SqlNotQuery = "sql-not-query": "A test's population is not exactly one read-only SELECT/WITH query, or its expect/reason is not one SQL expression.",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A problem found in a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// Path relative to the workspace root, with `/` separators.
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// Width of the offending text in characters (at least 1 when the column is known).
    #[serde(skip)]
    pub width: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The source line, for rendering.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A new diagnostic at a position.
    pub fn new(
        severity: Severity,
        code: Code,
        at: &crate::Origin,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            file: at.file.clone(),
            line: at.line,
            column: at.column,
            width: at.width.max(1),
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// An error at a position.
    pub fn error(code: Code, at: &crate::Origin, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, at, message)
    }

    /// A warning at a position.
    pub fn warning(code: Code, at: &crate::Origin, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, at, message)
    }

    /// Adds help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column`, leaving out what is unknown.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }
}

/// Sorts diagnostics for stable output: by file, line, column, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
}
