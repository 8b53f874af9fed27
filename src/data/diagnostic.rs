//! Input errors as miette reports: the file text, a label on the offending
//! position, and file:line:column in the message itself.

use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

use crate::source::SourceFile;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
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

/// An error at `offset..offset+len` of `src`.
pub fn at(src: &SourceFile, offset: usize, len: usize, message: &str) -> miette::Report {
    // The label must cover whole characters inside the text.
    let text = &src.text;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut end = offset.saturating_add(len.max(1)).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let len = end - offset;
    let pos = src.line_col(offset);
    miette::Report::new(InputError {
        message: format!("{}:{}:{}: {message}", src.name, pos.line, pos.column),
        src: src.named_source(),
        span: (offset, len).into(),
        label: message.to_owned(),
        file: src.name.clone(),
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
