//! Engines that run a checked policy: two backends of one IR
//! (`crate::check::ir`). The native evaluator (`native`) walks the loaded
//! export; the relational one (`datafusion`, behind its feature) compiles
//! the same IR to DataFusion plans. Both answer with [`Found`], which
//! `crate::locate` turns into located violations; what both must agree on
//! (calendar periods, the text of values) sits beside them here.

#[cfg(feature = "datafusion")]
pub mod datafusion;
pub mod native;
pub mod period;
pub mod text;

use crate::check::ir::ParamValue;

/// What a run judges by, beyond the policy and the export.
#[derive(Debug, Clone)]
pub struct Settings {
    pub as_of: jiff::Timestamp,
    pub tz: jiff::tz::Offset,
    pub params: Vec<ParamValue>,
}

/// A violation before its location is resolved to lines and columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Index among the integrity rules then the program's rules.
    pub rule: usize,
    /// The first binder's record: collection and position in it.
    pub record: Option<(usize, u32)>,
    pub key: Option<String>,
    pub message: String,
    /// Pointer of the field inside the record.
    pub field: Option<String>,
    /// The time the violation points at, for charts over time.
    pub date: Option<i128>,
    /// Who must act, when the rule names an owner: the employee's id and
    /// the department that answers, either absent when the data lacks it.
    pub owner: Option<(Option<String>, Option<String>)>,
}
