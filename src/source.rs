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

/// Reads a file as text, decompressing `.gz`: what diagnostics show of an export.
pub fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let bytes = std::fs::read(path)?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
        out
    } else {
        bytes
    };
    // Not lossy: U+FFFD is longer than the byte it replaces and would move
    // every later offset the loader recorded.
    Ok(blank_invalid_lines(&bytes).0)
}

/// `bytes` with each line that holds invalid UTF-8 replaced by spaces (so
/// that every other offset stays where it is), and where each such line's
/// first invalid byte is.
pub fn blank_invalid_lines(bytes: &[u8]) -> (String, Vec<usize>) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut bad = Vec::new();
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(_) => out.extend_from_slice(line),
            Err(e) => {
                bad.push(out.len() + e.valid_up_to());
                let body = line.strip_suffix(b"\n").unwrap_or(line);
                out.extend(std::iter::repeat_n(b' ', body.len()));
                if body.len() < line.len() {
                    out.push(b'\n');
                }
            }
        }
    }
    // Every line is valid UTF-8 now; lossy only spells that out.
    (String::from_utf8_lossy(&out).into_owned(), bad)
}
