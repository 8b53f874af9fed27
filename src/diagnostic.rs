//! Policy diagnostics: one error or warning with its span, help and related notes.
//!
//! Rendered by miette (graphical or plain) or as JSON for `--error-format json`.

use crate::source::{SourceFile, Span};
use miette::{LabeledSpan, Severity as MSeverity};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub level: Level,
    /// A short kebab-case kind, shown as the diagnostic code: `syntax`, `unknown-field`.
    pub code: &'static str,
    pub message: String,
    pub file: SourceFile,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// Other places that explain this one (the first definition of a duplicate).
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        file: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            file: file.clone(),
            span,
            label: String::from("here"),
            help: None,
            related: Vec::new(),
        }
    }
    pub fn warning(
        code: &'static str,
        file: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    pub fn to_json(&self) -> serde_json::Value {
        let start = self.file.line_col(self.span.start);
        let end = self.file.line_col(self.span.end);
        serde_json::json!({
            "severity": match self.level { Level::Error => "error", Level::Warning => "warning" },
            "code": self.code,
            "message": self.message,
            "file": self.file.name,
            "line": start.line,
            "column": start.column,
            "end_line": end.line,
            "end_column": end.column,
            "label": self.label,
            "help": self.help,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<MSeverity> {
        Some(match self.level {
            Level::Error => MSeverity::Error,
            Level::Warning => MSeverity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.file)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let main = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        let rest = self
            .related
            .iter()
            .map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), *s));
        Some(Box::new(std::iter::once(main).chain(rest)))
    }
}

impl miette::SourceCode for SourceFile {
    /// Reads only the lines around the span: miette's own reader scans from
    /// the start of the text, which made rendering many diagnostics of one
    /// large policy quadratic.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = &self.text;
        let starts = self.line_starts();
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        let line_of = |o: usize| match starts.binary_search(&o) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let first = line_of(start).saturating_sub(context_lines_before + 1);
        let last = (line_of(end) + context_lines_after + 2).min(starts.len());
        let from = starts[first];
        let to = starts.get(last).copied().unwrap_or(text.len());
        let window = &text[from..to];
        let local = miette::SourceSpan::from((start - from, end - start));
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let shifted = miette::SourceSpan::from((inner.span().offset() + from, inner.span().len()));
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            shifted,
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Closest candidate by edit distance, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.to_string()))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
