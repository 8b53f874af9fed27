//! Streaming a file through the loader block by block, so that a run holds
//! the current block and the compact records, never the whole text.
//!
//! An NDJSON file's bad lines (a syntax error, invalid UTF-8, nesting too
//! deep) are input errors of their records and its duplicate keys are
//! notes, both found here with the lines around them: a production export
//! with a few bad lines is streamed like a clean one. In a document or an
//! array file, at the first thing it would have to report (a syntax error,
//! invalid UTF-8, nesting too deep, a duplicate key or member, a metadata
//! problem) or at a read error, the stream gives up, and the caller reads
//! the file whole to salvage and locate what it can.

use std::collections::HashSet;
use std::io::Read;

use rayon::prelude::*;

use super::container::{Holds, Task};
use super::file::MAX_ERRORS_SHOWN;
use super::file::{escape, unknown, FileOut, CHUNK};
use super::json;
use super::line_errors::LineErrors;
use super::meta;
use super::model::{ByteSpan, DataFile, FileId};
use super::validate::{Chunk, Validator};
use super::{diagnostic, reread};
use crate::schema::{Need, Schema};

/// The stream cannot go on; the file is read whole instead.
#[derive(Debug)]
pub(crate) struct GiveUp;

type Step<T = ()> = Result<T, GiveUp>;

/// Bytes consumed before the records read so far are checked and their
/// text dropped, when the caller does not choose.
pub const DEFAULT_BLOCK: usize = 8 << 20;

/// A window on the file: `buf` holds its bytes from offset `base` on.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    base: u64,
    pos: usize,
    read_size: usize,
    eof: bool,
}

impl<R: Read> Scanner<R> {
    /// Appends the next bytes of the file; false at its end.
    fn more(&mut self) -> Step<bool> {
        if self.eof {
            return Ok(false);
        }
        let len = self.buf.len();
        self.buf.resize(len + self.read_size, 0);
        loop {
            match self.reader.read(&mut self.buf[len..]) {
                Ok(0) => {
                    self.buf.truncate(len);
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.truncate(len + n);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.buf.truncate(len);
                    return Err(GiveUp);
                }
            }
        }
    }

