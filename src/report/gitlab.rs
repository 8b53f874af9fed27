//! `--format gitlab`: a GitLab Code Quality report (a JSON array).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{fingerprint, input_error_text, point, relative_path, ReportOptions};
use crate::violation::{Run, Severity};

pub fn report_value(run: &Run, opts: &ReportOptions) -> Value {
    let problems = run.input_errors.iter().map(|e| {
        json!({
            "description": format!("input error: {}", input_error_text(e)),
            "check_name": "input-error",
            "fingerprint": format!("input-error:{}:{}", e.file, e.line.unwrap_or(0)),
            "severity": "blocker",
            "location": { "path": relative_path(&e.file, opts),
                          "lines": { "begin": e.line.unwrap_or(1) } },
        })
    });
    let expired = run.expired_waivers.iter().map(|w| {
        json!({
            "description": w.message(),
            "check_name": "expired-waiver",
            "fingerprint": format!("expired-waiver:{}:{}", w.file, w.line),
            "severity": "major",
            "location": { "path": relative_path(&w.file, opts), "lines": { "begin": w.line } },
        })
    });
    let items = problems
        .chain(expired)
        .chain(
            run.violations
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
                }),
        )
        .collect();
    Value::Array(items)
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_value(run, opts))?;
    writeln!(out)
}
