//! The benchmark: on one export file, in one run, times parsing it into a
//! `serde_json::Value` (the floor a naive tool pays) and a full `comply
//! check` with the shipped policy (the real binary, `target/release/comply`,
//! measured by GNU time), each in a fresh process so that peak RSS is
//! measured per phase. Prints medians and ratios.
//!
//! ```text
//! cargo run --release --example gen -- --customers 100000 --out /tmp/export-100k.json
//! cargo build --release && cargo run --release --example bench -- /tmp/export-100k.json [--runs 5]
//! ```

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

/// Child: run one phase, print `seconds peak_kb`.
fn phase(name: &str, file: &Path) {
    let start = Instant::now();
    match name {
        "serde" => {
            let bytes = std::fs::read(file).expect("read export");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid json");
            std::hint::black_box(&v);
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
    println!("{} {}", start.elapsed().as_secs_f64(), peak_rss_kb());
}

fn run_child(name: &str, file: &Path) -> (f64, u64) {
    let exe = std::env::current_exe().expect("own path");
    if name == "binary" {
        // The real command line, end to end: `comply check --format json`,
        // timed and measured by GNU time.
        let comply = exe
            .parent()
            .and_then(Path::parent)
            .map(|d| d.join("comply"))
            .expect("target dir");
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%e %M"])
            .arg(comply)
            .args(["check", "--format", "json", "--exit-zero"])
            .arg(file)
            .stdout(std::process::Stdio::null())
            .output()
            .expect("spawn /usr/bin/time");
        // A missing binary or a failed run must not pass for a fast one.
        assert!(
            out.status.success(),
            "comply check failed (build it first: cargo build --release): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or_default();
        let mut it = last.split_whitespace();
        let secs = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
        let kb = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        return (secs, kb);
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
    (secs, kb)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--phase") {
        phase(&args[1], Path::new(&args[2]));
        return;
    }
    let file = PathBuf::from(args.first().expect("usage: bench EXPORT [--runs N]"));
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let mb = size as f64 / 1e6;
    let mut serde = (Vec::new(), 0u64);
    let mut check = (Vec::new(), 0u64);
    // Interleaved, so that machine noise hits both alike.
    for _ in 0..runs {
        let (s, k) = run_child("serde", &file);
        serde.0.push(s);
        serde.1 = serde.1.max(k);
        let (s, k) = run_child("binary", &file);
        check.0.push(s);
        check.1 = check.1.max(k);
    }
    let (ms, mc) = (median(serde.0), median(check.0));
    println!(
        "file: {} ({mb:.1} MB), {runs} runs each, medians",
        file.display()
    );
    println!(
        "serde_json::Value   {ms:>8.3} s  {:>8.1} MB/s  peak RSS {:>8.1} MB ({:.2}x file)",
        mb / ms,
        serde.1 as f64 / 1024.0,
        serde.1 as f64 * 1024.0 / size as f64
    );
    println!(
        "comply check        {mc:>8.3} s  {:>8.1} MB/s  peak RSS {:>8.1} MB ({:.2}x file)",
        mb / mc,
        check.1 as f64 / 1024.0,
        check.1 as f64 * 1024.0 / size as f64
    );
    println!(
        "ratio check/serde: time {:.2}x, peak RSS {:.2}x",
        mc / ms,
        check.1 as f64 / serde.1.max(1) as f64
    );
}
