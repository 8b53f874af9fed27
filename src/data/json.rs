//! The JSON layer: strict syntax checking with positions, and borrowed views
//! (`&RawValue`) whose byte ranges are recovered against the file text, so
//! that no tree of heap values is ever built.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::model::ByteSpan;

/// Nesting allowed when the caller does not say otherwise.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// A syntax error, with its position in the text (1-based line, column in
/// Unicode scalar values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for JsonError {}

/// Checks that `bytes` is one strict RFC 8259 JSON text nested at most
/// [`DEFAULT_MAX_DEPTH`] deep.
pub fn check_json_syntax(bytes: &[u8]) -> Result<(), JsonError> {
    check_json_syntax_depth(bytes, DEFAULT_MAX_DEPTH)
}

pub fn check_json_syntax_depth(bytes: &[u8], max_depth: usize) -> Result<(), JsonError> {
    let text = decode_text(bytes)?;
    check_depth(text, 0, max_depth).map_err(|off| depth_error(text, off, max_depth))?;
    serde_json::from_str::<de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| from_serde(text, 0, &e))
}

/// The file as text: UTF-8 without a byte order mark. A BOM is refused
/// rather than skipped so that byte offsets stay offsets into the file.
pub fn decode_text(bytes: &[u8]) -> Result<&str, JsonError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(JsonError {
            offset: 0,
            line: 1,
            column: 1,
            message: "file starts with a byte order mark".into(),
        });
    }
    if let Some(order) = utf16(bytes) {
        return Err(JsonError {
            offset: 0,
            line: 1,
            column: 1,
            message: format!("the file is UTF-16 ({order}), not UTF-8: save it as UTF-8"),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let (line, column) = position(valid, offset);
        JsonError {
            offset,
            line,
            column,
            message: "invalid UTF-8".into(),
        }
    })
}

/// The byte order of a UTF-16 text: by its byte order mark, or by the NUL
/// beside each ASCII character that UTF-16 writes and JSON text never has.
fn utf16(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some("little-endian"),
        [0xFE, 0xFF, ..] => return Some("big-endian"),
        _ => {}
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = || head.chunks_exact(2);
    if pairs().all(|p| p[1] == 0 && p[0] != 0) {
        Some("little-endian")
    } else if pairs().all(|p| p[0] == 0 && p[1] != 0) {
        Some("big-endian")
    } else {
        None
    }
}

/// 1-based line and column (in chars) of `offset` in `text`.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text.as_bytes()[..offset];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    (line, text[line_start..offset].chars().count() + 1)
}

pub fn error_at(text: &str, offset: usize, message: impl Into<String>) -> JsonError {
    let (line, column) = position(text, offset);
    JsonError {
        offset,
        line,
        column,
        message: message.into(),
    }
}

fn depth_error(text: &str, offset: usize, max_depth: usize) -> JsonError {
    error_at(
        text,
        offset,
        format!("nesting deeper than {max_depth} levels"),
    )
}

/// Converts a serde_json error on `text[base..]` into a position in `text`.
pub fn from_serde(text: &str, base: usize, e: &serde_json::Error) -> JsonError {
    let (offset, message) = serde_offset(text, base, e);
    error_at(text, offset, message)
}

/// The offset in `text` of a serde_json error on `text[base..]`, and its
/// message: without the line and column, which cost a scan from the start
/// of `text` (many errors of one file are located in one pass instead).
pub fn serde_offset(text: &str, base: usize, e: &serde_json::Error) -> (usize, String) {
    let sub = &text[base..];
    let mut offset = sub.len();
    if e.line() > 0 {
        let starts = memchr::memchr_iter(b'\n', sub.as_bytes()).map(|i| i + 1);
        let line_start = std::iter::once(0)
            .chain(starts)
            .nth(e.line() - 1)
            .unwrap_or(sub.len());
        offset = (line_start + e.column().saturating_sub(1)).min(sub.len());
    }
    let mut message = e.to_string();
    // serde_json appends its own (byte-based) position; ours replaces it.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    // A NUL is no token at all; serde_json names what it expected instead
    // ("key must be a string"), which points nowhere near the cause.
    let at = |o: usize| text.as_bytes().get(base + o).copied();
    if at(offset) == Some(0) || (offset > 0 && at(offset - 1) == Some(0)) {
        let o = if at(offset) == Some(0) {
            offset
        } else {
            offset - 1
        };
        return (base + o, "a NUL byte outside a string".into());
    }
    (base + offset, plain(&message))
}

