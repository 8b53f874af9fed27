//! Reading one export file: bytes (decompressed), syntax, then its records
//! checked in parallel chunks. Everything refers to file ids local to the
//! file's output until the outputs are merged in path order.

use std::io::Read;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::value::RawValue;

use super::container::{Holds, Task};
use super::json::{self, Entries, JsonError, Kind, Top};
use super::line_errors::LineErrors;
use super::merge::Loaded;
use super::model::{ByteSpan, DataFile, FileId, IntegrityFinding, IntegrityKind, Meta, Note};
use super::validate::{Chunk, Validator};
use super::{diagnostic, meta, stream, LoadOptions};
use crate::schema::{CollId, Need, Schema};
use crate::source::{LineCol, TextLines};

/// Records checked per parallel job.
pub(crate) const CHUNK: usize = 2048;
/// Input errors shown per file; the rest are counted in one more.
pub(crate) const MAX_ERRORS_SHOWN: usize = 100;

#[derive(Default)]
pub(crate) struct FileOut {
    pub files: Vec<DataFile>,
    /// The file's records, gathered as their chunks are checked.
    pub records: Loaded,
    /// CD004 findings.
    pub findings: Vec<IntegrityFinding>,
    pub notes: Vec<Note>,
    pub errors: Vec<miette::Report>,
    /// Collections some of whose records an input error kept from being read.
    pub lost: Vec<CollId>,
    /// Metadata, and a conflict or problem already reported.
    pub meta: Option<Meta>,
}

struct Ctx<'a> {
    task: &'a Task,
    schema: &'a Schema,
    needs: &'a [Need],
    max_depth: usize,
    text: &'a str,
    /// Where the text's lines start, found on first use: only errors and
    /// notes need line numbers.
    starts: OnceLock<Vec<usize>>,
    /// Where each NDJSON line that was not UTF-8 (and is blanked) was first
    /// not, ascending: each is its record's input error.
    blanked: Vec<usize>,
    out: FileOut,
}

/// The most text (decompressed) a file is read whole for: a well-formed
/// file is streamed whatever its size, but one the stream gives up on (it
/// holds an error) is read whole to locate its errors, and a gzip bomb or
/// an endless file must end in an error, not in an allocation failure.
pub const MAX_WHOLE_TEXT: u64 = 1 << 30;

fn too_large() -> std::io::Error {
    std::io::Error::other(format!(
        "the file could not be streamed (it holds an error) and its text is larger than {} GiB, \
         the most that is read whole to locate errors",
        MAX_WHOLE_TEXT >> 30
    ))
}

fn read(task: &Task) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(&task.path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if !task.gzip && size > MAX_WHOLE_TEXT {
        return Err(too_large());
    }
    let mut text_size = size;
    if task.gzip {
        // Measured before anything is held: a bomb costs time, not memory.
        let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(&file));
        text_size = std::io::copy(&mut gz.take(MAX_WHOLE_TEXT + 1), &mut std::io::sink())?;
        if text_size > MAX_WHOLE_TEXT {
            return Err(too_large());
        }
        std::io::Seek::rewind(&mut &file)?;
    }
    let mut out = Vec::with_capacity(usize::try_from(text_size).unwrap_or(0).saturating_add(1));
    let reader: Box<dyn Read> = if task.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(file)
    };
    reader.take(MAX_WHOLE_TEXT + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_WHOLE_TEXT {
        return Err(too_large());
    }
    Ok(out)
}

