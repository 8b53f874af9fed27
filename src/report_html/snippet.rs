//! The JSON text of a violation's record, redacted, with the offending field
//! marked: what a row of the HTML report shows when expanded.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::violation::{DataLocation, FieldLocation};

/// The most of a record's text a report shows (bytes, after redaction).
pub const MAX_SNIPPET: usize = 8 * 1024;

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
    /// The reported records' text, read in one streaming pass per file.
    excerpts: crate::excerpts::Excerpts,
    /// What the policy declares, so that redaction masks what it does not.
    pub vocabulary: Arc<crate::report::Vocabulary>,
}

impl RecordTexts {
    /// `root`: the folder the locations' paths are relative to (None: as given).
    pub fn new(root: Option<PathBuf>) -> Self {
        RecordTexts {
            root,
            excerpts: Default::default(),
            vocabulary: Default::default(),
        }
    }

    /// Reads the text of the records at `locations`, and only that.
    pub fn prefetch<'a>(&mut self, locations: impl IntoIterator<Item = &'a DataLocation>) {
        let wanted = locations
            .into_iter()
            .filter_map(|l| Some((l.file.clone(), to_usize(l.bytes.0)?, to_usize(l.bytes.1)?)));
        self.excerpts = crate::excerpts::Excerpts::read(self.root.as_deref(), wanted);
    }

    /// The record's text, redacted when `redact`, the field marked; None when
    /// the file cannot be read or the byte range does not fit it.
    pub fn snippet(
        &self,
        loc: &DataLocation,
        field: Option<&FieldLocation>,
        redact: bool,
    ) -> Option<Snippet> {
        let (start, end) = (to_usize(loc.bytes.0)?, to_usize(loc.bytes.1)?);
        let ex = self.excerpts.get(&loc.file, start, end)?;
        let record = ex.text.get(start - ex.start..end - ex.start)?;
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

/// Redacts `text` by what `vocabulary` declares (see
/// [`crate::report::redact`]) and maps `mark` to the new text.
pub fn redact_json_keeping(
    text: &str,
    mark: Option<(usize, usize)>,
    vocabulary: &crate::report::Vocabulary,
) -> (String, Option<(usize, usize)>) {
    let red = crate::report::redact_json(text, vocabulary);
    let mark = mark.map(|(a, b)| {
        let a2 = red.to_output(a, false);
        (a2, red.to_output(b, true).max(a2))
    });
    (red.text, mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> crate::report::Vocabulary {
        let (program, _) = crate::policy::compile(crate::policy::shipped());
        crate::report::Vocabulary::of(&program.schema, &[])
    }

    #[test]
    fn mark_follows_redaction() {
        let v = shipped();
        let rec =
            r#"{"name": "Wang Fang", "stage": "prospect", "info_collected_at": "2025-02-01"}"#;
        let a = rec.find("\"2025").unwrap_or(0);
        let (out, m) = redact_json_keeping(rec, Some((a, a + 12)), &v);
        let (x, y) = m.unwrap_or_default();
        assert_eq!(&out[x..y], "\"2025-02-01\"");
        let a = rec.find("\"Wang").unwrap_or(0);
        let (out, m) = redact_json_keeping(rec, Some((a, a + 11)), &v);
        let (x, y) = m.unwrap_or_default();
        assert_eq!(&out[x..y], "\"******\"");
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
