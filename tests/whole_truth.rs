//! Reports that tell the whole truth (issue 11): an input error is in every
//! format and none looks like a pass; the options do what the README says.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("comply-truth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// The sample export with `file` cut in half: a truncated export.
fn truncated(name: &str, file: &str) -> PathBuf {
    let d = scratch(name);
    let export = d.join("export");
    copy_dir(&root().join("fixtures/sample-export"), &export);
    let path = export.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, &text[..text.len() / 2]).expect("write");
    export
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

type Key = (String, String, Option<String>, Option<String>);

fn key(v: &serde_json::Value) -> Key {
    (
        v["rule"].as_str().unwrap_or_default().to_string(),
        v["collection"].as_str().unwrap_or_default().to_string(),
        v["id"].as_str().map(String::from),
        v["key"].as_str().map(String::from),
    )
}

#[test]
fn a_truncated_file_is_in_every_report_and_none_looks_like_a_pass() {
    let export = truncated("every", "customers.json");
    let path = export.to_str().unwrap_or_default();

    let out = comply(&["check", "--format", "json", path]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let r = json(&out);
    assert_eq!(r["complete"], false);
    assert_eq!(r["summary"]["input_errors"], 1);
    let errors = r["input_errors"].as_array().expect("input_errors");
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert!(e["file"]
        .as_str()
        .unwrap_or_default()
        .ends_with("customers.json"));
    assert!(e["line"].as_u64().unwrap_or(0) > 1, "{e}");
    assert!(e["column"].as_u64().unwrap_or(0) >= 1, "{e}");
    assert!(
        e["records_lost"]
            .as_str()
            .unwrap_or_default()
            .starts_with("from line "),
        "{e}"
    );
    // The spec's order of members.
    let order: Vec<&str> = r
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let pos = |k: &str| order.iter().position(|o| *o == k).expect(k);
    assert!(pos("as_of") < pos("complete") && pos("complete") < pos("summary"));
    assert!(pos("violations") < pos("input_errors") && pos("input_errors") < pos("notes"));

    let out = comply(&["check", "--format", "ndjson", path]);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson line"))
        .collect();
    assert!(
        lines[0]["input_error"]["records_lost"].is_string(),
        "{}",
        lines[0]
    );
    let last = lines.last().expect("a last line");
    assert_eq!(last["complete"], false);
    assert_eq!(last["summary"]["input_errors"], 1);

    let out = comply(&["check", "--format", "sarif", path]);
    let sarif = json(&out);
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().expect("notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    let region = &notes[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], e["line"]);
    assert_eq!(region["startColumn"], e["column"]);
    validate_sarif(&sarif);

    let out = comply(&["check", "--format", "junit", path]);
    assert!(out.stdout.contains(r#"errors="1""#), "{}", out.stdout);
    assert!(out.stdout.contains(r#"<error message=""#), "{}", out.stdout);

    let line = e["line"].as_u64().unwrap_or(0);
    let out = comply(&["check", "--format", "github", path]);
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("::error file=") && first.contains(&format!("line={line}")),
        "{first}"
    );

    let out = comply(&["check", "--format", "gitlab", path]);
    let gl = json(&out);
    assert_eq!(gl[0]["check_name"], "input-error");
    assert_eq!(gl[0]["location"]["lines"]["begin"], line);

    let out = comply(&["check", "--format", "concise", path]);
    assert!(
        out.stdout.lines().next().is_some_and(
            |l| l.contains(&format!("customers.json:{line}:")) && l.contains("input error")
        ),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .trim_end()
        .ends_with("part of the export was not checked"));

    for format in ["human", "statistics"] {
        let out = comply(&["check", "--format", format, path]);
        assert!(
            out.stdout.contains("INCOMPLETE"),
            "{format}: {}",
            out.stdout
        );
    }

    let html = export.with_file_name("report.html");
    let out = comply(&["check", "-o", html.to_str().unwrap_or_default(), path]);
    assert_eq!(out.code, 2);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains(r#"class="verdict incomplete""#), "verdict");
    assert!(!page.contains(">PASS <") && !page.contains(">FAIL <"));
    let errors_at = page
        .find(r#"id="input-errors""#)
        .expect("input errors listed");
    assert!(errors_at < page.find(r#"id="charts""#).expect("charts"));
}

fn validate_sarif(sarif: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("conformance/sarif/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::draft4::new(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_truncated_file_keeps_its_complete_records_and_follow_ons_are_marked() {
    let clean = json(&comply(&[
        "check",
        "--format",
        "json",
        "fixtures/sample-export",
    ]));
    let export = truncated("keep", "customers.json");
    let r = json(&comply(&[
        "check",
        "--format",
        "json",
        export.to_str().unwrap_or_default(),
    ]));
    let customers_total = 200; // fixtures/sample-export/customers.json
    let records = r["summary"]["records"].as_u64().unwrap_or(0);
    let clean_records = clean["summary"]["records"].as_u64().unwrap_or(0);
    assert!(
        records > clean_records - customers_total,
        "the records before the break are checked: {records} of {clean_records}"
    );
    let clean_keys: BTreeSet<Key> = clean["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(key)
        .collect();
    let violations = r["violations"].as_array().expect("violations");
    let (follow, real): (Vec<_>, Vec<_>) = violations
        .iter()
        .partition(|v| v["follows_input_error"].is_string());
    assert!(
        !follow.is_empty(),
        "lost customers leave dangling references"
    );
    for v in &real {
        assert!(
            clean_keys.contains(&key(v)),
            "a violation not marked as following the input error is a real one: {v}"
        );
    }
    assert!(follow.iter().all(|v| v["follows_input_error"]
        .as_str()
        .unwrap_or_default()
        .ends_with("customers.json")));
    // The real ones come first, then what the input error may explain.
    let first_follow = violations
        .iter()
        .position(|v| v["follows_input_error"].is_string())
        .unwrap_or(0);
    assert!(violations[first_follow..]
        .iter()
        .all(|v| v["follows_input_error"].is_string()));
}

#[test]
fn an_output_file_takes_its_format_from_its_name_never_from_format() {
    // The README's CI line, as written.
    let d = scratch("ci");
    let out = comply_in(
        &d,
        &[
            "check",
            root()
                .join("fixtures/sample-export")
                .to_str()
                .unwrap_or_default(),
            "-o",
            "comply.sarif",
            "--format",
            "github",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("::"),
        "stdout is github: {}",
        out.stdout
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("comply.sarif")).expect("sarif"))
            .expect("the file is SARIF");
    assert_eq!(sarif["version"], "2.1.0");
    let out = comply_in(
        &d,
        &["check", "../x", "-o", "report.txt", "--format", "json"],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`report.txt`"), "{}", out.stderr);
}

#[test]
fn an_unknown_selector_is_a_usage_error_with_a_suggestion() {
    for (sel, hint) in [
        ("CD43l", Some("did you mean `CD431`?")),
        ("CD999", None),
        ("CD431,", None),
        (
            "consent-before-colection",
            Some("did you mean `consent-before-collection`?"),
        ),
    ] {
        for flag in ["--select", "--ignore"] {
            let out = comply(&["check", flag, sel, "fixtures/sample-export"]);
            assert_eq!(out.code, 2, "{flag} {sel}: {}", out.stderr);
            assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
            if let Some(h) = hint {
                assert!(out.stderr.contains(h), "{flag} {sel}: {}", out.stderr);
            }
            assert!(out.stdout.is_empty(), "no rule ran");
        }
    }
    let codes = |args: &[&str]| -> BTreeSet<String> {
        let mut a = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        a.push("fixtures/sample-export");
        let out = comply(&a);
        json(&out)["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v["rule"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let by_code = codes(&["--select", "CD431"]);
    assert_eq!(by_code, BTreeSet::from(["CD431".to_string()]));
    assert_eq!(codes(&["--select", "cd431"]), by_code);
    assert_eq!(codes(&["--select", "consent-before-collection"]), by_code);
}

#[test]
fn an_expired_waiver_is_in_every_report_and_waived_ones_are_listed() {
    let d = scratch("expired");
    let waivers = d.join("w.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"CD532\"\nid = \"Q*\"\nreason = \"answered on paper\"\napprover = \"compliance\"\nexpires = 2020-01-01\n\n[[waiver]]\nrule = \"CD446\"\nid = \"*\"\nreason = \"consent on file, ticket OPS-7\"\napprover = \"compliance\"\nexpires = 2999-01-01\n",
    )
    .expect("write");
    let w = waivers.to_str().unwrap_or_default();
    let run = |format: &str| {
        let out = comply(&[
            "check",
            "--format",
            format,
            "--waivers",
            w,
            "fixtures/sample-export",
        ]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        out.stdout
    };
    let r: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let expired = &r["expired_waivers"][0];
    assert_eq!(expired["rule"], "CD532");
    assert_eq!(expired["line"], 1);
    assert!(expired["message"]
        .as_str()
        .unwrap_or_default()
        .contains("expired on 2020-01-01"));
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("sarif");
    let n = &sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"][0];
    assert_eq!(n["associatedRule"]["id"], "CD532");
    validate_sarif(&sarif);
    for format in [
        "human",
        "concise",
        "github",
        "junit",
        "statistics",
        "ndjson",
        "gitlab",
    ] {
        assert!(run(format).contains("expired on 2020-01-01"), "{format}");
    }
    let junit = run("junit");
    assert!(
        junit.contains(r#"<skipped message="waived: consent on file, ticket OPS-7"/>"#),
        "{junit}"
    );
    let human = run("human");
    assert!(human.contains("waived (1):"), "{human}");
    assert!(human.contains("consent on file, ticket OPS-7"), "{human}");
}

#[test]
fn junit_has_one_test_case_per_violation() {
    let out = comply(&["check", "--format", "junit", "fixtures/sample-export"]);
    let failures = out.stdout.matches("<failure ").count();
    let cases_with_failure = out
        .stdout
        .split("<testcase ")
        .filter(|c| c.contains("<failure "))
        .count();
    assert_eq!(failures, 14);
    assert_eq!(cases_with_failure, failures, "one failure per test case");
    assert!(out.stdout.contains(r#"failures="14""#), "{}", out.stdout);
}

#[test]
fn control_characters_in_the_export_never_reach_the_terminal_raw() {
    let d = scratch("escapes");
    std::fs::write(
        d.join("export.json"),
        "{\"export\": {\"as_of\": \"2025-12-31T23:59:59+08:00\", \"timezone\": \"+08:00\"},\n\
         \"customers\": [{\"id\": \"C1\\u001b[2J\\u001b]0;owned\\u0007\", \"type\": \"individual\", \"name\": \"x\",\n\
         \"created_at\": \"2025-01-01\", \"acquisition_channel\": \"bogus\", \"stage\": \"prospect\",\n\
         \"data_classification\": \"confidential\"}]}\n",
    )
    .expect("write");
    for format in ["human", "concise", "github", "statistics"] {
        let out = comply_in(
            &d,
            &["check", "--no-redact", "--format", format, "export.json"],
        );
        assert!(out.code == 1 || out.code == 2, "{format}: {}", out.stderr);
        assert!(!out.stdout.contains('\u{1b}'), "{format}: {:?}", out.stdout);
        assert!(!out.stdout.contains('\u{7}'), "{format}: {:?}", out.stdout);
    }
    // Escaped, not dropped: the reader still sees what the id holds.
    let out = comply_in(
        &d,
        &["check", "--no-redact", "--format", "human", "export.json"],
    );
    assert!(
        out.stdout.contains("customers C1\\u{1b}[2J"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_end_of_year_9999_is_a_valid_timestamp() {
    let d = scratch("y9999");
    std::fs::write(
        d.join("export.json"),
        r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"},
 "customers": [{"id": "C1", "type": "individual", "name": "x", "created_at": "9999-12-31T23:59:59Z",
   "acquisition_channel": "referral", "stage": "prospect", "data_classification": "confidential"}]}"#,
    )
    .expect("write");
    let out = comply_in(
        &d,
        &[
            "check",
            "--format",
            "json",
            "--select",
            "CD001",
            "export.json",
        ],
    );
    let r = json(&out);
    assert_eq!(
        r["violations"].as_array().map(Vec::len),
        Some(0),
        "{}",
        out.stdout
    );
}

#[test]
fn the_built_in_policy_is_named_as_such() {
    let out = comply(&[
        "check",
        "--select",
        "CD532",
        "--no-redact",
        "fixtures/sample-export",
    ]);
    assert!(out.stdout.contains("[(built-in policy):"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("error CD532 complaint-answered-in-time"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("clause §5.3(c)"), "{}", out.stdout);
    assert!(!out.stdout.contains("help: §"), "{}", out.stdout);
}

#[test]
fn config_and_command_line_agree() {
    let d = scratch("config");
    let sample = root().join("fixtures/sample-export");
    let sample = sample.to_str().unwrap_or_default();
    let config = |text: &str| {
        std::fs::write(d.join("comply.toml"), text).expect("write");
        comply_in(&d, &["check", "--format", "json", sample])
    };
    // Every unknown key, not only the first.
    let out = config("formt = \"json\"\nselct = [\"CD4\"]\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown key `formt`"), "{}", out.stderr);
    assert!(out.stderr.contains("unknown key `selct`"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `select`?"),
        "{}",
        out.stderr
    );

    // A fail-on value one rejects, the other rejects.
    let out = config("fail-on = \"never\"\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown `fail-on` value `never`"),
        "{}",
        out.stderr
    );
    let _ = std::fs::remove_file(d.join("comply.toml"));
    let out = comply_in(&d, &["check", "--fail-on", "never", sample]);
    assert_eq!(out.code, 2, "{}", out.stderr);

    // A value of the wrong type is an error in both, located in the config.
    let out = config("[params]\ncomplaint_response_days = \"ten\"\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is an integer, but `\"ten\"` is not"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("comply.toml:2:27"), "{}", out.stderr);
    let out = config("[params]\ncomplaint_response_days = \"15\"\n");
    assert_eq!(
        out.code, 2,
        "a string is not an integer in TOML: {}",
        out.stderr
    );
    let out = config("[params]\ncomplaint_response_days = 20\n");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let late = json(&out)["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["rule"] == "CD532")
        .count();
    assert_eq!(late, 0, "no complaint waited more than 20 days");
    let _ = std::fs::remove_file(d.join("comply.toml"));
    let out = comply_in(
        &d,
        &["check", "--param", "complaint_response_days=ten", sample],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);

    // A negative number of days means nothing: an error in both.
    let out = comply_in(
        &d,
        &["check", "--param", "complaint_response_days=-3", sample],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("takes values from 0 to 36500, but `-3`"),
        "{}",
        out.stderr
    );
    let out = config("[params]\nrecord_within_days = -1\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("comply.toml:2:22"), "{}", out.stderr);
}

#[test]
fn html_charts_add_up_and_the_table_is_by_severity() {
    let d = scratch("html");
    let html = d.join("report.html");
    comply(&[
        "check",
        "fixtures/sample-export",
        "-o",
        html.to_str().unwrap_or_default(),
    ]);
    let page = std::fs::read_to_string(&html).expect("html");
    let doc = scraper::Html::parse_document(&page);
    let select = |s: &str| scraper::Selector::parse(s).expect("selector");
    let chart = |label: &str| {
        doc.select(&select(&format!("svg[aria-label^=\"{label}\"]")))
            .next()
            .unwrap_or_else(|| panic!("chart {label}"))
    };
    // Each violation counted once, under one clause.
    let by_clause: u64 = chart("Bar chart of violations by clause")
        .select(&select("text.num"))
        .map(|t| {
            t.text()
                .collect::<String>()
                .trim()
                .parse::<u64>()
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(by_clause, 14);
    // The month axis spans the records' own dates: no employee join date.
    let months: Vec<String> = chart("Bar chart of violations by month")
        .select(&select("text.lbl"))
        .map(|t| t.text().collect())
        .collect();
    assert!(months.iter().all(|m| m.as_str() >= "2025-01"), "{months:?}");
    let severities: Vec<String> = doc
        .select(&select("tbody.viol"))
        .filter_map(|t| t.value().attr("data-severity").map(String::from))
        .collect();
    let rank = |s: &str| match s {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    assert_eq!(severities.len(), 14);
    assert!(
        severities.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{severities:?}"
    );
}

#[test]
fn redaction_masks_what_the_policy_does_not_declare_and_keeps_its_names() {
    let d = scratch("redact");
    std::fs::write(
        d.join("export.json"),
        r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00", "system": "CRM-PROBE"},
 "custmers": [],
 "customers": [{"id": "C1", "type": "individual", "name": "Wang Xiaoming", "created_at": "2025-01-01",
   "acquisition_channel": "scraped_data", "stage": "prospect", "data_classification": "confidential",
   "national_id": "110101199003070011", "wechat_id": "wxid_probe42",
   "profile": {"financial_status": {"annual_income": 987654, "employer_secret": "Probe Holdings"}}}]}
"#,
    )
    .expect("write");
    let personal = [
        "Wang Xiaoming",
        "110101199003070011",
        "wxid_probe42",
        "987654",
        "Probe Holdings",
        "employer_secret",
    ];
    let html = d.join("report.html");
    let mut outputs = Vec::new();
    for format in [
        "human", "concise", "json", "ndjson", "sarif", "junit", "github", "gitlab",
    ] {
        let out = comply_in(
            &d,
            &[
                "check",
                "--format",
                format,
                "-o",
                "report.html",
                "export.json",
            ],
        );
        outputs.push((format.to_string(), out.stdout));
        outputs.push((
            format!("{format} -o html"),
            std::fs::read_to_string(&html).expect("html"),
        ));
    }
    for (name, text) in &outputs {
        for p in personal {
            assert!(!text.contains(p), "{name} shows `{p}`");
        }
    }
    // The policy's own names survive in messages: the did-you-mean.
    let concise = &outputs[2].1;
    assert!(concise.contains("did you mean `customers`?"), "{concise}");
    // Masks do not tell a value's length.
    assert!(!concise.contains("`********`"), "{concise}");
}

/// The README's examples, run as written.
#[test]
fn the_readme_examples_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    // The concise example: the command in the prose, its output in the block after it.
    let command = "cargo run --release -- check --format concise fixtures/sample-export";
    assert!(
        readme.contains(command),
        "the example is still in the README"
    );
    let after = &readme[readme.find(command).unwrap_or(0)..];
    let block: String = after
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap_or_default()
        .to_string();
    let args: Vec<&str> = command["cargo run --release -- ".len()..]
        .split(' ')
        .collect();
    let out = comply(&args);
    assert_eq!(out.code, 1, "the README says it exits 1: {}", out.stderr);
    assert_eq!(
        out.stdout, block,
        "README's concise output is what the command prints"
    );

    // The HTML example: a file, and nothing but the summary on standard output.
    assert!(readme.contains("`comply check -o report.html EXPORT`"));
    let d = scratch("readme-html");
    let sample = root().join("fixtures/sample-export");
    let out = comply_in(
        &d,
        &[
            "check",
            "-o",
            "report.html",
            sample.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stdout.contains("<html"), "HTML went to the file only");
    assert!(std::fs::read_to_string(d.join("report.html"))
        .expect("report.html")
        .contains("<html"));

    // The CI line, exactly as the workflow in the README writes it.
    let ci = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("- run: comply check "))
        .expect("the CI line");
    assert_eq!(ci, "exports/ -o comply.sarif --format github");
}

/// The values of the sample the shipped policy calls personal: under a field
/// marked `personal` (at any depth below it) or inside a free-form object.
fn personal_values_of_the_sample() -> BTreeSet<String> {
    use comply::schema::{ObjectType, Type};
    fn hiding_keys(o: &ObjectType, hidden: bool, out: &mut BTreeSet<String>) {
        for f in &o.fields {
            let mut ty = &f.ty;
            while let Type::List(inner) = ty {
                ty = inner;
            }
            let hides = hidden || f.personal || matches!(ty, Type::AnyObject);
            if hides {
                out.insert(f.name.clone());
            }
            if let Type::Object(inner) = ty {
                hiding_keys(inner, hides, out);
            }
        }
    }
    fn collect(
        v: &serde_json::Value,
        under: bool,
        keys: &BTreeSet<String>,
        out: &mut BTreeSet<String>,
        other: &mut Vec<String>,
    ) {
        match v {
            serde_json::Value::String(s) if under && s.chars().count() >= 2 => {
                out.insert(s.clone());
            }
            serde_json::Value::String(s) => other.push(s.clone()),
            // Short numbers (ages, counts) could be any offset or line of a report.
            serde_json::Value::Number(n) if under && n.as_f64().is_some_and(|x| x >= 1e6) => {
                out.insert(n.to_string());
            }
            serde_json::Value::Array(a) => {
                a.iter().for_each(|x| collect(x, under, keys, out, other))
            }
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    if under && k.chars().count() >= 4 {
                        // A free-form object's keys are the export's too.
                        out.insert(format!("\"{k}\""));
                    }
                    collect(x, under || keys.contains(k), keys, out, other);
                }
            }
            _ => {}
        }
    }
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    let mut keys = BTreeSet::new();
    for c in &program.schema.collections {
        hiding_keys(&c.record, false, &mut keys);
    }
    let mut values = BTreeSet::new();
    let mut other = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("fixtures/sample-export")) {
        let entry = entry.expect("walk");
        let text = match std::fs::read_to_string(entry.path()) {
            Ok(t) if entry.file_type().is_file() => t,
            _ => continue,
        };
        let docs: Vec<serde_json::Value> =
            if entry.path().extension().is_some_and(|e| e == "ndjson") {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            } else {
                serde_json::from_str(&text).into_iter().collect()
            };
        for d in &docs {
            collect(d, false, &keys, &mut values, &mut other);
        }
    }
    // A city is also part of a regulator's name, which is not personal: a
    // value found inside what the policy shows cannot be told apart.
    values.retain(|v| !other.iter().any(|o| o.contains(v.as_str())));
    // A value that is also the policy's own text (`客户满意` inside a clause's
    // gloss) is shown as the clause, not as the record's value.
    values.retain(|v| !comply::policy::SHIPPED.contains(v.as_str()));
    // Keys that only a free-form object holds, not the policy's own names.
    values.retain(|v| {
        !v.starts_with('"')
            || !keys.contains(v.trim_matches('"'))
                && !program
                    .schema
                    .collections
                    .iter()
                    .any(|c| c.record.field(v.trim_matches('"')).is_some())
    });
    values
}

#[test]
fn no_personal_value_of_the_sample_reaches_a_redacted_report() {
    let personal = personal_values_of_the_sample();
    // The sample has names, free text, cities and incomes under those fields.
    for probe in ["赵超", "南京", "2120000", "\"occupation\""] {
        assert!(
            personal.contains(probe),
            "{probe} not found among {personal:?}"
        );
    }
    let formats = [
        "human",
        "concise",
        "json",
        "ndjson",
        "sarif",
        "junit",
        "github",
        "gitlab",
        "statistics",
        "html",
    ];
    let d = scratch("personal");
    let sample = root().join("fixtures/sample-export");
    let sample = sample.to_str().unwrap_or_default();
    let files: Vec<String> = formats.iter().map(|f| format!("{f}={f}.out")).collect();
    for terminal in [false, true] {
        for format in formats {
            let mut args = vec!["check", "--format", format];
            for f in &files {
                args.extend(["-o", f.as_str()]);
            }
            args.push(sample);
            let stdout = if terminal {
                // `script` gives the run a terminal: standard output is then
                // shown in clear, as a person at a terminal asked, but every
                // file is still a file.
                let line = std::iter::once(env!("CARGO_BIN_EXE_comply"))
                    .chain(args.iter().copied())
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let out = std::process::Command::new("script")
                    .args(["-qec", &line, "/dev/null"])
                    .current_dir(&d)
                    .output()
                    .expect("script");
                assert_eq!(out.status.code(), Some(1), "{line}");
                None
            } else {
                let out = comply_in(&d, &args);
                assert_eq!(out.code, 1, "{}", out.stderr);
                Some(out.stdout)
            };
            let mut outputs: Vec<(String, String)> = formats
                .iter()
                .map(|f| {
                    let file = d.join(format!("{f}.out"));
                    (
                        format!("-o {f}"),
                        std::fs::read_to_string(file).expect("report file"),
                    )
                })
                .collect();
            outputs.extend(stdout.map(|s| (format!("stdout {format}"), s)));
            for (name, text) in &outputs {
                assert!(text.len() > 200, "{name} is a report: {text}");
                for p in &personal {
                    assert!(
                        !text.contains(p.as_str()),
                        "{name} (terminal: {terminal}, --format {format}) shows `{p}`"
                    );
                }
            }
        }
    }
}

#[test]
fn redacted_messages_keep_every_schema_name() {
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    let mut names = BTreeSet::new();
    for c in &program.schema.collections {
        names.insert(c.name.clone());
        for f in &c.record.fields {
            names.insert(f.name.clone());
        }
    }
    for e in &program.schema.enums {
        names.extend(e.values.iter().cloned());
    }
    // Integrity findings quote the schema: an unknown collection and its
    // did-you-mean, an unfit enum value, a dangling reference.
    let d = scratch("schema-names");
    std::fs::write(
        d.join("export.json"),
        r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"},
 "custmers": [{"id": "X1"}],
 "customers": [{"id": "C1", "type": "individual", "name": "Wang Xiaoming", "created_at": "2025-01-01",
   "acquisition_channel": "word_of_mouth", "stage": "prospect", "owner": "E404"}]}
"#,
    )
    .expect("write");
    let clear = json(&comply_in(
        &d,
        &["check", "--no-redact", "--format", "json", "export.json"],
    ));
    let redacted = json(&comply_in(
        &d,
        &["check", "--redact", "--format", "json", "export.json"],
    ));
    let messages = |r: &serde_json::Value| -> Vec<String> {
        r["violations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (clear, redacted) = (messages(&clear), messages(&redacted));
    assert_eq!(clear.len(), redacted.len());
    let mut checked = 0;
    for (c, r) in clear.iter().zip(&redacted) {
        for quoted in c.split('`').skip(1).step_by(2) {
            if names.contains(quoted) {
                checked += 1;
                assert!(
                    r.contains(&format!("`{quoted}`")),
                    "`{quoted}` lost: {c} -> {r}"
                );
            }
        }
    }
    assert!(checked >= 3, "few messages quote a schema name: {clear:?}");
    assert!(
        redacted
            .iter()
            .all(|m| !m.contains("word_of_mouth") && !m.contains("Wang")),
        "{redacted:?}"
    );
}

/// crm-export.md: `period_label` is `YYYY-MM`, `YYYY-Qn` or `YYYY` "to match
/// `period`". A label that does not is CD001 at the label, and is then
/// absent for the rules like any unfit value.
#[test]
fn a_period_label_must_fit_its_period() {
    let d = scratch("period-label");
    let assessment = |id: &str, period: &str, label: &str| {
        format!(
            r#"{{"id": "{id}", "employee_id": "E1", "period": "{period}", "period_label": "{label}", "met_target": true}}"#
        )
    };
    let cases = [
        // (id, period, label, the CD001 message on the label, if any)
        ("A1", "monthly", "2025-03", None),
        (
            "A2",
            "monthly",
            "2025-Q1",
            Some("does not match YYYY-MM (the format when `period` is `monthly`)"),
        ),
        (
            "A3",
            "monthly",
            "2025-13",
            Some("does not match YYYY-MM, YYYY-Qn or YYYY"),
        ),
        ("A4", "quarterly", "2025-Q4", None),
        (
            "A5",
            "quarterly",
            "2025-Q5",
            Some("does not match YYYY-MM, YYYY-Qn or YYYY"),
        ),
        (
            "A6",
            "quarterly",
            "2025",
            Some("does not match YYYY-Qn (the format when `period` is `quarterly`)"),
        ),
        ("A7", "annual", "2025", None),
        (
            "A8",
            "annual",
            "2025-12",
            Some("does not match YYYY (the format when `period` is `annual`)"),
        ),
        (
            "A9",
            "annual",
            " 2025",
            Some("does not match YYYY-MM, YYYY-Qn or YYYY"),
        ),
        // An unfit period says nothing of the label's form but its three shapes.
        ("A10", "yearly", "2025", None),
        (
            "A11",
            "yearly",
            "25",
            Some("does not match YYYY-MM, YYYY-Qn or YYYY"),
        ),
    ];
    let records: Vec<String> = cases
        .iter()
        .map(|(id, p, l, _)| assessment(id, p, l))
        .collect();
    std::fs::write(
        d.join("export.json"),
        format!(
            r#"{{"export": {{"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"}},
 "employees": [{{"id": "E1", "name": "x", "department": "marketing", "active": true, "joined_at": "2020-01-01"}}],
 "assessments": [
  {}
 ]}}"#,
            records.join(",\n  ")
        ),
    )
    .expect("write");
    let out = comply_in(
        &d,
        &[
            "check",
            "--no-redact",
            "--format",
            "json",
            "--select",
            "CD001",
            "export.json",
        ],
    );
    let r = json(&out);
    let found: BTreeMap<String, String> = r["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["key"] == "/period_label")
        .map(|v| {
            (
                v["id"].as_str().unwrap_or_default().to_string(),
                v["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for (id, _, label, want) in cases {
        match (want, found.get(id)) {
            (None, None) => {}
            (Some(want), Some(got)) => {
                assert!(
                    got.contains(&format!("`{label}` {want}")),
                    "{id}: {got} (want {want})"
                )
            }
            (want, got) => panic!("{id} `{label}`: want {want:?}, got {got:?}"),
        }
    }
    // The label is located: line 5 holds A2.
    let a2 = r["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["id"] == "A2" && v["key"] == "/period_label")
        .expect("A2");
    let line = assessment("A2", "monthly", "2025-Q1");
    let column = 3 + line.find("\"2025-Q1\"").unwrap_or(0);
    assert_eq!(
        (&a2["field"]["line"], &a2["field"]["column"]),
        (&serde_json::json!(5), &serde_json::json!(column)),
        "{a2}"
    );
}

/// Human output placed a field by bytes on lines with Chinese text
/// (`10:351` where every other format says `10:277`).
#[test]
fn human_and_concise_columns_agree() {
    let concise = comply(&["check", "--format", "concise", "fixtures/sample-export"]);
    let human = comply(&["check", "--format", "human", "fixtures/sample-export"]);
    let located: BTreeSet<String> = concise
        .stdout
        .lines()
        .filter_map(|l| l.split(": ").next())
        .filter(|l| l.starts_with("fixtures/"))
        .map(str::to_string)
        .collect();
    let headers: BTreeSet<String> = human
        .stdout
        .lines()
        .filter_map(|l| l.split_once("╭─[").map(|(_, r)| r.trim_end_matches(']')))
        .filter(|l| l.starts_with("fixtures/"))
        .map(str::to_string)
        .collect();
    assert!(
        located.iter().any(|l| l.contains("2025-09.ndjson:10:")),
        "the sample's line with Chinese text is among them: {located:?}"
    );
    // Every located violation is a header of its own snippet; a record far
    // from its field gets a second header at the record's start.
    let missing: Vec<&String> = located.difference(&headers).collect();
    assert!(missing.is_empty(), "not in human output: {missing:?}");
    for h in &headers {
        let (line, _) = h.rsplit_once(':').unwrap_or_default();
        for l in &located {
            let (l_line, _) = l.rsplit_once(':').unwrap_or_default();
            assert!(
                line != l_line || h == l,
                "human says {h} where concise says {l}"
            );
        }
    }
}

/// CD002 names where the first copy is, as `file:line:column`, found by the
/// streaming locator (issue 13: no whole-file read for it), in a gzip file
/// as in a plain one.
#[test]
fn a_duplicate_id_names_its_first_copy_by_line_and_column() {
    use std::io::Write;
    let d = scratch("cd002");
    std::fs::create_dir_all(d.join("export")).expect("mkdir");
    std::fs::write(
        d.join("export/export.json"),
        r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00"}}"#,
    )
    .expect("write");
    let employee = |id: &str, name: &str| {
        format!(
            r#"{{"id": "{id}", "name": "{name}", "department": "marketing", "active": true, "joined_at": "2020-01-01"}}"#
        )
    };
    // The first copy of E2 on line 3, column 4 (after three spaces), of a
    // gzip file; the copy in a later file.
    let first = format!(
        "[{},\n{},\n   {}]\n",
        employee("E0", "张三"),
        employee("E1", "李四"),
        employee("E2", "王五")
    );
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(d.join("export/employees.json.gz")).expect("create"),
        flate2::Compression::fast(),
    );
    gz.write_all(first.as_bytes()).expect("gzip");
    gz.finish().expect("gzip");
    std::fs::write(
        d.join("export/employees.ndjson"),
        format!("{}\n", employee("E2", "赵六")),
    )
    .expect("write");
    let out = comply_in(
        &d,
        &[
            "check",
            "--no-redact",
            "--format",
            "json",
            "--select",
            "CD002",
            "export",
        ],
    );
    let r = json(&out);
    let messages: Vec<&str> = r["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{}", out.stdout);
    assert!(
        messages[0].ends_with("the first is at export/employees.json.gz:3:4"),
        "{}",
        messages[0]
    );
}

/// `summary.files` counts the files read: a one-document export is one
/// file however many collections it holds (it said 4 for three).
#[test]
fn a_document_is_one_file_in_the_summary() {
    let d = scratch("files-count");
    std::fs::write(
        d.join("z.json"),
        r#"{"export":{"as_of":"2025-06-30T12:00:00+08:00"},"customers":[],"visits":[],"plans":[]}"#,
    )
    .expect("write");
    let r = json(&comply_in(
        &d,
        &["check", "--isolated", "--format", "json", "z.json"],
    ));
    assert_eq!(r["summary"]["files"], 1, "{r}");
    let r = json(&comply(&[
        "check",
        "--format",
        "json",
        "fixtures/sample-export",
    ]));
    assert_eq!(r["summary"]["files"], 58, "a directory counts each file");
}
