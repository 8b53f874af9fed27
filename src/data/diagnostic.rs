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
}

/// An error with no position (an unreadable file).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{file}: {message}")]
pub struct FileError {
    pub file: String,
    pub message: String,
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
    })
}

pub fn file(file: &str, message: impl Into<String>) -> miette::Report {
    miette::Report::new(FileError {
        file: file.to_owned(),
        message: message.into(),
    })
}
