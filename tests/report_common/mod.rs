//! A hand-built run shared by the report tests.
#![allow(dead_code)]

use std::path::Path;

use comply::data::model::Note;
use comply::source::{line_col, line_starts};
use comply::violation::*;

pub const DATA: &str = r#"[
  {
    "id": "C0001",
    "name": "Wang Li",
    "phone": "+86 138 0000 0000",
    "type": "individual",
    "info_collected_at": "2025-02-01T09:00:00+08:00"
  },
  {
    "id": "C0002",
    "name": "Zhao, \"Max\" <VIP> 张伟",
    "type": "corporate",
    "stage": "prospect"
  }
]
"#;

pub const POLICY: &str = "policy \"Customer development\" version \"2025.1\"\n\nrule CD431 consent-before-collection error\n  clause §4.3(a)\n  for customers: ...\n\nrule CD435 data-classification warning\n  clause §4.3(c), §5.2(a)\n  for customers: ...\n\nrule CD611 satisfaction-survey info\n  clause §6.1\n";

pub const DATA_FILE: &str = "export/customers.json";
pub const POLICY_FILE: &str = "policies/cd.policy";

fn lc(offset: usize) -> (usize, usize) {
    let starts = line_starts(DATA.as_bytes());
    let p = line_col(DATA, &starts, offset);
    (p.line, p.column)
}

/// Byte range of the `n`th record (0-based) in [`DATA`].
fn record_bytes(n: usize) -> (usize, usize) {
    let start = DATA
        .match_indices("\n  {")
        .nth(n)
        .map(|(i, _)| i + 3)
        .expect("record");
    let end = DATA[start..]
        .find("\n  }")
        .map(|i| start + i + 4)
        .expect("end");
    (start, end)
}

fn location(n: usize) -> DataLocation {
    let (s, e) = record_bytes(n);
    let (line, column) = lc(s);
    let (end_line, end_column) = lc(e);
    DataLocation {
        file: DATA_FILE.to_string(),
        pointer: format!("/{n}"),
        line,
        column,
        end_line,
        end_column,
        bytes: (s as u64, e as u64),
    }
}

fn field(n: usize, name: &str) -> FieldLocation {
    let (s, e) = record_bytes(n);
    let key = format!("\"{name}\": ");
    let at = DATA[s..e]
        .find(&key)
        .map(|i| s + i + key.len())
        .expect("field");
    let end = DATA[at..]
        .find([',', '\n'])
        .map(|i| at + i)
        .expect("field end");
    let (line, column) = lc(at);
    FieldLocation {
        pointer: format!("/{n}/{name}"),
        line,
        column,
        bytes: Some((at as u64, end as u64)),
    }
}

fn rule(
    code: &str,
    name: &str,
    severity: Severity,
    clauses: &[(&str, &str)],
    line: usize,
) -> RuleInfo {
    RuleInfo {
        owner: None,
        code: code.to_string(),
        name: name.to_string(),
        severity,
        clauses: clauses
            .iter()
            .map(|(id, text)| ClauseRef {
                id: id.to_string(),
                text: text.to_string(),
            })
            .collect(),
        gloss: None,
        collection: "customers".to_string(),
        policy: PolicyLocation {
            file: POLICY_FILE.to_string(),
            line,
            column: 1,
        },
    }
}

/// Three rules with violations, one without, an export-level warning and
/// one waived violation.
pub fn run() -> Run {
    let rules = vec![
        rule(
            "CD431",
            "consent-before-collection",
            Severity::Error,
            &[(
                "§4.3(a)",
                "Customer information shall be collected only with the customer's consent.",
            )],
            3,
        ),
        rule(
            "CD435",
            "data-classification",
            Severity::Warning,
            &[
                ("§4.3(c)", "Customer information shall be classified."),
                ("§5.2(a)", "Access shall follow the classification."),
            ],
            7,
        ),
        RuleInfo {
            collection: "export".to_string(),
            ..rule("CD004", "unknown-collection", Severity::Warning, &[], 0)
        },
        rule(
            "CD611",
            "satisfaction-survey",
            Severity::Info,
            &[("§6.1", "Surveys shall be held yearly.")],
            11,
        ),
    ];
    let violations = vec![
        Violation {
            rule: 0,
            message: "customer C0001: profile collected 2025-02-01 with no information_collection consent in force".to_string(),
            collection: "customers".to_string(),
            id: Some("C0001".to_string()),
            key: None,
            location: Some(location(0)),
            field: Some(field(0, "info_collected_at")),
            waived: None,
            follows_input_error: None,
            date: None,
            owner: Some(Owner {
                id: Some("E0007".to_string()),
                department: Some("business".to_string()),
            }),
        },
        Violation {
            rule: 1,
            message: "customer C0002: no data_classification for `Zhao, \"Max\" <VIP>` (100% & more)\nsecond line".to_string(),
            collection: "customers".to_string(),
            id: Some("C0002".to_string()),
            key: None,
            location: Some(location(1)),
            field: None,
            waived: None,
            follows_input_error: None,
            date: None,
            owner: Some(Owner {
                id: None,
                department: Some("marketing".to_string()),
            }),
        },
        Violation {
            rule: 0,
            message: "customer C0002: profile collected with no information_collection consent in force".to_string(),
            collection: "customers".to_string(),
            id: Some("C0002".to_string()),
            key: None,
            location: Some(location(1)),
            field: Some(field(1, "stage")),
            waived: Some(Waived {
                reason: "paper consent, ticket OPS-12".to_string(),
                expires: Some("2026-06-30".to_string()),
                approver: Some("li.na".to_string()),
            }),
            follows_input_error: None,
            date: None,
            owner: None,
        },
        Violation {
            rule: 2,
            message: "unknown collection `custmers`; did you mean `customers`?".to_string(),
            collection: "export".to_string(),
            id: None,
            key: Some("custmers".to_string()),
            location: None,
            field: None,
            waived: None,
            follows_input_error: None,
            date: None,
            owner: None,
        },
    ];
    Run {
        policy_title: "Customer development".to_string(),
        policy_version: "2025.1".to_string(),
        as_of: "2025-12-31T23:59:59+08:00".to_string(),
        rules,
        violations,
        notes: vec![Note {
            file: "export/readme.txt".to_string(),
            message: "skipped: not .json, .ndjson or .jsonl".to_string(),
        }],
        input_errors: Vec::new(),
        expired_waivers: Vec::new(),
        summary: Summary {
            files: 1,
            records: 2,
            rules: 4,
            errors: 1,
            warnings: 2,
            infos: 0,
            waived: 1,
            input_errors: 0,
        },
    }
}

/// Writes the data file under `root`.
pub fn write_data(root: &Path) {
    let dir = root.join("export");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("customers.json"), DATA).expect("write data");
}

/// What redaction keeps: the shipped policy's schema, as `comply check` has it.
pub fn vocabulary() -> std::sync::Arc<comply::report::Vocabulary> {
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    std::sync::Arc::new(comply::report::Vocabulary::of(&program.schema, &[]))
}
