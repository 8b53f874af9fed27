//! `--format gitlab`: a GitLab Code Quality report (a JSON array).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{fingerprint, point, relative_path, ReportOptions};
use crate::violation::{Run, Severity};

pub fn report_value(run: &Run, opts: &ReportOptions) -> Value {
    let items = run
        .violations
        .iter()
        .filter(|v| v.waived.is_none())
        .map(|v| {
            let rule = run.rule(v);
            let severity = match rule.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            let (path, line) = match point(v) {
                Some((file, line, _)) => (relative_path(file, opts), line),
                // Export-level: GitLab needs a path; point at the rule.
                None => (
                    relative_path(&rule.policy.file, opts),
                    rule.policy.line.max(1),
                ),
            };
            json!({
                "description": format!("{} {}: {}", rule.code, rule.name, opts.message(v)),
                "check_name": rule.code,
                "fingerprint": fingerprint(&rule.code, v),
                "severity": severity,
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    Value::Array(items)
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_value(run, opts))?;
    writeln!(out)
}
