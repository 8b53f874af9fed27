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
    /// For each file, which of `found` holds its positions.
    group: HashMap<FileId, usize>,
    /// Positions found in one read of a path, by offset.
    found: Vec<Vec<(u64, LineCol)>>,
    /// Positions given, not to be looked for in the files.
    known: HashMap<(FileId, u64), LineCol>,
}

impl Locator {
    pub fn want(&mut self, file: FileId, offset: u64) {
        if !self.known.contains_key(&(file, offset)) {
            self.wanted.entry(file).or_default().insert(offset);
        }
    }

    /// A position known beforehand.
    pub fn know(&mut self, file: FileId, offset: u64, at: LineCol) {
        self.known.insert((file, offset), at);
    }

    /// The position of a wanted offset, once resolved; `None` when its file
    /// could not be read.
    pub fn find(&self, file: FileId, offset: u64) -> Option<LineCol> {
        if let Some(at) = self.known.get(&(file, offset)) {
            return Some(*at);
        }
        let found = self.found.get(*self.group.get(&file)?)?;
        let i = found.binary_search_by_key(&offset, |(o, _)| *o).ok()?;
        Some(found[i].1)
    }

    pub fn get(&self, file: FileId, offset: u64) -> LineCol {
        self.find(file, offset)
            .unwrap_or(LineCol { line: 1, column: 1 })
    }

    /// Finds the wanted positions; returns the files (display names) that
    /// changed since they were read, whose positions may then be wrong.
    pub fn resolve(
        &mut self,
        files: &[DataFile],
        stamps: &HashMap<std::path::PathBuf, crate::data::model::FileStamp>,
    ) -> Vec<String> {
        let mut changed: Vec<String> = self
            .wanted
            .keys()
            .filter_map(|f| files.get(*f))
            .filter(|f| {
                stamps
                    .get(&f.path)
                    .is_some_and(|s| crate::data::model::FileStamp::of(&f.path).as_ref() != Some(s))
            })
            .map(|f| f.display.clone())
            .collect();
        changed.sort();
        changed.dedup();
        // A whole document is one data file per collection, all with the
        // same path: it is read once for all of them (it was read once per
        // collection, 18 times for a document of 18 collections).
        let mut by_path: HashMap<&std::path::Path, (&DataFile, Vec<FileId>, BTreeSet<u64>)> =
            HashMap::new();
        for (f, offsets) in std::mem::take(&mut self.wanted) {
            let Some(file) = files.get(f) else { continue };
            let job = by_path
                .entry(file.path.as_path())
                .or_insert_with(|| (file, Vec::new(), BTreeSet::new()));
            job.1.push(f);
            job.2.extend(offsets);
        }
        let mut jobs: Vec<_> = by_path.into_values().collect();
        jobs.sort_by_key(|(_, ids, _)| ids.iter().min().copied());
        for (k, (_, ids, _)) in jobs.iter().enumerate() {
            let group = self.found.len() + k;
            for &f in ids {
                self.group.insert(f, group);
            }
        }
        let results: Vec<Vec<(u64, LineCol)>> = {
            use rayon::prelude::*;
            jobs.into_par_iter()
                .map(|(file, _, offsets)| scan(file, &offsets).unwrap_or_default())
                .collect()
        };
        self.found.extend(results);
        changed
    }
}

fn open(file: &DataFile) -> std::io::Result<Box<dyn BufRead + Send>> {
    let f = std::fs::File::open(&file.path)?;
    Ok(if file.gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(f),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, f))
    })
}

fn scan(file: &DataFile, offsets: &BTreeSet<u64>) -> std::io::Result<Vec<(u64, LineCol)>> {
    let mut cursor = Cursor::open(file)?;
    offsets.iter().map(|&t| Ok((t, cursor.at(t)?))).collect()
}

/// Lines and columns of one file's offsets, asked in increasing order: the
/// file is read once, from its start, as far as the last offset asked.
pub struct Cursor {
    file: DataFile,
    reader: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    /// `buf[..len]` holds the file's bytes from offset `pos` on; `line`
    /// and `col` are those of `pos + i`.
    len: usize,
    i: usize,
    pos: u64,
    line: usize,
    /// Counts the scalar values since the last newline, plus one.
    col: usize,
}

impl Cursor {
    pub fn open(file: &DataFile) -> std::io::Result<Cursor> {
        // Sized to a small file: zero-filling 1 MiB per file dominated many small ones.
        let size = match (file.gzip, std::fs::metadata(&file.path)) {
            (false, Ok(m)) => usize::try_from(m.len())
                .unwrap_or(usize::MAX)
                .clamp(1, 1 << 20),
            _ => 1 << 20,
        };
        Ok(Cursor {
            file: file.clone(),
            reader: open(file)?,
            buf: vec![0u8; size],
            len: 0,
            i: 0,
            pos: 0,
            line: 1,
            col: 1,
        })
    }

    /// The line and column of `offset`; past the end, those of the end. An
    /// offset before the last one asked reads the file again from its start.
    pub fn at(&mut self, offset: u64) -> std::io::Result<LineCol> {
        if offset < self.pos + self.i as u64 {
            *self = Cursor::open(&self.file)?;
        }
        loop {
            if offset < self.pos + self.len as u64 {
                let upto = (offset - self.pos) as usize;
                advance(&self.buf[self.i..upto], &mut self.line, &mut self.col);
                self.i = upto;
                break;
            }
            advance(&self.buf[self.i..self.len], &mut self.line, &mut self.col);
            self.pos += self.len as u64;
            self.i = 0;
            self.len = self.reader.read(&mut self.buf)?;
            if self.len == 0 {
                break;
            }
        }
        Ok(LineCol {
            line: self.line,
            column: self.col,
        })
    }
}

fn advance(bytes: &[u8], line: &mut usize, col: &mut usize) {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    let tail = match memchr::memrchr(b'\n', bytes) {
        Some(p) => {
            *line += newlines;
            *col = 1;
            &bytes[p + 1..]
        }
        None => bytes,
    };
    *col += tail.iter().filter(|&&b| b & 0xC0 != 0x80).count();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_scalar_values() {
        let dir = std::env::temp_dir().join(format!("comply-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("f.json");
        let text = "[\n  {\"名\": 1},\n  {\"b\": 2}\n]";
        std::fs::write(&path, text).unwrap_or_default();
        let file = DataFile {
            display: "f.json".into(),
            path,
            pointer_prefix: String::new(),
            gzip: false,
        };
        let offsets: BTreeSet<u64> = [0, 4, 9, 10, 14].into_iter().collect();
        let got = scan(&file, &offsets).unwrap_or_default();
        let want: Vec<(u64, LineCol)> = [(0, 1, 1), (4, 2, 3), (9, 2, 6), (10, 2, 7), (14, 2, 11)]
            .into_iter()
            .map(|(o, l, c)| (o, LineCol { line: l, column: c }))
            .collect();
        let expected: Vec<(u64, LineCol)> = offsets
            .iter()
            .map(|&o| {
                let lc = crate::source::line_col(
                    text,
                    &crate::source::line_starts(text.as_bytes()),
                    o as usize,
                );
                (o, lc)
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(got[1], want[1]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
