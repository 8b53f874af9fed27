//! Hostile and unusual inputs (issue 12): no panic, no hang, no quadratic
//! path, nothing lost. Costs are checked as growth (the same work at n and
//! 4n, the time ratio bounded), never against a wall clock.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("comply-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn no_panic(out: &Output) {
    assert!(
        out.code != 101 && !out.stderr.contains("panicked at"),
        "comply panicked (exit {}): {}",
        out.code,
        out.stderr
    );
}

/// The sample export as one minified line, as many exporters write it.
fn minified_sample() -> String {
    let text = std::fs::read_to_string(root().join("fixtures/sample-export.json")).expect("sample");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("sample parses");
    serde_json::to_string(&doc).expect("serialize")
}

/// The best of three timings of `f`: the least disturbed by other load.
fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("three runs")
}

/// Times `run(n)` and `run(4n)`; the ratio must stay under `bound` (a
/// linear cost gives about 4, a quadratic one about 16).
fn assert_grows_linearly(what: &str, n: usize, bound: f64, mut run: impl FnMut(usize)) {
    run(n); // warm caches and the binary's pages
    let small = best_of_three(|| run(n));
    let large = best_of_three(|| run(4 * n));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    assert!(
        ratio < bound,
        "{what}: {n} took {small:?}, {} took {large:?}: ratio {ratio:.1} (bound {bound})",
        4 * n
    );
}

fn check(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    comply_in(dir, &all)
}

// Item 1: a diagnostic past column 65,535 used to panic in miette's renderer.

#[test]
fn minified_export_renders_violations_past_column_65535() {
    let d = scratch("minified");
    let line = minified_sample();
    assert!(line.len() > 200_000 && !line.contains('\n'));
    std::fs::write(d.join("export.json"), &line).expect("write");
    let out = check(&d, &["export.json"]);
    no_panic(&out);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Columns are still the file's, far past the renderer's limit.
    let far = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("╭─[export.json:1:"))
        .filter_map(|c| c.trim_end_matches(']').parse::<usize>().ok())
        .max()
        .expect("snippet headers");
    assert!(far > 65_535, "{}", out.stdout);
    // Each snippet line is bounded, not the whole minified line.
    let longest = out
        .stdout
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest < 1_000, "a snippet line of {longest} chars");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn syntax_error_past_column_65535_is_located_without_panic() {
    let d = scratch("far-syntax");
    let mut line = minified_sample();
    let at = line[70_000..].find(',').expect("a comma") + 70_000;
    line.replace_range(at..at + 1, ";");
    std::fs::write(d.join("export.json"), &line).expect("write");
    let out = check(&d, &["--format", "json", "export.json"]);
    no_panic(&out);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let column = line[..at].chars().count() + 1;
    assert!(
        out.stderr.contains(&format!("export.json:1:{column}:")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains('…'),
        "the line is shown cut: {}",
        out.stderr
    );
    let longest = out
        .stderr
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest < 1_000, "a snippet line of {longest} chars");
    let _ = std::fs::remove_dir_all(d);
}

/// A directory with the sample's metadata and one NDJSON file of `bad`
/// lines that do not parse, then one good record.
fn bad_lines_export(d: &Path, bad: usize) {
    std::fs::create_dir_all(d.join("communications")).expect("mkdir");
    std::fs::copy(
        root().join("fixtures/sample-export/export.json"),
        d.join("export.json"),
    )
    .expect("copy");
    let mut text = "{\"id\": \"M1\" \"oops\": 1}\n".repeat(bad);
    text.push_str(
        &std::fs::read_to_string(
            root().join("fixtures/sample-export/communications/2025-07.ndjson"),
        )
        .expect("read"),
    );
    std::fs::write(d.join("communications/bad.ndjson"), text).expect("write");
}

// Item 3: each input error was located by a scan from the start of its file.

