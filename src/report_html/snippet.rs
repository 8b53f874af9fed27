//! The JSON text of a violation's record, redacted, with the offending field
//! marked: what a row of the HTML report shows when expanded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::violation::{DataLocation, FieldLocation};

/// The most of a record's text a report shows (bytes, after redaction).
pub const MAX_SNIPPET: usize = 8 * 1024;

/// What a masked string value becomes.
pub const MASK: &str = "\"•••\"";

/// A record's text cut in three around the offending field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub before: String,
    pub mark: String,
    pub after: String,
    /// Text was left out before `before` / after `after`.
    pub cut_start: bool,
    pub cut_end: bool,
}

impl Snippet {
    pub fn text(&self) -> String {
        [self.before.as_str(), &self.mark, &self.after].concat()
    }
}

/// Reads data files once each and cuts records out of them.
#[derive(Debug, Default)]
pub struct RecordTexts {
    root: Option<PathBuf>,
    files: HashMap<String, Option<Arc<str>>>,
    /// What the policy declares, so that redaction masks what it does not.
    pub vocabulary: Arc<crate::report::Vocabulary>,
}

impl RecordTexts {
    /// `root`: the folder the locations' paths are relative to (None: as given).
    pub fn new(root: Option<PathBuf>) -> Self {
        RecordTexts {
            root,
            files: HashMap::new(),
            vocabulary: Default::default(),
        }
    }

    fn file(&mut self, name: &str) -> Option<Arc<str>> {
        if let Some(text) = self.files.get(name) {
            return text.clone();
        }
        let path = match &self.root {
            Some(root) if Path::new(name).is_relative() => root.join(name),
            _ => PathBuf::from(name),
        };
        let text = crate::source::read_text(&path).ok().map(Arc::from);
        self.files.insert(name.to_string(), text.clone());
        text
    }

    /// The record's text, redacted when `redact`, the field marked; None when
    /// the file cannot be read or the byte range does not fit it.
    pub fn snippet(
        &mut self,
        loc: &DataLocation,
        field: Option<&FieldLocation>,
        redact: bool,
    ) -> Option<Snippet> {
        let text = self.file(&loc.file)?;
        let (start, end) = (to_usize(loc.bytes.0)?, to_usize(loc.bytes.1)?);
        let record = text.get(start..end)?;
        let mark = field.and_then(|f| f.bytes).and_then(|(a, b)| {
            let (a, b) = (to_usize(a)?, to_usize(b)?);
            (start <= a && a <= b && b <= end).then(|| (a - start, b - start))
        });
        Some(make_snippet_keeping(
            record,
            mark,
            redact.then_some(&*self.vocabulary),
            loc.column.saturating_sub(1),
        ))
    }
}

fn to_usize(n: u64) -> Option<usize> {
    usize::try_from(n).ok()
}

/// Redacts, dedents by `indent` columns, cuts to [`MAX_SNIPPET`] around the mark.
pub fn make_snippet(
    record: &str,
    mark: Option<(usize, usize)>,
    redact: bool,
    indent: usize,
) -> Snippet {
    let none = crate::report::Vocabulary::default();
    make_snippet_keeping(record, mark, redact.then_some(&none), indent)
}

/// [`make_snippet`], redacting (when given) by what `vocabulary` declares.
pub fn make_snippet_keeping(
    record: &str,
    mark: Option<(usize, usize)>,
    redact: Option<&crate::report::Vocabulary>,
    indent: usize,
) -> Snippet {
    let (text, mark) = match redact {
        Some(vocabulary) => redact_json_keeping(record, mark, vocabulary),
        None => (record.to_string(), mark),
    };
    let (text, mark) = dedent(&text, mark, indent);
    let (a, b) = mark.unwrap_or((text.len(), text.len()));
    let (lo, hi) = window(&text, a, b);
    let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
    Snippet {
        before: text[lo..a].to_string(),
        mark: text[a..b].to_string(),
        after: text[b..hi].to_string(),
        cut_start: lo > 0,
        cut_end: hi < text.len(),
    }
}

