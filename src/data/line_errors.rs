//! The input errors of one NDJSON file: each bad line is one error, located
//! by binary search in the file's line starts (not by a scan from the start
//! of the file per error), and at most a bounded number are shown.

use super::diagnostic;
use crate::source::TextLines;

pub(crate) struct LineErrors {
    limit: usize,
    shown: usize,
    hidden: usize,
}

impl LineErrors {
    pub fn new(limit: usize) -> Self {
        LineErrors {
            limit,
            shown: 0,
            hidden: 0,
        }
    }

    /// The error of the line at `offset`, or `None` past the limit (it is counted).
    pub fn add(
        &mut self,
        src: &TextLines<'_>,
        offset: usize,
        message: &str,
    ) -> Option<miette::Report> {
        if self.shown >= self.limit {
            self.hidden += 1;
            return None;
        }
        self.shown += 1;
        let report = diagnostic::at(src, offset, 1, message);
        let line = src.line_col(offset).line;
        Some(diagnostic::losing(
            report,
            format!("the record on line {line}"),
        ))
    }

    /// One error for those not shown, if any.
    pub fn rest(&self, file: &str) -> Option<miette::Report> {
        Self::rest_of(self.hidden, file)
    }

    /// One error for `n` errors not shown, if any.
    pub fn rest_of(n: usize, file: &str) -> Option<miette::Report> {
        if n == 0 {
            return None;
        }
        let (message, lost) = if n == 1 {
            (
                "1 more input error in this file not shown".to_string(),
                "the record on that line".to_string(),
            )
        } else {
            (
                format!("{n} more input errors in this file not shown"),
                format!("the {n} records on those lines"),
            )
        };
        Some(diagnostic::losing(diagnostic::file(file, message), lost))
    }
}