/// serde_json's wording, made plainer for people who are not JSON parsers.
fn plain(message: &str) -> String {
    let message = match message {
        "expected ident" => "invalid literal: expected `true`, `false` or `null`",
        "expected value" => "expected a JSON value",
        m => m,
    };
    message.replace("EOF while parsing", "unexpected end of file while parsing")
}

/// Scans the brackets of `text` (skipping strings) and returns the offset of
/// the first one that opens a level deeper than `max_depth`. `depth` is the
/// nesting the text starts at.
pub fn check_depth(text: &str, depth: usize, max_depth: usize) -> Result<(), usize> {
    let b = text.as_bytes();
    let mut depth = depth;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    // A backslash may be the last byte of a malformed text.
                    let rest = b.get(i..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(j) if b[i + j] == b'\\' => i += j + 2,
                        Some(j) => {
                            i += j + 1;
                            break;
                        }
                        None => return Ok(()),
                    }
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Byte range of a borrowed raw value inside `text`.
pub fn span_of(text: &str, raw: &RawValue) -> ByteSpan {
    let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
    ByteSpan {
        start: start as u64,
        end: (start + raw.get().len()) as u64,
    }
}

/// The JSON kind of a raw value, from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

pub fn kind(raw: &RawValue) -> Kind {
    match raw.get().as_bytes().first() {
        Some(b'n') => Kind::Null,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'"') => Kind::String,
        Some(b'[') => Kind::Array,
        Some(b'{') => Kind::Object,
        _ => Kind::Number,
    }
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// The content of a raw string value, borrowed when it has no escapes.
pub fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    let s = raw.get();
    if kind(raw) != Kind::String {
        return None;
    }
    if !s.contains('\\') && s.len() >= 2 {
        return Some(Cow::Borrowed(&s[1..s.len() - 1]));
    }
    serde_json::from_str::<String>(s).ok().map(Cow::Owned)
}

/// An object's members in text order, values left raw.
pub type Entries<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

pub fn object(raw: &RawValue) -> Option<Entries<'_>> {
    if kind(raw) != Kind::Object {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_map(EntriesVisitor).ok()
}

pub fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    if kind(raw) != Kind::Array {
        return None;
    }
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()
}

/// A top-level JSON text, one level deep.
pub enum Top<'a> {
    Object(Entries<'a>),
    Array(Vec<&'a RawValue>),
    /// A scalar; its kind, for the message.
    Other(Kind),
}

/// Parses a whole JSON text one level deep, validating all of it.
pub fn parse_top(text: &str) -> Result<Top<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let top = de.deserialize_any(TopVisitor)?;
    de.end()?;
    Ok(top)
}

/// Parses one record (an NDJSON line), validating all of it.
pub fn parse_one(text: &str) -> Result<&RawValue, serde_json::Error> {
    serde_json::from_str::<&RawValue>(text)
}

/// What a text that does not parse held before its first error: the
/// complete records a truncated file still gives.
#[derive(Default)]
pub struct Salvaged<'a> {
    /// The top level was an object (a document), not an array.
    pub document: bool,
    /// The top-level array's complete elements.
    pub array: Vec<&'a RawValue>,
    /// A document's members up to the error: whole, or an array cut short.
    pub members: Vec<(Cow<'a, str>, Member<'a>)>,
}

pub enum Member<'a> {
    Whole(&'a RawValue),
    /// A collection's array: its complete elements, and whether the error
    /// came after its end.
    Array {
        items: Vec<&'a RawValue>,
        complete: bool,
    },
}