/// The range of `text` to show: all of it when short, else [`MAX_SNIPPET`]
/// bytes from a line start a little before the mark.
fn window(text: &str, a: usize, b: usize) -> (usize, usize) {
    if text.len() <= MAX_SNIPPET {
        return (0, text.len());
    }
    let a = if a >= text.len() { 0 } else { a };
    let want = a.saturating_sub(MAX_SNIPPET / 4);
    let lo = text[..want].rfind('\n').map_or(0, |i| i + 1);
    let mut hi = (lo + MAX_SNIPPET)
        .max(b.min(lo + 4 * MAX_SNIPPET))
        .min(text.len());
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    (lo, hi)
}

/// Removes up to `indent` leading spaces from every line but the first
/// (a pretty-printed record is indented by its place in the file).
fn dedent(
    text: &str,
    mark: Option<(usize, usize)>,
    indent: usize,
) -> (String, Option<(usize, usize)>) {
    if indent == 0 || !text.contains('\n') {
        return (text.to_string(), mark);
    }
    let mut out = String::with_capacity(text.len());
    let map = |pos: usize, out_len: usize, old: &mut Option<usize>, new: &mut usize| {
        if old.is_some_and(|o| o <= pos) {
            *new = out_len;
            *old = None;
        }
    };
    let (mut ma, mut mb) = (mark.map(|m| m.0), mark.map(|m| m.1));
    let (mut na, mut nb) = (0, 0);
    let mut pos = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let skip = if i == 0 {
            0
        } else {
            line.bytes().take(indent).take_while(|&c| c == b' ').count()
        };
        map(pos, out.len(), &mut ma, &mut na);
        map(pos, out.len(), &mut mb, &mut nb);
        // A mark inside the skipped indentation maps to the line's new start.
        map(pos + skip, out.len(), &mut ma, &mut na);
        map(pos + skip, out.len(), &mut mb, &mut nb);
        for (j, _) in line[skip..].char_indices() {
            map(pos + skip + j, out.len() + j, &mut ma, &mut na);
            map(pos + skip + j, out.len() + j, &mut mb, &mut nb);
        }
        out.push_str(&line[skip..]);
        pos += line.len();
    }
    map(pos, out.len(), &mut ma, &mut na);
    map(pos, out.len(), &mut mb, &mut nb);
    (out, mark.map(|_| (na, nb)))
}

/// Keys whose string values are ids (kept when they look like one).
fn is_id_key(key: &str) -> bool {
    key == "id"
        || key == "owner"
        || key == "reviewers"
        || key.ends_with("_id")
        || key.ends_with("_ids")
        || key.ends_with("_by")
}

/// Keys whose string values are enumerations, period labels or codes.
const ENUM_KEYS: &[&str] = &[
    "type",
    "department",
    "stage",
    "status",
    "purpose",
    "channel",
    "acquisition_channel",
    "data_classification",
    "risk_tolerance",
    "risk_level",
    "decision",
    "outcome",
    "recipient_type",
    "method",
    "methods",
    "period",
    "period_label",
    "scope",
    "currency",
    "timezone",
];

/// Keys whose numbers may identify a person.
const PERSONAL_NUMBER: &[&str] = &[
    "phone",
    "mobile",
    "tel",
    "fax",
    "card",
    "passport",
    "account_no",
    "id_no",
    "id_number",
];

fn token_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':' | b'/'))
}

fn timestamp_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 7
        && b.len() <= 40
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && s.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'-' | b':' | b'+' | b'.' | b'T' | b't' | b'Z' | b'z')
        })
}

