//! What a user sees from the policy commands: lint, rules, explain, coverage, test.

mod common;
use common::*;

#[test]
fn shipped_policy_lints_clean() {
    let out = comply(&["lint", "policies/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn shipped_policy_is_formatted() {
    let out = comply(&["fmt", "--check", "policies/"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn docs_rules_md_is_current() {
    let out = comply(&["rules", "--format", "markdown"]);
    assert_eq!(out.code, 0);
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn rules_lists_the_whole_catalogue() {
    let out = comply(&["rules", "--format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).expect("json");
    let codes: Vec<&str> = rules.iter().filter_map(|r| r["code"].as_str()).collect();
    // The catalogue of ../shared/spec/rules.md, in order.
    let catalogue = std::fs::read_to_string(shared().join("spec/rules.md")).expect("rules.md");
    let expected: Vec<String> = catalogue
        .lines()
        .filter_map(|l| l.strip_prefix("| CD"))
        .map(|l| format!("CD{}", &l[..3]))
        .collect();
    assert_eq!(expected.len(), 42);
    let ours: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| !c.starts_with("CD00"))
        .collect();
    assert_eq!(
        ours,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for (r, line) in rules
        .iter()
        .filter(|r| !r["code"].as_str().unwrap_or("").starts_with("CD00"))
        .zip(catalogue.lines().filter(|l| l.starts_with("| CD")))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(r["name"].as_str(), Some(cells[2]), "name of {}", cells[1]);
        assert_eq!(
            r["severity"].as_str(),
            Some(cells[3]),
            "severity of {}",
            cells[1]
        );
        assert_eq!(
            r["clause"].as_str(),
            Some(cells[4]),
            "clause of {}",
            cells[1]
        );
    }
}

#[test]
fn explain_shows_clause_and_parameters() {
    let out = comply(&["explain", "CD532"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn explain_unknown_rule_suggests() {
    let out = comply(&["explain", "CD533"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean"), "{}", out.stderr);
}

#[test]
fn every_clause_of_the_regulation_is_accounted_for() {
    let out = comply(&["coverage", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).expect("json");
    let ours: Vec<&str> = rows.iter().filter_map(|r| r["clause"].as_str()).collect();
    let regulation =
        std::fs::read_to_string(shared().join("regulation/customer-development.zh.md"))
            .expect("regulation");
    let theirs: Vec<&str> = regulation
        .lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split("**").next())
        .collect();
    assert_eq!(ours, theirs);
    for r in &rows {
        let enforced = r["rules"].as_array().is_some_and(|a| !a.is_empty());
        assert!(enforced || r["not_checkable"].is_string(), "{r}");
    }
}

#[test]
fn rule_fixtures_pass() {
    let out = comply(&[
        "test",
        "--coverage",
        "--min-coverage",
        "100",
        "fixtures/rules",
    ]);
    let last = out.stdout.lines().last().unwrap_or_default().to_string();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 84, "at least two cases per rule, got {passed}");
}

#[test]
fn a_failing_case_fails_with_a_diff() {
    let dir = std::env::temp_dir().join(format!("comply-test-{}", std::process::id()));
    let case = dir.join("CD521/wrong");
    std::fs::create_dir_all(&case).expect("mkdir");
    std::fs::write(case.join("export.json"), r#"{"export": {"as_of": "2025-12-31T00:00:00+08:00"}, "customers": [{"id": "C1", "type": "individual", "name": "x", "created_at": "2025-01-01", "acquisition_channel": "scraped_data", "stage": "prospect"}]}"#).expect("write");
    std::fs::write(
        case.join("expected.json"),
        r#"{"rules": ["CD521"], "violations": []}"#,
    )
    .expect("write");
    let out = comply(&["test", dir.to_str().unwrap_or_default()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("+ unexpected:        CD521 customers/C1"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.trim_end().ends_with("0 passed, 1 failed"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}
