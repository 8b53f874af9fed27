//! The part of a data file a diagnostic shows: the lines around its labels,
//! each long line cut to a bounded number of characters around the labels,
//! with `…` where text was left out.
//!
//! miette's graphical renderer pads to a label's column with a formatting
//! width, which panics past 65,535 (a minified export is one long line), and
//! its reader scans a source from its start for every diagnostic. A window
//! keeps both bounded: it never hands miette a long line or a whole file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines up to this many bytes are shown whole.
pub const MAX_LINE_BYTES: usize = 512;
/// Characters kept before a label's start on a line that is cut.
const BEFORE: usize = 64;
/// Characters kept from a label's start on, on a line that is cut.
const AFTER: usize = 192;
const ELLIPSIS: &str = "…";

/// A run of the file's bytes copied into the window.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Offset in the file.
    file: usize,
    /// Offset in the window.
    win: usize,
    len: usize,
    /// Offset in the file of the line the piece is on.
    line_start: usize,
}

#[derive(Debug, Clone)]
pub struct SnippetWindow {
    name: String,
    text: String,
    /// 0-based line of the window's first line in the file.
    line: usize,
    /// In file (and window) order.
    pieces: Vec<Piece>,
    /// When the text was redacted before it was cut: the file offset it
    /// starts at and the map from its offsets back to the file's, so that
    /// columns stay the file's although masks change lengths.
    origin: Option<(usize, crate::report::redact::Redacted)>,
    /// Window offsets whose column in the file is known, in code points
    /// (0-based): the locator counted them, and a column shown must agree
    /// with every other format's, whatever the window left out or masked.
    known_columns: Vec<(usize, usize)>,
}

impl SnippetWindow {
    /// Cuts a window of `text`, the file's bytes from `offset` on: whole
    /// lines, except that the first may start `column` bytes into its line
    /// (0-based `line`). `spans` are labels in file offsets; they come back
    /// in the window's offsets, in the same order.
    pub fn cut(
        name: impl Into<String>,
        text: &str,
        offset: usize,
        column: usize,
        line: usize,
        spans: &[SourceSpan],
    ) -> (Self, Vec<SourceSpan>) {
        let mut out = String::new();
        let mut pieces = Vec::new();
        let mut start = 0;
        loop {
            let end =
                memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
            let line_start = if start == 0 {
                offset.saturating_sub(column)
            } else {
                offset + start
            };
            let here = &text[start..end];
            let foci: Vec<usize> = spans
                .iter()
                .map(|s| s.offset())
                .filter(|&o| o >= offset + start && o <= offset + end)
                .map(|o| o - offset - start)
                .collect();
            let mut prev = 0;
            for (a, b) in keep(here, &foci) {
                if a > prev {
                    out.push_str(ELLIPSIS);
                }
                pieces.push(Piece {
                    file: offset + start + a,
                    win: out.len(),
                    len: b - a,
                    line_start,
                });
                out.push_str(&here[a..b]);
                prev = b;
            }
            if prev < here.len() {
                out.push_str(ELLIPSIS);
            }
            if end >= text.len() {
                break;
            }
            out.push('\n');
            start = end + 1;
        }
        let window = SnippetWindow {
            name: name.into(),
            text: out,
            line,
            pieces,
            origin: None,
            known_columns: Vec::new(),
        };
        let mapped = spans
            .iter()
            .map(|s| {
                let a = window.to_window(s.offset());
                let b = window.to_window(s.offset() + s.len()).max(a);
                SourceSpan::new(a.into(), b - a)
            })
            .collect();
        (window, mapped)
    }

    /// [`SnippetWindow::cut`] of redacted text: `redacted` is the redaction
    /// of the file's bytes from `offset` on; `spans` are in file offsets.
    pub fn cut_redacted(
        name: impl Into<String>,
        redacted: &crate::report::redact::Redacted,
        offset: usize,
        column: usize,
        line: usize,
        spans: &[SourceSpan],
    ) -> (Self, Vec<SourceSpan>) {
        let spans: Vec<SourceSpan> = spans
            .iter()
            .map(|s| {
                let rel = s.offset().saturating_sub(offset);
                let a = redacted.to_output(rel, false);
                let b = redacted.to_output(rel + s.len(), true).max(a);
                SourceSpan::new((offset + a).into(), b - a)
            })
            .collect();
        let (mut window, spans) = Self::cut(name, &redacted.text, offset, column, line, &spans);
        window.origin = Some((offset, redacted.clone()));
        (window, spans)
    }

    /// The file offset of `at`, an offset of the (redacted) text cut.
    fn in_file(&self, at: usize) -> usize {
        match &self.origin {
            Some((offset, r)) if at >= *offset => offset + r.to_input(at - offset),
            _ => at,
        }
    }

    /// The window offset showing file offset `at` (or the nearest kept byte before it).
    fn to_window(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.file <= at);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => p.win + (at - p.file).min(p.len),
            None => 0,
        }
    }

    /// Gives the file's column (1-based, in code points) of the starts of
    /// `spans` (window spans, as [`SnippetWindow::cut`] returns them).
    pub fn with_columns(mut self, spans: &[(SourceSpan, usize)]) -> Self {
        self.known_columns.extend(
            spans
                .iter()
                .map(|(s, column)| (s.offset(), column.saturating_sub(1))),
        );
        self
    }

    /// The file's column of window offset `at`: in code points where known,
    /// else in bytes.
    fn column(&self, at: usize) -> usize {
        if let Some((_, c)) = self.known_columns.iter().find(|(o, _)| *o == at) {
            return *c;
        }
        let i = self.pieces.partition_point(|p| p.win <= at);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => self
                .in_file(p.file + (at - p.win).min(p.len))
                .saturating_sub(self.in_file(p.line_start)),
            None => 0,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The byte ranges of `line` to show, given where labels start on it.
fn keep(line: &str, foci: &[usize]) -> Vec<(usize, usize)> {
    if line.len() <= MAX_LINE_BYTES {
        return vec![(0, line.len())];
    }
    let mut foci: Vec<usize> = foci.iter().map(|&f| floor(line, f)).collect();
    if foci.is_empty() {
        foci.push(0);
    }
    foci.sort_unstable();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for f in foci {
        let a = line[..f]
            .char_indices()
            .rev()
            .nth(BEFORE - 1)
            .map_or(0, |(i, _)| i);
        let b = line[f..]
            .char_indices()
            .nth(AFTER)
            .map_or(line.len(), |(i, _)| f + i);
        match ranges.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => ranges.push((a, b)),
        }
    }
    ranges
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl SourceCode for SnippetWindow {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line,
            self.column(span.offset()),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_whole() {
        let text = "ab\ncd\n";
        let (w, spans) = SnippetWindow::cut("f", text, 10, 0, 4, &[SourceSpan::new(13.into(), 1)]);
        assert_eq!(w.text(), text);
        assert_eq!(spans[0], SourceSpan::new(3.into(), 1));
        assert_eq!(w.column(3), 0);
    }

    #[test]
    fn a_long_line_is_cut_around_the_label() {
        let line = "é".repeat(100_000);
        let at = 2 * 70_000;
        let (w, spans) = SnippetWindow::cut("f", &line, 0, 0, 0, &[SourceSpan::new(at.into(), 2)]);
        assert!(w.text().chars().count() < BEFORE + AFTER + 4);
        assert!(w.text().starts_with(ELLIPSIS) && w.text().ends_with(ELLIPSIS));
        let s = spans[0];
        assert_eq!(&w.text()[s.offset()..s.offset() + s.len()], "é");
        assert_eq!(w.column(s.offset()), at);
    }
}
