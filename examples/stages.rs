//! Time and peak RSS after each stage of a `comply check` with the shipped
//! policy: where the time and memory of a run go.
//!
//! `cargo run --release --example stages -- EXPORT`

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

fn status(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn stage(name: &str, start: Instant) {
    eprintln!(
        "{name:<10} {:>8.3} s   RSS {:>7.1} MB   peak {:>7.1} MB",
        start.elapsed().as_secs_f64(),
        status("VmRSS:") as f64 / 1024.0,
        status("VmHWM:") as f64 / 1024.0
    );
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stages EXPORT");
        std::process::exit(2);
    };
    let start = Instant::now();
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    stage("compile", start);
    let opts = comply::audit::AuditOptions::default();
    let export = comply::audit::load(&program, &[path.into()], &opts);
    stage("load", start);
    eprintln!("records {}", export.record_count());
    let params = comply::audit::params(&program, &opts.params).unwrap_or_default();
    let Ok(audit) = comply::audit::judge(&program, export, &opts, params) else {
        eprintln!("cannot judge");
        std::process::exit(2);
    };
    stage("evaluate", start);
    let mut sink = std::io::sink();
    let _ = comply::report::Format::Json.render(
        &audit.run,
        &mut sink,
        &comply::report::ReportOptions::default(),
    );
    stage("report", start);
    eprintln!("violations {}", audit.run.violations.len());
}
