//! The parts of export files a report shows, read in one streaming pass per
//! file: the bytes around each reported record, never a whole file. A
//! human or HTML report of a gigabyte export then holds what it shows,
//! not the export.

use std::collections::HashMap;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One run of a file's text, from byte `start` of the file.
#[derive(Debug, Clone)]
pub struct Excerpt {
    pub start: usize,
    pub text: Arc<str>,
}

impl Excerpt {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// Excerpts of files, by the name reports give them.
#[derive(Debug, Default)]
pub struct Excerpts {
    files: HashMap<String, Vec<Excerpt>>,
}

/// The path a report's file name is read from.
pub fn path_of(file: &str, root: Option<&Path>) -> PathBuf {
    if file == crate::stdin_export::DISPLAY {
        if let Some(p) = crate::stdin_export::spool_path() {
            return p.to_path_buf();
        }
    }
    match root {
        Some(root) if Path::new(file).is_relative() => root.join(file),
        _ => PathBuf::from(file),
    }
}

impl Excerpts {
    /// Reads the byte ranges `wanted` (file name, start, end) asks for,
    /// overlapping and adjacent ones merged; files that cannot be read
    /// have no excerpts.
    pub fn read(
        root: Option<&Path>,
        wanted: impl IntoIterator<Item = (String, usize, usize)>,
    ) -> Self {
        let mut by_file: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (file, start, end) in wanted {
            by_file
                .entry(file)
                .or_default()
                .push((start, end.max(start)));
        }
        let files = by_file
            .into_iter()
            .map(|(file, mut ranges)| {
                ranges.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
                for (a, b) in ranges {
                    match merged.last_mut() {
                        Some(last) if a <= last.1 => last.1 = last.1.max(b),
                        _ => merged.push((a, b)),
                    }
                }
                let path = path_of(&file, root);
                let excerpts = read_ranges(&path, &merged).unwrap_or_default();
                (file, excerpts)
            })
            .collect();
        Excerpts { files }
    }

    /// The excerpt of `file` that holds `start..end`.
    pub fn get(&self, file: &str, start: usize, end: usize) -> Option<&Excerpt> {
        let pieces = self.files.get(file)?;
        let i = pieces.partition_point(|p| p.start <= start);
        let p = pieces.get(i.checked_sub(1)?)?;
        (end <= p.end()).then_some(p)
    }
}

/// Reads `ranges` (sorted, disjoint) of the file's text, decompressing
/// `.gz`. Each excerpt starts and ends on character boundaries, and a
/// line with invalid UTF-8 is blanked as the loader's diagnostics show it,
/// so that every offset stays the loader's.
fn read_ranges(path: &Path, ranges: &[(usize, usize)]) -> io::Result<Vec<Excerpt>> {
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut pos = 0usize;
    let mut out = Vec::with_capacity(ranges.len());
    for &(start, end) in ranges {
        let skip = start.saturating_sub(pos) as u64;
        let skipped = io::copy(&mut (&mut reader).take(skip), &mut io::sink())?;
        pos += skipped as usize;
        if pos < start {
            break; // the file ended
        }
        let mut bytes = Vec::with_capacity(end - start);
        (&mut reader)
            .take((end - pos) as u64)
            .read_to_end(&mut bytes)?;
        pos += bytes.len();
        // Whole characters only: a range may start or end inside one.
        let lead = bytes
            .iter()
            .take(3)
            .take_while(|b| (0x80..0xC0).contains(*b))
            .count();
        let mut tail = bytes.len();
        if let Err(e) = std::str::from_utf8(&bytes[lead..]) {
            if e.error_len().is_none() {
                tail = lead + e.valid_up_to();
            }
        }
        let text = crate::source::blank_invalid_lines(&bytes[lead..tail]).0;
        out.push(Excerpt {
            start: start + lead,
            text: Arc::from(text),
        });
        if pos < end {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_merged_and_cut_at_characters() {
        let dir = std::env::temp_dir().join(format!("comply-excerpts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let text = "ab张c\ndef\nghi\n";
        std::fs::write(dir.join("f.json"), text).expect("write");
        let name = dir.join("f.json").display().to_string();
        // 张 is bytes 2..5: a range from byte 3 starts after it.
        let ex = Excerpts::read(
            None,
            [
                (name.clone(), 3, 7),
                (name.clone(), 6, 9),
                (name.clone(), 11, 100),
            ],
        );
        let a = ex.get(&name, 5, 9).expect("merged");
        assert_eq!((a.start, &*a.text), (5, "c\nde"));
        let b = ex.get(&name, 11, 14).expect("to the end");
        assert_eq!((b.start, &*b.text), (11, "ghi\n"));
        assert!(ex.get(&name, 9, 12).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
