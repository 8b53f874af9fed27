//! Waivers: matching, expiry, unused ones, parse errors.

mod report_common;

use comply::waiver::{apply, ProblemKind, WaiverFile};
use jiff::civil::date;

const FILE: &str = r#"
[[waiver]]
rule = "CD431"
id = "C000?"
collection = "customers"
reason = "paper consent, ticket OPS-12"
approver = "li.na"
expires = 2026-06-30

[[waiver]]
rule = "CD435"
id = "C0002"
reason = "classification migrating"
approver = "li.na"
expires = "2025-01-31"

[[waiver]]
rule = "CD999"
id = "*"
reason = "nothing"
approver = "li.na"
expires = 2030-01-01
"#;

fn unwaived_run() -> comply::violation::Run {
    let mut run = report_common::run();
    for v in &mut run.violations {
        v.waived = None;
    }
    run
}

#[test]
fn waives_matching_violations_and_recounts() {
    let file = WaiverFile::parse("comply-waivers.toml", FILE).expect("parses");
    assert_eq!(file.waivers.len(), 3);
    let mut run = unwaived_run();
    let problems = apply(&mut run, &file, date(2026, 1, 15));
    // Both CD431 violations (C0001, C0002) match the glob.
    let waived: Vec<_> = run
        .violations
        .iter()
        .map(|v| v.waived.as_ref().map(|w| w.reason.as_str()))
        .collect();
    assert_eq!(
        waived,
        [
            Some("paper consent, ticket OPS-12"),
            None,
            Some("paper consent, ticket OPS-12"),
            None
        ]
    );
    assert_eq!(run.summary.errors, 0);
    assert_eq!(run.summary.warnings, 2);
    assert_eq!(run.summary.waived, 2);
    assert_eq!(
        run.violations[0]
            .waived
            .as_ref()
            .and_then(|w| w.expires.as_deref()),
        Some("2026-06-30")
    );

    let kinds: Vec<_> = problems
        .iter()
        .map(|p| (p.kind, p.waiver, p.is_error()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::Expired, 1, true),
            (ProblemKind::Unused, 2, false)
        ]
    );
    assert_eq!(
        problems[0].to_string(),
        "waiver for `CD435` on `C0002` expired on 2025-01-31"
    );
    assert_eq!(
        problems[1].to_string(),
        "waiver for `CD999` on `*` matches no violation"
    );
}

#[test]
fn expiry_day_itself_still_holds() {
    let file = WaiverFile::parse("w.toml", FILE).expect("parses");
    let mut run = unwaived_run();
    let problems = apply(&mut run, &file, date(2025, 1, 31));
    assert!(
        run.violations[1].waived.is_some(),
        "CD435 waiver holds on its last day"
    );
    assert!(problems.iter().all(|p| p.kind != ProblemKind::Expired));
}

#[test]
fn expired_waiver_rendered() {
    let file = WaiverFile::parse("comply-waivers.toml", FILE).expect("parses");
    let mut run = unwaived_run();
    let problems = apply(&mut run, &file, date(2026, 1, 15));
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut text = String::new();
    for p in &problems {
        handler.render_report(&mut text, p).expect("render");
    }
    insta::assert_snapshot!(text);
}

fn parse_error(text: &str) -> String {
    let err = WaiverFile::parse("comply-waivers.toml", text).expect_err("must fail");
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    handler.render_report(&mut out, &*err).expect("render");
    out
}

#[test]
fn parse_errors_point_into_the_file() {
    let missing_reason =
        "[[waiver]]\nrule = \"CD431\"\nid = \"C1\"\napprover = \"x\"\nexpires = 2026-01-01\n";
    let bad_date = "[[waiver]]\nrule = \"CD431\"\nid = \"C1\"\nreason = \"r\"\napprover = \"x\"\nexpires = \"2026-02-30\"\n";
    let typo = "[[waiver]]\nrule = \"CD431\"\nid = \"C1\"\nreasn = \"r\"\napprover = \"x\"\nexpires = 2026-01-01\n";
    let not_toml = "[[waiver]\nrule = ";
    insta::assert_snapshot!("missing_reason", parse_error(missing_reason));
    insta::assert_snapshot!("bad_date", parse_error(bad_date));
    let typo = parse_error(typo);
    assert!(typo.contains("did you mean `reason`?"), "{typo}");
    insta::assert_snapshot!("typo", typo);
    insta::assert_snapshot!("not_toml", parse_error(not_toml));
}
