//! Bytes split at `\n@@\n` into up to three files of an export directory:
//! the first is the root `export.json`, each other one is a collection's
//! file whose collection and form (`<c>.json`, `<c>.ndjson`, `<c>/part.json`,
//! `<c>.json.gz`, and `<c>.json` / `<c>.ndjson` whose first line starts with
//! `common::PAD` spaces, past column 65,535) come from its first byte. Load,
//! render each input error's diagnostic, evaluate and render every report
//! format, redacted and not (`common::run`); never panics, and the JSON
//! report is `complete: false` whenever an input error was met.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

#[path = "common.rs"]
mod common;

fn split(data: &[u8]) -> Vec<&[u8]> {
    let sep = b"\n@@\n";
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() < 2 {
        match rest.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let dir = common::tempdir();
    let _g = common::Cleanup(dir.clone());
    let colls = &common::program().schema.collections;
    let parts = split(data);
    std::fs::write(dir.join("export.json"), parts[0]).unwrap();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let (tag, body) = match part.split_first() {
            Some((t, b)) => (*t as usize, b),
            None => (0, &part[..]),
        };
        let c = &colls[tag % colls.len()].name;
        match (tag / colls.len()) % 6 {
            0 => std::fs::write(dir.join(format!("{c}.json")), body).unwrap(),
            1 => std::fs::write(dir.join(format!("{c}.ndjson")), body).unwrap(),
            2 => {
                std::fs::create_dir_all(dir.join(c)).unwrap();
                std::fs::write(dir.join(c).join(format!("part{i}.json")), body).unwrap();
            }
            4 => std::fs::write(dir.join(format!("{c}.json")), common::padded(body)).unwrap(),
            5 => std::fs::write(dir.join(format!("{c}.ndjson")), common::padded(body)).unwrap(),
            _ => {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(body).unwrap();
                std::fs::write(dir.join(format!("{c}.json.gz")), gz.finish().unwrap()).unwrap();
            }
        }
    }
    common::run(&[dir.clone()]);
});
