//! Line and column of byte offsets in export files, computed only for what is
//! reported: one streaming pass per file that has something to report, so
//! no line index of a gigabyte file is ever held in memory.

use crate::data::model::{DataFile, FileId};
use crate::source::LineCol;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};

#[derive(Default)]
pub struct Locator {
    wanted: HashMap<FileId, BTreeSet<u64>>,
    found: HashMap<(FileId, u64), LineCol>,
}

impl Locator {
    pub fn want(&mut self, file: FileId, offset: u64) {
        self.wanted.entry(file).or_default().insert(offset);
    }

    pub fn get(&self, file: FileId, offset: u64) -> LineCol {
        self.found
            .get(&(file, offset))
            .copied()
            .unwrap_or(LineCol { line: 1, column: 1 })
    }

    pub fn resolve(&mut self, files: &[DataFile]) {
        let wanted = std::mem::take(&mut self.wanted);
        let results: Vec<Vec<((FileId, u64), LineCol)>> = {
            use rayon::prelude::*;
            let mut jobs: Vec<_> = wanted.into_iter().collect();
            jobs.sort_by_key(|(f, _)| *f);
            jobs.into_par_iter()
                .map(|(f, offsets)| {
                    let Some(file) = files.get(f) else { return Vec::new() };
                    match scan(file, &offsets) {
                        Ok(v) => v.into_iter().map(|(o, lc)| ((f, o), lc)).collect(),
                        Err(_) => Vec::new(),
                    }
                })
                .collect()
        };
        self.found.extend(results.into_iter().flatten());
    }
}

fn open(file: &DataFile) -> std::io::Result<Box<dyn BufRead>> {
    let f = std::fs::File::open(&file.path)?;
    Ok(if file.gzip {
        Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(f)))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, f))
    })
}

fn scan(file: &DataFile, offsets: &BTreeSet<u64>) -> std::io::Result<Vec<(u64, LineCol)>> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut targets = offsets.iter().copied().peekable();
    let mut reader = open(file)?;
    let (mut pos, mut line, mut col) = (0u64, 1usize, 1usize);
    let mut buf = [0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            while targets.peek() == Some(&pos) {
                out.push((pos, LineCol { line, column: col }));
                targets.next();
            }
            if b == b'\n' {
                line += 1;
                col = 1;
            } else if b & 0xC0 != 0x80 {
                // A byte that starts a UTF-8 sequence: columns count scalar values.
                col += 1;
            }
            pos += 1;
        }
        if targets.peek().is_none() {
            return Ok(out);
        }
    }
    for t in targets {
        out.push((t, LineCol { line, column: col }));
    }
    Ok(out)
}
