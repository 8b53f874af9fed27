//! A hand-built run over a small export in a temp dir, for the HTML report tests.
#![allow(dead_code)]

pub mod clauses;

use std::path::Path;

use comply::report_html::{ClauseRow, Coverage, HtmlInput};
use comply::violation::{
    ClauseRef, DataLocation, FieldLocation, PolicyLocation, RuleInfo, Run, Severity, Summary,
    Violation, Waived,
};

pub const CUSTOMERS: &str = r#"[
  {"id": "C001", "type": "individual", "name": "Zhang Wei", "acquisition_channel": "referral", "stage": "contracted",
   "info_collected_at": "2025-02-01", "profile": {"basic_info": {"phone": "13800001111", "address": "88 Nanjing Road"}, "risk_tolerance": "C2"},
   "data_classification": "confidential"},
  {"id": "C002", "type": "individual", "name": "李娜", "acquisition_channel": "purchased_list", "stage": "prospect", "created_at": "2025-03-09", "data_classification": "public"},
  {
    "id": "C003",
    "type": "corporate",
    "name": "Hengda Trading Co",
    "acquisition_channel": "event",
    "stage": "prospect",
    "info_collected_at": "2023-11-20",
    "notes": "CEO prefers calls after 6pm",
    "kyc": {"status": "unknown"}
  }
]
"#;

pub const COMPLAINTS: &str = r#"{"id": "K001", "customer_id": "C001", "received_at": "2025-04-01", "subject": "Wang Fang says the adviser never called back", "handled_by": "E7", "responded_at": "2025-04-30", "status": "responded"}
{"id": "K002", "customer_id": "C002", "received_at": "2025-05-03", "channel": "phone", "status": "open"}
"#;

pub const VISITS: &str = r#"[{"id": "V001", "customer_id": "C003", "employee_id": "E2", "visited_at": "2025-01-15", "summary": "<b>talked</b> about bonds"}]
"#;

pub const CONTRACTS: &str = r#"[{"id": "X001", "customer_id": "C001", "signed_by": "E3", "signed_at": "2025-02-10", "status": "signed", "products": [{"product_id": "P1", "selected_by_customer": true}]}]
"#;

/// A temp dir holding `export/…`, and the run over it.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub run: Run,
    pub input: HtmlInput,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// The byte range of the record that contains `"id": "<id>"`.
fn record(text: &str, id: &str) -> (usize, usize) {
    let at = text
        .find(&format!("\"id\": \"{id}\""))
        .expect("fixture has the id");
    let start = text[..at].rfind('{').expect("record start");
    (start, start + object_len(&text[start..]))
}

/// The length of the object `text` starts with.
fn object_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut esc = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if esc => esc = false,
            '\\' if in_str => esc = true,
            '"' => in_str = !in_str,
            '{' if !in_str => depth += 1,
            '}' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    panic!("unclosed object");
}

