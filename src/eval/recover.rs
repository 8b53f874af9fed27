//! Finds again, in a record's text, the field a violation points at.
//!
//! Records keep their own span but not their fields' (16 bytes on each of
//! millions of fields, for the few that violations name). A violation's
//! field is found by reading its record's bytes once more and following
//! the pointer, the last of duplicate keys winning as when loading.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

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
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, w) in wanted.iter().enumerate() {
        by_file.entry(w.file).or_default().push(i);
    }
    for (file, mut items) in by_file {
        let Some(f) = files.get(file) else { continue };
        items.sort_by_key(|&i| wanted[i].record.start);
        let Ok(mut reader) = RecordReader::open(f) else {
            continue;
        };
        let mut cached: Option<(ByteSpan, String)> = None;
        for i in items {
            let w = &wanted[i];
            if cached.as_ref().is_none_or(|(span, _)| *span != w.record) {
                cached = reader.read(w.record).map(|text| (w.record, text));
            }
            if let Some((span, text)) = &cached {
                out[i] = find(text, w.pointer).map(|s| ByteSpan {
                    start: span.start + s.start,
                    end: span.start + s.end,
                });
            }
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
    seekable: Option<BufReader<std::fs::File>>,
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
            seekable: Some(BufReader::with_capacity(1 << 16, file)),
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

/// The span, relative to `text`, of the value at `pointer` (RFC 6901).
fn find(text: &str, pointer: &str) -> Option<ByteSpan> {
    let mut raw = json::parse_one(text).ok()?;
    if pointer.is_empty() {
        return None;
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        raw = match json::kind(raw) {
            json::Kind::Object => json::object(raw)?
                .into_iter()
                .rev()
                .find(|(k, _)| *k == token)
                .map(|(_, v)| v)?,
            json::Kind::Array => *json::array(raw)?.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(json::span_of(text, raw))
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
