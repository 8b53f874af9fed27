//! `--format concise`: `file:line:col: CODE [severity] message`, then totals.

use std::io::{self, Write};

use super::control_text::escape_controls;
use super::{input_error_at, input_error_text, point, shown, totals_line, ReportOptions};
use crate::violation::Run;

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    for e in &run.input_errors {
        writeln!(
            out,
            "{}: input error: {}",
            escape_controls(&input_error_at(e)),
            one_line(&escape_controls(&input_error_text(e)))
        )?;
    }
    super::expired_waiver_lines(run, out)?;
    for v in shown(run, opts) {
        let rule = run.rule(v);
        match point(v) {
            Some((file, line, col)) => write!(out, "{}:{line}:{col}: ", escape_controls(file))?,
            None => write!(out, "<{}>: ", v.collection)?,
        }
        write!(
            out,
            "{} [{}] {}",
            rule.code,
            rule.severity.as_str(),
            one_line(&opts.text_message(v))
        )?;
        if let Some(o) = &v.owner {
            write!(out, " [owner {}]", escape_controls(&o.label()))?;
        }
        if v.waived.is_some() {
            write!(out, " (waived)")?;
        }
        if let Some(file) = &v.follows_input_error {
            write!(
                out,
                " (may follow from the input error in {})",
                escape_controls(file)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", totals_line(run))
}

/// A message on one line: line breaks become spaces.
pub fn one_line(message: &str) -> String {
    message
        .split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
