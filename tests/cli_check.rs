//! `comply check` as users and pipelines see it: exit codes, the sample
//! export's known violations, input errors, determinism, redaction.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("comply-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn keys(report: &serde_json::Value) -> BTreeSet<(String, String, Option<String>, Option<String>)> {
    report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            (
                v["rule"].as_str().unwrap_or_default().to_string(),
                v["collection"].as_str().unwrap_or_default().to_string(),
                v["id"].as_str().map(String::from),
                v["key"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn sample_export_gives_exactly_the_planted_violations_in_both_layouts() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/sample-export.expected.json"))
            .expect("expected"),
    )
    .expect("json");
    let want = keys(&expected);
    assert!(want.len() >= 8);
    for layout in ["fixtures/sample-export", "fixtures/sample-export.json"] {
        let out = comply(&["check", "--format", "json", layout]);
        assert_eq!(out.code, 1, "{layout}: {}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json report");
        assert_eq!(keys(&report), want, "{layout}");
        assert_eq!(report["version"], 1);
        assert_eq!(report["as_of"], "2025-12-31T23:59:59+08:00");
        assert_eq!(report["summary"]["rules"], 42);
    }
}

#[test]
fn json_report_locates_record_and_field() {
    let out = comply(&[
        "check",
        "--format",
        "json",
        "--select",
        "CD532",
        "fixtures/sample-export",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let v = &report["violations"][0];
    assert_eq!(v["rule"], "CD532");
    assert_eq!(v["clause"], "§5.3(c)");
    assert_eq!(
        v["location"]["file"],
        "fixtures/sample-export/complaints.json"
    );
    let pointer = v["location"]["pointer"].as_str().unwrap_or_default();
    assert!(pointer.starts_with('/'), "{pointer}");
    assert_eq!(v["field"]["pointer"], format!("{pointer}/responded_at"));
    // The field's line really holds the field.
    let text = std::fs::read_to_string(root().join("fixtures/sample-export/complaints.json"))
        .expect("file");
    let line = v["field"]["line"].as_u64().unwrap_or(0) as usize;
    let col = v["field"]["column"].as_u64().unwrap_or(0) as usize;
    let at: String = text
        .lines()
        .nth(line - 1)
        .unwrap_or_default()
        .chars()
        .skip(col - 1)
        .collect();
    assert!(
        at.starts_with("\"responded_at\"") || at.starts_with("\"2025"),
        "{at}"
    );
    assert_eq!(v["policy"]["file"], "policies/customer-development.policy");
    insta::assert_json_snapshot!(v, {".policy.line" => "[line]"});
}

#[test]
fn exit_codes() {
    assert_eq!(comply(&["check", "fixtures/sample-export.json"]).code, 1);
    assert_eq!(
        comply(&["check", "--exit-zero", "fixtures/sample-export.json"]).code,
        0
    );
    assert_eq!(
        comply(&["check", "--select", "CD416", "fixtures/sample-export.json"]).code,
        0
    );
    // Warnings fail only when asked.
    assert_eq!(
        comply(&["check", "--select", "CD614", "fixtures/sample-export.json"]).code,
        0
    );
    assert_eq!(
        comply(&[
            "check",
            "--select",
            "CD614",
            "--fail-on",
            "warning",
            "fixtures/sample-export.json"
        ])
        .code,
        1
    );
    assert_eq!(
        comply(&[
            "check",
            "--fail-on",
            "sometimes",
            "fixtures/sample-export.json"
        ])
        .code,
        2
    );
    assert_eq!(comply(&["check", "no/such/export"]).code, 2);
}

#[test]
fn bad_params_and_as_of_are_clear_errors() {
    let out = comply(&[
        "check",
        "--param",
        "complaint_response_days=fifteen",
        "fixtures/sample-export.json",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("parameter `complaint_response_days` is an integer, but `fifteen` is not"),
        "{}",
        out.stderr
    );
    let out = comply(&[
        "check",
        "--param",
        "complaint_respons_days=3",
        "fixtures/sample-export.json",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("did you mean `complaint_response_days`?"),
        "{}",
        out.stderr
    );
    let out = comply(&[
        "check",
        "--as-of",
        "31/12/2025",
        "fixtures/sample-export.json",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not an RFC 3339 timestamp"),
        "{}",
        out.stderr
    );
}

#[test]
fn param_changes_the_verdict() {
    let strict = comply(&[
        "check",
        "--format",
        "json",
        "--select",
        "CD532",
        "--param",
        "complaint_response_days=2",
        "fixtures/sample-export.json",
    ]);
    let lax = comply(&[
        "check",
        "--format",
        "json",
        "--select",
        "CD532",
        "--param",
        "complaint_response_days=30",
        "fixtures/sample-export.json",
    ]);
    let n = |o: &Output| {
        serde_json::from_str::<serde_json::Value>(&o.stdout)
            .map(|r| r["violations"].as_array().map_or(0, Vec::len))
            .unwrap_or(0)
    };
    assert!(n(&strict) > 1, "{}", strict.stdout);
    assert_eq!(n(&lax), 0);
}

#[test]
fn no_as_of_says_how_to_give_one() {
    let d = scratch("noasof");
    std::fs::write(d.join("export.json"), r#"{"customers": []}"#).expect("write");
    let out = comply(&["check", d.join("export.json").to_str().unwrap_or_default()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--as-of"), "{}", out.stderr);
}

#[test]
fn a_malformed_file_is_located_and_the_rest_still_checked() {
    let d = scratch("malformed");
    for entry in std::fs::read_dir(root().join("fixtures/sample-export"))
        .expect("dir")
        .flatten()
    {
        let p = entry.path();
        if p.is_file() {
            std::fs::copy(&p, d.join(entry.file_name())).expect("copy");
        } else {
            let sub = d.join(entry.file_name());
            std::fs::create_dir_all(&sub).expect("mkdir");
            for f in std::fs::read_dir(&p).expect("dir").flatten() {
                std::fs::copy(f.path(), sub.join(f.file_name())).expect("copy");
            }
        }
    }
    std::fs::write(d.join("products.json"), "[\n  {\"id\": \"PR01\", \"name\": \"x\", \"risk_level\": \"R1\"},\n  {\"id\": \"PR02\" \"name\": \"y\"}\n]\n").expect("write");
    let out = comply_in(&d, &["check", "--format", "json", "."]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("products.json:3:17"), "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let rules: BTreeSet<String> = keys(&report).into_iter().map(|k| k.0).collect();
    assert!(
        rules.contains("CD532") && rules.contains("CD614"),
        "other files still checked: {rules:?}"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn reports_are_byte_identical_whatever_the_thread_count() {
    let mut outs = Vec::new();
    for threads in ["1", "2", "8"] {
        for (fmt, path) in [
            ("json", "fixtures/sample-export"),
            ("sarif", "fixtures/sample-export"),
            ("junit", "fixtures/sample-export"),
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
                .args(["check", "--format", fmt, path])
                .current_dir(root())
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .expect("run");
            outs.push((fmt, out.stdout));
        }
    }
    for fmt in ["json", "sarif", "junit"] {
        let all: Vec<&Vec<u8>> = outs
            .iter()
            .filter(|(f, _)| *f == fmt)
            .map(|(_, o)| o)
            .collect();
        assert!(
            all.windows(2).all(|w| w[0] == w[1]),
            "{fmt} differs across thread counts"
        );
    }
}

#[test]
fn redacted_reports_carry_no_customer_data() {
    let secrets = ["Zhou", "周", "138", "Shanghai", "上海"];
    let text = std::fs::read_to_string(root().join("fixtures/sample-export/customers.json"))
        .expect("customers");
    let names: Vec<String> = serde_json::from_str::<serde_json::Value>(&text)
        .expect("json")
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert!(!names.is_empty());
    let d = scratch("redact");
    for fmt in ["json", "sarif", "junit", "html"] {
        let file = d.join(format!("report.{fmt}"));
        let out = comply(&[
            "check",
            "--redact",
            "-o",
            &format!("{fmt}={}", file.display()),
            "fixtures/sample-export",
        ]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let report = std::fs::read_to_string(&file).expect("report");
        for n in &names {
            assert!(
                !report.contains(n.as_str()),
                "{fmt} report leaks customer name {n}"
            );
        }
        let _ = secrets;
    }
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn sarif_of_a_real_run_validates() {
    let out = comply(&["check", "--format", "sarif", "fixtures/sample-export"]);
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).expect("sarif json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("conformance/sarif/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::draft4::new(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map_or(0, Vec::len),
        14
    );
}

#[test]
fn waivers_and_baselines() {
    let d = scratch("waive");
    let waivers = d.join("w.toml");
    std::fs::write(&waivers, "[[waiver]]\nrule = \"CD532\"\nid = \"Q*\"\nreason = \"answered on paper\"\napprover = \"compliance\"\nexpires = \"2999-01-01\"\n").expect("write");
    let out = comply(&[
        "check",
        "--format",
        "json",
        "--select",
        "CD532",
        "--waivers",
        waivers.to_str().unwrap_or_default(),
        "fixtures/sample-export",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(r["summary"]["waived"], 1);
    assert_eq!(r["violations"][0]["waived"]["reason"], "answered on paper");
    std::fs::write(&waivers, "[[waiver]]\nrule = \"CD532\"\nid = \"Q*\"\nreason = \"answered on paper\"\napprover = \"compliance\"\nexpires = \"2020-01-01\"\n").expect("write");
    let out = comply(&[
        "check",
        "--select",
        "CD532",
        "--waivers",
        waivers.to_str().unwrap_or_default(),
        "fixtures/sample-export",
    ]);
    assert_eq!(out.code, 1, "an expired waiver fails: {}", out.stderr);

    let base = d.join("baseline.json");
    let out = comply(&[
        "check",
        "--write-baseline",
        base.to_str().unwrap_or_default(),
        "fixtures/sample-export",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = comply(&[
        "check",
        "--format",
        "json",
        "--baseline",
        base.to_str().unwrap_or_default(),
        "fixtures/sample-export",
    ]);
    assert_eq!(out.code, 0, "nothing new: {}", out.stderr);
    let _ = std::fs::remove_dir_all(d);
}

/// Golden output of every format on the sample export: what users and
/// pipelines read, byte for byte.
#[test]
fn every_format_on_the_sample_export() {
    for fmt in [
        "human",
        "concise",
        "json",
        "ndjson",
        "sarif",
        "junit",
        "github",
        "gitlab",
        "statistics",
    ] {
        let out = comply(&[
            "check",
            "--format",
            fmt,
            "--redact",
            "fixtures/sample-export",
        ]);
        assert_eq!(out.code, 1, "{fmt}: {}", out.stderr);
        let stdout = out.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("format_{fmt}"), stdout);
    }
}

#[test]
fn html_report_of_the_sample_export() {
    let d = scratch("html");
    let file = d.join("report.html");
    let out = comply(&[
        "check",
        "-o",
        file.to_str().unwrap_or_default(),
        "fixtures/sample-export",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let html = std::fs::read_to_string(&file).expect("report written");
    assert!(html.contains("<svg"), "charts inline");
    assert!(
        !html.contains("<script src") && !html.contains("<link"),
        "self-contained"
    );
    for code in ["CD431", "CD532", "CD614", "CD622"] {
        assert!(html.contains(code), "{code} in the report");
    }
    assert!(html.contains("§5.3(c)"));
    let _ = std::fs::remove_dir_all(d);
}

/// The allocator is built to commit arena memory on demand
/// (`.cargo/config.toml`): without it the peak RSS of a large check is
/// 15-20% higher (BENCHMARKS.md). mimalloc prints its options when asked.
#[test]
fn allocator_commits_arena_memory_on_demand() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
        .args(["--version"])
        .env("MIMALLOC_VERBOSE", "1")
        .env_remove("MIMALLOC_ARENA_EAGER_COMMIT")
        .output()
        .expect("comply runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("option 'arena_eager_commit': 0"),
        "mimalloc was built with its default arena commit:\n{err}"
    );
}