    /// Makes `buf[i]` available; false when the file ends before it.
    fn reach(&mut self, i: usize) -> Step<bool> {
        while i >= self.buf.len() {
            if !self.more()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The next byte that is not JSON whitespace, left unconsumed.
    fn skip_ws(&mut self) -> Step<Option<u8>> {
        loop {
            if !self.reach(self.pos)? {
                return Ok(None);
            }
            match self.buf[self.pos] {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b => return Ok(Some(b)),
            }
        }
    }

    fn expect(&mut self, b: u8) -> Step {
        if self.skip_ws()? != Some(b) {
            return Err(GiveUp);
        }
        self.pos += 1;
        Ok(())
    }

    /// Forgets the bytes before `pos`.
    fn compact(&mut self) {
        self.buf.drain(..self.pos);
        self.base += self.pos as u64;
        self.pos = 0;
    }

    /// End (exclusive) of the string whose opening quote is at `start`.
    fn string_end(&mut self, start: usize) -> Step<usize> {
        let mut i = start + 1;
        loop {
            if !self.reach(i)? {
                return Err(GiveUp);
            }
            match memchr::memchr2(b'"', b'\\', &self.buf[i..]) {
                Some(j) if self.buf[i + j] == b'\\' => i += j + 2,
                Some(j) => return Ok(i + j + 1),
                None => i = self.buf.len(),
            }
        }
    }

    /// The value at `pos` (whitespace skipped): its range in `buf` and how
    /// deep its brackets nest. Only its extent is found here; its syntax is
    /// checked when it is parsed.
    fn value(&mut self) -> Step<(usize, usize, usize)> {
        let start = self.pos;
        if !self.reach(start)? {
            return Err(GiveUp);
        }
        let mut i = start;
        let mut deepest = 0;
        match self.buf[start] {
            b'"' => i = self.string_end(start)?,
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    if !self.reach(i)? {
                        return Err(GiveUp);
                    }
                    match self.buf[i] {
                        b'"' => {
                            i = self.string_end(i)?;
                            continue;
                        }
                        b'{' | b'[' => {
                            depth += 1;
                            deepest = deepest.max(depth);
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {
                while self.reach(i)? {
                    match self.buf[i] {
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
                if i == start {
                    return Err(GiveUp);
                }
            }
        }
        self.pos = i;
        Ok((start, i, deepest))
    }
}

/// Records found in the window, not yet checked.
struct Pending {
    coll: usize,
    file: FileId,
    /// Ordinal of the first pending record in its array or file.
    ordinal: u32,
    /// Ranges in the scanner's buffer.
    ranges: Vec<(usize, usize)>,
    /// NDJSON lines are checked for depth here; array elements were
    /// measured by the scanner.
    lines: bool,
}

/// Blocks of at least this many bytes (or of the whole block size, when it
/// is smaller) are checked while the next is scanned; smaller ones, the end
/// of a file, where they are scanned.
const PIPELINED: usize = 1 << 20;

/// A block of records handed to the workers, its bytes copied out of the
/// scanner's window so that the scanner reads on while they are checked.
struct Block {
    /// The file's bytes from `base` on.
    bytes: Vec<u8>,
    base: u64,
    /// Record ranges in `bytes`.
    ranges: Vec<(usize, usize)>,
    coll: usize,
    file: FileId,
    ordinal: u32,
    lines: bool,
    prefix: String,
}

/// What checking a block found.
struct Checked {
    chunks: Vec<Chunk>,
    /// NDJSON bad lines: file offset and message, in file order.
    errors: Vec<(u64, String)>,
    dups: Vec<super::validate::DupKey>,
}

struct Stream<'a, 's, R> {
    sc: Scanner<R>,
    /// Blocks are checked on other threads while the next is scanned: the
    /// scan, the absorbing of checked records and the checking overlap.
    scope: &'s std::thread::Scope<'s, 'a>,
    inflight: Option<std::thread::ScopedJoinHandle<'s, Step<Checked>>>,
    task: &'a Task,
    schema: &'a Schema,
    needs: &'a [Need],
    max_depth: usize,
    block: usize,
    sink: Option<&'a super::SinkRef>,
    out: FileOut,
    pending: Pending,
    /// An NDJSON file's bad lines (file offset, message), shown up to a
    /// limit and counted past it, and its duplicate keys: located and shown
    /// once the file is read.
    bad_lines: Vec<(u64, String)>,
    hidden: usize,
    dups: Vec<super::validate::DupKey>,
}

/// Loads a document, an array file or an NDJSON file by streaming it;
/// `None` when it must be read whole instead.
pub(crate) fn process(
    task: &Task,
    schema: &Schema,
    needs: &[Need],
    max_depth: usize,
    block: usize,
    sink: Option<&super::SinkRef>,
) -> Option<FileOut> {
    let file = std::fs::File::open(&task.path).ok()?;
    let block = block.max(1);
    let mut read_size = block.clamp(16, 1 << 20);
    let mut capacity = block + read_size;
    // A small file gets a buffer of its size: zero-filling 1 MiB (and
    // reserving the whole block) for each of 10,000 small files cost far
    // more than reading them. A gzip file's size says nothing of its text.
    if let (false, Ok(m)) = (task.gzip, file.metadata()) {
        let whole = usize::try_from(m.len())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        read_size = read_size.min(whole).max(16);
        capacity = capacity.min(whole.max(16));
    }
    let reader: Box<dyn Read> = if task.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(file)
    };
    std::thread::scope(|scope| {
        let mut s = Stream {
            scope,
            inflight: None,
            sc: Scanner {
                reader,
                buf: Vec::with_capacity(capacity),
                base: 0,
                pos: 0,
                read_size,
                eof: false,
            },
            task,
            schema,
            needs,
            max_depth,
            block,
            sink,
            out: FileOut::default(),
            pending: Pending {
                coll: 0,
                file: 0,
                ordinal: 0,
                ranges: Vec::new(),
                lines: false,
            },
            bad_lines: Vec::new(),
            hidden: 0,
            dups: Vec::new(),
        };
        s.out.files.push(s.data_file(String::new()));
        let done = match task.holds {
            Holds::Document => s.document(),
            Holds::Array(coll) => s.array_file(coll),
            Holds::Lines(coll) => s.lines(coll),
            Holds::RootExport | Holds::Unknown(_) => Err(GiveUp),
        };
        done.ok().map(|()| s.out)
    })
}

impl<R: Read> Stream<'_, '_, R> {
    fn data_file(&self, pointer_prefix: String) -> DataFile {
        DataFile {
            display: self.task.display.clone(),
            path: self.task.path.clone(),
            pointer_prefix,
            gzip: self.task.gzip,
        }
    }

    fn end_of_file(&mut self) -> Step {
        match self.sc.skip_ws()? {
            None => Ok(()),
            Some(_) => Err(GiveUp),
        }
    }

    fn array_file(&mut self, coll: usize) -> Step {
        self.elements(coll, 0, 1)?;
        self.end_of_file()
    }

    fn document(&mut self) -> Step {
        self.sc.expect(b'{')?;
        let mut names = HashSet::new();
        if self.sc.skip_ws()? == Some(b'}') {
            self.sc.pos += 1;
            return self.end_of_file();
        }
        loop {
            if self.sc.skip_ws()? != Some(b'"') {
                return Err(GiveUp);
            }
            let start = self.sc.pos;
            let end = self.sc.string_end(start)?;
            self.sc.pos = end;
            let name: String =
                serde_json::from_slice(&self.sc.buf[start..end]).map_err(|_| GiveUp)?;
            // A member given twice is reported with its line: read whole.
            if !names.insert(name.clone()) {
                return Err(GiveUp);
            }
            self.sc.expect(b':')?;
            self.sc.skip_ws()?;
            let pointer = format!("/{}", escape(&name));
            if name == "export" {
                self.meta(pointer)?;
            } else if let Some(coll) = self.schema.collection(&name) {
                self.out.files.push(self.data_file(pointer));
                let file = self.out.files.len() - 1;
                self.elements(coll, file, 2)?;
            } else {
                let (start, end, deepest) = self.sc.value()?;
                if deepest + 1 > self.max_depth {
                    return Err(GiveUp);
                }
                serde_json::from_slice::<serde::de::IgnoredAny>(&self.sc.buf[start..end])
                    .map_err(|_| GiveUp)?;
                let span = self.span(start, end);
                let finding = unknown(self.schema, &name, 0, span, pointer);
                self.out.findings.push(finding);
            }
            match self.sc.skip_ws()? {
                Some(b',') => self.sc.pos += 1,
                Some(b'}') => {
                    self.sc.pos += 1;
                    break;
                }
                _ => return Err(GiveUp),
            }
        }
        self.end_of_file()
    }

    fn span(&self, start: usize, end: usize) -> ByteSpan {
        ByteSpan {
            start: self.sc.base + start as u64,
            end: self.sc.base + end as u64,
        }
    }

    fn meta(&mut self, pointer: String) -> Step {
        let (start, end, deepest) = self.sc.value()?;
        if deepest + 1 > self.max_depth {
            return Err(GiveUp);
        }
        let span = self.span(start, end);
        let text = std::str::from_utf8(&self.sc.buf[start..end]).map_err(|_| GiveUp)?;
        let raw = json::parse_one(text).map_err(|_| GiveUp)?;
        let entries = json::object(raw).ok_or(GiveUp)?;
        let (meta, problems) = meta::parse(text, &entries, (0, span, pointer));
        if !problems.is_empty() {
            return Err(GiveUp);
        }
        self.out.meta = Some(meta);
        Ok(())
    }

    /// The records of one array, from its `[` to its `]`; `level` is how
    /// deep the array's elements sit in the file.
    fn elements(&mut self, coll: usize, file: FileId, level: usize) -> Step {
        self.sc.expect(b'[')?;
        self.pending = Pending {
            coll,
            file,
            ordinal: 0,
            ranges: Vec::new(),
            lines: false,
        };
        if self.sc.skip_ws()? == Some(b']') {
            self.sc.pos += 1;
            return Ok(());
        }
        loop {
            self.sc.skip_ws()?;
            let (start, end, deepest) = self.sc.value()?;
            if deepest + level > self.max_depth {
                return Err(GiveUp);
            }
            self.pending.ranges.push((start, end));
            match self.sc.skip_ws()? {
                Some(b',') => self.sc.pos += 1,
                Some(b']') => {
                    self.sc.pos += 1;
                    break;
                }
                _ => return Err(GiveUp),
            }
            if self.sc.pos >= self.block {
                self.flush()?;
                self.sc.compact();
            }
        }
        self.flush()?;
        self.settle()
    }

    fn lines(&mut self, coll: usize) -> Step {
        self.pending = Pending {
            coll,
            file: 0,
            ordinal: 0,
            ranges: Vec::new(),
            lines: true,
        };
        // A file in another encoding is one error, not one per line.
        self.sc.reach(63)?;
        let head = &self.sc.buf[..self.sc.buf.len().min(64)];
        if json::decode_text(head).is_err_and(|e| e.message != "invalid UTF-8") {
            return Err(GiveUp);
        }
        let mut from = self.sc.pos;
        loop {
            let found = memchr::memchr(b'\n', &self.sc.buf[from..]).map(|i| from + i);
            let end = match found {
                Some(end) => end,
                None => {
                    let searched = self.sc.buf.len();
                    if self.sc.more()? {
                        from = searched;
                        continue;
                    }
                    searched
                }
            };
            let mut line_end = end;
            if line_end > self.sc.pos && self.sc.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let line = &self.sc.buf[self.sc.pos..line_end];
            if !line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                self.pending.ranges.push((self.sc.pos, line_end));
            }
            if end >= self.sc.buf.len() {
                break;
            }
            self.sc.pos = end + 1;
            if self.sc.pos >= self.block {
                self.flush()?;
                self.sc.compact();
            }
            from = self.sc.pos;
        }
        self.sc.pos = self.sc.buf.len();
        self.flush()?;
        self.settle()?;
        self.report_lines(coll)
    }

    /// The input errors of the bad lines and the notes of the duplicate
    /// keys, each with the lines around it read back in one pass.
    fn report_lines(&mut self, coll: usize) -> Step {
        if self.bad_lines.is_empty() && self.dups.is_empty() {
            return Ok(());
        }
        let mut offsets: Vec<u64> = self.bad_lines.iter().map(|b| b.0).collect();
        for d in &self.dups {
            offsets.extend([d.first.start, d.last.start]);
        }
        offsets.sort_unstable();
        offsets.dedup();
        let bad: HashSet<u64> = self.bad_lines.iter().map(|b| b.0).collect();
        let file = self.data_file(String::new());
        let found =
            reread::around(&file, &offsets, |i| bad.contains(&offsets[i])).map_err(|_| GiveUp)?;
        let at = |o: u64| offsets.binary_search(&o).ok().map(|i| &found[i]);
        let name = &self.task.display;
        for (offset, message) in std::mem::take(&mut self.bad_lines) {
            let Some((pos, Some(around))) = at(offset) else {
                return Err(GiveUp);
            };
            let report = diagnostic::at_in(name, around, offset as usize, 1, &message);
            let lost = format!("the record on line {}", pos.line);
            self.out.errors.push(diagnostic::losing(report, lost));
            self.out.lost.push(coll);
        }
        if let Some(rest) = LineErrors::rest_of(self.hidden, name) {
            self.out.errors.push(rest);
            self.out.lost.push(coll);
        }
        for d in std::mem::take(&mut self.dups) {
            let (Some((first, _)), Some((last, _))) = (at(d.first.start), at(d.last.start)) else {
                return Err(GiveUp);
            };
            self.out.notes.push(super::model::Note {
                file: name.clone(),
                message: super::file::dup_message(&d.name, *first, *last),
            });
        }
        Ok(())
    }

    /// Hands the pending records to the workers, then absorbs the block
    /// handed before (in file order) while they check these.
    fn flush(&mut self) -> Step {
        let p = &mut self.pending;
        let (Some(first), Some(last)) = (p.ranges.first(), p.ranges.last()) else {
            return Ok(());
        };
        let (lo, hi) = (first.0, last.1);
        let block = Block {
            bytes: self.sc.buf[lo..hi].to_vec(),
            base: self.sc.base + lo as u64,
            ranges: p.ranges.drain(..).map(|(a, b)| (a - lo, b - lo)).collect(),
            coll: p.coll,
            file: p.file,
            ordinal: p.ordinal,
            lines: p.lines,
            prefix: self.out.files[p.file].pointer_prefix.clone(),
        };
        p.ordinal += block.ranges.len() as u32;
        let (schema, needs, max_depth) = (self.schema, self.needs, self.max_depth);
        // A small block (a small file's whole text) is checked here: a
        // thread per file cost more than the overlap gains on 10,000 files.
        if block.bytes.len() < PIPELINED.min(self.block) {
            self.settle()?;
            let checked = check_block(block, schema, needs, max_depth)?;
            return self.absorb(checked);
        }
        let next = self
            .scope
            .spawn(move || check_block(block, schema, needs, max_depth));
        self.settle()?;
        self.inflight = Some(next);
        Ok(())
    }

    /// Absorbs the block in flight, once checked.
    fn settle(&mut self) -> Step {
        let Some(handle) = self.inflight.take() else {
            return Ok(());
        };
        let checked = handle.join().map_err(|_| GiveUp)??;
        self.absorb(checked)
    }

    fn absorb(&mut self, checked: Checked) -> Step {
        for mut chunk in checked.chunks {
            match self.sink {
                // The sink takes the records while their strings are still
                // the chunk's own; the file keeps their ids and locations.
                Some(sink) => {
                    sink.drain(
                        chunk.coll,
                        &mut chunk.records,
                        &chunk.interner,
                        &self.out.files,
                    );
                    self.out.records.absorb_taken(chunk);
                }
                None => {
                    self.out.records.absorb(chunk);
                }
            }
        }
        for (offset, message) in checked.errors {
            if self.bad_lines.len() < MAX_ERRORS_SHOWN {
                self.bad_lines.push((offset, message));
            } else {
                self.hidden += 1;
            }
        }
        self.dups.extend(checked.dups);
        Ok(())
    }
}

/// Checks one NDJSON line, `(offset in the validator's text, text)`: its
/// record, or the input error that it is (offset, message).
pub(crate) fn check_line(
    v: &Validator<'_>,
    (start, record): (usize, &str),
    ordinal: u32,
    max_depth: usize,
    chunk: &mut Chunk,
) -> Option<(usize, String)> {
    if let Err(off) = json::check_depth(record, 0, max_depth) {
        return Some((
            start + off,
            format!("nesting deeper than {max_depth} levels"),
        ));
    }
    // A line may have blanks around its record.
    match json::parse_one(record) {
        Ok(raw) => {
            v.check_record(raw, ordinal, chunk);
            None
        }
        Err(e) => Some(json::serde_offset(v.text, start, &e)),
    }
}

/// Checks a block's records, in parallel chunks.
fn check_block(mut b: Block, schema: &Schema, needs: &[Need], max_depth: usize) -> Step<Checked> {
    // A line with invalid UTF-8 is its record's error: it is blanked (every
    // offset stays) and reported.
    let mut bad_text: Vec<(usize, usize)> = Vec::new();
    if b.lines && std::str::from_utf8(&b.bytes).is_err() {
        for (i, &(start, end)) in b.ranges.iter().enumerate() {
            if let Err(e) = std::str::from_utf8(&b.bytes[start..end]) {
                bad_text.push((i, start + e.valid_up_to()));
                b.bytes[start..end].fill(b' ');
            }
        }
    }
    let text = std::str::from_utf8(&b.bytes).map_err(|_| GiveUp)?;
    let v = Validator {
        schema,
        coll: b.coll,
        need: &needs[b.coll],
        text,
        base: b.base,
        file: b.file,
        prefix: &b.prefix,
    };
    let (coll, ordinal, lines) = (b.coll, b.ordinal, b.lines);
    let blanked = |i: usize| bad_text.binary_search_by_key(&i, |b| b.0).is_ok();
    type Found = (Chunk, Vec<(usize, String)>);
    let chunks: Vec<Step<Found>> = b
        .ranges
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, ranges)| {
            let mut chunk = Chunk {
                coll,
                ..Chunk::default()
            };
            // (offset in the block, message) of each bad line.
            let mut errors = Vec::new();
            for (j, &(start, end)) in ranges.iter().enumerate() {
                let record = text.get(start..end).ok_or(GiveUp)?;
                let i = c * CHUNK + j;
                let ordinal = ordinal + i as u32;
                if lines {
                    if blanked(i) {
                        continue;
                    }
                    let line = (start, record);
                    errors.extend(check_line(&v, line, ordinal, max_depth, &mut chunk));
                } else {
                    // An element is exactly its record's text: one pass
                    // both validates it and splits its members.
                    let parsed = json::parse_top(record).map_err(|_| GiveUp)?;
                    let span = ByteSpan {
                        start: v.base + start as u64,
                        end: v.base + end as u64,
                    };
                    v.check_parsed(span, parsed, ordinal, &mut chunk);
                    // Duplicate keys are noted with their lines: read whole.
                    if !chunk.dups.is_empty() {
                        return Err(GiveUp);
                    }
                }
            }
            Ok((chunk, errors))
        })
        .collect();
    let mut errors: Vec<(usize, String)> = bad_text
        .iter()
        .map(|&(_, off)| (off, "invalid UTF-8".to_string()))
        .collect();
    let mut out = Checked {
        chunks: Vec::with_capacity(chunks.len()),
        errors: Vec::new(),
        dups: Vec::new(),
    };
    for chunk in chunks {
        let (mut chunk, found) = chunk?;
        errors.extend(found);
        out.dups.append(&mut chunk.dups);
        out.chunks.push(chunk);
    }
    errors.sort_by_key(|e| e.0);
    out.errors = errors
        .into_iter()
        .map(|(off, m)| (b.base + off as u64, m))
        .collect();
    Ok(out)
}
