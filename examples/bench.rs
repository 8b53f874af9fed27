//! The benchmark: on one export file, in one run, times parsing it into a
//! `serde_json::Value` (the floor a naive tool pays) and a full `comply
//! check` with the shipped policy (the real binary, `target/release/comply`,
//! measured by GNU time), each in a fresh process so that peak RSS is
//! measured per phase. Prints medians and ratios.
//!
//! ```text
//! cargo run --release --example gen -- --customers 100000 --out /tmp/export-100k.json
//! cargo build --release && cargo run --release --example bench -- /tmp/export-100k.json [--runs 5]
//!     [--formats json,human,sarif,html,junit | --formats none]
//! ```
//!
//! Measured in the same run, on the same file, interleaved (one of each per
//! round, `--runs` rounds), each in a fresh process:
//!
//! - `serde_json::Value`: `std::fs::read` and `serde_json::from_slice` into a
//!   `Value` (child process of this binary, same allocator as comply);
//! - **RawValue floor**: `std::fs::read` and `serde_json::from_slice` into a
//!   borrowing split of the document, `HashMap<&str, Vec<&RawValue>>` (one
//!   `&RawValue` per record, the `export` metadata as one `&RawValue`): what
//!   any checker pays just to find the records, without building them;
//! - `comply check`: `comply check --format json --exit-zero FILE > /dev/null`
//!   (the figure earlier versions of this bench printed, unchanged);
//! - every report format of `--formats` (default json, human, sarif, html,
//!   junit): `comply check --exit-zero -o FORMAT=/tmp/comply-bench-PID.EXT
//!   FILE` (standard output, which then gets the short statistics summary,
//!   to /dev/null), wall time and peak RSS by GNU time.
//!
//! Each process's user+system CPU seconds are measured too (GNU time `%U
//! %S`, or `/proc/self/stat` in the child phases) and printed beside the wall
//! times: on a shared machine they move much less than wall time.
//!
//! Times are medians over the runs, peak RSS the largest over the runs. The
//! first lines are those of earlier versions (so that old figures stay
//! comparable); then the RawValue floor, the ratios check/Value, check/RawValue
//! and RSS/file size, and a table of the formats with each one's time and RSS
//! relative to the json run (`-o json=`) of the same round set.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

// The same allocator as the comply binary, so that the baseline is not
// handicapped by a slower malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::Command;
use std::time::Instant;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// User plus system CPU seconds of this process so far (from
/// `/proc/self/stat`, in USER_HZ = 100 ticks per second).
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s
                .rsplit_once(") ")?
                .1
                .split_whitespace()
                .collect::<Vec<_>>();
            let ticks: u64 =
                after.get(11)?.parse::<u64>().ok()? + after.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// GNU time's last line, `-f "%e %M %U %S"`: (wall seconds, peak KB, CPU
/// seconds).
fn gnu_time(stderr: &[u8]) -> (f64, u64, f64) {
    let err = String::from_utf8_lossy(stderr);
    let last = err.lines().last().unwrap_or_default();
    let f: Vec<&str> = last.split_whitespace().collect();
    let num = |k: usize| f.get(k).and_then(|s| s.parse::<f64>().ok());
    let secs = num(0).unwrap_or(f64::NAN);
    let kb = f.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cpu = match (num(2), num(3)) {
        (Some(u), Some(s)) => u + s,
        _ => f64::NAN,
    };
    (secs, kb, cpu)
}

/// An export document split into its records without building them: each
/// record (and the `export` metadata) a `&RawValue` borrowed from the text.
#[derive(Default)]
struct Split<'a> {
    meta: Option<&'a RawValue>,
    collections: HashMap<&'a str, Vec<&'a RawValue>>,
}

impl<'de> Deserialize<'de> for Split<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Doc;
        impl<'de> Visitor<'de> for Doc {
            type Value = Split<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an export document")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Split<'de>, A::Error> {
                let mut s = Split::default();
                while let Some(k) = m.next_key::<&'de str>()? {
                    if k == "export" {
                        s.meta = Some(m.next_value()?);
                    } else {
                        s.collections.insert(k, m.next_value()?);
                    }
                }
                Ok(s)
            }
        }
        d.deserialize_map(Doc)
    }
}

