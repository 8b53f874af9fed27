//! Finds again, in a record's text, the field a violation points at.
//!
//! Records keep their own span but not their fields' (16 bytes on each of
//! millions of fields, for the few that violations name). A violation's
//! field is found by reading its record's bytes once more and following
//! the pointer, the last of duplicate keys winning as when loading.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use serde_json::value::RawValue;

use crate::data::json;
use crate::data::model::{ByteSpan, DataFile, FileId};

/// A field to find: its record's file and span, and its pointer inside
/// the record (`/kyc/verified_at`, `/products/2`).
pub struct Wanted<'a> {
    pub file: FileId,
    pub record: ByteSpan,
    pub pointer: &'a str,
}

/// The span of each wanted field, `None` when it is not in the text (or
/// the file can no longer be read).
pub fn field_spans(files: &[DataFile], wanted: &[Wanted<'_>]) -> Vec<Option<ByteSpan>> {
    let mut out = vec![None; wanted.len()];
    // By path: the collections of a whole document are data files of one
    // path, read once for all of them.
    let mut by_file: HashMap<&std::path::Path, (&DataFile, Vec<usize>)> = HashMap::new();
    for (i, w) in wanted.iter().enumerate() {
        let Some(f) = files.get(w.file) else { continue };
        by_file
            .entry(f.path.as_path())
            .or_insert((f, Vec::new()))
            .1
            .push(i);
    }
    for (f, mut items) in by_file.into_values() {
        items.sort_by_key(|&i| wanted[i].record.start);
        let Ok(mut reader) = RecordReader::open(f) else {
            continue;
        };
        // The fields of one record are found in one parse of it, each
        // array or object split once however many of its members are wanted.
        let mut k = 0;
        while k < items.len() {
            let record = wanted[items[k]].record;
            let end = items[k..]
                .iter()
                .position(|&i| wanted[i].record != record)
                .map_or(items.len(), |p| k + p);
            if let Some(text) = reader.read(record) {
                let mut tree = Tree::new(&text);
                for &i in &items[k..end] {
                    out[i] = tree.find(wanted[i].pointer).map(|s| ByteSpan {
                        start: record.start + s.start,
                        end: record.start + s.end,
                    });
                }
            }
            k = end;
        }
    }
    out
}

/// Reads byte ranges of a file in increasing order; a gzipped file is
/// decompressed once, forward.
struct RecordReader {
    inner: Box<dyn BufRead>,
    /// Offset of the next byte `inner` gives.
    at: u64,
    /// Unbuffered: a record is read with one seek and one read of its
    /// bytes. A buffer refilled after every seek read 64 KiB per record,
    /// 1.7 GB for the 26,000 records of a 130 MB export.
    seekable: Option<std::fs::File>,
}

impl RecordReader {
    fn open(f: &DataFile) -> std::io::Result<RecordReader> {
        let file = std::fs::File::open(&f.path)?;
        if f.gzip {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            return Ok(RecordReader {
                inner: Box::new(BufReader::with_capacity(1 << 16, gz)),
                at: 0,
                seekable: None,
            });
        }
        Ok(RecordReader {
            inner: Box::new(std::io::empty()),
            at: 0,
            seekable: Some(file),
        })
    }

    fn read(&mut self, span: ByteSpan) -> Option<String> {
        let len = usize::try_from(span.end.checked_sub(span.start)?).ok()?;
        let mut buf = vec![0; len];
        match &mut self.seekable {
            Some(file) => {
                file.seek(SeekFrom::Start(span.start)).ok()?;
                file.read_exact(&mut buf).ok()?;
            }
            None => {
                let skip = span.start.checked_sub(self.at)?;
                std::io::copy(&mut (&mut self.inner).take(skip), &mut std::io::sink()).ok()?;
                self.inner.read_exact(&mut buf).ok()?;
                self.at = span.end;
            }
        }
        String::from_utf8(buf).ok()
    }
}

/// A record's text parsed once, with the containers split so far, by the
/// offset where each starts.
struct Tree<'t> {
    text: &'t str,
    root: Option<&'t RawValue>,
    containers: HashMap<u64, Container<'t>>,
}

enum Container<'t> {
    Object(json::Entries<'t>),
    Array(Vec<&'t RawValue>),
}

impl<'t> Tree<'t> {
    fn new(text: &'t str) -> Self {
        Tree {
            text,
            root: json::parse_one(text).ok(),
            containers: HashMap::new(),
        }
    }

    /// The span, relative to the text, of the value at `pointer` (RFC 6901).
    fn find(&mut self, pointer: &str) -> Option<ByteSpan> {
        let mut raw = self.root?;
        if pointer.is_empty() {
            return None;
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            let at = json::span_of(self.text, raw).start;
            let container = match self.containers.entry(at) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => v.insert(split(raw)?),
            };
            raw = match container {
                Container::Object(entries) => entries
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == token)
                    .map(|(_, v)| *v)?,
                Container::Array(items) => *items.get(token.parse::<usize>().ok()?)?,
            };
        }
        Some(json::span_of(self.text, raw))
    }
}

fn split(raw: &RawValue) -> Option<Container<'_>> {
    match json::kind(raw) {
        json::Kind::Object => json::object(raw).map(Container::Object),
        json::Kind::Array => json::array(raw).map(Container::Array),
        _ => None,
    }
}

#[cfg(test)]
fn find(text: &str, pointer: &str) -> Option<ByteSpan> {
    Tree::new(text).find(pointer)
}

#[cfg(test)]
mod tests {
    use super::find;
    use crate::data::model::ByteSpan;

    fn at(text: &str, pointer: &str) -> Option<String> {
        find(text, pointer).map(|ByteSpan { start, end }| text[start as usize..end as usize].into())
    }

    #[test]
    fn follows_objects_arrays_and_escapes() {
        let t = r#"{"a": {"b~/c": [1, {"d": null}]}, "e": "x", "e": "y"}"#;
        assert_eq!(at(t, "/a/b~0~1c/1/d").as_deref(), Some("null"));
        assert_eq!(at(t, "/a/b~0~1c/0").as_deref(), Some("1"));
        assert_eq!(at(t, "/e").as_deref(), Some("\"y\""), "last duplicate wins");
        assert_eq!(at(t, "/a/b~0~1c/2"), None);
        assert_eq!(at(t, "/missing"), None);
        assert_eq!(at(t, "/e/0"), None);
        assert_eq!(at(t, ""), None);
        assert_eq!(at("{\"a\": 1", "/a"), None, "broken text finds nothing");
    }
}
