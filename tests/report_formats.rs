//! Every report format on one hand-built run, snapshotted (colour off).

mod report_common;

use comply::report::{self, Format, ReportOptions};
use report_common::{run, write_data, POLICY, POLICY_FILE};

fn opts(root: &std::path::Path) -> ReportOptions {
    ReportOptions {
        root: Some(root.to_path_buf()),
        policy_sources: vec![(POLICY_FILE.to_string(), POLICY.to_string())],
        vocabulary: report_common::vocabulary(),
        ..ReportOptions::default()
    }
}

fn render(format: Format, opts: &ReportOptions) -> String {
    let mut out = Vec::new();
    format.render(&run(), &mut out, opts).expect("render");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    let opts = opts(dir.path());
    for format in Format::ALL {
        let text = render(format, &opts);
        insta::assert_snapshot!(format!("format_{format}"), text);
        assert_eq!(text, render(format, &opts), "{format} is not deterministic");
    }
}

#[test]
fn human_truncated() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    let opts = ReportOptions {
        max_shown: Some(1),
        ..opts(dir.path())
    };
    let text = render(Format::Human, &opts);
    assert!(text.contains("2 more violations not shown"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    let opts = ReportOptions {
        redact: true,
        ..opts(dir.path())
    };
    let human = render(Format::Human, &opts);
    let json = render(Format::Json, &opts);
    for text in [&human, &json] {
        for secret in ["Wang", "138", "Zhao", "Max", "张伟"] {
            assert!(
                !text.contains(secret),
                "`{secret}` survived redaction:\n{text}"
            );
        }
    }
    assert!(human.contains("C0001") && human.contains("individual"));
    insta::assert_snapshot!("redacted_human", human);
}

#[test]
fn missing_data_file_still_reports_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = render(Format::Human, &opts(dir.path()));
    assert!(text.contains("at export/customers.json:7:26"), "{text}");
}

#[test]
fn statistics_json() {
    let v = report::statistics::to_json(&run());
    insta::assert_json_snapshot!(v);
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>(), Ok(f));
    }
    let err = "xml".parse::<Format>().expect_err("unknown");
    assert!(err.to_string().starts_with("unknown format `xml`"));
}

#[test]
fn fingerprint_ignores_lines() {
    let a = run();
    let mut b = run();
    for v in &mut b.violations {
        if let Some(l) = &mut v.location {
            l.line += 10;
            l.end_line += 10;
        }
    }
    for (x, y) in a.violations.iter().zip(&b.violations) {
        let code = &a.rules[x.rule].code;
        assert_eq!(report::fingerprint(code, x), report::fingerprint(code, y));
    }
    let codes: std::collections::BTreeSet<_> = a
        .violations
        .iter()
        .map(|v| report::fingerprint(&a.rules[v.rule].code, v))
        .collect();
    assert_eq!(codes.len(), a.violations.len());
}

#[test]
fn json_follows_the_contract() {
    let v = report::json::report_value(&run(), &ReportOptions::default());
    let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "version",
            "as_of",
            "complete",
            "summary",
            "violations",
            "input_errors",
            "expired_waivers",
            "notes"
        ]
    );
    let first = &v["violations"][0];
    let keys: Vec<_> = first.as_object().expect("object").keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "rule",
            "name",
            "severity",
            "clause",
            "message",
            "collection",
            "id",
            "key",
            "location",
            "field",
            "policy",
            "waived",
            "follows_input_error",
            "owner"
        ]
    );
    assert_eq!(
        v["violations"][2]["waived"]["reason"],
        "paper consent, ticket OPS-12"
    );
    // Who must act: an employee and their department, a department alone,
    // or null for a rule that names no owner.
    assert_eq!(
        v["violations"][0]["owner"],
        serde_json::json!({ "id": "E0007", "department": "business" })
    );
    assert_eq!(
        v["violations"][1]["owner"],
        serde_json::json!({ "id": null, "department": "marketing" })
    );
    assert!(v["violations"][3]["owner"].is_null());
}