/// Child: run one phase, print `seconds peak_kb`.
fn phase(name: &str, file: &Path) {
    let start = Instant::now();
    match name {
        "serde" => {
            let bytes = std::fs::read(file).expect("read export");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid json");
            std::hint::black_box(&v);
        }
        "raw" => {
            let bytes = std::fs::read(file).expect("read export");
            let s: Split = serde_json::from_slice(&bytes).expect("an export document");
            let records: usize = s.collections.values().map(Vec::len).sum();
            assert!(records > 0 || s.meta.is_some(), "no records found");
            std::hint::black_box(&s);
        }
        "check" => {
            let (program, diags) = comply::policy::compile(comply::policy::shipped());
            assert!(diags
                .iter()
                .all(|d| d.level != comply::diagnostic::Level::Error));
            let audit = comply::audit::audit(
                &program,
                &[file.to_path_buf()],
                &comply::audit::AuditOptions::default(),
            )
            .expect("audit");
            let mut sink = std::io::sink();
            comply::report::Format::Json
                .render(
                    &audit.run,
                    &mut sink,
                    &comply::report::ReportOptions::default(),
                )
                .expect("render");
            eprintln!("violations: {}", audit.run.violations.len());
        }
        _ => panic!("unknown phase {name}"),
    }
    println!(
        "{} {} {}",
        start.elapsed().as_secs_f64(),
        peak_rss_kb(),
        cpu_secs()
    );
}

fn comply_path() -> PathBuf {
    std::env::current_exe()
        .expect("own path")
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("comply"))
        .expect("target dir")
}

/// `comply check ARGS EXPORT`, timed and measured by GNU time: (seconds,
/// peak KB, CPU seconds).
fn time_check(args: &[&str], file: &Path) -> (f64, u64, f64) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.push(file.to_str().expect("UTF-8 path"));
    time_comply(&all)
}

/// `comply ARGS`, timed and measured by GNU time.
fn time_comply(args: &[&str]) -> (f64, u64, f64) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M %U %S"])
        .arg(comply_path())
        .args(args)
        .stdout(std::process::Stdio::null())
        .output()
        .expect("spawn /usr/bin/time");
    // A missing binary or a failed run must not pass for a fast one.
    assert!(
        out.status.success(),
        "comply {} failed (build it first: cargo build --release): {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    gnu_time(&out.stderr)
}

/// The extension of a report file of `format`.
fn extension(format: &str) -> &str {
    match format {
        "human" | "concise" | "statistics" | "github" => "txt",
        "junit" => "xml",
        "ndjson" => "ndjson",
        "gitlab" => "gitlab.json",
        f => f,
    }
}

/// `comply check --exit-zero -o FORMAT=FILE EXPORT`, by GNU time:
/// (seconds, peak KB, CPU seconds, report bytes, the json report's summary).
fn run_format(format: &str, file: &Path) -> (f64, u64, f64, u64, Option<String>) {
    let report = std::env::temp_dir().join(format!(
        "comply-bench-{}.{}",
        std::process::id(),
        extension(format)
    ));
    let target = format!("{}={}", format, report.display());
    let (secs, kb, cpu) = time_check(&["--exit-zero", "-o", &target], file);
    let bytes = std::fs::metadata(&report).map(|m| m.len()).unwrap_or(0);
    let mut summary = None;
    if format == "json" {
        // the violation count, for the record
        #[derive(serde::Deserialize)]
        struct Report {
            summary: serde_json::Value,
        }
        if let Ok(f) = std::fs::File::open(&report) {
            if let Ok(r) = serde_json::from_reader::<_, Report>(std::io::BufReader::new(f)) {
                summary = Some(r.summary.to_string());
            }
        }
    }
    let _ = std::fs::remove_file(&report);
    (secs, kb, cpu, bytes, summary)
}