#[test]
fn many_bad_lines_cost_linear_time() {
    let d = scratch("bad-lines-growth");
    assert_grows_linearly("bad NDJSON lines", 5_000, 8.0, |n| {
        bad_lines_export(&d, n);
        let out = check(&d, &["--format", "json", "."]);
        assert_eq!(out.code, 2, "{}", out.stderr);
    });
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn input_errors_shown_per_file_are_capped_with_a_count() {
    let d = scratch("bad-lines-cap");
    bad_lines_export(&d, 250);
    let out = check(&d, &["--format", "json", "."]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("× ./communications/bad.ndjson:").count(),
        100 + 1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("bad.ndjson:100:13:"), "{}", out.stderr);
    assert!(!out.stderr.contains("bad.ndjson:101:13:"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("150 more input errors in this file not shown"),
        "{}",
        out.stderr
    );
    // The good lines after the bad ones are still checked.
    assert!(out.stdout.contains("CD446"), "{}", out.stdout);
    let _ = std::fs::remove_dir_all(d);
}

// Item 4: each CD003 of one record's array parsed the record again.

/// A directory with one transfer naming `n` customers that do not exist.
fn dangling_refs_export(d: &Path, n: usize) {
    std::fs::copy(
        root().join("fixtures/sample-export/export.json"),
        d.join("export.json"),
    )
    .expect("copy");
    let ids: Vec<String> = (0..n).map(|i| format!("X{i:06}")).collect();
    let transfer = serde_json::json!([{
        "id": "DT00001",
        "sent_by": "E011",
        "sent_at": "2025-11-26T14:32:00+08:00",
        "recipient": "r",
        "recipient_type": "internal",
        "customer_ids": ids,
        "purpose": "p"
    }]);
    let text = serde_json::to_string_pretty(&transfer).expect("json");
    std::fs::write(d.join("data_transfers.json"), text).expect("write");
}

#[test]
fn many_dangling_refs_in_one_array_cost_linear_time() {
    let d = scratch("dangling-growth");
    dangling_refs_export(&d, 3);
    let out = check(&d, &["--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json report");
    // The field of each finding is still found: `X000002` is on line 11.
    let lines: Vec<u64> = report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["rule"] == "CD003" && v["key"] == "/customer_ids/2")
        .filter_map(|v| v["field"]["line"].as_u64())
        .collect();
    assert_eq!(lines, [11], "{}", out.stdout);
    assert_grows_linearly("dangling customer_ids", 5_000, 8.0, |n| {
        dangling_refs_export(&d, n);
        let out = check(&d, &["--format", "json", "."]);
        assert_eq!(out.code, 1, "{}", out.stderr);
    });
    let _ = std::fs::remove_dir_all(d);
}

// Item 9: a failed write on standard output exited 1, like a run with findings.

#[test]
fn a_full_standard_output_is_a_broken_run() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
        .args(["check", "fixtures/sample-export"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(full)
        .output()
        .expect("run comply");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot write the report to standard output: "),
        "{stderr}"
    );
}

#[test]
fn a_closed_pipe_on_standard_output_ends_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
        .args(["check", "fixtures/sample-export"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn comply");
    // The reader goes away before the report is written, as `| head` does.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the run's own verdict: {stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
}

// Item 2: a FIFO (or socket, or device) in the export blocked the run forever.

/// Runs comply in `dir`; a run still going after two minutes is a hang.
fn check_or_hang(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn comply");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("comply check {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
}

#[test]
fn special_files_in_the_export_are_skipped_with_a_note() {
    let d = scratch("special");
    std::fs::copy(
        root().join("fixtures/sample-export.json"),
        d.join("export.json"),
    )
    .expect("copy");
    mkfifo(&d.join("products.json"));
    let _socket = std::os::unix::net::UnixListener::bind(d.join("plans.ndjson")).expect("socket");
    let (code, stderr) = check_or_hang(&d, &["."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("products.json: skipped: not a regular file (a FIFO)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("plans.ndjson: skipped: not a regular file (a socket)"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_special_file_given_as_the_path_is_an_input_error() {
    let d = scratch("special-path");
    mkfifo(&d.join("export.json"));
    let (code, stderr) = check_or_hang(&d, &["export.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file (a FIFO)"), "{stderr}");
    let (code, stderr) = check_or_hang(&d, &["/dev/null"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file (a device)"), "{stderr}");
    let _ = std::fs::remove_dir_all(d);
}

// Item 7: `--write-baseline` truncated the previous baseline before writing.

#[test]
fn a_failed_baseline_write_keeps_the_previous_baseline() {
    let d = scratch("baseline");
    let base = d.join("base.json");
    let sample = root().join("fixtures/sample-export");
    let out = comply(&[
        "check",
        "--write-baseline",
        base.to_str().expect("utf-8"),
        sample.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let before = std::fs::read(&base).expect("baseline");
    assert!(
        before.len() > 2048,
        "a baseline larger than the limit below"
    );
    // A file size limit of a few blocks stops the next write part way.
    let script = format!(
        "ulimit -f 2; exec '{}' check --write-baseline '{}' '{}'",
        env!("CARGO_BIN_EXE_comply"),
        base.display(),
        sample.display()
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("sh runs");
    assert!(!status.success(), "the limited write must fail");
    assert_eq!(
        std::fs::read(&base).expect("baseline"),
        before,
        "the previous baseline is intact"
    );
    let _ = std::fs::remove_dir_all(d);
}

// Item 8: `-o` replaced a 0600 report with a 0644 one.

#[test]
fn an_output_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let d = scratch("permissions");
    let report = d.join("report.json");
    std::fs::write(&report, "old").expect("write");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let o = format!("json={}", report.display());
    let out = comply(&["check", "-o", &o, "fixtures/sample-export"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let meta = std::fs::metadata(&report).expect("report");
    assert!(meta.len() > 3, "the report was written");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let _ = std::fs::remove_dir_all(d);
}

// Item 15: each file got a fresh zero-filled 1 MiB buffer (and a reserved block).

#[test]
fn ten_thousand_small_files_cost_at_most_three_times_one_file() {
    let many = scratch("small-files-many");
    let one = scratch("small-files-one");
    let sample = root().join("fixtures/sample-export");
    let first =
        std::fs::read_to_string(sample.join("communications/2025-07.ndjson")).expect("read");
    let mut record: serde_json::Value =
        serde_json::from_str(first.lines().next().expect("a line")).expect("a record");
    let mut all = String::new();
    for d in [&many, &one] {
        std::fs::create_dir_all(d.join("communications")).expect("mkdir");
        std::fs::copy(sample.join("export.json"), d.join("export.json")).expect("copy");
    }
    for i in 0..10_000 {
        record["id"] = format!("M{i:06}").into();
        let line = format!("{record}\n");
        std::fs::write(many.join(format!("communications/{i:05}.ndjson")), &line).expect("write");
        all.push_str(&line);
    }
    std::fs::write(one.join("communications/all.ndjson"), all).expect("write");
    let time = |d: &Path| {
        best_of_three(|| {
            let out = check(d, &["--format", "json", "."]);
            assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        })
    };
    time(&one);
    let (t_one, t_many) = (time(&one), time(&many));
    let ratio = t_many.as_secs_f64() / t_one.as_secs_f64().max(1e-3);
    assert!(
        ratio <= 3.0,
        "10,000 files {t_many:?}, one file {t_one:?}: ratio {ratio:.1}"
    );
    let _ = std::fs::remove_dir_all(many);
    let _ = std::fs::remove_dir_all(one);
}

// Item 12: a lone surrogate in an unknown key dropped the record as "not an object".

#[test]
fn a_lone_surrogate_in_a_key_keeps_the_record() {
    let d = scratch("surrogate-key");
    let sample = root().join("fixtures/sample-export");
    std::fs::copy(sample.join("export.json"), d.join("export.json")).expect("copy");
    let first =
        std::fs::read_to_string(sample.join("communications/2025-07.ndjson")).expect("read");
    let line = first.lines().next().expect("a line");
    let line = format!("{},\"x\\ud800y\":1}}\n", &line[..line.len() - 1]);
    std::fs::write(d.join("communications.ndjson"), line).expect("write");
    let out = check(&d, &["--format", "concise", "."]);
    assert!(!out.stdout.contains("not an object"), "{}", out.stdout);
    assert!(
        out.stdout.contains("in 1 record from 2 files"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(d);
}

/// Item 11: invalid UTF-8 in one NDJSON line costs that line, like a syntax
/// error in it, not the whole file; every other record keeps its location.
#[test]
fn invalid_utf8_in_one_ndjson_line_costs_that_line_only() {
    let d = scratch("utf8-line");
    let export = d.join("export");
    std::fs::create_dir_all(export.join("visits")).expect("mkdir");
    std::fs::copy(
        root().join("fixtures/sample-export/export.json"),
        export.join("export.json"),
    )
    .expect("copy");
    let visits =
        std::fs::read(root().join("fixtures/sample-export/visits/2025-09.ndjson")).expect("read");
    let mut lines: Vec<Vec<u8>> = visits.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.iter().filter(|l| !l.is_empty()).count();
    lines[2].splice(8..8, [0xFF]);
    std::fs::write(export.join("visits/2025-09.ndjson"), lines.join(&b'\n')).expect("write");
    let out = check(&d, &["--format", "json", "export"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let r: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        r["summary"]["records"].as_u64(),
        Some(n as u64 - 1),
        "{}",
        out.stdout
    );
    let e = &r["input_errors"][0];
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 9);
    assert_eq!(e["records_lost"], "the record on line 3");
    // The sample's CD442 on line 10 is still found, at its column.
    let cd442 = r["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .find(|v| v["rule"] == "CD442")
        .cloned()
        .unwrap_or_default();
    assert_eq!(cd442["field"]["line"], 10, "{cd442}");
    assert_eq!(cd442["field"]["column"], 277, "{cd442}");
}

/// Item 14: messages that name the cause.
#[test]
fn utf16_nul_and_an_unread_as_of_are_named_as_such() {
    let d = scratch("messages");
    let mut le = vec![0xFF, 0xFE];
    for unit in r#"{"customers": []}"#.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(d.join("bom.json"), &le).expect("write");
    let no_bom: Vec<u8> =
        r#"{"customers": []}"#.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    std::fs::write(d.join("be.json"), &no_bom).expect("write");
    let out = check(&d, &["--format", "concise", "bom.json"]);
    assert!(
        out.stderr.contains("UTF-16 (little-endian)"),
        "{}",
        out.stderr
    );
    let out = check(&d, &["--format", "concise", "be.json"]);
    assert!(out.stderr.contains("UTF-16 (big-endian)"), "{}", out.stderr);

    std::fs::write(
        d.join("nul.json"),
        b"{\"export\": {\"as_of\": \"2025-12-31T23:59:59+08:00\"},\n \"customers\": [{\0\"id\": \"C1\"}]}",
    )
    .expect("write");
    let out = check(&d, &["--format", "concise", "nul.json"]);
    assert!(
        out.stderr
            .contains("nul.json:2:17: a NUL byte outside a string"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("key must be a string"),
        "{}",
        out.stderr
    );

    // The metadata comes last and the file breaks before it.
    std::fs::write(
        d.join("late.json"),
        "{\"customers\": [{\"id\": \"C1\"},\n{\"id\": \n",
    )
    .expect("write");
    let out = check(&d, &["--format", "concise", "late.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no `as_of` was read"), "{}", out.stderr);
    assert!(!out.stderr.contains("set `as_of`"), "{}", out.stderr);
}

/// Item 10: a file replaced between the load and the locating pass is said
/// to have changed (its lines would otherwise be wrong in silence).
#[test]
fn a_file_changed_after_it_was_read_is_named() {
    use comply::data::model::{DataFile, FileStamp};
    let d = scratch("changed");
    let path = d.join("customers.ndjson");
    std::fs::write(&path, "{\"id\": \"C1\"}\n{\"id\": \"C2\"}\n").expect("write");
    let stamps =
        std::collections::HashMap::from([(path.clone(), FileStamp::of(&path).expect("stamp"))]);
    let files = vec![DataFile {
        display: "customers.ndjson".into(),
        path: path.clone(),
        pointer_prefix: String::new(),
        gzip: false,
    }];
    let mut locator = comply::locate::lines::Locator::default();
    locator.want(0, 14);
    assert!(locator.resolve(&files, &stamps).is_empty(), "unchanged");
    std::fs::write(&path, "\n\n{\"id\": \"C1\"}\n{\"id\": \"C2\"}\n").expect("rewrite");
    locator.want(0, 14);
    assert_eq!(
        locator.resolve(&files, &stamps),
        vec!["customers.ndjson".to_string()]
    );
}

// Item 8: a run killed while it writes `-o` left `.NAME.comply-PID.tmp` behind.

/// An export with `n` customers whose owner does not exist: `n` CD003s.
fn dangling_owners_export(path: &Path, n: usize) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        w,
        r#"{{"export": {{"as_of": "2025-12-31T23:59:59+08:00"}}, "employees": [], "customers": ["#
    )
    .expect("write");
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(
            w,
            r#"{sep}
{{"id": "C{i}", "type": "individual", "name": "n", "created_at": "2025-01-01", "owner": "E{i}", "acquisition_channel": "referral", "stage": "prospect", "data_classification": "internal"}}"#
        )
        .expect("write");
    }
    writeln!(w, "]}}").expect("write");
}

#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::process::{Command, Stdio};
    let d = scratch("interrupted");
    let mut n = 20_000;
    // Larger exports until the signal arrives while a report is written.
    for _ in 0..5 {
        dangling_owners_export(&d.join("export.json"), n);
        let mut child = Command::new(env!("CARGO_BIN_EXE_comply"))
            .args(["check", "--format", "statistics"])
            .args(["-o", "human=report.txt", "-o", "sarif=report.sarif"])
            .arg("export.json")
            .current_dir(&d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let tmp_seen = loop {
            let tmp = std::fs::read_dir(&d)
                .expect("read dir")
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"));
            if tmp {
                break true;
            }
            if child.try_wait().expect("wait").is_some() {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if !tmp_seen {
            n *= 2;
            continue;
        }
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        if status.success() || status.code() == Some(1) {
            // It finished before the signal came: try a larger export.
            n *= 2;
            continue;
        }
        assert_eq!(status.code(), Some(130), "{status:?}");
        let left: Vec<String> = std::fs::read_dir(&d)
            .expect("read dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        let _ = std::fs::remove_dir_all(d);
        return;
    }
    panic!("no run was still writing its report when interrupted (up to {n} violations)");
}

// Item 2: `-` reads standard input (a pipeline's export), once.

fn violations(json: &str) -> Vec<(String, String, String, serde_json::Value)> {
    let r: serde_json::Value = serde_json::from_str(json).expect("json report");
    r["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["rule"].to_string(),
                v["id"].to_string(),
                v["message"].to_string(),
                v["field"].clone(),
            )
        })
        .collect()
}

#[test]
fn standard_input_is_an_export_read_once() {
    let d = scratch("stdin");
    let sample = root().join("fixtures/sample-export.json");
    let args = ["check", "--no-redact", "--format", "json"];
    let from_file = comply_in(
        &root(),
        &[&args[..], &["fixtures/sample-export.json"]].concat(),
    );
    assert_eq!(from_file.code, 1, "{}", from_file.stderr);
    let file = std::fs::File::open(&sample).expect("sample");
    let piped = comply_with_stdin(&d, &[&args[..], &["-"]].concat(), file.into());
    assert_eq!(piped.code, 1, "{}", piped.stderr);
    // The same violations, at the same lines and columns.
    assert_eq!(violations(&piped.stdout), violations(&from_file.stdout));
    let r: serde_json::Value = serde_json::from_str(&piped.stdout).expect("json");
    assert_eq!(r["violations"][0]["location"]["file"], "<stdin>");
    // Gzip is recognised by its magic bytes.
    let gz = d.join("sample.json.gz");
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).expect("create"),
            flate2::Compression::fast(),
        );
        enc.write_all(&std::fs::read(&sample).expect("read"))
            .expect("gzip");
        enc.finish().expect("gzip");
    }
    let file = std::fs::File::open(&gz).expect("gz");
    let piped_gz = comply_with_stdin(&d, &[&args[..], &["-"]].concat(), file.into());
    assert_eq!(violations(&piped_gz.stdout), violations(&from_file.stdout));
    // Twice is a usage error: a pipe can be read once.
    let twice = comply_with_stdin(&d, &["check", "-", "-"], std::process::Stdio::null());
    assert_eq!(twice.code, 2);
    assert!(twice.stderr.contains("more than once"), "{}", twice.stderr);
    // An endless source that cannot be JSON ends at once with its error.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let out = comply_with_stdin(
        &d,
        &["check", "--as-of", "2025-12-31", "--format", "json", "-"],
        zero.into(),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("<stdin>:1:1"), "{}", out.stderr);
    // The spool is gone.
    let spools: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("comply-stdin-")
        })
        .collect();
    assert!(spools.is_empty(), "{spools:?}");
    let _ = std::fs::remove_dir_all(d);
}

// Item 5: a gzip bomb, or any file too large to be read whole once the
// stream gives up on it, is a clear input error within stated limits.

#[test]
fn a_gzip_bomb_past_the_stated_limit_is_a_clear_error() {
    use std::io::Write;
    let d = scratch("gzip-bomb");
    std::fs::write(
        d.join("export.json"),
        r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00"}}"#,
    )
    .expect("write");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(d.join("customers.json.gz")).expect("create"),
        flate2::Compression::fast(),
    );
    let zeros = vec![0u8; 1 << 20];
    // 1 GiB and 1 MiB of zeros: past the 1 GiB read-whole limit.
    for _ in 0..1025 {
        enc.write_all(&zeros).expect("gzip");
    }
    enc.finish().expect("gzip");
    let out = check(&d, &["--format", "json", "."]);
    no_panic(&out);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1 GiB"),
        "the limit is named: {}",
        out.stderr
    );
    // What a diagnostic shows is bounded, whatever the line's length.
    assert!(out.stderr.len() < 10_000, "{} bytes", out.stderr.len());
    let r: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(r["complete"], false);
    let _ = std::fs::remove_dir_all(d);
}

// Issue 13 item 4 / issue 12 item 3: human output of a minified (one-line)
// export looked for each record's line start and end from the record, over
// the whole line: quadratic in the violations of the line.

#[test]
fn human_output_of_a_one_line_export_costs_linear_time() {
    let d = scratch("one-line-human");
    assert_grows_linearly("human output of a one-line export", 1500, 8.0, |n| {
        let mut text = String::from(
            r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00"}, "employees": [], "customers": ["#,
        );
        for i in 0..n {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"id": "C{i}", "type": "individual", "name": "张{i}", "created_at": "2025-01-01", "owner": "E{i}", "acquisition_channel": "referral", "stage": "prospect", "data_classification": "internal"}}"#
            ));
        }
        text.push_str("]}");
        std::fs::write(d.join("export.json"), text).expect("write");
        let out = check(
            &d,
            &["--format", "human", "--select", "CD003", "export.json"],
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
    });
    let _ = std::fs::remove_dir_all(d);
}

// Item 5: a file with one bad line was read whole (and its text copied) to
// locate the error, so one bad line in a large NDJSON export doubled the
// peak memory of the run.

/// The process's peak RSS in MiB, as mimalloc reports it at exit.
fn peak_rss_mib(dir: &Path, args: &[&str]) -> f64 {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
        .current_dir(dir)
        .args(args)
        .env("MIMALLOC_SHOW_STATS", "1")
        .output()
        .expect("comply runs");
    let err = String::from_utf8_lossy(&out.stderr);
    let field = err
        .split("peak rss: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no peak rss in the statistics:\n{err}"));
    let mut words = field.split_whitespace();
    let value: f64 = words.next().and_then(|v| v.parse().ok()).expect("a number");
    match words.next().map(|u| u.trim_end_matches(',')) {
        Some("GiB") => value * 1024.0,
        Some("MiB") => value,
        Some("KiB") => value / 1024.0,
        unit => panic!("unknown unit {unit:?}"),
    }
}

#[test]
fn one_bad_line_costs_no_more_memory_than_a_good_one() {
    let d = scratch("bad-line-memory");
    std::fs::create_dir_all(d.join("communications")).expect("mkdir");
    for f in ["export.json", "customers.json", "employees.json"] {
        std::fs::copy(root().join("fixtures/sample-export").join(f), d.join(f)).expect("copy");
    }
    let lines: Vec<String> = std::fs::read_to_string(
        root().join("fixtures/sample-export/communications/2025-07.ndjson"),
    )
    .expect("read")
    .lines()
    .map(str::to_owned)
    .collect();
    // About 60 MB of communications with distinct ids.
    let n = 220_000;
    let mut text = String::with_capacity(n * 300);
    for i in 0..n {
        let line = &lines[i % lines.len()];
        let rest = line.split_once(',').map_or("}", |(_, r)| r);
        text.push_str(&format!("{{\"id\":\"X{i:07}\",{rest}\n"));
        if i == n / 2 {
            text.push_str("{\"id\": \"X\" \"oops\": 1}\n");
        }
    }
    let bad = d.join("communications/big.ndjson");
    let args = ["check", "--format", "json", "--exit-zero", "."];
    std::fs::write(&bad, &text).expect("write");
    let with_error = peak_rss_mib(&d, &args);
    let clean: String = text
        .lines()
        .filter(|l| !l.contains("oops"))
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(&bad, clean).expect("write");
    let without = peak_rss_mib(&d, &args);
    let mb = text.len() as f64 / (1 << 20) as f64;
    eprintln!("{mb:.0} MiB NDJSON: peak RSS {with_error:.0} MiB with one bad line, {without:.0} MiB without");
    assert!(
        with_error < without * 1.25,
        "one bad line in {mb:.0} MiB of NDJSON: peak RSS {with_error:.0} MiB against {without:.0} MiB without it"
    );
    let _ = std::fs::remove_dir_all(d);
}