#[test]
fn long_record_is_labelled_by_its_first_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    let mut run = run();
    // Pretend record 1 spans the whole file: more lines than a snippet shows.
    let loc = run.violations[1].location.as_mut().expect("location");
    loc.bytes = (0, report_common::DATA.len() as u64 - 1);
    loc.line = 1;
    loc.column = 1;
    run.violations.truncate(2);
    run.violations.remove(0);
    let mut out = Vec::new();
    report::human::render(&run, &mut out, &opts(dir.path())).expect("render");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(!text.contains("Wang Li"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn show_waived() {
    let opts = ReportOptions {
        show_waived: true,
        ..ReportOptions::default()
    };
    let text = render(Format::Concise, &opts);
    assert!(text.contains("CD431 [error] customer C0002: profile collected with no information_collection consent in force (waived)"), "{text}");
}

/// The JSON report is written one violation at a time; it must be exactly
/// the pretty-printed `report_value`, redacted or not.
#[test]
fn streamed_json_is_the_report_value() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    for redact in [false, true] {
        let mut o = opts(dir.path());
        o.redact = redact;
        let streamed = render(Format::Json, &o);
        let value = comply::report::json::report_value(&run(), &o);
        let whole = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(streamed, whole, "redact {redact}");
        assert!(value["violations"].as_array().is_some_and(|v| v.len() > 1));
    }
}

#[test]
fn human_output_wraps_at_the_width_and_never_inside_a_timestamp() {
    let mut run = run();
    run.violations[0].message = "customer C0001: profile collected 2025-02-01T09:30:00+08:00, consent given 2025-03-04T10:00:00+08:00 and withdrawn 2025-05-06T11:00:00+08:00".to_string();
    for width in [40, 60, 80] {
        let opts = ReportOptions {
            width,
            ..ReportOptions::default()
        };
        let mut out = Vec::new();
        Format::Human.render(&run, &mut out, &opts).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        for t in [
            "2025-02-01T09:30:00+08:00",
            "2025-03-04T10:00:00+08:00",
            "2025-05-06T11:00:00+08:00",
        ] {
            assert!(text.contains(t), "width {width}: `{t}` cut in\n{text}");
        }
        let message_lines: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.contains("customer C0001"))
            .take_while(|l| !l.trim().is_empty() && !l.contains("╭─["))
            .collect();
        assert!(
            message_lines.len() > 1,
            "width {width}: not wrapped\n{text}"
        );
        for l in message_lines {
            assert!(l.chars().count() <= width, "width {width}: `{l}`");
        }
    }
}

/// CSV for spreadsheets and pipelines: a byte order mark, CRLF line ends,
/// and free text (commas, quotes, a line break) read back intact by an RFC
/// 4180 reader, one record a violation under the documented header.
#[test]
fn csv_reads_back_as_the_violations() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    let text = render(Format::Csv, &opts(dir.path()));
    let body = text
        .strip_prefix('\u{FEFF}')
        .expect("a byte order mark first");
    assert!(body.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, comply::report::table::HEADER);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let run = run();
    let shown: Vec<_> = run
        .violations
        .iter()
        .filter(|v| v.waived.is_none())
        .collect();
    assert_eq!(records.len(), shown.len());
    for (r, v) in records.iter().zip(&shown) {
        assert_eq!(
            &r[col("message")],
            v.message,
            "the message survives quoting"
        );
        assert_eq!(&r[col("id")], v.id.as_deref().unwrap_or(""));
        let owner = v.owner.as_ref();
        assert_eq!(
            &r[col("department")],
            owner.and_then(|o| o.department.as_deref()).unwrap_or("")
        );
    }
    assert!(
        shown
            .iter()
            .any(|v| v.message.contains('"') && v.message.contains('\n')),
        "the run has a message that needs quoting"
    );
}

/// `--group-by` in statistics output: one row per group with its counts
/// by severity; a violation counts under each clause of its rule.
#[test]
fn statistics_by_group() {
    use comply::report::grouping::GroupBy;
    let dir = tempfile::tempdir().expect("tempdir");
    write_data(dir.path());
    for by in [GroupBy::Owner, GroupBy::Department, GroupBy::Clause] {
        let o = ReportOptions {
            group_by: Some(by),
            ..opts(dir.path())
        };
        insta::assert_snapshot!(
            format!("statistics_by_{}", by.name()),
            render(Format::Statistics, &o)
        );
    }
}
