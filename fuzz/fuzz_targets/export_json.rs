//! Bytes as a one-document `export.json`, then the same bytes as the
//! `.ndjson` file of a collection (next to a fixed metadata `export.json`):
//! load with the shipped schema and projection, render each input error's
//! diagnostic, evaluate (fixed settings, then the export's own as_of as
//! `comply check` does) and render each run in every report format,
//! redacted and not (`common::run`). When the first byte says so, both files
//! start with `common::PAD` spaces, so that line 1 goes past column 65,535.
//! Never panics; the JSON report parses and is `complete: false` whenever
//! an input error was met.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let dir = common::tempdir();
    let _g = common::Cleanup(dir.clone());
    let colls = &common::program().schema.collections;
    let first = data.first().copied().unwrap_or(0) as usize;
    let pad = (first / colls.len()) % 2 == 1;
    let body: std::borrow::Cow<[u8]> = if pad { common::padded(data).into() } else { data.into() };

    let doc = dir.join("export.json");
    std::fs::write(&doc, &body).unwrap();
    common::run(&[doc]);

    let sub = dir.join("d");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("export.json"), br#"{"export":{"as_of":"2025-06-30T12:00:00+08:00","timezone":"+08:00"}}"#).unwrap();
    let pick = first % colls.len();
    std::fs::write(sub.join(format!("{}.ndjson", colls[pick].name)), &body).unwrap();
    common::run(&[sub]);
});
