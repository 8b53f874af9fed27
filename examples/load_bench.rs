//! Throughput of the loader against `serde_json::Value` on the same bytes.
//!
//! `cargo run --release --example load_bench -- load|value|syntax FILE...`

#[path = "../tests/loader_common/mod.rs"]
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
        .flat_map(|p| walkdir::WalkDir::new(p).into_iter().flatten())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let start = Instant::now();
    match mode.as_str() {
        "load" | "load-ids" => {
            let schema = common::schema();
            let mut opts = comply::data::LoadOptions::default();
            if mode == "load-ids" {
                // Keep ids only: the floor a projection can bring memory down to.
                let mut p = comply::schema::Projection {
                    collections: schema
                        .collections
                        .iter()
                        .map(|c| comply::schema::Need::none(&c.record))
                        .collect(),
                };
                for (c, def) in schema.collections.iter().enumerate() {
                    if let Some(id) = def.id_field() {
                        p.collections[c].fields[id] = Some(Default::default());
                    }
                }
                opts.projection = Some(p);
            }
            let export = comply::data::load(&paths, &schema, &opts);
            eprintln!(
                "records {} findings {} errors {} ids {}",
                export.record_count(),
                export.findings.len(),
                export.errors.len(),
                export.ids.len()
            );
            // Freeing the export is not part of loading it.
            report(mode, bytes, start);
            std::mem::forget(export);
            return;
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
    report(mode, bytes, start);
}

fn report(mode: &str, bytes: u64, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{mode}: {:.2} s, {:.0} MB/s",
        secs,
        bytes as f64 / 1e6 / secs
    );
}
