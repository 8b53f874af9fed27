//! A rule's `owner`: who must act on each violation, at its boundaries. An
//! employee named and found gives their id and department; a reference that
//! names nobody keeps the id and takes the `else` department; an absent
//! reference gives the `else` department alone; a department names no one;
//! a rule without `owner` reports `owner: null`.

mod common;

use common::comply;
use serde_json::{json, Value};

const POLICY: &str = r#"
policy owners-test {
  title "owners"
  version "1"
}

clause "§1" {
  text "test"
}

enum department { marketing, business, compliance }

collection employees {
  id: string
  department: department?
}

collection visits {
  id: string
  employee_id: ref employees?
  recorded: bool
}

owners employees by department

rule CD101 visit-recorded {
  severity error
  clause "§1"
  for v in visits
  require v.recorded == true
  owner v.employee_id else business "the employee who made the visit"
  message "visit {v.id} is not recorded"
}

rule CD102 visit-recorded-by-compliance {
  severity warning
  clause "§1"
  for v in visits
  require v.recorded == true
  owner compliance
  message "visit {v.id} is not recorded"
}

rule CD103 employee-has-department {
  severity info
  clause "§1"
  for e in employees
  require e.department is present
  owner e else marketing
  message "employee {e.id} has no department"
}

rule CD104 unowned {
  severity info
  clause "§1"
  for v in visits
  require v.recorded == true
  message "visit {v.id} is not recorded"
}
"#;

const EXPORT: &str = r#"{
  "export": { "as_of": "2025-12-31T00:00:00+08:00" },
  "employees": [
    { "id": "E1", "department": "marketing" },
    { "id": "E2" }
  ],
  "visits": [
    { "id": "V1", "employee_id": "E1", "recorded": false },
    { "id": "V2", "employee_id": "E9", "recorded": false },
    { "id": "V3", "recorded": false },
    { "id": "V4", "employee_id": "E2", "recorded": false },
    { "id": "V5", "employee_id": "E1", "recorded": true }
  ]
}"#;

/// `comply check ARGS --policy P E` on the test policy and export.
fn check(args: &[&str]) -> common::Output {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.policy");
    let export = dir.path().join("e.json");
    std::fs::write(&policy, POLICY).unwrap();
    std::fs::write(&export, EXPORT).unwrap();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend([
        "--policy",
        policy.to_str().unwrap(),
        export.to_str().unwrap(),
    ]);
    comply(&all)
}

fn report(engine: &str) -> Value {
    let out = check(&["--format", "json", "--exit-zero", "--engine", engine]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn owners(report: &Value) -> Vec<(String, String, Value)> {
    let mut v: Vec<_> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"].as_str().unwrap().starts_with("CD1"))
        .map(|v| {
            (
                v["rule"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap_or("").to_string(),
                v["owner"].clone(),
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    v
}

fn expected() -> Vec<(String, String, Value)> {
    let row = |r: &str, id: &str, o: Value| (r.to_string(), id.to_string(), o);
    vec![
        // Found, with a department.
        row(
            "CD101",
            "V1",
            json!({ "id": "E1", "department": "marketing" }),
        ),
        // Names nobody the export holds (CD003 says so): the id as written,
        // the fallback department.
        row(
            "CD101",
            "V2",
            json!({ "id": "E9", "department": "business" }),
        ),
        // No employee: the fallback alone.
        row(
            "CD101",
            "V3",
            json!({ "id": null, "department": "business" }),
        ),
        // Found, without a department: the fallback.
        row(
            "CD101",
            "V4",
            json!({ "id": "E2", "department": "business" }),
        ),
        row(
            "CD102",
            "V1",
            json!({ "id": null, "department": "compliance" }),
        ),
        row(
            "CD102",
            "V2",
            json!({ "id": null, "department": "compliance" }),
        ),
        row(
            "CD102",
            "V3",
            json!({ "id": null, "department": "compliance" }),
        ),
        row(
            "CD102",
            "V4",
            json!({ "id": null, "department": "compliance" }),
        ),
        // The record itself.
        row(
            "CD103",
            "E2",
            json!({ "id": "E2", "department": "marketing" }),
        ),
        row("CD104", "V1", Value::Null),
        row("CD104", "V2", Value::Null),
        row("CD104", "V3", Value::Null),
        row("CD104", "V4", Value::Null),
    ]
}

#[test]
fn each_violation_names_who_must_act() {
    assert_eq!(owners(&report("native")), expected());
}

#[cfg(feature = "datafusion")]
#[test]
fn the_relational_engine_names_the_same_owners() {
    assert_eq!(owners(&report("datafusion")), expected());
}

#[test]
fn concise_output_shows_the_owner() {
    let out = check(&["--format", "concise"]);
    let line = |needle: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("CD101 [error] visit V2").ends_with("[owner E9 (business)]"),
        "{}",
        out.stdout
    );
    assert!(
        line("CD102 [warning] visit V1").ends_with("[owner compliance]"),
        "{}",
        out.stdout
    );
    assert!(
        !line("CD104 [info] visit V1").contains("[owner"),
        "{}",
        out.stdout
    );
}

/// `--group-by department` in human output: each violation under a
/// heading of its department, with the group's size; the statistics table
/// counts the same groups.
#[test]
fn human_output_groups_by_department() {
    let run = |format| {
        let out = check(&[
            "--format",
            format,
            "--group-by",
            "department",
            "--exit-zero",
        ]);
        out.stdout
    };
    let human = run("human");
    let headings: Vec<&str> = human.lines().filter(|l| l.starts_with("── ")).collect();
    assert_eq!(
        headings,
        [
            "── department (no department): 4 violations ──",
            "── department business: 3 violations ──",
            "── department compliance: 4 violations ──",
            "── department marketing: 2 violations ──",
        ],
        "{human}"
    );
    let stats = run("statistics");
    assert_eq!(
        stats,
        "count  errors  warnings  infos  department\n\
         \x20   4       0         0      4  (no department)\n\
         \x20   4       0         4      0  compliance\n\
         \x20   3       3         0      0  business\n\
         \x20   2       1         0      1  marketing\n"
    );
}
