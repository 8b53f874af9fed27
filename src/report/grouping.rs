//! `--group-by`: violations by who must act (owner, department), by rule,
//! by clause or by month, for human and statistics output.

use crate::violation::{Run, Violation};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// The employee who must act, with their department.
    Owner,
    /// The department that answers.
    Department,
    Rule,
    /// Each clause the rule enforces (a violation counts under each).
    Clause,
    /// The month of the time the violation is about.
    Month,
}

impl GroupBy {
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Owner => "owner",
            GroupBy::Department => "department",
            GroupBy::Rule => "rule",
            GroupBy::Clause => "clause",
            GroupBy::Month => "month",
        }
    }

    /// The groups `v` belongs to: one, or one per clause.
    pub fn keys(self, run: &Run, v: &Violation) -> Vec<String> {
        let none = |what: &str| format!("(no {what})");
        match self {
            GroupBy::Owner => vec![v.owner.as_ref().map_or(none("owner"), |o| o.label())],
            GroupBy::Department => vec![v
                .owner
                .as_ref()
                .and_then(|o| o.department.clone())
                .unwrap_or_else(|| none("department"))],
            GroupBy::Rule => {
                let r = run.rule(v);
                vec![format!("{} {}", r.code, r.name)]
            }
            GroupBy::Clause => {
                let clauses: Vec<String> =
                    run.rule(v).clauses.iter().map(|c| c.id.clone()).collect();
                if clauses.is_empty() {
                    vec![none("clause")]
                } else {
                    clauses
                }
            }
            GroupBy::Month => vec![v.date.clone().unwrap_or_else(|| none("month"))],
        }
    }
}

/// Counts of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// Every group with its counts, the largest first, then by name.
pub fn tally(run: &Run, by: GroupBy) -> Vec<(String, Tally)> {
    use crate::violation::Severity;
    let mut groups: std::collections::BTreeMap<String, Tally> = Default::default();
    for v in &run.violations {
        for k in by.keys(run, v) {
            let t = groups.entry(k).or_default();
            if v.waived.is_some() {
                t.waived += 1;
                continue;
            }
            match run.rule(v).severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Info => t.infos += 1,
            }
        }
    }
    let mut rows: Vec<(String, Tally)> = groups.into_iter().collect();
    rows.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(&b.0)));
    rows
}
