//! `comply test`: policy tests in the manner of `opa test`. Each case is an
//! export and the set of violations it must produce, compared as sets.

use super::Exit;
use crate::audit::{audit, AuditOptions};
use crate::check::ir::Program;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, serde::Deserialize)]
struct Expected {
    #[serde(default)]
    description: Option<String>,
    /// Only these rules are compared; none means every rule.
    #[serde(default)]
    rules: Option<Vec<String>>,
    violations: Vec<Key>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
struct Key {
    rule: String,
    collection: String,
    id: Option<String>,
    key: Option<String>,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}/{}{}",
            self.rule,
            self.collection,
            self.id.as_deref().unwrap_or("-"),
            self.key
                .as_ref()
                .map(|k| format!(" [{k}]"))
                .unwrap_or_default()
        )
    }
}

pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    /// Per rule: (cases where it fired, cases where it was compared and silent).
    pub coverage: BTreeMap<String, (usize, usize)>,
    /// Per rule (by position in the program): which branches some case made fail.
    pub branches: Vec<Vec<bool>>,
    pub report: String,
}

/// Case directories: those holding an `expected.json`, in path order.
fn cases(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = roots
        .iter()
        .flat_map(|r| {
            walkdir::WalkDir::new(r)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_name() == "expected.json")
                .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        })
        .collect();
    out.sort();
    out
}

fn export_paths(case: &Path) -> Vec<PathBuf> {
    ["export.json", "export"]
        .iter()
        .map(|n| case.join(n))
        .filter(|p| p.exists())
        .take(1)
        .collect()
}

pub fn run_cases(program: &Program, roots: &[PathBuf], engine: crate::audit::Engine) -> Outcome {
    let mut out = Outcome {
        passed: 0,
        failed: 0,
        coverage: BTreeMap::new(),
        branches: program
            .rules
            .iter()
            .map(|r| vec![false; r.branches.len()])
            .collect(),
        report: String::new(),
    };
    let all_codes: Vec<String> = program
        .integrity
        .iter()
        .map(|r| r.info.code.clone())
        .chain(program.rules.iter().map(|r| r.info.code.clone()))
        .collect();
    for case in cases(roots) {
        let name = crate::policy::display(&case);
        let expected: Expected = match std::fs::read_to_string(case.join("expected.json"))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(e) => e,
            Err(e) => {
                out.failed += 1;
                out.report
                    .push_str(&format!("FAIL {name}: cannot read expected.json: {e}\n"));
                continue;
            }
        };
        let compared: Vec<String> = expected.rules.clone().unwrap_or_else(|| all_codes.clone());
        let opts = AuditOptions {
            engine,
            ..AuditOptions::default()
        };
        let result = audit(program, &export_paths(&case), &opts);
        let actual: BTreeSet<Key> = match &result {
            Ok(a) => a
                .run
                .violations
                .iter()
                .filter(|v| compared.contains(&a.run.rule(v).code))
                .map(|v| Key {
                    rule: a.run.rule(v).code.clone(),
                    collection: v.collection.clone(),
                    id: v.id.clone(),
                    key: v.key.clone(),
                })
                .collect(),
            Err(e) => {
                out.failed += 1;
                out.report.push_str(&format!("FAIL {name}: {e}\n"));
                continue;
            }
        };
        let want: BTreeSet<Key> = expected.violations.iter().cloned().collect();
        if let Ok(a) = &result {
            let hits = crate::engine::native::branch_hits(program, &a.export, &a.settings);
            for (i, rule_hits) in hits.iter().enumerate() {
                if !compared.contains(&program.rules[i].info.code) {
                    continue;
                }
                for (acc, h) in out.branches[i].iter_mut().zip(rule_hits) {
                    *acc |= h;
                }
            }
        }
        for code in &compared {
            let fired = actual.iter().any(|k| &k.rule == code);
            let e = out.coverage.entry(code.clone()).or_default();
            if fired {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        let input_errors = result.as_ref().map_or(0, |a| a.export.errors.len());
        if actual == want && input_errors == 0 {
            out.passed += 1;
            out.report.push_str(&format!("pass {name}\n"));
        } else {
            out.failed += 1;
            out.report.push_str(&format!("FAIL {name}"));
            if let Some(d) = &expected.description {
                out.report.push_str(&format!(": {d}"));
            }
            out.report.push('\n');
            for k in want.difference(&actual) {
                out.report
                    .push_str(&format!("  - expected, missing: {k}\n"));
            }
            for k in actual.difference(&want) {
                out.report
                    .push_str(&format!("  + unexpected:        {k}\n"));
            }
            if input_errors > 0 {
                out.report.push_str(&format!(
                    "  ! {input_errors} input error(s) loading the export\n"
                ));
            }
        }
    }
    out
}

pub fn run(
    program: &Program,
    roots: &[PathBuf],
    coverage: bool,
    min_coverage: Option<f64>,
    quiet: bool,
    engine: crate::audit::Engine,
) -> Exit {
    let roots = if roots.is_empty() {
        vec![PathBuf::from("fixtures/rules")]
    } else {
        roots.to_vec()
    };
    let o = run_cases(program, &roots, engine);
    for line in o.report.lines() {
        if !quiet || !line.starts_with("pass ") {
            println!("{line}");
        }
    }
    let mut below = false;
    if coverage || min_coverage.is_some() {
        let codes: Vec<&str> = program.rules.iter().map(|r| r.info.code.as_str()).collect();
        let both = codes
            .iter()
            .filter(|c| o.coverage.get(**c).is_some_and(|(f, s)| *f > 0 && *s > 0))
            .count();
        println!("\ncoverage: rules exercised both ways (a violating and a compliant case)");
        for c in &codes {
            let (f, s) = o.coverage.get(*c).copied().unwrap_or_default();
            let mark = if f > 0 && s > 0 { "ok " } else { "MISSING" };
            println!("  {c:<6} {mark:<8} violating cases {f:>3}, compliant cases {s:>3}");
        }
        let rule_pct = if codes.is_empty() {
            100.0
        } else {
            100.0 * both as f64 / codes.len() as f64
        };
        println!("rule coverage: {both}/{} ({rule_pct:.1}%)", codes.len());
        println!("\nbranch coverage: each way a rule can fail, made to fail by some case");
        let (mut hit, mut total) = (0usize, 0usize);
        for (rule, hits) in program.rules.iter().zip(&o.branches) {
            total += hits.len();
            hit += hits.iter().filter(|h| **h).count();
            for (b, h) in rule.branches.iter().zip(hits) {
                if !h {
                    println!("  {:<6} never failed by a case: {}", rule.info.code, b.text);
                }
            }
        }
        let branch_pct = if total == 0 {
            100.0
        } else {
            100.0 * hit as f64 / total as f64
        };
        println!("branch coverage: {hit}/{total} ({branch_pct:.1}%)");
        let pct = rule_pct.min(branch_pct);
        if let Some(min) = min_coverage {
            if pct < min {
                println!("coverage {pct:.1}% is below --min-coverage {min}");
                below = true;
            }
        }
    }
    println!("{} passed, {} failed", o.passed, o.failed);
    if o.failed > 0 || below {
        Exit::Findings
    } else {
        Exit::Clean
    }
}
