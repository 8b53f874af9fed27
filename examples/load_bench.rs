//! Throughput of the loader against `serde_json::Value` on the same bytes.
//!
//! `cargo run --release --example load_bench -- load|value|syntax FILE...`

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, files)) = args.split_first() else {
        eprintln!("usage: load_bench load|value|syntax FILE...");
        std::process::exit(2);
    };
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let bytes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let start = Instant::now();
    match mode.as_str() {
        "load" => {
            let export = comply::data::load(&paths, &common::schema(), &Default::default());
            eprintln!(
                "records {} findings {} errors {} ids {}",
                export.record_count(),
                export.findings.len(),
                export.errors.len(),
                export.ids.len()
            );
        }
        "value" => {
            for p in &paths {
                let data = std::fs::read(p).expect("read");
                let v: serde_json::Value = serde_json::from_slice(&data).expect("parse");
                eprintln!("top-level members {}", v.as_object().map_or(0, |o| o.len()));
            }
        }
        "syntax" => {
            for p in &paths {
                let data = std::fs::read(p).expect("read");
                comply::data::check_json_syntax(&data).expect("syntax");
            }
        }
        _ => std::process::exit(2),
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{mode}: {:.2} s, {:.0} MB/s",
        secs,
        bytes as f64 / 1e6 / secs
    );
}
