//! `--format gitlab`: a GitLab Code Quality report (a JSON array).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{fingerprint, input_error_text, point, relative_path, ReportOptions};
use crate::violation::{Run, Severity};

pub fn report_value(run: &Run, opts: &ReportOptions) -> Value {
    Value::Array(items(run, opts).collect())
}

/// The report's entries, made one at a time.
fn items<'a>(run: &'a Run, opts: &'a ReportOptions) -> impl Iterator<Item = Value> + 'a {
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
    problems.chain(expired).chain(
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
                    "description": match &v.owner {
                        Some(o) => format!(
                            "{} {}: {} (owner {})",
                            rule.code,
                            rule.name,
                            opts.message(v),
                            o.label()
                        ),
                        None => format!("{} {}: {}", rule.code, rule.name, opts.message(v)),
                    },
                    "check_name": rule.code,
                    "fingerprint": fingerprint(&rule.code, v),
                    "severity": severity,
                    "location": { "path": path, "lines": { "begin": line } },
                })
            }),
    )
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    super::pretty_stream::write_document(out, &super::pretty_stream::hole(), items(run, opts), 1)
}
