//! `-o report.xlsx`, read back with calamine: the sheets a compliance
//! officer works from, one row per violation with its owner, counts that
//! add up, and personal data masked as in every other file report.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::comply;

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn the_workbook_holds_every_violation_and_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("report.xlsx");
    let json = dir.path().join("report.json");
    let out = comply(&[
        "check",
        "fixtures/sample-export",
        "--exit-zero",
        "-o",
        xlsx.to_str().unwrap(),
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let violations = report["violations"].as_array().unwrap();

    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("an xlsx workbook");
    assert_eq!(
        book.sheet_names(),
        ["Violations", "By department", "By employee", "Clauses"]
    );
    let sheet = book.worksheet_range("Violations").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rows[0], comply::report::table::HEADER);
    assert_eq!(rows.len() - 1, violations.len());
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for (row, v) in rows[1..].iter().zip(violations) {
        assert_eq!(row[col("code")], v["rule"].as_str().unwrap());
        // The JSON file is redacted too: the same message.
        assert_eq!(row[col("message")], v["message"].as_str().unwrap());
        assert_eq!(
            row[col("department")],
            v["owner"]["department"].as_str().unwrap_or("")
        );
        assert_eq!(row[col("owner")], v["owner"]["id"].as_str().unwrap_or(""));
        let line = &v["field"]["line"];
        let line = if line.is_null() {
            &v["location"]["line"]
        } else {
            line
        };
        assert_eq!(row[col("line")], line.to_string());
    }
    // Redacted as every file report is: the free text quoted in a message
    // (a regulator's name in the sample) is masked in the workbook.
    let open = comply(&[
        "check",
        "fixtures/sample-export",
        "--exit-zero",
        "--no-redact",
        "--format",
        "json",
    ]);
    let open: serde_json::Value = serde_json::from_str(&open.stdout).unwrap();
    let quoted: Vec<String> = open["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["message"].as_str()?.split('"').nth(1).map(str::to_string))
        .collect();
    assert!(
        !quoted.is_empty(),
        "the sample quotes free text in a message"
    );
    let everything: String = rows.iter().flatten().cloned().collect();
    for q in &quoted {
        assert!(!everything.contains(q.as_str()), "`{q}` is in the workbook");
    }
    assert!(everything.contains("******"));

    let by_dept = book.worksheet_range("By department").unwrap();
    let total: f64 = by_dept
        .rows()
        .skip(1)
        .map(|r| match &r[1] {
            Data::Float(f) => *f,
            other => panic!("count {other:?}"),
        })
        .sum();
    assert_eq!(total as usize, violations.len());
    let clauses = book.worksheet_range("Clauses").unwrap();
    let header: Vec<String> = clauses.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(
        header,
        ["clause", "count", "errors", "warnings", "infos", "waived", "text"]
    );
    assert!(
        clauses.rows().skip(1).all(|r| !text(&r[6]).is_empty()),
        "every clause has its text"
    );
}
