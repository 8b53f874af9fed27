//! `--format concise`: `file:line:col: CODE [severity] message`, then totals.

use std::io::{self, Write};

use super::{point, shown, totals_line, ReportOptions};
use crate::violation::Run;

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    for v in shown(run, opts) {
        let rule = run.rule(v);
        match point(v) {
            Some((file, line, col)) => write!(out, "{file}:{line}:{col}: ")?,
            None => write!(out, "<{}>: ", v.collection)?,
        }
        write!(
            out,
            "{} [{}] {}",
            rule.code,
            rule.severity.as_str(),
            one_line(&opts.message(v))
        )?;
        if v.waived.is_some() {
            write!(out, " (waived)")?;
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
