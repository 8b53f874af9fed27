//! `--format statistics`: counts by rule, most frequent first, then by code.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::control_text::escape_controls;
use super::ReportOptions;
use crate::violation::{Run, Severity};

/// One row: a rule that has violations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    /// Unwaived violations.
    pub count: usize,
    pub waived: usize,
}

/// Rules with at least one violation (waived or not), sorted by count
/// descending, then code.
pub fn counts(run: &Run) -> Vec<RuleCount> {
    let mut per_rule = vec![(0usize, 0usize); run.rules.len()];
    for v in &run.violations {
        if let Some(slot) = per_rule.get_mut(v.rule) {
            if v.waived.is_some() {
                slot.1 += 1;
            } else {
                slot.0 += 1;
            }
        }
    }
    let mut rows: Vec<RuleCount> = run
        .rules
        .iter()
        .zip(per_rule)
        .filter(|(_, (c, w))| c + w > 0)
        .map(|(r, (count, waived))| RuleCount {
            code: r.code.clone(),
            name: r.name.clone(),
            severity: r.severity,
            count,
            waived,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    rows
}

/// The table: `count  code  severity  name`, with a waived column when any.
pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    if let Some(by) = opts.group_by {
        return grouped(run, by, out);
    }
    let rows = counts(run);
    let any_waived = rows.iter().any(|r| r.waived > 0);
    let cw = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1)
        .max(5);
    let codew = rows.iter().map(|r| r.code.len()).max().unwrap_or(4).max(4);
    write!(
        out,
        "{:>cw$}  {:<codew$}  {:<8}",
        "count", "code", "severity"
    )?;
    if any_waived {
        write!(out, "  waived")?;
    }
    writeln!(out, "  name")?;
    for r in &rows {
        write!(
            out,
            "{:>cw$}  {:<codew$}  {:<8}",
            r.count,
            r.code,
            r.severity.as_str()
        )?;
        if any_waived {
            write!(out, "  {:>6}", r.waived)?;
        }
        writeln!(out, "  {}", r.name)?;
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    writeln!(out, "{total:>cw$}  total")?;
    // The summary a pipeline sees when reports go to files: it must not
    // read like a pass when part of the export was never checked.
    if !run.complete() {
        writeln!(
            out,
            "INCOMPLETE: {}, part of the export was not checked",
            super::plural(run.input_errors.len(), "input error")
        )?;
        for e in &run.input_errors {
            writeln!(
                out,
                "  {}: {}",
                escape_controls(&super::input_error_at(e)),
                escape_controls(&super::input_error_text(e))
            )?;
        }
    }
    super::expired_waiver_lines(run, out)?;
    Ok(())
}

/// The same as JSON: an array of `{rule, name, severity, count, waived}`.
pub fn to_json(run: &Run) -> Value {
    Value::Array(
        counts(run)
            .into_iter()
            .map(|r| {
                json!({
                    "rule": r.code, "name": r.name, "severity": r.severity.as_str(),
                    "count": r.count, "waived": r.waived,
                })
            })
            .collect(),
    )
}

pub fn render_json(run: &Run, out: &mut dyn Write, _opts: &ReportOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_json(run))?;
    writeln!(out)
}

/// `--group-by`: `count  errors  warnings  infos  [waived]  GROUP`, the
/// largest group first; a violation of a rule with several clauses counts
/// under each of them.
fn grouped(run: &Run, by: super::grouping::GroupBy, out: &mut dyn Write) -> io::Result<()> {
    let rows = super::grouping::tally(run, by);
    let any_waived = rows.iter().any(|(_, t)| t.waived > 0);
    let width = |f: &dyn Fn(&super::grouping::Tally) -> usize, head: &str| {
        rows.iter()
            .map(|(_, t)| f(t).to_string().len())
            .max()
            .unwrap_or(1)
            .max(head.len())
    };
    let cw = width(&|t| t.total(), "count");
    let ew = width(&|t| t.errors, "errors");
    let ww = width(&|t| t.warnings, "warnings");
    let iw = width(&|t| t.infos, "infos");
    write!(
        out,
        "{:>cw$}  {:>ew$}  {:>ww$}  {:>iw$}",
        "count", "errors", "warnings", "infos"
    )?;
    if any_waived {
        write!(out, "  waived")?;
    }
    writeln!(out, "  {}", by.name())?;
    for (name, t) in &rows {
        write!(
            out,
            "{:>cw$}  {:>ew$}  {:>ww$}  {:>iw$}",
            t.total(),
            t.errors,
            t.warnings,
            t.infos
        )?;
        if any_waived {
            write!(out, "  {:>6}", t.waived)?;
        }
        writeln!(out, "  {}", escape_controls(name))?;
    }
    Ok(())
}
