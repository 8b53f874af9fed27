//! Violations and the run they belong to: what every report format renders.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a rule is written in the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// A clause of the regulation a rule enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseRef {
    /// `§4.3(a)`
    pub id: String,
    /// The clause's own words.
    pub text: String,
}

/// What a report needs to know about a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub clauses: Vec<ClauseRef>,
    /// One-line English gloss of the clause, if the policy gives one.
    pub gloss: Option<String>,
    /// The collection it judges (`export` for period rules).
    pub collection: String,
    pub policy: PolicyLocation,
    /// The rule's `owner`, as written (`v.employee_id else business`), and
    /// why it is the one who must act.
    pub owner: Option<(String, Option<String>)>,
}

impl RuleInfo {
    /// The clause ids joined, as the JSON report's `clause`: `§4.1(a), §4.4(a)`.
    pub fn clause_label(&self) -> String {
        self.clauses
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The record a violation is about, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataLocation {
    pub file: String,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte range of the record in the file's (decompressed) text.
    #[serde(skip)]
    pub bytes: (u64, u64),
}

/// The field a violation points at. `line`/`column` are those of the field
/// when it is in the text, else of the nearest enclosing value that is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldLocation {
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    /// Byte range of the field in the file's text, when it is in the text.
    #[serde(skip)]
    pub bytes: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    pub reason: String,
    pub expires: Option<String>,
    pub approver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Index into `Run::rules`.
    #[serde(skip)]
    pub rule: usize,
    pub message: String,
    pub collection: String,
    pub id: Option<String>,
    pub key: Option<String>,
    pub location: Option<DataLocation>,
    pub field: Option<FieldLocation>,
    pub waived: Option<Waived>,
    /// The file of an input error that may alone explain this violation: it
    /// looks up records of a collection that error kept from being read.
    pub follows_input_error: Option<String>,
    /// Month (`YYYY-MM`) of the offending record's date, for charts over time.
    #[serde(skip)]
    pub date: Option<String>,
    /// Who must act on it, when the rule names an owner.
    pub owner: Option<Owner>,
}

/// The employee who must act on a violation and the department that
/// answers for it; either is absent when the export does not say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Owner {
    pub id: Option<String>,
    pub department: Option<String>,
}

impl Owner {
    /// `E0007 (business)`, `marketing` or `E0007`: how text formats show it.
    pub fn label(&self) -> String {
        match (&self.id, &self.department) {
            (Some(id), Some(d)) => format!("{id} ({d})"),
            (Some(id), None) => id.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) => "(unknown)".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub records: usize,
    pub rules: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
    pub input_errors: usize,
}

/// One `comply check` run: everything a report renders.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub policy_title: String,
    pub policy_version: String,
    pub as_of: String,
    pub rules: Vec<RuleInfo>,
    /// Sorted by (file, offset, rule, key): deterministic whatever the thread count.
    pub violations: Vec<Violation>,
    pub notes: Vec<crate::data::model::Note>,
    /// What kept part of the export from being read: the run is incomplete.
    pub input_errors: Vec<crate::data::diagnostic::InputProblem>,
    /// Waivers past their date: each fails the run.
    pub expired_waivers: Vec<ExpiredWaiver>,
    pub summary: Summary,
}

/// A waiver whose `expires` date has passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredWaiver {
    pub file: String,
    pub line: usize,
    pub rule: String,
    /// The waiver's `id` pattern (`*` for every record).
    pub id: String,
    pub expires: String,
}

impl ExpiredWaiver {
    pub fn message(&self) -> String {
        format!(
            "waiver for `{}` on `{}` expired on {}: the violations it covered fail the run",
            self.rule, self.id, self.expires
        )
    }
}

impl Run {
    /// Every file of the export was read whole.
    pub fn complete(&self) -> bool {
        self.input_errors.is_empty()
    }
    pub fn rule(&self, v: &Violation) -> &RuleInfo {
        &self.rules[v.rule]
    }
}
