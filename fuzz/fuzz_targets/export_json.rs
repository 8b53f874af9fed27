//! Bytes as a one-document `export.json`, then the same bytes as the
//! `.ndjson` file of a collection (next to a fixed metadata `export.json`):
//! load with the shipped schema and projection, evaluate. Never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let dir = common::tempdir();
    let _g = common::Cleanup(dir.clone());
    let doc = dir.join("export.json");
    std::fs::write(&doc, data).unwrap();
    common::run(&[doc]);

    let sub = dir.join("d");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("export.json"), br#"{"export":{"as_of":"2025-06-30T12:00:00+08:00","timezone":"+08:00"}}"#).unwrap();
    let colls = &common::program().schema.collections;
    let pick = data.first().copied().unwrap_or(0) as usize % colls.len();
    std::fs::write(sub.join(format!("{}.ndjson", colls[pick].name)), data).unwrap();
    common::run(&[sub]);
});
