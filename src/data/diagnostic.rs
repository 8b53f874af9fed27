//! Input errors as miette reports: the file text, a label on the offending
//! position, and file:line:column in the message itself.

use miette::SourceSpan;

use crate::snippet_window::SnippetWindow;
use crate::source::TextLines;

/// A span over more lines than this is labelled on its first line only.
const MAX_SPAN_LINES: usize = 8;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
    #[source_code]
    pub src: SnippetWindow,
    /// In the window's offsets.
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    /// Where it is, for the reports (the message above carries it too).
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// What of the export this error kept from being read.
    pub records_lost: Option<String>,
}

/// An error with no position (an unreadable file).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{file}: {message}")]
pub struct FileError {
    pub file: String,
    pub message: String,
    pub records_lost: Option<String>,
}

/// An error at file offsets `offset..offset+len`, inside the lines `src` holds.
pub fn at(src: &TextLines<'_>, offset: usize, len: usize, message: &str) -> miette::Report {
    // The label must cover whole characters inside the text.
    let text = src.text;
    let mut rel = offset.saturating_sub(src.base).min(text.len());
    while !text.is_char_boundary(rel) {
        rel -= 1;
    }
    let mut end = rel.saturating_add(len.max(1)).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let pos = src.line_col(src.base + rel);
    let (window, span) = window(src, rel, end);
    miette::Report::new(InputError {
        message: format!("{}:{}:{}: {message}", src.name, pos.line, pos.column),
        src: window,
        span,
        label: message.to_owned(),
        file: src.name.to_owned(),
        line: pos.line,
        column: pos.column,
        records_lost: None,
    })
}

/// The lines around `offset..end` (offsets in `src.text`; one line of
/// context each side, as miette shows), cut to a bounded width: never the
/// whole text.
fn window(src: &TextLines<'_>, offset: usize, end: usize) -> (SnippetWindow, SourceSpan) {
    let text = src.text;
    let starts = src.starts;
    let line_of = |o: usize| starts.partition_point(|&s| s <= o).saturating_sub(1);
    let line = line_of(offset);
    let mut end = end;
    if line_of(end.saturating_sub(1)) >= line + MAX_SPAN_LINES {
        end = starts.get(line + 1).map_or(text.len(), |&s| s - 1);
    }
    let first = line.saturating_sub(1);
    let last = line_of(end.saturating_sub(1).max(offset)) + 1;
    let from = starts[first];
    let to = starts.get(last + 1).map_or(text.len(), |&s| s - 1);
    let span = SourceSpan::new((src.base + offset).into(), end - offset);
    let (window, spans) = SnippetWindow::cut(
        src.name,
        &text[from..to],
        src.base + from,
        0,
        src.first_line + first,
        &[span],
    );
    (window, spans[0])
}

/// An error at file offsets `offset..offset+len`, shown from the lines
/// read back around it.
pub(crate) fn at_in(
    name: &str,
    around: &super::reread::Around,
    offset: usize,
    len: usize,
    message: &str,
) -> miette::Report {
    let text = &around.text;
    let mut rel = offset.saturating_sub(around.base).min(text.len());
    while !text.is_char_boundary(rel) {
        rel -= 1;
    }
    // One line at most is labelled.
    let line_end = text[rel..].find('\n').map_or(text.len(), |i| rel + i);
    let mut end = rel.saturating_add(len.max(1)).min(line_end.max(rel));
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let label = SourceSpan::new((around.base + rel).into(), end - rel);
    let (window, spans) = SnippetWindow::cut(
        name,
        text,
        around.base,
        around.column_bytes,
        around.first_line,
        &[label],
    );
    let pos = around.pos;
    miette::Report::new(InputError {
        message: format!("{name}:{}:{}: {message}", pos.line, pos.column),
        src: window.with_columns(&[(spans[0], pos.column)]),
        span: spans[0],
        label: message.to_owned(),
        file: name.to_owned(),
        line: pos.line,
        column: pos.column,
        records_lost: None,
    })
}

pub fn file(file: &str, message: impl Into<String>) -> miette::Report {
    miette::Report::new(FileError {
        file: file.to_owned(),
        message: message.into(),
        records_lost: None,
    })
}

/// An input error as every report shows it: located, with what it cost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputProblem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub records_lost: String,
}

/// Says what of the export `report` kept from being read.
pub fn losing(mut report: miette::Report, lost: impl Into<String>) -> miette::Report {
    let lost = lost.into();
    if let Some(e) = report.downcast_mut::<InputError>() {
        e.records_lost = Some(lost);
    } else if let Some(e) = report.downcast_mut::<FileError>() {
        e.records_lost = Some(lost);
    }
    report
}

/// The report-facing form of an input error.
pub fn problem(report: &miette::Report) -> InputProblem {
    if let Some(e) = report.downcast_ref::<InputError>() {
        InputProblem {
            file: e.file.clone(),
            line: Some(e.line),
            column: Some(e.column),
            message: e.label.clone(),
            records_lost: e
                .records_lost
                .clone()
                .unwrap_or_else(|| "every record of the file".into()),
        }
    } else if let Some(e) = report.downcast_ref::<FileError>() {
        InputProblem {
            file: e.file.clone(),
            line: None,
            column: None,
            message: e.message.clone(),
            records_lost: e
                .records_lost
                .clone()
                .unwrap_or_else(|| "every record of the file".into()),
        }
    } else {
        InputProblem {
            file: String::new(),
            line: None,
            column: None,
            message: report.to_string(),
            records_lost: "unknown".into(),
        }
    }
}