/// One phase in a fresh process: (seconds, peak KB, CPU seconds).
fn run_child(name: &str, file: &Path) -> (f64, u64, f64) {
    let exe = std::env::current_exe().expect("own path");
    if name == "binary" {
        // The real command line, end to end: `comply check --format json`.
        return time_check(&["--format", "json", "--exit-zero"], file);
    }
    let out = Command::new(exe)
        .args(["--phase", name])
        .arg(file)
        .output()
        .expect("spawn");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let secs = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let kb = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let cpu = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    (secs, kb, cpu)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One phase's figures: median seconds, throughput, peak RSS (KB) and its
/// ratio to the file's size.
fn phase_line(name: &str, secs: f64, peak_kb: u64, mb: f64, size: u64) {
    println!(
        "{name:<20}{secs:>8.3} s  {:>8.1} MB/s  peak RSS {:>8.1} MB ({:.2}x file)",
        mb / secs,
        peak_kb as f64 / 1024.0,
        peak_kb as f64 * 1024.0 / size as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--phase") {
        phase(&args[1], Path::new(&args[2]));
        return;
    }
    let file = PathBuf::from(args.first().expect(
        "usage: bench EXPORT [--runs N] [--formats json,human,sarif,html,junit|none] [--engines]",
    ));
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let formats: Vec<String> = args
        .iter()
        .position(|a| a == "--formats")
        .and_then(|i| args.get(i + 1))
        .map_or("json,human,sarif,html,junit", String::as_str)
        .split(',')
        .filter(|f| !f.is_empty() && *f != "none")
        .map(String::from)
        .collect();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let mb = size as f64 / 1e6;
    let mut serde = (Vec::new(), 0u64);
    let mut raw = (Vec::new(), 0u64);
    let mut check = (Vec::new(), 0u64);
    // CPU seconds of serde, raw, check
    let mut cpu: [Vec<f64>; 3] = Default::default();
    // per format: times, peak KB, report bytes, CPU seconds
    let mut fmts: Vec<(Vec<f64>, u64, u64, Vec<f64>)> =
        vec![(Vec::new(), 0, 0, Vec::new()); formats.len()];
    let mut summary: Option<String> = None;
    // Interleaved, so that machine noise hits all alike.
    for round in 0..runs {
        let (s, k, c) = run_child("serde", &file);
        serde.0.push(s);
        serde.1 = serde.1.max(k);
        cpu[0].push(c);
        let (s, k, c) = run_child("raw", &file);
        raw.0.push(s);
        raw.1 = raw.1.max(k);
        cpu[1].push(c);
        let (s, k, c) = run_child("binary", &file);
        check.0.push(s);
        check.1 = check.1.max(k);
        cpu[2].push(c);
        for (f, acc) in formats.iter().zip(fmts.iter_mut()) {
            let (s, k, c, b, sum) = run_format(f, &file);
            if sum.is_some() {
                summary = sum;
            }
            acc.0.push(s);
            acc.1 = acc.1.max(k);
            acc.2 = b;
            acc.3.push(c);
        }
        eprintln!("round {} of {runs} done", round + 1);
    }
    let (ms, mc) = (median(serde.0), median(check.0));
    let mr = median(raw.0);
    println!(
        "file: {} ({mb:.1} MB), {runs} runs each, medians",
        file.display()
    );
    phase_line("serde_json::Value", ms, serde.1, mb, size);
    phase_line("comply check", mc, check.1, mb, size);
    println!(
        "ratio check/serde: time {:.2}x, peak RSS {:.2}x",
        mc / ms,
        check.1 as f64 / serde.1.max(1) as f64
    );
    phase_line("RawValue floor", mr, raw.1, mb, size);
    println!(
        "ratios: check/Value time {:.2}x RSS {:.2}x; check/RawValue floor time {:.2}x RSS {:.2}x; check RSS/file {:.2}x",
        mc / ms,
        check.1 as f64 / serde.1.max(1) as f64,
        mc / mr,
        check.1 as f64 / raw.1.max(1) as f64,
        check.1 as f64 * 1024.0 / size as f64
    );
    // CPU time (user + system) moves much less than wall time when other
    // work shares the machine; comply's wall time can be below its CPU time
    // (it checks on several threads).
    let [cs, cr, cc] = cpu.map(median);
    println!(
        "cpu (user+sys) medians: Value {cs:.3} s, RawValue floor {cr:.3} s, check {cc:.3} s; check/Value {:.2}x, check/RawValue {:.2}x",
        cc / cs,
        cc / cr
    );
    if formats.is_empty() {
        if args.iter().any(|a| a == "--engines") {
            engines(&file, runs, size);
        }
        return;
    }
    println!(
        "comply check --exit-zero -o FORMAT=FILE (time median, peak RSS max, of {runs} runs):"
    );
    println!(
        "  {:<8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>12} {:>9} {:>9} {:>9} {:>9}",
        "format",
        "time s",
        "cpu s",
        "MB/s",
        "peak RSS MB",
        "RSS/file",
        "report MB",
        "t/json",
        "RSS/json",
        "t/Value",
        "cpu/json"
    );
    let medians: Vec<f64> = fmts.iter().map(|f| median(f.0.clone())).collect();
    let cpus: Vec<f64> = fmts.iter().map(|f| median(f.3.clone())).collect();
    let json = formats.iter().position(|f| f == "json");
    for (k, f) in formats.iter().enumerate() {
        let (t, kb, bytes) = (medians[k], fmts[k].1, fmts[k].2);
        let (rt, rk, rc) = match json {
            Some(j) => (
                format!("{:.2}x", t / medians[j]),
                format!("{:.2}x", kb as f64 / fmts[j].1.max(1) as f64),
                format!("{:.2}x", cpus[k] / cpus[j]),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "  {:<8} {:>8.3} {:>8.3} {:>9.1} {:>11.1} {:>8.2}x {:>12.1} {:>9} {:>9} {:>8.2}x {:>9}",
            f,
            t,
            cpus[k],
            mb / t,
            kb as f64 / 1024.0,
            kb as f64 * 1024.0 / size as f64,
            bytes as f64 / 1e6,
            rt,
            rk,
            t / ms,
            rc
        );
    }
    if let Some(s) = summary {
        println!("json report summary: {s}");
    }
    if args.iter().any(|a| a == "--engines") {
        engines(&file, runs, size);
    }
}

/// Issue 14's figures: the native check, the DataFusion engine on the same
/// JSON, `comply convert --to parquet`, and the DataFusion engine on that
/// Parquet, interleaved. Needs a binary built with `--features datafusion`.
fn engines(file: &Path, runs: usize, size: u64) {
    let dir = std::env::temp_dir().join(format!("comply-bench-{}", std::process::id()));
    let out = dir.to_str().expect("UTF-8 temporary directory");
    let f = file.to_str().expect("UTF-8 path");
    let json = ["--format", "json", "--exit-zero"];
    let df = ["--engine", "datafusion", "--format", "json", "--exit-zero"];
    let names = [
        "native check (JSON)",
        "datafusion check (JSON)",
        "convert --to parquet",
        "datafusion check (Parquet)",
    ];
    let mut acc: Vec<(Vec<f64>, u64)> = vec![(Vec::new(), 0); names.len()];
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&dir);
        let results = [
            time_check(&json, file),
            time_check(&df, file),
            time_comply(&["convert", f, "--to", "parquet", out]),
            time_check(&df, &dir),
        ];
        for (a, (s, kb, _)) in acc.iter_mut().zip(results) {
            a.0.push(s);
            a.1 = a.1.max(kb);
        }
    }
    let parquet_mb: u64 = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    let native = median(acc[0].0.clone());
    println!(
        "engines (time median, peak RSS max, of {runs} runs; Parquet {:.1} MB):",
        parquet_mb as f64 / 1e6
    );
    for (name, (times, kb)) in names.iter().zip(acc) {
        let t = median(times);
        println!(
            "  {name:<28} {t:>8.3} s  {:>8.1} MB peak ({:.2}x file)  {:.2}x native check",
            kb as f64 / 1024.0,
            kb as f64 * 1024.0 / size as f64,
            t / native
        );
    }
}