pub(crate) fn process(task: &Task, schema: &Schema, needs: &[Need], opts: &LoadOptions) -> FileOut {
    let max_depth = opts.max_depth;
    let streamable = matches!(
        task.holds,
        Holds::Document | Holds::Array(_) | Holds::Lines(_)
    );
    if streamable && opts.block_size > 0 {
        if let Some(out) = stream::process(
            task,
            schema,
            needs,
            max_depth,
            opts.block_size,
            opts.sink.as_ref(),
        ) {
            return out;
        }
    }
    let mut out = FileOut::default();
    let data_file = |prefix: String| DataFile {
        display: task.display.clone(),
        path: task.path.clone(),
        pointer_prefix: prefix,
        gzip: task.gzip,
    };
    out.files.push(data_file(String::new()));
    if let Holds::Unknown(name) = &task.holds {
        out.findings
            .push(unknown(schema, name, 0, ByteSpan::default(), String::new()));
        return out;
    }
    let bytes = match read(task) {
        Ok(b) => b,
        Err(e) => {
            out.errors
                .push(diagnostic::file(&task.display, format!("cannot read: {e}")));
            out.lost = lost_by(task, schema);
            return out;
        }
    };
    let mut bytes = bytes;
    // The text is held once, as read: lines that are not UTF-8 are blanked
    // in place (every offset stays), not copied into a new text.
    let mut bad_lines = Vec::new();
    let mut whole_error = None;
    match json::decode_text(&bytes) {
        Ok(_) => {}
        // In an NDJSON file a line is a record: a line that is not UTF-8 is
        // that record's input error, as a syntax error in it is.
        Err(e) if matches!(task.holds, Holds::Lines(_)) && e.message == "invalid UTF-8" => {
            bad_lines = crate::source::blank_invalid_lines_in_place(&mut bytes);
            out.lost = lost_by(task, schema);
        }
        Err(e) => {
            crate::source::blank_invalid_lines_in_place(&mut bytes);
            whole_error = Some((e.offset, e.message));
        }
    }
    let mut ctx = Ctx {
        task,
        schema,
        needs,
        max_depth,
        text: std::str::from_utf8(&bytes).unwrap_or_default(),
        starts: OnceLock::new(),
        blanked: Vec::new(),
        out,
    };
    if let Some((offset, message)) = whole_error {
        ctx.error(offset, 1, &message);
        ctx.out.lost = lost_by(task, schema);
        return ctx.out;
    }
    ctx.blanked = bad_lines;
    ctx.run();
    ctx.finish()
}

/// The collections a file that cannot be read at all may have held.
fn lost_by(task: &Task, schema: &Schema) -> Vec<CollId> {
    match task.holds {
        Holds::Array(c) | Holds::Lines(c) => vec![c],
        _ => (0..schema.collections.len()).collect(),
    }
}

