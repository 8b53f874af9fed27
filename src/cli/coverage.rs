//! `comply coverage`: every clause of the regulation, and the rules that
//! enforce it or the reason none can. Fails when a clause is unaccounted for.

use super::rules::{program, ListFormat};
use super::Exit;
use crate::check::ir::Program;
use std::path::PathBuf;

pub struct Row<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub rules: Vec<&'a str>,
    pub not_checkable: Option<&'a str>,
}

pub fn matrix(p: &Program) -> Vec<Row<'_>> {
    p.clauses
        .iter()
        .map(|c| Row {
            id: &c.id,
            text: &c.text,
            rules: p
                .rules
                .iter()
                .filter(|r| r.info.clauses.iter().any(|x| x.id == c.id))
                .map(|r| r.info.code.as_str())
                .collect(),
            not_checkable: c.not_checkable.as_deref(),
        })
        .collect()
}

pub fn run(paths: &[PathBuf], format: ListFormat) -> Exit {
    let Some(p) = program(paths) else {
        return Exit::Broken;
    };
    let rows = matrix(&p);
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| r.rules.is_empty() && r.not_checkable.is_none())
        .map(|r| r.id)
        .collect();
    print!("{}", render(&rows, format));
    if p.clauses.is_empty() {
        eprintln!("error: the policy declares no clauses, so its coverage of the regulation cannot be judged");
        return Exit::Findings;
    }
    if missing.is_empty() {
        Exit::Clean
    } else {
        eprintln!(
            "error: {} clause(s) neither enforced nor declared not checkable: {}",
            missing.len(),
            missing.join(", ")
        );
        Exit::Findings
    }
}

pub fn render(rows: &[Row], format: ListFormat) -> String {
    match format {
        ListFormat::Text => {
            let mut out = String::new();
            for r in rows {
                let what = match (&r.rules[..], r.not_checkable) {
                    ([], Some(why)) => format!("not checkable: {why}"),
                    ([], None) => "UNACCOUNTED FOR".to_string(),
                    (rules, _) => rules.join(" "),
                };
                out.push_str(&format!("{:<9} {what}\n", r.id));
            }
            let enforced = rows.iter().filter(|r| !r.rules.is_empty()).count();
            let nc = rows
                .iter()
                .filter(|r| r.rules.is_empty() && r.not_checkable.is_some())
                .count();
            out.push_str(&format!(
                "{} clauses: {enforced} enforced, {nc} not checkable, {} unaccounted for\n",
                rows.len(),
                rows.len() - enforced - nc
            ));
            out
        }
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| serde_json::json!({"clause": r.id, "text": r.text, "rules": r.rules, "not_checkable": r.not_checkable}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ListFormat::Markdown => {
            let mut out =
                String::from("| clause | rules | not checkable because |\n|---|---|---|\n");
            for r in rows {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    r.id,
                    r.rules.join(", "),
                    r.not_checkable.unwrap_or("")
                ));
            }
            out
        }
    }
}

/// The clause table of the HTML report: each clause and the rules that
/// check it, or why it cannot be checked.
pub fn clause_rows(program: &Program) -> Vec<crate::report_html::ClauseRow> {
    matrix(program)
        .into_iter()
        .map(|r| crate::report_html::ClauseRow {
            id: r.id.to_string(),
            text: r.text.to_string(),
            coverage: match r.not_checkable {
                Some(why) if r.rules.is_empty() => {
                    crate::report_html::Coverage::NotCheckable(why.to_string())
                }
                _ => crate::report_html::Coverage::Rules(
                    r.rules.iter().map(|s| s.to_string()).collect(),
                ),
            },
        })
        .collect()
}
