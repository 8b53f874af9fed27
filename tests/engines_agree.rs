//! One policy, two engines, one answer: `--engine datafusion` must give the
//! native engine's report, byte for byte in JSON (violations, messages,
//! keys, locations, summary), on the sample export in both layouts and on
//! generated exports of several seeds and sizes, in January, with a
//! parameter overridden. A difference is a bug in one of them.
#![cfg(feature = "datafusion")]

mod common;

use common::{comply, root};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The generator example, built by `cargo test` beside the test binaries.
fn gen() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    let gen = dir
        .join("examples")
        .join(format!("gen{}", std::env::consts::EXE_SUFFIX));
    assert!(
        gen.exists(),
        "{} is missing: run the tests with `cargo test`, which builds examples",
        gen.display()
    );
    gen
}

fn generate(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new(gen())
        .args(args)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("run gen");
    assert!(status.success(), "gen {args:?} failed");
    out
}

/// Both engines' JSON reports of the same command.
fn both(args: &[&str]) -> (String, String) {
    let run = |engine: &str| {
        let mut a = vec![
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--engine",
            engine,
        ];
        a.extend_from_slice(args);
        let out = comply(&a);
        assert!(
            out.code == 0 || out.code == 2,
            "{engine} {args:?}: exit {}\n{}",
            out.code,
            out.stderr
        );
        assert!(
            !out.stderr.contains("datafusion engine"),
            "{engine} {args:?}: {}",
            out.stderr
        );
        out.stdout
    };
    (run("native"), run("datafusion"))
}

/// The check of converted export `pq` gives the JSON report of `export`, byte for byte.
fn assert_parquet_checks_like(export: &str, pq: &Path) {
    let native = comply(&["check", "--format", "json", "--exit-zero", export]);
    let columnar = comply(&[
        "check",
        "--engine",
        "datafusion",
        "--format",
        "json",
        "--exit-zero",
        pq.to_str().unwrap(),
    ]);
    assert_eq!(columnar.code, 0, "{}", columnar.stderr);
    assert!(
        native.stdout == columnar.stdout,
        "the check of {} differs from that of {export}",
        pq.display()
    );
}

fn assert_agree(args: &[&str]) -> usize {
    let (native, relational) = both(args);
    let n: serde_json::Value = serde_json::from_str(&native).expect("native JSON");
    let r: serde_json::Value = serde_json::from_str(&relational).expect("datafusion JSON");
    if n != r {
        let (nv, rv) = (&n["violations"], &r["violations"]);
        let only = |a: &serde_json::Value, b: &serde_json::Value| -> Vec<String> {
            let a = a.as_array().cloned().unwrap_or_default();
            let b = b.as_array().cloned().unwrap_or_default();
            a.iter()
                .filter(|v| !b.contains(v))
                .take(5)
                .map(|v| format!("{} {} {}", v["rule"], v["id"], v["message"]))
                .collect()
        };
        panic!(
            "the engines disagree on {args:?}\nonly native: {:#?}\nonly datafusion: {:#?}\nsummaries: {} / {}",
            only(nv, rv),
            only(rv, nv),
            n["summary"],
            r["summary"]
        );
    }
    n["violations"].as_array().map_or(0, Vec::len)
}

#[test]
fn the_sample_export_in_both_layouts() {
    let found = assert_agree(&["fixtures/sample-export"]);
    assert!(found > 0, "the sample export has violations");
    assert_agree(&["fixtures/sample-export.json"]);
}