/// Whether a string value (its JSON text without quotes) under `key` is shown.
pub fn keep_string(key: Option<&str>, raw: &str) -> bool {
    let Some(key) = key else { return false };
    if raw.contains('\\') {
        return false;
    }
    if is_id_key(key) || ENUM_KEYS.contains(&key) {
        return token_like(raw);
    }
    if key.ends_with("_at") || key.ends_with("_deadline") || key == "as_of" {
        return timestamp_like(raw);
    }
    false
}

fn keep_number(key: Option<&str>) -> bool {
    let Some(key) = key else { return true };
    let key = key.to_ascii_lowercase();
    !PERSONAL_NUMBER.iter().any(|p| key.contains(p))
}

enum Ctx {
    Object { key: Option<String>, want_key: bool },
    Array { key: Option<String> },
}

/// Masks the string values of a JSON text that are not ids, enumerations or
/// timestamps, and numbers under personal keys; maps `mark` to the new text.
/// Keys, structure, numbers and literals are kept. Never fails: text that is
/// not JSON is masked from where it stops making sense.
pub fn redact_json(text: &str, mark: Option<(usize, usize)>) -> (String, Option<(usize, usize)>) {
    redact_json_keeping(text, mark, &crate::report::Vocabulary::default())
}

/// [`redact_json`], also masking values under keys the policy does not
/// declare and everything inside a free-form object, keys included.
pub fn redact_json_keeping(
    text: &str,
    mark: Option<(usize, usize)>,
    vocabulary: &crate::report::Vocabulary,
) -> (String, Option<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Ctx> = Vec::new();
    let (mut ma, mut mb) = (mark.map(|m| m.0), mark.map(|m| m.1));
    let (mut na, mut nb) = (0, 0);
    let mut i = 0;
    let value_key = |stack: &[Ctx]| -> Option<String> {
        match stack.last() {
            Some(Ctx::Object { key, .. }) | Some(Ctx::Array { key }) => key.clone(),
            None => None,
        }
    };
    let keys = |stack: &[Ctx], for_key: bool| -> Vec<Option<String>> {
        let mut keys: Vec<Option<String>> = stack
            .iter()
            .map(|c| match c {
                Ctx::Object { key, .. } | Ctx::Array { key } => key.clone(),
            })
            .collect();
        if for_key {
            keys.pop();
        }
        keys
    };
    let shown = |keys: Vec<Option<String>>| {
        let keys: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
        vocabulary.may_show(&keys)
    };
    let free = |keys: Vec<Option<String>>| {
        let keys: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
        vocabulary.free_above(&keys)
    };
    while i <= bytes.len() {
        if ma.is_some_and(|a| a <= i) {
            na = out.len();
            ma = None;
        }
        if mb.is_some_and(|b| b <= i) {
            nb = out.len();
            mb = None;
        }
        let Some(&c) = bytes.get(i) else { break };
        match c {
            b'"' => {
                let end = string_end(bytes, i);
                let terminated = end > i + 1 && bytes[end - 1] == b'"';
                let raw = if terminated {
                    &text[i + 1..end - 1]
                } else {
                    ""
                };
                let is_key = terminated
                    && matches!(stack.last(), Some(Ctx::Object { want_key: true, .. }))
                    && next_non_ws(bytes, end) == Some(b':');
                let out_start = out.len();
                if is_key {
                    let inside_free = free(keys(&stack, true));
                    if let Some(Ctx::Object { key, want_key }) = stack.last_mut() {
                        *key = Some(raw.to_string());
                        *want_key = false;
                    }
                    if inside_free {
                        out.push('"');
                        out.push_str(MASK);
                        out.push('"');
                    } else {
                        out.push_str(&text[i..end]);
                    }
                } else if terminated
                    && keep_string(value_key(&stack).as_deref(), raw)
                    && shown(keys(&stack, false))
                {
                    out.push_str(&text[i..end]);
                } else {
                    out.push_str(MASK);
                }
                // Marks inside a string move to its start or end.
                if ma.is_some_and(|a| a < end) {
                    na = out_start;
                    ma = None;
                }
                if mb.is_some_and(|b| b < end) {
                    nb = out.len();
                    mb = None;
                }
                i = end;
            }
            b'{' => {
                let key = value_key(&stack);
                stack.push(Ctx::Object {
                    key,
                    want_key: true,
                });
                out.push('{');
                i += 1;
            }
            b'[' => {
                let key = value_key(&stack);
                stack.push(Ctx::Array { key });
                out.push('[');
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                out.push(c as char);
                i += 1;
            }
            b',' => {
                if let Some(Ctx::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = true;
                }
                out.push(',');
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .count();
                if keep_number(value_key(&stack).as_deref()) && shown(keys(&stack, false)) {
                    out.push_str(&text[i..end]);
                } else {
                    out.push_str(MASK);
                }
                i = end;
            }
            _ if c.is_ascii() => {
                out.push(c as char);
                i += 1;
            }
            _ => {
                // Stray non-ASCII outside a string: not JSON; mask the rest.
                out.push_str(MASK);
                i = bytes.len();
            }
        }
    }
    if ma.is_some() {
        na = out.len();
    }
    if mb.is_some() {
        nb = out.len();
    }
    (out, mark.map(|_| (na, nb)))
}