/// CD004 for `name`, with a "did you mean" when a declared collection is close.
pub(crate) fn unknown(
    schema: &Schema,
    name: &str,
    file: FileId,
    span: ByteSpan,
    pointer: String,
) -> IntegrityFinding {
    let close = schema
        .collections
        .iter()
        .map(|c| (edit_distance(name, &c.name), &c.name))
        .filter(|(d, c)| *d > 0 && *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d);
    let mut message = format!("unknown collection `{name}`");
    if let Some((_, c)) = close {
        message.push_str(&format!(": did you mean `{c}`?"));
    }
    IntegrityFinding {
        kind: IntegrityKind::UnknownCollection,
        target: None,
        collection: "export".into(),
        id: None,
        key: Some(name.to_owned()),
        file,
        span,
        pointer,
        field: None,
        message,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

pub(crate) fn dup_message(name: &str, first: LineCol, last: LineCol) -> String {
    format!(
        "duplicate key `{name}` at line {} column {} (first at line {} column {}); the last one is used",
        last.line, last.column, first.line, first.column
    )
}

pub(crate) fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

impl Ctx<'_> {
    fn source(&self) -> TextLines<'_> {
        TextLines {
            name: &self.task.display,
            text: self.text,
            base: 0,
            first_line: 0,
            starts: self
                .starts
                .get_or_init(|| crate::source::line_starts(self.text.as_bytes())),
        }
    }

    fn error(&mut self, offset: usize, len: usize, message: &str) {
        let report = diagnostic::at(&self.source(), offset, len, message);
        self.out.errors.push(report);
    }

    fn json_error(&mut self, e: &JsonError) {
        self.error(e.offset, 1, &e.message);
    }

    fn span_error(&mut self, span: ByteSpan, message: &str) {
        let len = (span.end - span.start).min(1 << 20) as usize;
        self.error(span.start as usize, len, message);
    }

    fn run(&mut self) {
        // Lines are checked for depth one by one, as they are parsed.
        if let Holds::Lines(coll) = self.task.holds {
            return self.lines(coll);
        }
        if let Err(off) = json::check_depth(self.text, 0, self.max_depth) {
            let e = json::error_at(
                self.text,
                off,
                format!("nesting deeper than {} levels", self.max_depth),
            );
            self.lose_file();
            return self.json_error(&e);
        }
        let top = match json::parse_top(self.text) {
            Ok(t) => t,
            Err(e) => return self.salvage(&e),
        };
        let start = self.text.len() - self.text.trim_start().len();
        match (&self.task.holds, top) {
            (Holds::Array(coll), Top::Array(items)) => self.records(*coll, 0, &items),
            (Holds::Array(_), Top::Object(_)) => self.file_error(start, "expected an array of records, found an object (only the root `export.json` may hold a whole document)",
            ),
            (Holds::Array(_), Top::Other(k)) => {
                self.file_error(start, &format!("expected an array of records, found {}", k.describe()))
            }
            (Holds::RootExport, Top::Object(entries)) => {
                let is_document = entries
                    .iter()
                    .any(|(k, v)| k == "export" || json::kind(v) == Kind::Array);
                if is_document {
                    self.document(&entries)
                } else {
                    let span = ByteSpan {
                        start: start as u64,
                        end: self.text.trim_end().len() as u64,
                    };
                    self.meta(&entries, span, String::new());
                }
            }
            (Holds::RootExport, Top::Array(_)) => {
                self.file_error(start, "the root `export.json` must be an object, found an array")
            }
            (Holds::RootExport, Top::Other(k)) => self.file_error(start, &format!("the root `export.json` must be an object, found {}", k.describe()),
            ),
            (_, Top::Object(entries)) => self.document(&entries),
            (_, Top::Array(_)) => self.file_error(start, "expected an export document (an object of collections), found an array",
            ),
            (_, Top::Other(k)) => self.file_error(start, &format!(
                    "expected an export document (an object of collections), found {}",
                    k.describe()
                ),
            ),
        }
    }

    /// An error that keeps the whole file from being read.
    fn file_error(&mut self, offset: usize, message: &str) {
        self.lose_file();
        self.error(offset, 1, message);
        if let Some(last) = self.out.errors.pop() {
            let lost = diagnostic::losing(last, "every record of the file");
            self.out.errors.push(lost);
        }
    }

    fn lose_file(&mut self) {
        match self.task.holds {
            Holds::Array(c) | Holds::Lines(c) => self.out.lost.push(c),
            _ => self.out.lost.extend(0..self.schema.collections.len()),
        }
    }

    /// A text that does not parse: the complete records before the error
    /// are still checked, and the error says where the loss begins.
    fn salvage(&mut self, e: &serde_json::Error) {
        let err = json::from_serde(self.text, 0, e);
        let schema = self.schema;
        let s = json::salvage(self.text, &|n| schema.collection(n).is_some());
        let text = self.text;
        // The first record the error cost starts after the last one kept.
        let resume = |after: usize| {
            let skip = text.as_bytes()[after.min(text.len())..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b','))
                .count();
            (after + skip).min(err.offset)
        };
        let from = match (&self.task.holds, s.document) {
            (Holds::Array(coll), false) => {
                let coll = *coll;
                let from = s
                    .array
                    .last()
                    .map_or(err.offset, |l| resume(json::span_of(text, l).end as usize));
                self.records(coll, 0, &s.array);
                self.out.lost.push(coll);
                from
            }
            (Holds::RootExport, true)
                if !s
                    .members
                    .iter()
                    .any(|(k, m)| k == "export" || matches!(m, json::Member::Array { .. })) =>
            {
                let lost = "the export metadata";
                let report = diagnostic::at(&self.source(), err.offset, 1, &err.message);
                self.out.errors.push(diagnostic::losing(report, lost));
                return;
            }
            (Holds::Array(_) | Holds::Lines(_), true) | (_, false) => {
                self.out.lost.extend(0..self.schema.collections.len());
                err.offset
            }
            (_, true) => {
                let mut complete = vec![false; self.schema.collections.len()];
                let mut whole: Entries<'_> = Vec::new();
                let mut from = err.offset;
                for (name, member) in s.members {
                    match member {
                        json::Member::Whole(raw) => whole.push((name, raw)),
                        json::Member::Array {
                            items,
                            complete: done,
                        } => {
                            let Some(coll) = self.schema.collection(&name) else {
                                continue;
                            };
                            if done {
                                complete[coll] = true;
                            } else if let Some(l) = items.last() {
                                from = resume(json::span_of(text, l).end as usize);
                            }
                            self.collection_member(coll, format!("/{}", escape(&name)), &items);
                        }
                    }
                }
                self.document(&whole);
                self.out
                    .lost
                    .extend((0..complete.len()).filter(|&c| !complete[c]));
                from
            }
        };
        let line = self.source().line_col(from).line;
        // The spec's own wording (crm-export.md, the JSON report).
        let lost = format!("from line {line} to the end of the file");
        let report = diagnostic::at(&self.source(), err.offset, 1, &err.message);
        self.out.errors.push(diagnostic::losing(report, lost));
    }

    fn collection_member(&mut self, coll: usize, pointer: String, items: &[&RawValue]) {
        self.out.files.push(DataFile {
            display: self.task.display.clone(),
            path: self.task.path.clone(),
            pointer_prefix: pointer,
            gzip: self.task.gzip,
        });
        let file = self.out.files.len() - 1;
        self.records(coll, file, items);
    }

    fn meta(&mut self, entries: &Entries<'_>, span: ByteSpan, pointer: String) {
        let (meta, problems) = meta::parse(self.text, entries, (0, span, pointer));
        for (span, message) in problems {
            self.span_error(span, &message);
        }
        self.out.meta = Some(meta);
    }

    fn document(&mut self, entries: &Entries<'_>) {
        for (i, (name, raw)) in entries.iter().enumerate() {
            let span = json::span_of(self.text, raw);
            if entries[i + 1..].iter().any(|(k, _)| k == name) {
                let note = format!(
                    "member `{name}` at line {} is given again later; the last one is used",
                    self.source().line_col(span.start as usize).line
                );
                self.note(note);
                continue;
            }
            let pointer = format!("/{}", escape(name));
            if name == "export" {
                match json::object(raw) {
                    Some(meta) => self.meta(&meta, span, pointer),
                    None => {
                        let found = json::kind(raw).describe();
                        self.span_error(
                            span,
                            &format!("`/export` must be an object, found {found}"),
                        );
                    }
                }
                continue;
            }
            let Some(coll) = self.schema.collection(name) else {
                let f = unknown(self.schema, name, 0, span, pointer);
                self.out.findings.push(f);
                continue;
            };
            match json::array(raw) {
                Some(items) => self.collection_member(coll, pointer, &items),
                None => {
                    let found = json::kind(raw).describe();
                    let msg = format!("`{pointer}` must be an array of records, found {found}");
                    self.span_error(span, &msg);
                    self.out.lost.push(coll);
                }
            }
        }
    }

    fn note(&mut self, message: String) {
        self.out.notes.push(Note {
            file: self.task.display.clone(),
            message,
        });
    }

    fn validator(&self, coll: usize, file: FileId) -> Validator<'_> {
        Validator {
            schema: self.schema,
            coll,
            need: &self.needs[coll],
            text: self.text,
            base: 0,
            file,
            prefix: &self.out.files[file].pointer_prefix,
        }
    }

    fn records(&mut self, coll: usize, file: FileId, items: &[&RawValue]) {
        let v = self.validator(coll, file);
        let chunks: Vec<Chunk> = items
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, items)| {
                let mut chunk = Chunk {
                    coll,
                    ..Chunk::default()
                };
                for (j, raw) in items.iter().enumerate() {
                    v.check_record(raw, (c * CHUNK + j) as u32, &mut chunk);
                }
                chunk
            })
            .collect();
        for chunk in chunks {
            self.out.records.absorb(chunk);
        }
    }

    fn lines(&mut self, coll: usize) {
        let text = self.text;
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let end =
                memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
            let line = &text[start..end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            let blanked = self.blanked.binary_search(&start).unwrap_or_else(|i| i);
            let blanked = self.blanked.get(blanked).is_some_and(|&b| b <= end);
            if blanked || !line.trim_matches([' ', '\t', '\r']).is_empty() {
                lines.push((start, line));
            }
            start = end + 1;
        }
        let v = self.validator(coll, 0);
        let max_depth = self.max_depth;
        let blanked = &self.blanked;
        let results: Vec<(Chunk, Vec<(usize, String)>)> = lines
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, lines)| {
                let mut chunk = Chunk {
                    coll,
                    ..Chunk::default()
                };
                let mut errors = Vec::new();
                for (j, (offset, line)) in lines.iter().enumerate() {
                    let b = blanked.partition_point(|&b| b < *offset);
                    if let Some(&b) = blanked.get(b).filter(|&&b| b <= offset + line.len()) {
                        errors.push((b, "invalid UTF-8".to_string()));
                        continue;
                    }
                    let ordinal = (c * CHUNK + j) as u32;
                    let line = (*offset, *line);
                    errors.extend(stream::check_line(&v, line, ordinal, max_depth, &mut chunk));
                }
                (chunk, errors)
            })
            .collect();
        let mut shown = LineErrors::new(MAX_ERRORS_SHOWN);
        for (chunk, errors) in results {
            for (offset, message) in errors {
                if let Some(report) = shown.add(&self.source(), offset, &message) {
                    self.out.errors.push(report);
                }
                self.out.lost.push(coll);
            }
            self.out.records.absorb(chunk);
        }
        if let Some(rest) = shown.rest(&self.task.display) {
            self.out.errors.push(rest);
        }
    }

    fn finish(mut self) -> FileOut {
        let dups = std::mem::take(&mut self.out.records.dups);
        for d in dups {
            let src = self.source();
            let first = src.line_col(d.first.start as usize);
            let last = src.line_col(d.last.start as usize);
            self.note(dup_message(&d.name, first, last));
        }
        self.out
    }
}
