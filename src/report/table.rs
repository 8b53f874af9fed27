//! The rows of a spreadsheet-shaped report: one per violation (input errors
//! first, so that a partial run never reads as a clean sheet), with the
//! columns a compliance officer sorts and filters by. `--format csv`
//! writes them; a workbook would take the same rows.

use super::{input_error_text, point, shown, ReportOptions};
use crate::violation::Run;

pub const HEADER: [&str; 15] = [
    "severity",
    "code",
    "name",
    "clause",
    "owner",
    "department",
    "collection",
    "id",
    "key",
    "message",
    "file",
    "line",
    "column",
    "pointer",
    "waived",
];

/// Every row, as text, in report order.
pub fn rows(run: &Run, opts: &ReportOptions) -> Vec<[String; 15]> {
    let mut out = Vec::new();
    for e in &run.input_errors {
        let n = |x: Option<usize>| x.map_or(String::new(), |x| x.to_string());
        out.push([
            "input-error".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            input_error_text(e),
            e.file.clone(),
            n(e.line),
            n(e.column),
            String::new(),
            String::new(),
        ]);
    }
    for v in shown(run, opts) {
        let rule = run.rule(v);
        let (file, line, column) = match point(v) {
            Some((f, l, c)) => (f.to_string(), l.to_string(), c.to_string()),
            None => Default::default(),
        };
        let pointer = match (&v.field, &v.location) {
            (Some(f), _) => f.pointer.clone(),
            (None, Some(l)) => l.pointer.clone(),
            (None, None) => String::new(),
        };
        let owner = v.owner.as_ref();
        out.push([
            rule.severity.as_str().into(),
            rule.code.clone(),
            rule.name.clone(),
            rule.clause_label(),
            owner.and_then(|o| o.id.clone()).unwrap_or_default(),
            owner.and_then(|o| o.department.clone()).unwrap_or_default(),
            v.collection.clone(),
            v.id.clone().unwrap_or_default(),
            v.key.clone().unwrap_or_default(),
            opts.message(v),
            file,
            line,
            column,
            pointer,
            v.waived
                .as_ref()
                .map_or(String::new(), |w| w.reason.clone()),
        ]);
    }
    out
}