/// The index just past the closing quote of the string starting at `start`
/// (or the end of the text when it is not closed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn next_non_ws(bytes: &[u8], from: usize) -> Option<u8> {
    bytes
        .get(from..)?
        .iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_names_keeps_ids_enums_and_times() {
        let rec = r#"{"id": "C001", "name": "张伟", "type": "individual", "owner": "E1",
 "created_at": "2025-01-02T09:00:00+08:00", "profile": {"basic_info": {"phone": "13800001111", "age": 40}},
 "notes": "call after 6", "reviewers": ["E2", "E3"], "key_markets": ["Shanghai"], "mobile": 13800001111}"#;
        let (out, _) = redact_json(rec, None);
        for kept in [
            "C001",
            "individual",
            "E1",
            "2025-01-02T09:00:00+08:00",
            "E2",
            "E3",
            "40",
        ] {
            assert!(out.contains(kept), "{kept} in {out}");
        }
        for gone in ["张伟", "13800001111", "call after", "Shanghai"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.contains("\"name\": \"•••\""));
    }

    #[test]
    fn mark_follows_redaction() {
        let rec =
            r#"{"name": "Wang Fang", "stage": "prospect", "info_collected_at": "2025-02-01"}"#;
        let a = rec.find("\"2025").unwrap_or(0);
        let (out, m) = redact_json(rec, Some((a, a + 12)));
        let (x, y) = m.unwrap_or_default();
        assert_eq!(&out[x..y], "\"2025-02-01\"");
        let a = rec.find("\"Wang").unwrap_or(0);
        let (out, m) = redact_json(rec, Some((a, a + 11)));
        let (x, y) = m.unwrap_or_default();
        assert_eq!(&out[x..y], MASK);
    }

    #[test]
    fn dedent_keeps_mark() {
        let rec = "{\n      \"a\": 1,\n      \"b\": 2\n    }";
        let a = rec.find("\"b\"").unwrap_or(0);
        let (out, m) = dedent(rec, Some((a, a + 3)), 4);
        assert_eq!(out, "{\n  \"a\": 1,\n  \"b\": 2\n}");
        let (x, y) = m.unwrap_or_default();
        assert_eq!(&out[x..y], "\"b\"");
    }

    #[test]
    fn long_records_are_cut_around_the_mark() {
        let mut rec = String::from("[");
        for i in 0..3000 {
            rec.push_str(&format!("{i},\n"));
        }
        rec.push_str("\"X\"]");
        let a = rec.find("\"X\"").unwrap_or(0);
        let s = make_snippet(&rec, Some((a, a + 3)), false, 0);
        assert_eq!(s.mark, "\"X\"");
        assert!(s.cut_start && !s.cut_end);
        assert!(s.text().len() <= MAX_SNIPPET);
    }
}
