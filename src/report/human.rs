//! `--format human`: a `miette` diagnostic a violation, with the record and
//! field in the data file, then a table of counts by rule and the totals.
//!
//! Notes (skipped files and the like) go to standard error in human output:
//! the caller writes them with [`render_notes`].

use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan,
};

use super::control_text::escape_controls;
use super::{
    input_error_at, input_error_text, plural, redact_json, shown, statistics, totals_line,
    ReportOptions,
};
use crate::snippet_window::{SnippetWindow, MAX_LINE_BYTES};
use crate::violation::{Run, Severity, Violation};

/// A record longer than this many lines is labelled by its first line only.
const MAX_RECORD_LINES: usize = 12;
/// At most this many bytes of a data file go into one snippet.
const MAX_WINDOW_BYTES: usize = 64 * 1024;

/// The graphical handler for `opts`: colour or not, at `opts.width`.
pub fn handler(opts: &ReportOptions) -> GraphicalReportHandler {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        // Break lines at spaces only: a timestamp or an id is never cut at
        // its hyphens.
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Where a rule is written in its policy.
#[derive(Debug)]
struct PolicyDiagnostic {
    message: String,
    /// The rule's first lines, not the whole policy: miette scans a source
    /// from its start for every diagnostic (64% of a human report's time
    /// when each violation handed it the 1,000-line policy).
    source: SnippetWindow,
    label: LabeledSpan,
}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for PolicyDiagnostic {}
impl Diagnostic for PolicyDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// One violation as a diagnostic.
#[derive(Debug)]
pub struct ViolationDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<SnippetWindow>,
    labels: Vec<LabeledSpan>,
    related: Vec<PolicyDiagnostic>,
}

impl fmt::Display for ViolationDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ViolationDiagnostic {}
impl Diagnostic for ViolationDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

/// Data files and policies read so far, by name.
#[derive(Default)]
pub struct SourceCache {
    /// What the shown violations need of the data files (see `prefetch`).
    excerpts: crate::excerpts::Excerpts,
    policies: HashMap<String, Arc<str>>,
    /// The window and label of each rule's place in its policy, by rule code.
    rule_windows: HashMap<String, Option<(SnippetWindow, SourceSpan)>>,
}

impl SourceCache {
    pub fn new(opts: &ReportOptions) -> Self {
        SourceCache {
            excerpts: Default::default(),
            rule_windows: HashMap::new(),
            policies: opts
                .policy_sources
                .iter()
                .map(|(f, t)| (f.clone(), Arc::from(t.as_str())))
                .collect(),
        }
    }

    /// The lines around where `rule` is written (one before, one after, as
    /// miette shows), cut once per rule.
    fn rule_window(
        &mut self,
        rule: &crate::violation::RuleInfo,
        opts: &ReportOptions,
    ) -> Option<(SnippetWindow, SourceSpan)> {
        if let Some(w) = self.rule_windows.get(&rule.code) {
            return w.clone();
        }
        let window = self.policies.get(&rule.policy.file).and_then(|text| {
            let line = rule.policy.line.checked_sub(1)?;
            let mut starts = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
            let first = line.saturating_sub(1);
            let from = starts.nth(first)?;
            let starts: Vec<usize> = std::iter::once(from).chain(starts.take(3)).collect();
            let at = *starts.get(line - first)?;
            let off = floor_boundary(text, at + rule.policy.column.saturating_sub(1));
            let end = line_end(text, off);
            let to = line_end(
                text,
                starts
                    .get(line - first + 1)
                    .copied()
                    .unwrap_or(text.len())
                    .min(text.len()),
            );
            // The embedded policy has no file a reader could open.
            let name = if opts.builtin_policy {
                "(built-in policy)".to_string()
            } else {
                rule.policy.file.clone()
            };
            let span = SourceSpan::new(off.into(), end - off);
            let (window, spans) =
                SnippetWindow::cut(name, &text[from..to.max(from)], from, 0, first, &[span]);
            Some((window, spans[0]))
        });
        self.rule_windows.insert(rule.code.clone(), window.clone());
        window
    }