/// The byte range of the value of `"<field>":` inside `range`.
fn value(text: &str, range: (usize, usize), field: &str) -> (usize, usize) {
    let rec = &text[range.0..range.1];
    let k = rec
        .find(&format!("\"{field}\":"))
        .expect("fixture has the field");
    let mut s = k + field.len() + 3;
    while rec.as_bytes()[s] == b' ' {
        s += 1;
    }
    let rest = &rec[s..];
    let len = if let Some(inner) = rest.strip_prefix('"') {
        inner.find('"').expect("closed string") + 2
    } else if rest.starts_with('{') {
        object_len(rest)
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    (range.0 + s, range.0 + s + len)
}

fn locate(
    text: &str,
    file: &str,
    pointer: &str,
    id: &str,
    field: Option<&str>,
) -> (DataLocation, Option<FieldLocation>) {
    let r = record(text, id);
    let (line, column) = line_col(text, r.0);
    let (end_line, end_column) = line_col(text, r.1);
    let loc = DataLocation {
        file: file.to_string(),
        pointer: pointer.to_string(),
        line,
        column,
        end_line,
        end_column,
        bytes: (r.0 as u64, r.1 as u64),
    };
    let field = field.map(|f| {
        let v = value(text, r, f);
        let (line, column) = line_col(text, v.0);
        FieldLocation {
            pointer: format!("{pointer}/{f}"),
            line,
            column,
            bytes: Some((v.0 as u64, v.1 as u64)),
        }
    });
    (loc, field)
}

fn rule(
    code: &str,
    name: &str,
    severity: Severity,
    clauses: &[&str],
    collection: &str,
) -> RuleInfo {
    RuleInfo {
        owner: None,
        code: code.to_string(),
        name: name.to_string(),
        severity,
        clauses: clauses
            .iter()
            .map(|id| ClauseRef {
                id: id.to_string(),
                text: clauses::CLAUSES
                    .iter()
                    .find(|c| c.0 == *id)
                    .map(|c| c.1.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        gloss: None,
        collection: collection.to_string(),
        policy: PolicyLocation {
            file: "policies/customer-development.policy".to_string(),
            line: 100 + code[2..].parse::<usize>().unwrap_or(0) % 100,
            column: 1,
        },
    }
}

pub fn clause_rows() -> Vec<ClauseRow> {
    clauses::CLAUSES
        .iter()
        .map(|(id, text, rules, why)| ClauseRow {
            id: id.to_string(),
            text: text.to_string(),
            coverage: match why {
                Some(w) if rules.is_empty() => Coverage::NotCheckable(w.to_string()),
                _ => Coverage::Rules(rules.iter().map(|r| r.to_string()).collect()),
            },
        })
        .collect()
}

/// The message of the violation on V001: user text a report must escape.
pub const SCRIPT_MESSAGE: &str =
    "visit V001: preparation absent; summary says <script>alert('x')</script>";

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(root, "export/customers.json", CUSTOMERS);
    write(root, "export/complaints.ndjson", COMPLAINTS);
    write(root, "export/visits.json", VISITS);
    write(root, "export/contracts.json", CONTRACTS);

    let rules = vec![
        rule("CD001", "record-shape", Severity::Error, &[], "customers"),
        rule(
            "CD431",
            "consent-before-collection",
            Severity::Error,
            &["§4.3(a)"],
            "customers",
        ),
        rule(
            "CD433",
            "profile-kept-current",
            Severity::Warning,
            &["§4.3(b)"],
            "customers",
        ),
        rule(
            "CD434",
            "customer-data-classified",
            Severity::Error,
            &["§4.3(b)"],
            "customers",
        ),
        rule(
            "CD441",
            "visit-prepared",
            Severity::Error,
            &["§4.4(a)"],
            "visits",
        ),
        rule(
            "CD463",
            "risk-disclosed-before-contract",
            Severity::Error,
            &["§5.3(a)"],
            "contracts",
        ),
        rule(
            "CD521",
            "no-improper-acquisition",
            Severity::Error,
            &["§5.2(a)"],
            "customers",
        ),
        rule(
            "CD531",
            "complaint-handled-by-customer-service",
            Severity::Warning,
            &["§3.4"],
            "complaints",
        ),
        rule(
            "CD532",
            "complaint-answered-in-time",
            Severity::Error,
            &["§5.3(c)"],
            "complaints",
        ),
        rule(
            "CD614",
            "satisfaction-survey-periodic",
            Severity::Warning,
            &["§6.1(b)"],
            "export",
        ),
        rule(
            "CD623",
            "failed-assessment-followed-up",
            Severity::Info,
            &["§6.2(c)"],
            "assessments",
        ),
    ];
    let idx = |code: &str| rules.iter().position(|r| r.code == code).expect("rule");

    let mut violations = Vec::new();
    let mut dates = Vec::new();
    let mut add = |code: &str,
                   coll: &str,
                   id: Option<&str>,
                   key: Option<&str>,
                   msg: &str,
                   at: Option<(&str, &str, &str, Option<&str>)>,
                   date: Option<&str>,
                   waived: Option<Waived>| {
        let (location, field) = match (at, id) {
            (Some((text, file, pointer, field)), Some(id)) => {
                let (l, f) = locate(text, file, pointer, id, field);
                (Some(l), f)
            }
            _ => (None, None),
        };
        violations.push(Violation {
            rule: idx(code),
            message: msg.to_string(),
            collection: coll.to_string(),
            id: id.map(str::to_string),
            key: key.map(str::to_string),
            location,
            field,
            waived,
            follows_input_error: None,
            date: date.map(str::to_string),
            owner: None,
        });
        dates.push(date.map(str::to_string));
    };
    let cust =
        |p: &'static str, f: Option<&'static str>| Some((CUSTOMERS, "export/customers.json", p, f));
    let comp = |p: &'static str, f: Option<&'static str>| {
        Some((COMPLAINTS, "export/complaints.ndjson", p, f))
    };
    add("CD431", "customers", Some("C001"), None,
        "customer C001: profile collected 2025-02-01 with no information_collection consent in force",
        cust("/0", Some("info_collected_at")), Some("2025-02-01"), None);
    add(
        "CD434",
        "customers",
        Some("C002"),
        None,
        "customer C002: data_classification is public",
        cust("/1", Some("data_classification")),
        Some("2025-03-09"),
        None,
    );
    add(
        "CD521",
        "customers",
        Some("C002"),
        None,
        "customer C002: acquired through purchased_list",
        cust("/1", Some("acquisition_channel")),
        Some("2025-03-09"),
        None,
    );
    add(
        "CD433",
        "customers",
        Some("C003"),
        None,
        "customer C003: profile last updated 2023-11-20, more than 365 days before as_of",
        cust("/2", Some("info_collected_at")),
        Some("2023-11-20"),
        None,
    );
    add(
        "CD001",
        "customers",
        Some("C003"),
        Some("/kyc/status"),
        "customers C003: /kyc/status \"unknown\" is not one of pending, verified, failed",
        cust("/2", Some("kyc")),
        None,
        None,
    );
    add(
        "CD532",
        "complaints",
        Some("K001"),
        None,
        "complaint K001: responded 2025-04-30, 29 days after it was received (limit 15)",
        comp("", Some("responded_at")),
        Some("2025-04-01"),
        None,
    );
    add(
        "CD532",
        "complaints",
        Some("K002"),
        None,
        "complaint K002: no response 242 days after it was received (limit 15)",
        comp("", None),
        Some("2025-05-03"),
        None,
    );
    add(
        "CD531",
        "complaints",
        Some("K002"),
        None,
        "complaint K002: handled_by is absent",
        comp("", None),
        Some("2025-05-03"),
        None,
    );
    add(
        "CD441",
        "visits",
        Some("V001"),
        None,
        SCRIPT_MESSAGE,
        Some((VISITS, "export/visits.json", "/0", None)),
        Some("2025-01-15"),
        None,
    );
    add(
        "CD614",
        "export",
        None,
        Some("2025-Q3"),
        "no satisfaction survey conducted in 2025-Q3",
        None,
        None,
        None,
    );
    add(
        "CD623",
        "assessments",
        Some("A009"),
        None,
        "assessment A009: target missed and no follow-up",
        None,
        Some("2025-06-30"),
        None,
    );
    add(
        "CD463",
        "contracts",
        Some("X001"),
        None,
        "contract X001: risk_disclosure is absent",
        Some((CONTRACTS, "export/contracts.json", "/0", None)),
        Some("2025-02-10"),
        Some(Waived {
            reason: "disclosure on paper, scanned copy filed under ticket COMP-118".to_string(),
            expires: Some("2026-03-31".to_string()),
            approver: Some("E9 (Chief Compliance Officer)".to_string()),
        }),
    );

    let n_waived = violations.iter().filter(|v| v.waived.is_some()).count();
    let count = |s: Severity| {
        violations
            .iter()
            .filter(|v| v.waived.is_none() && rules[v.rule].severity == s)
            .count()
    };
    let summary = Summary {
        files: 4,
        records: 8,
        rules: rules.len(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        waived: n_waived,
        input_errors: 0,
    };
    let run = Run {
        policy_title: "金融公司客户开发实施规定".to_string(),
        policy_version: "2025.1".to_string(),
        as_of: "2025-12-31T23:59:59+08:00".to_string(),
        rules,
        violations,
        notes: Vec::new(),
        input_errors: Vec::new(),
        expired_waivers: Vec::new(),
        summary,
    };
    let mut input = HtmlInput::new("export/", "2026-01-02T08:00:00Z");
    input.comply_version = "0.1.0-test".to_string();
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    input.vocabulary = std::sync::Arc::new(comply::report::Vocabulary::of(&program.schema, &[]));
    input.clauses = clause_rows();
    input.dates = dates;
    input.data_root = Some(root.to_path_buf());
    Fixture { dir, run, input }
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write fixture");
}

pub fn render(f: &Fixture) -> String {
    let mut out = Vec::new();
    comply::report_html::render(&f.run, &f.input, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}