#[test]
fn the_rule_fixtures_pass_on_the_relational_engine() {
    let out = comply(&["test", "--engine", "datafusion", "-q", "fixtures/rules"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(" passed, 0 failed"), "{}", out.stdout);
}

#[test]
fn generated_exports_of_three_seeds_and_two_sizes() {
    let dir = tempfile::tempdir().unwrap();
    for seed in ["1", "2", "3"] {
        for customers in ["40", "160"] {
            let p = generate(
                dir.path(),
                &format!("g-{seed}-{customers}.json"),
                &[
                    "--customers",
                    customers,
                    "--seed",
                    seed,
                    "--violations",
                    "0.3",
                ],
            );
            let found = assert_agree(&[p.to_str().unwrap()]);
            assert!(found > 0, "seed {seed}: a generated export has violations");
        }
    }
}

#[test]
fn a_production_like_export_with_integrity_findings() {
    let dir = tempfile::tempdir().unwrap();
    let p = generate(
        dir.path(),
        "prod.json",
        &["--production", "--customers", "300", "--seed", "5"],
    );
    assert!(assert_agree(&[p.to_str().unwrap()]) > 0);
}

#[test]
fn a_january_as_of_and_a_parameter_override() {
    let dir = tempfile::tempdir().unwrap();
    let p = generate(
        dir.path(),
        "g.json",
        &["--customers", "80", "--seed", "9", "--violations", "0.5"],
    );
    let p = p.to_str().unwrap();
    assert!(assert_agree(&[p, "--as-of", "2026-01-15T09:00:00+08:00"]) > 0);
    assert!(
        assert_agree(&[
            p,
            "--param",
            "record_within_days=1",
            "--param",
            "complaint_response_days=2"
        ]) > 0
    );
}

#[test]
fn the_directory_layout_of_a_generated_export() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let status = Command::new(gen())
        .args([
            "--customers",
            "60",
            "--seed",
            "4",
            "--layout",
            "directory",
            "--violations",
            "0.4",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(assert_agree(&[out.to_str().unwrap()]) > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Small random exports: any seed, size and violation rate.
    #[test]
    fn random_small_exports(seed in 0u64..1_000_000, customers in 1usize..30, rate in 0.0f64..1.0) {
        let dir = tempfile::tempdir().unwrap();
        let p = generate(
            dir.path(),
            "r.json",
            &["--customers", &customers.to_string(), "--seed", &seed.to_string(), "--violations", &format!("{rate:.2}")],
        );
        assert_agree(&[p.to_str().unwrap()]);
    }
}

/// `comply convert` then a check of the Parquet: the native report of the
/// JSON, byte for byte, and the export's records, typed, in the files.
#[test]
fn a_converted_export_checks_like_its_json() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("fixtures/sample-export".to_string(), "sample"),
        (
            generate(
                dir.path(),
                "prod.json",
                &["--production", "--customers", "250", "--seed", "8"],
            )
            .to_str()
            .unwrap()
            .to_string(),
            "prod",
        ),
    ];
    for (export, name) in &cases {
        let out_dir = dir.path().join(format!("{name}.parquet"));
        let out = comply(&[
            "convert",
            export,
            "--to",
            "parquet",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out_dir.join("customers.parquet").is_file());
        assert!(out_dir.join("_integrity.parquet").is_file());
        assert_parquet_checks_like(export, &out_dir);
    }
}

/// The Parquet files are typed by the policy's schema: timestamps in UTC,
/// enums as dictionary names, lists and structs, and the location columns.
#[test]
fn converted_files_are_typed_by_the_schema() {
    use datafusion::arrow::datatypes::{DataType, TimeUnit};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().unwrap();
    let out = comply(&[
        "convert",
        "fixtures/sample-export",
        "--to",
        "parquet",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = std::fs::File::open(dir.path().join("customers.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let meta = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap_or_default();
    let tz = meta
        .iter()
        .find(|k| k.key == "comply.timezone")
        .and_then(|k| k.value.clone());
    assert_eq!(tz.as_deref(), Some("+08:00"));
    let schema = reader.schema().clone();
    let ty = |n: &str| schema.field_with_name(n).unwrap().data_type().clone();
    // An instant: a UTC timestamp in microseconds and the nanoseconds past it.
    let DataType::Struct(parts) = ty("info_collected_at") else {
        panic!("{:?}", ty("info_collected_at"));
    };
    assert_eq!(
        parts[0].data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        (
            parts[0].name().as_str(),
            parts[1].name().as_str(),
            parts[1].data_type()
        ),
        ("utc", "ns", &DataType::UInt16)
    );
    assert!(
        matches!(ty("stage"), DataType::Dictionary(..)),
        "{:?}",
        ty("stage")
    );
    assert!(
        matches!(ty("profile"), DataType::Struct(_)),
        "{:?}",
        ty("profile")
    );
    for c in [
        "_row",
        "_id",
        "_file",
        "_offset",
        "_line",
        "_column",
        "_end_line",
        "_pointer",
    ] {
        assert!(schema.field_with_name(c).is_ok(), "no column {c}");
    }
    let rows: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 200, "the sample has 200 customers");
}

/// An export with an input error, converted, must not look whole: the check
/// of its Parquet exits 2, says `complete: false`, and orders what the loss
/// may explain as the native run does.
#[test]
fn a_converted_export_keeps_its_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let status = Command::new("cp")
        .args(["-r", "fixtures/sample-export"])
        .arg(&export)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let visits = export.join("visits/2025-09.ndjson");
    let mut text = std::fs::read_to_string(&visits).unwrap();
    text.push_str("{\"id\": \"X\", oops\n");
    std::fs::write(&visits, text).unwrap();
    let e = export.to_str().unwrap();
    let pq = dir.path().join("pq");
    let converted = comply(&["convert", e, "--to", "parquet", pq.to_str().unwrap()]);
    assert_eq!(converted.code, 2, "{}", converted.stderr);
    let native = comply(&["check", "--format", "json", e]);
    let columnar = comply(&[
        "check",
        "--engine",
        "datafusion",
        "--format",
        "json",
        pq.to_str().unwrap(),
    ]);
    assert_eq!(native.code, 2);
    assert_eq!(columnar.code, 2, "{}", columnar.stderr);
    let n: serde_json::Value = serde_json::from_str(&native.stdout).unwrap();
    let c: serde_json::Value = serde_json::from_str(&columnar.stdout).unwrap();
    assert_eq!(c["complete"], serde_json::json!(false));
    assert_eq!(c["summary"]["input_errors"], serde_json::json!(1));
    assert_eq!(n["violations"], c["violations"]);
}

/// A run that cannot fit its memory limit says so and exits 2; one that
/// fits gives the same report.
#[test]
fn a_memory_limit_is_kept_or_the_run_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let p = generate(
        dir.path(),
        "m.json",
        &["--production", "--customers", "400", "--seed", "2"],
    );
    let p = p.to_str().unwrap();
    let native = comply(&["check", "--format", "json", "--exit-zero", p]);
    let fits = comply(&[
        "check",
        "--engine",
        "datafusion",
        "--memory-limit",
        "1G",
        "--format",
        "json",
        "--exit-zero",
        p,
    ]);
    assert_eq!(native.stdout, fits.stdout);
    let tight = comply(&[
        "check",
        "--engine",
        "datafusion",
        "--memory-limit",
        "64K",
        "--format",
        "json",
        "--exit-zero",
        p,
    ]);
    assert_eq!(tight.code, 2, "{}", tight.stderr);
    assert!(
        tight
            .stderr
            .contains("needs more memory than `--memory-limit` allows"),
        "{}",
        tight.stderr
    );
    let bad = comply(&["check", "--memory-limit", "2X", p]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("`2X` is not a size"), "{}", bad.stderr);
}

#[test]
fn explain_plan_prints_the_optimized_plan() {
    let out = comply(&["explain", "CD431", "--plan"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Join"), "{}", out.stdout);
    let _ = root();
}

/// A document whose metadata comes last, in a zone other than the default,
/// with `full-date` timestamps: the conversion streams the records before
/// it knows the zone, so it writes them again once it does. A date is
/// midnight in the export's zone, stored in UTC.
#[test]
fn a_zone_given_last_still_places_dates() {
    use datafusion::arrow::array::{Array, AsArray, StringArray};
    use datafusion::arrow::datatypes::{TimestampMicrosecondType, UInt16Type};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let text = std::fs::read_to_string("fixtures/sample-export.json").unwrap();
    let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut meta = doc.remove("export").unwrap();
    meta["timezone"] = "-05:00".into();
    for c in doc["customers"].as_array_mut().unwrap() {
        let Some(t) = c.get("info_collected_at").and_then(|t| t.as_str()) else {
            continue;
        };
        let date = t[..10].to_string();
        c["info_collected_at"] = date.into();
    }
    let body = serde_json::to_string(&doc).unwrap();
    let text = format!(
        "{},\"export\":{}}}",
        body.strip_suffix('}').unwrap(),
        serde_json::to_string(&meta).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("late-zone.json");
    std::fs::write(&export, text).unwrap();
    let export = export.to_str().unwrap();
    let pq = dir.path().join("pq");
    let out = comply(&["convert", export, "--to", "parquet", pq.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let file = std::fs::File::open(pq.join("customers.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let tz = (reader.metadata().file_metadata().key_value_metadata())
        .and_then(|kv| kv.iter().find(|k| k.key == "comply.timezone"))
        .and_then(|k| k.value.clone());
    assert_eq!(tz.as_deref(), Some("-05:00"));
    let mut checked = 0;
    for batch in reader.build().unwrap() {
        let batch = batch.unwrap();
        let ids = batch.column_by_name("_id").unwrap();
        let ids: &StringArray = ids.as_string();
        let times = batch.column_by_name("info_collected_at").unwrap();
        let times = times.as_struct();
        let micros = times.column_by_name("utc").unwrap();
        let micros = micros.as_primitive::<TimestampMicrosecondType>();
        let nanos = times.column_by_name("ns").unwrap();
        let nanos = nanos.as_primitive::<UInt16Type>();
        for i in 0..batch.num_rows() {
            if times.is_null(i) {
                continue;
            }
            let ns = i128::from(micros.value(i)) * 1000 + i128::from(nanos.value(i));
            let at = jiff::Timestamp::from_nanosecond(ns).unwrap();
            // Midnight at -05:00 is 05:00 in UTC.
            assert_eq!(
                at.strftime("%H:%M:%S").to_string(),
                "05:00:00",
                "{}",
                ids.value(i)
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} dates");

    assert_parquet_checks_like(export, &pq);
}

/// A conversion in tiny blocks, of a document the stream gives up on near
/// its end (a key given twice: the file is then read whole and its records
/// handed over again), writes each record once: the check of the Parquet
/// gives the JSON's report.
#[test]
fn a_conversion_read_twice_writes_each_record_once() {
    let text = std::fs::read_to_string("fixtures/sample-export.json").unwrap();
    let at = text.rfind("\"id\": \"").unwrap();
    let end = at + text[at + 7..].find('"').unwrap() + 8;
    let id = &text[at..end];
    let text = format!("{}{id}, {}", &text[..at], &text[at..]);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("twice.json");
    std::fs::write(&export, text).unwrap();
    let pq = dir.path().join("pq");
    let program = comply::policy::compile(comply::policy::shipped()).0;
    let load = comply::data::LoadOptions {
        projection: Some(program.projection.clone()),
        block_size: 512,
        ..comply::data::LoadOptions::default()
    };
    let (loaded, written) = comply::engine::datafusion::parquet::convert(
        &program,
        std::slice::from_ref(&export),
        &load,
        &pq,
    );
    let written = written.unwrap();
    assert!(loaded.errors.is_empty());
    assert!(
        loaded
            .notes
            .iter()
            .any(|n| n.message.contains("duplicate key")),
        "no duplicate key noted: {:?}",
        loaded.notes
    );
    for (c, records) in loaded.collections.iter().enumerate() {
        let name = format!("{}.parquet", program.schema.collections[c].name);
        let rows = written.files.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(rows, records.len(), "{name}");
    }
    let export = export.to_str().unwrap();
    assert_parquet_checks_like(export, &pq);
}

/// Instants far from today (a `9999-12-30` "never expires", a year 1600
/// date) are outside what a 64-bit count of nanoseconds holds (1677-2262),
/// yet the spec reads them as any other: both engines judge them alike, and
/// a Parquet export keeps them exactly, to the nanosecond.
#[test]
fn instants_at_the_ends_of_the_calendar() {
    fn shift(v: &mut serde_json::Value, year: &str) -> usize {
        match v {
            serde_json::Value::String(s)
                if s.len() >= 10
                    && s.as_bytes()[4] == b'-'
                    && s.as_bytes()[7] == b'-'
                    && s[..4].bytes().all(|b| b.is_ascii_digit()) =>
            {
                *s = format!("{year}{}", &s[4..]);
                1
            }
            serde_json::Value::Array(xs) => xs.iter_mut().map(|x| shift(x, year)).sum(),
            serde_json::Value::Object(m) => m.values_mut().map(|x| shift(x, year)).sum(),
            _ => 0,
        }
    }
    let text = std::fs::read_to_string("fixtures/sample-export.json").unwrap();
    let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut shifted = 0;
    for (name, records) in doc.iter_mut() {
        if name == "export" {
            continue;
        }
        for (i, r) in records.as_array_mut().unwrap().iter_mut().enumerate() {
            // One record in three far in the future, one in three far in
            // the past; `.000000001` keeps a nanosecond a microsecond
            // count would lose.
            let year = ["9999", "1600", ""][i % 3];
            if !year.is_empty() {
                shifted += shift(r, year);
            }
            if let Some(t) = r.get_mut("created_at") {
                if let Some(s) = t.as_str().filter(|s| s.len() == 25) {
                    *t = format!("{}.000000001{}", &s[..19], &s[19..]).into();
                }
            }
        }
    }
    assert!(shifted > 200, "only {shifted} timestamps shifted");
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("far.json");
    std::fs::write(&export, serde_json::to_string(&doc).unwrap()).unwrap();
    let export = export.to_str().unwrap();

    let found = assert_agree(&[export]);
    assert!(found > 0);
    let native = comply(&["check", "--format", "json", "--exit-zero", export]);
    assert!(
        native.stdout.contains("9999-") && native.stdout.contains("1600-"),
        "no message shows a shifted instant"
    );

    let pq = dir.path().join("pq");
    let out = comply(&["convert", export, "--to", "parquet", pq.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_parquet_checks_like(export, &pq);
}

/// Corners of the language both engines must read alike: a number that
/// overflows to infinity is absent (so `not (x > 0)` holds); two records
/// are equal when they are the same record, not when their ids are (a
/// duplicated id names two); periods judged at a time of each record.
#[test]
fn an_overflow_is_absent_and_a_record_is_itself() {
    let dir = tempfile::tempdir().unwrap();
    let export = generate(
        dir.path(),
        "prod.json",
        &["--production", "--customers", "600", "--seed", "3"],
    );
    let mut policy = std::fs::read_to_string("policies/customer-development.policy").unwrap();
    let rules = r#"
rule CX901 budget-overflows {
  severity warning
  clause "§6.1(a)" "test"
  gloss "a budget times 10^308 overflows"
  for p in plans
  require not (p.budget.amount * BIG > 0)
  message "plan {p.id} has a budget of {p.budget.amount}"
}

rule CX902 id-shared {
  severity warning
  clause "§6.1(a)" "test"
  gloss "another record has this one's id"
  for c in communications
  require no d in communications where d.id == c.id and d != c
  message "communication {c.id} shares its id"
}

rule CX903 trained-in-first-year {
  severity warning
  clause "§6.1(a)" "test"
  gloss "periods judged at a time of each record, not at as_of"
  for e in employees, q in quarters_ended(e.joined_at + 365 days)
  require exists t in trainings where t.employee_id == e.id and t.completed_at in q
  key q
  message "employee {e.id} (joined {e.joined_at}) had no training in {q}, {count m in months_ended(e.joined_at) where m.start < as_of} months before"
}
"#;
    // 10^308: the language has no exponent, and any budget of 2 or more
    // times it overflows a double.
    policy.push_str(&rules.replace("BIG", &format!("1{}.0", "0".repeat(308))));
    let file = dir.path().join("test.policy");
    std::fs::write(&file, policy).unwrap();
    let (file, export) = (file.to_str().unwrap(), export.to_str().unwrap());
    let found = assert_agree(&["--policy", file, export]);
    assert!(found > 0);
    let native = comply(&[
        "check",
        "--format",
        "json",
        "--exit-zero",
        "--policy",
        file,
        export,
    ]);
    let report: serde_json::Value = serde_json::from_str(&native.stdout).unwrap();
    let count = |code: &str| {
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["rule"] == code)
            .count()
    };
    // Every positive budget overflows, so no plan breaks CX901; the export
    // duplicates a communication's id, and each copy breaks CX902.
    assert_eq!(count("CX901"), 0);
    assert!(count("CX902") >= 2, "{}", count("CX902"));
    assert!(count("CX903") > 100, "{}", count("CX903"));
}