/// Reads `text` up to its first error. Members that `is_collection` names
/// are read element by element, so that an error inside one keeps the
/// elements before it; other members are kept only when whole.
pub fn salvage<'a>(text: &'a str, is_collection: &dyn Fn(&str) -> bool) -> Salvaged<'a> {
    let out = std::cell::RefCell::new(Salvaged::default());
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = de.deserialize_any(SalvageVisitor {
        out: &out,
        is_collection,
    });
    out.into_inner()
}

struct SalvageVisitor<'s, 'a> {
    out: &'s std::cell::RefCell<Salvaged<'a>>,
    is_collection: &'s dyn Fn(&str) -> bool,
}

impl<'de> Visitor<'de> for SalvageVisitor<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or an object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<&'de RawValue>()? {
            self.out.borrow_mut().array.push(v);
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.borrow_mut().document = true;
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if (self.is_collection)(&k) {
                let i = {
                    let mut out = self.out.borrow_mut();
                    let items = Vec::new();
                    let member = Member::Array {
                        items,
                        complete: false,
                    };
                    out.members.push((k, member));
                    out.members.len() - 1
                };
                map.next_value_seed(PartialSeed { out: self.out, i })?;
                if let Member::Array { complete, .. } = &mut self.out.borrow_mut().members[i].1 {
                    *complete = true;
                }
            } else {
                let v: &'de RawValue = map.next_value()?;
                self.out.borrow_mut().members.push((k, Member::Whole(v)));
            }
        }
        Ok(())
    }
}

/// A collection member's array, element by element, into `members[i]`.
struct PartialSeed<'s, 'a> {
    out: &'s std::cell::RefCell<Salvaged<'a>>,
    i: usize,
}

impl<'de> DeserializeSeed<'de> for PartialSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PartialSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<&'de RawValue>()? {
            if let Member::Array { items, .. } = &mut self.out.borrow_mut().members[self.i].1 {
                items.push(v);
            }
        }
        Ok(())
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // As bytes: a key with a lone surrogate escape (`"\ud800"`) is then
        // a key with U+FFFD instead of an error that made the whole record
        // read as "not an object".
        d.deserialize_bytes(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        Ok(String::from_utf8_lossy(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Cow::Owned(String::from_utf8_lossy(v).into_owned()))
    }
}

fn visit_entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Entries<'de>, A::Error> {
    let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
    while let Some(k) = map.next_key_seed(KeySeed)? {
        let v: &'de RawValue = map.next_value()?;
        out.push((k, v));
    }
    Ok(out)
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        visit_entries(map)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        visit_entries(map).map(Top::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1024));
        while let Some(v) = seq.next_element::<&'de RawValue>()? {
            out.push(v);
        }
        Ok(Top::Array(out))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::Null))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::Bool))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::Number))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::Number))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::Number))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Top::Other(Kind::String))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars() {
        let e = check_json_syntax("{\"é\": tru}".as_bytes()).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.column >= 7, "{e:?}");
        let e = check_json_syntax(b"[1,\n  2,\n  x]").unwrap_err();
        assert_eq!((e.line, e.column), (3, 3));
    }

    #[test]
    fn bom_and_depth_are_refused() {
        assert!(check_json_syntax(b"\xEF\xBB\xBF{}").is_err());
        let deep = "[".repeat(100_000);
        let e = check_json_syntax(deep.as_bytes()).unwrap_err();
        assert_eq!(e.offset, DEFAULT_MAX_DEPTH);
        assert!(check_json_syntax(b"[[[\"[[[[\"]]]").is_ok());
    }

    #[test]
    fn borrowed_spans() {
        let text = r#"{"a": [1, 2], "b\u0041": "x"}"#;
        let Ok(Top::Object(e)) = parse_top(text) else {
            panic!()
        };
        assert_eq!(e[1].0, "bA");
        assert_eq!(span_of(text, e[0].1), ByteSpan { start: 6, end: 12 });
    }
}
