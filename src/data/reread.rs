//! The lines around offsets of a file, read again after the file was
//! streamed: one pass that counts lines up to each offset and keeps a
//! bounded window of bytes around those that are shown, never the whole
//! file. The stream reports an NDJSON file's bad lines this way (with the
//! lines before and after them, whatever its block size), and a metadata
//! conflict found once every file was read.

use std::io::{self, BufReader, Read};

use super::model::DataFile;
use crate::source::LineCol;

/// Bytes kept on each side of an offset that is shown.
const REACH: usize = 16 << 10;

pub(crate) struct Around {
    /// Whole lines around the offset (the first may start inside its line
    /// when that line is longer than the reach), invalid UTF-8 blanked.
    pub text: String,
    /// File offset of `text`.
    pub base: usize,
    /// 0-based line of `text`'s first line.
    pub first_line: usize,
    /// Bytes of its line before `text` starts.
    pub column_bytes: usize,
    /// Where the offset is, counted over the whole file.
    pub pos: LineCol,
}

/// Where an offset is: its 0-based line, that line's start, and the scalar
/// values on it before the offset.
#[derive(Clone, Copy, Default)]
struct Count {
    line: usize,
    line_start: usize,
    column: usize,
}

impl Count {
    fn advance(&mut self, from: usize, bytes: &[u8]) {
        let tail = match memchr::memrchr(b'\n', bytes) {
            Some(p) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count();
                self.line_start = from + p + 1;
                self.column = 0;
                &bytes[p + 1..]
            }
            None => bytes,
        };
        self.column += tail.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    }

    fn pos(self) -> LineCol {
        LineCol {
            line: self.line + 1,
            column: self.column + 1,
        }
    }
}

/// The position of each of `offsets` (ascending), and the lines around
/// those for which `shown` is true.
pub(crate) fn around(
    file: &DataFile,
    offsets: &[u64],
    shown: impl Fn(usize) -> bool,
) -> io::Result<Vec<(LineCol, Option<Around>)>> {
    let f = std::fs::File::open(&file.path)?;
    let mut reader: Box<dyn Read> = if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(f)))
    } else {
        Box::new(f)
    };
    let offsets: Vec<usize> = offsets
        .iter()
        .map(|&o| usize::try_from(o).unwrap_or(usize::MAX))
        .collect();
    let windows: Vec<usize> = (0..offsets.len()).filter(|&i| shown(i)).collect();
    let mut counts: Vec<Count> = Vec::with_capacity(offsets.len());
    let mut out: Vec<Option<Around>> = (0..offsets.len()).map(|_| None).collect();
    let mut count = Count::default();
    // Bytes from `kept_from` on, for the windows not yet cut.
    let mut kept = Vec::new();
    let mut kept_from = windows
        .first()
        .map_or(usize::MAX, |&i| offsets[i].saturating_sub(REACH));
    let mut next_window = 0;
    let mut buf = vec![0u8; 64 << 10];
    let mut pos = 0usize;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        let mut counted = 0;
        while counts.len() < offsets.len() && (offsets[counts.len()] < pos + n || n == 0) {
            let upto = offsets[counts.len()].saturating_sub(pos).clamp(counted, n);
            count.advance(pos + counted, &chunk[counted..upto]);
            counted = upto;
            counts.push(count);
        }
        count.advance(pos + counted, &chunk[counted..]);
        if pos + n > kept_from {
            kept.extend_from_slice(&chunk[kept_from.saturating_sub(pos)..]);
        }
        pos += n;
        while let Some(&i) = windows.get(next_window) {
            if offsets[i].saturating_add(REACH) > pos && n > 0 {
                break;
            }
            out[i] = Some(cut(&kept, kept_from, offsets[i], counts[i]));
            next_window += 1;
            // Only what the next window reaches back to stays.
            let from = windows
                .get(next_window)
                .map_or(usize::MAX, |&j| offsets[j].saturating_sub(REACH));
            if from > kept_from {
                kept.drain(..(from - kept_from).min(kept.len()));
                kept_from = from;
            }
        }
        if n == 0 {
            break;
        }
    }
    Ok(counts.into_iter().map(|c| c.pos()).zip(out).collect())
}

/// The lines around `offset`, from the bytes kept from `kept_from` on.
fn cut(kept: &[u8], kept_from: usize, offset: usize, count: Count) -> Around {
    let lo = offset.saturating_sub(REACH).max(kept_from);
    let kept = &kept[(lo - kept_from).min(kept.len())..];
    let kept = &kept[..kept.len().min(offset.saturating_add(REACH) - lo)];
    let at = offset.saturating_sub(lo).min(kept.len());
    let before = &kept[..at];
    let line = count.line;
    let (mut start, first_line) = match memchr::memrchr(b'\n', before) {
        Some(p) => match memchr::memrchr(b'\n', &before[..p]) {
            Some(q) => (q + 1, line.saturating_sub(1)),
            None if lo == 0 => (0, line.saturating_sub(1)),
            None => (p + 1, line),
        },
        None => (0, line),
    };
    // Whole characters only, at both ends.
    while start < at && (0x80..0xC0).contains(&kept[start]) {
        start += 1;
    }
    let next = memchr::memchr(b'\n', &kept[at..]).map(|i| at + i);
    let end = next
        .and_then(|n| memchr::memchr(b'\n', &kept[n + 1..]).map(|i| n + 1 + i))
        .unwrap_or(kept.len());
    let mut bytes = kept[start..end.max(start)].to_vec();
    if let Err(e) = std::str::from_utf8(&bytes) {
        if e.error_len().is_none() {
            bytes.truncate(e.valid_up_to());
        }
    }
    crate::source::blank_invalid_lines_in_place(&mut bytes);
    let column_bytes = if first_line == line {
        (lo + start).saturating_sub(count.line_start)
    } else {
        0
    };
    Around {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        base: lo + start,
        first_line,
        column_bytes,
        pos: count.pos(),
    }
}