    /// Reads, in one streaming pass per file, the bytes around each of
    /// `shown`'s records that its snippet may show.
    fn prefetch(&mut self, shown: &[&Violation], opts: &ReportOptions) {
        let wanted = shown.iter().filter_map(|v| {
            let loc = v.location.as_ref()?;
            let field_end = v.field.as_ref().and_then(|f| f.bytes).map_or(0, |b| b.1);
            let start = (loc.bytes.0 as usize).saturating_sub(MAX_LINE_BYTES + 1);
            let end = (loc.bytes.1.max(field_end) as usize).saturating_add(2 * MAX_LINE_BYTES + 1);
            Some((loc.file.clone(), start, end))
        });
        self.excerpts = crate::excerpts::Excerpts::read(opts.root.as_deref(), wanted);
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn line_start(text: &str, i: usize) -> usize {
    text[..i].rfind('\n').map_or(0, |p| p + 1)
}

fn line_end(text: &str, i: usize) -> usize {
    let end = text[i..].find('\n').map_or(text.len(), |p| i + p);
    if end > i && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Violations rendered together on every core.
const RENDER_BATCH: usize = 2048;

/// Builds the diagnostic for `v`.
pub fn diagnostic(
    run: &Run,
    v: &Violation,
    opts: &ReportOptions,
    cache: &SourceCache,
) -> ViolationDiagnostic {
    let rule = run.rule(v);
    let severity = match rule.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let clauses: Vec<String> = rule
        .clauses
        .iter()
        .map(|c| {
            if c.text.is_empty() {
                format!("clause {}", c.id)
            } else {
                format!("clause {}: {}", c.id, c.text)
            }
        })
        .collect();
    let mut help = Vec::new();
    if let Some(o) = &v.owner {
        help.push(format!("owner: {}", o.label()));
    }
    if let Some(file) = &v.follows_input_error {
        help.push(format!(
            "may only follow from the input error in {}: records it looks up were not read",
            escape_controls(file)
        ));
    }
    if let Some(w) = &v.waived {
        let mut line = format!("waived: {}", w.reason);
        if let Some(e) = &w.expires {
            line.push_str(&format!(" (until {e})"));
        }
        help.push(line);
    }
    let mut message = opts.text_message(v);
    for c in &clauses {
        message.push('\n');
        message.push_str(c);
    }
    let mut labels = Vec::new();
    let mut source = None;
    if let Some(loc) = &v.location {
        let field_end = v.field.as_ref().and_then(|f| f.bytes).map_or(0, |b| b.1);
        let reach = loc.bytes.1.max(field_end) as usize;
        match cache.excerpts.get(&loc.file, loc.bytes.0 as usize, reach) {
            Some(ex) => {
                // Offsets below are in the excerpt; `base` is its place in the file.
                let (base, text) = (ex.start, &*ex.text);
                let rel = |at: u64| (at as usize).saturating_sub(base);
                let s = floor_boundary(text, rel(loc.bytes.0));
                let e = floor_boundary(text, rel(loc.bytes.1)).max(s);
                // Deep into a long (minified) line, the window starts at the
                // record; the line's start is looked for only that far back,
                // or every violation of a one-line file would scan it.
                let near = floor_boundary(text, s.saturating_sub(MAX_LINE_BYTES + 1));
                let line_start = line_start(&text[near..], s - near) + near;
                let win_start =
                    if line_start == near && base + near > 0 || s - line_start > MAX_LINE_BYTES {
                        s
                    } else {
                        line_start
                    };
                let record_lines = text[s..e].matches('\n').count() + 1;
                let record_end = if record_lines > MAX_RECORD_LINES {
                    line_end(text, s)
                } else {
                    e
                };
                let what = match &v.id {
                    Some(id) => escape_controls(&format!("{} {}", v.collection, id)).into_owned(),
                    None => "this record".to_string(),
                };
                let mut last = record_end;
                let field_label = v.field.as_ref().and_then(|f| {
                    let (fs, fe) = f.bytes?;
                    let fs = floor_boundary(text, rel(fs));
                    let fe = floor_boundary(text, rel(fe)).max(fs);
                    last = last.max(fe);
                    let rel = f.pointer.strip_prefix(&loc.pointer).unwrap_or(&f.pointer);
                    let rel = if rel.is_empty() {
                        f.pointer.as_str()
                    } else {
                        rel
                    };
                    Some((
                        escape_controls(rel).into_owned(),
                        SourceSpan::new((base + fs).into(), fe - fs),
                    ))
                });
                let last = last.min(text.len());
                // Forward, too, the line's end is looked for only so far.
                let far = floor_boundary(text, win_start.saturating_add(MAX_WINDOW_BYTES + 1));
                let win_end = line_end(&text[..far.max(last)], last);
                let win_end = if win_end - win_start > MAX_WINDOW_BYTES {
                    floor_boundary(text, (last + 1).min(text.len()))
                } else {
                    win_end
                };
                let slice = &text[win_start..win_end.max(win_start)];
                let mut spans = vec![SourceSpan::new((base + s).into(), record_end - s)];
                spans.extend(field_label.as_ref().map(|(_, span)| *span));
                let column = win_start - line_start;
                let line = loc.line.saturating_sub(1);
                let (window, spans) = if opts.redact {
                    let shown = redact_json(slice, &opts.vocabulary);
                    SnippetWindow::cut_redacted(
                        loc.file.clone(),
                        &shown,
                        base + win_start,
                        column,
                        line,
                        &spans,
                    )
                } else {
                    SnippetWindow::cut(
                        loc.file.clone(),
                        slice,
                        base + win_start,
                        column,
                        line,
                        &spans,
                    )
                };
                let mut columns = vec![(spans[0], loc.column)];
                if let (Some(f), Some(span)) = (&v.field, spans.get(1)) {
                    columns.push((*span, f.column));
                }
                labels.push(LabeledSpan::new_with_span(Some(what), spans[0]));
                if let Some((rel, _)) = field_label {
                    labels.push(LabeledSpan::new_primary_with_span(Some(rel), spans[1]));
                }
                source = Some(window.with_columns(&columns));
            }
            None => {
                let (line, col) = match &v.field {
                    Some(f) => (f.line, f.column),
                    None => (loc.line, loc.column),
                };
                message = format!("{message}\n  at {}:{line}:{col}", loc.file);
            }
        }
    }
    let mut related = Vec::new();
    if let Some((window, span)) = cache.rule_windows.get(&rule.code).cloned().flatten() {
        related.push(PolicyDiagnostic {
            message: format!("rule {} {} is written here", rule.code, rule.name),
            source: window,
            label: LabeledSpan::new_with_span(Some(rule.code.clone()), span),
        });
    }
    ViolationDiagnostic {
        message,
        code: format!("{} {} {}", rule.severity.as_str(), rule.code, rule.name),
        severity,
        help: if help.is_empty() {
            None
        } else {
            Some(help.join("\n"))
        },
        source,
        labels,
        related,
    }
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let handler = handler(opts);
    let mut cache = SourceCache::new(opts);
    if !run.complete() {
        writeln!(
            out,
            "INCOMPLETE: {}; part of the export was not checked and no result below speaks for it:",
            plural(run.input_errors.len(), "input error")
        )?;
        for e in &run.input_errors {
            writeln!(
                out,
                "  {}: {}",
                escape_controls(&input_error_at(e)),
                escape_controls(&input_error_text(e))
            )?;
        }
        writeln!(out)?;
    }
    super::expired_waiver_lines(run, out)?;
    if !run.expired_waivers.is_empty() {
        writeln!(out)?;
    }
    let mut all: Vec<&Violation> = shown(run, opts).collect();
    // With `--group-by`, each violation under its first group, the groups
    // by name; within them (or without), the most severe first, so that
    // `--max-shown` keeps what matters; stable, so the file order stays
    // within a severity.
    let group = |v: &Violation| {
        opts.group_by
            .map(|by| by.keys(run, v).swap_remove(0))
            .unwrap_or_default()
    };
    all.sort_by_cached_key(|v| {
        (
            v.follows_input_error.is_some(),
            group(v),
            std::cmp::Reverse(run.rule(v).severity),
        )
    });
    let group_sizes = {
        let mut sizes: std::collections::HashMap<String, usize> = Default::default();
        for v in &all {
            *sizes.entry(group(v)).or_default() += 1;
        }
        sizes
    };
    let mut current_group: Option<String> = None;
    let limit = opts.max_shown.unwrap_or(usize::MAX);
    let all_shown = &all[..limit.min(all.len())];
    cache.prefetch(all_shown, opts);
    for v in all_shown {
        cache.rule_window(run.rule(v), opts);
    }
    // Diagnostics are rendered on every core, a batch at a time so that
    // what is held stays bounded, and written in order.
    let mut follow_on_header = false;
    for batch in all_shown.chunks(RENDER_BATCH) {
        let rendered: Vec<Result<String, fmt::Error>> = batch
            .par_iter()
            .map(|v| {
                let diag = diagnostic(run, v, opts, &cache);
                let mut text = String::new();
                handler.render_report(&mut text, &diag).map(|()| text)
            })
            .collect();
        for (v, text) in batch.iter().zip(rendered) {
            if v.follows_input_error.is_some() && !follow_on_header {
                follow_on_header = true;
                writeln!(
                    out,
                    "The violations below may only follow from the input errors above:\n"
                )?;
            }
            if let Some(by) = opts.group_by {
                let g = group(v);
                if current_group.as_ref() != Some(&g) {
                    let n = group_sizes.get(&g).copied().unwrap_or(0);
                    writeln!(
                        out,
                        "── {} {}: {} ──\n",
                        by.name(),
                        escape_controls(&g),
                        plural(n, "violation")
                    )?;
                    current_group = Some(g);
                }
            }
            let text = text.map_err(|_| io::Error::other("cannot render a diagnostic"))?;
            writeln!(out, "{text}")?;
        }
    }
    if all.len() > limit {
        let hidden = all.len() - limit;
        writeln!(
            out,
            "{} not shown (--max-shown {limit})\n",
            plural(hidden, "more violation")
        )?;
    }
    let waived: Vec<&Violation> = run
        .violations
        .iter()
        .filter(|v| v.waived.is_some())
        .collect();
    if !opts.show_waived && !waived.is_empty() {
        writeln!(out, "waived ({}):", waived.len())?;
        for v in waived {
            let rule = run.rule(v);
            let at = match super::point(v) {
                Some((file, line, col)) => format!("{file}:{line}:{col}"),
                None => format!("<{}>", v.collection),
            };
            let w = v.waived.as_ref().map(|w| {
                let until = w
                    .expires
                    .as_deref()
                    .map(|e| format!(" (until {e})"))
                    .unwrap_or_default();
                format!("{}{until}", w.reason)
            });
            writeln!(
                out,
                "  {} {} {}: {}; waived: {}",
                escape_controls(&at),
                rule.code,
                rule.severity.as_str(),
                super::concise::one_line(&opts.text_message(v)),
                escape_controls(&w.unwrap_or_default())
            )?;
        }
        writeln!(out)?;
    }
    let rows = statistics::counts(run);
    if rows.iter().any(|r| r.count > 0) {
        let codew = rows.iter().map(|r| r.code.len()).max().unwrap_or(4).max(4);
        let namew = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
        writeln!(
            out,
            "{:<codew$}  {:<namew$}  {:<8}  count",
            "code", "name", "severity"
        )?;
        for r in rows.iter().filter(|r| r.count > 0) {
            writeln!(
                out,
                "{:<codew$}  {:<namew$}  {:<8}  {:>5}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.count
            )?;
        }
        writeln!(out)?;
    } else {
        writeln!(out, "no violations")?;
    }
    writeln!(out, "{}", totals_line(run))
}

/// Notes, one a line: `note: file: message`.
pub fn render_notes(run: &Run, err: &mut dyn Write) -> io::Result<()> {
    for n in &run.notes {
        writeln!(err, "note: {}: {}", n.file, n.message)?;
    }
    Ok(())
}
