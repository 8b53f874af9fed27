//! Source files and byte spans, for policies and exports alike.

use std::sync::Arc;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end.saturating_sub(s.start)).into()
    }
}

/// A text file held in memory: a policy, or the part of an export shown in a diagnostic.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    line_starts: Arc<[usize]>,
}

/// 1-based line and column; columns count Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let line_starts = line_starts(text.as_bytes()).into();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        line_col(&self.text, &self.line_starts, offset)
    }

    /// Byte offsets where lines start.
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    pub fn lines(&self) -> TextLines<'_> {
        TextLines {
            name: &self.name,
            text: &self.text,
            base: 0,
            first_line: 0,
            starts: &self.line_starts,
        }
    }
}

/// A run of whole lines of a file with where they start: the whole file, or
/// only the lines around an error, so that a diagnostic never needs the
/// file's text copied or held whole.
#[derive(Debug, Clone, Copy)]
pub struct TextLines<'a> {
    pub name: &'a str,
    pub text: &'a str,
    /// File offset of `text`'s first byte, which starts a line.
    pub base: usize,
    /// 0-based line of `text`'s first line in the file.
    pub first_line: usize,
    /// Offsets in `text` where its lines start, 0 first.
    pub starts: &'a [usize],
}

impl TextLines<'_> {
    /// Line and column of a file offset inside the run.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let lc = line_col(self.text, self.starts, offset.saturating_sub(self.base));
        LineCol {
            line: lc.line + self.first_line,
            column: lc.column,
        }
    }
}

pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
    starts
}

/// Line and column of a byte offset, given the offsets where lines start.
pub fn line_col(text: &str, line_starts: &[usize], offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let line = match line_starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i - 1,
    };
    let start = line_starts[line];
    let mut end = offset;
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    LineCol {
        line: line + 1,
        column: text[start..end].chars().count() + 1,
    }
}

/// `bytes` with each line that holds invalid UTF-8 replaced by spaces (so
/// that every other offset stays where it is), and where each such line's
/// first invalid byte is.
pub fn blank_invalid_lines(bytes: &[u8]) -> (String, Vec<usize>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), Vec::new());
    }
    let mut out = bytes.to_vec();
    let bad = blank_invalid_lines_in_place(&mut out);
    // Every line is valid UTF-8 now; lossy only spells that out.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, bad)
}

/// As [`blank_invalid_lines`], in `bytes` itself: a large file's text is
/// not copied to be shown.
pub fn blank_invalid_lines_in_place(bytes: &mut [u8]) -> Vec<usize> {
    let mut bad = Vec::new();
    if std::str::from_utf8(bytes).is_ok() {
        return bad;
    }
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        if let Err(e) = std::str::from_utf8(&bytes[start..end]) {
            bad.push(start + e.valid_up_to());
            bytes[start..end].fill(b' ');
        }
        start = end + 1;
    }
    bad
}
