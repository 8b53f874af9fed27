//! Report formats: every one renders a [`Run`](crate::violation::Run).
//!
//! Each format is a module with a `render(run, out, opts)` function. Output is
//! deterministic: the same run gives the same bytes, whatever the thread
//! count or the machine.

pub mod concise;
pub mod control_text;
pub mod csv_table;
pub mod github;
pub mod gitlab;
pub mod grouping;
pub mod human;
pub mod json;
pub mod junit;
pub mod ndjson;
mod pretty_stream;
pub mod redact;
pub mod sarif;
pub mod statistics;
pub mod table;
pub mod workbook;

use std::io::{self, Write};
use std::path::PathBuf;

use crate::violation::{Run, Violation};

pub use redact::{redact_json, redact_message, redact_message_keeping, Vocabulary};

/// The output formats of `comply check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Rich diagnostics with source snippets, then a summary table.
    Human,
    /// `file:line:col: CODE [severity] message`, one a line.
    Concise,
    /// The stable JSON contract: one object.
    Json,
    /// One violation object a line, streamed.
    Ndjson,
    /// SARIF 2.1.0, for code scanning tools.
    Sarif,
    /// JUnit XML: one test case a rule.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// Counts by rule, as a table.
    Statistics,
    /// One row a violation, RFC 4180, for spreadsheets and pipelines.
    Csv,
    /// An Excel workbook: violations, and counts by department, employee
    /// and clause. Binary: not in `ALL`, the text formats.
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Ndjson,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Gitlab,
        Format::Statistics,
        Format::Csv,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Statistics => "statistics",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// Renders `run` in this format.
    pub fn render(self, run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
        match self {
            Format::Human => human::render(run, out, opts),
            Format::Concise => concise::render(run, out, opts),
            Format::Json => json::render(run, out, opts),
            Format::Ndjson => ndjson::render(run, out, opts),
            Format::Sarif => sarif::render(run, out, opts),
            Format::Junit => junit::render(run, out, opts),
            Format::Github => github::render(run, out, opts),
            Format::Gitlab => gitlab::render(run, out, opts),
            Format::Statistics => statistics::render(run, out, opts),
            Format::Csv => csv_table::render(run, out, opts),
            Format::Xlsx => workbook::render(run, out, opts),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown `--format` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}`; expected one of human, concise, json, ndjson, sarif, junit, github, gitlab, statistics, csv, xlsx")]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .chain([Format::Xlsx])
            .find(|f| f.name() == lower)
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// What the caller decides about a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Mask personal data in snippets and messages (see [`redact`]).
    pub redact: bool,
    /// Human output: show at most this many diagnostics.
    pub max_shown: Option<usize>,
    /// Human and concise output: also show waived violations.
    pub show_waived: bool,
    /// Colour in human output. See [`color_wanted`].
    pub color: bool,
    /// Human output: width to wrap at.
    pub width: usize,
    /// Where relative data file names are read from (human output), and
    /// what SARIF/GitLab paths are made relative to. Default: the current
    /// directory.
    pub root: Option<PathBuf>,
    /// Policy texts `(file, text)`, to show each rule where it is written.
    pub policy_sources: Vec<(String, String)>,
    /// The policy is the one embedded in the binary: no file to point at.
    pub builtin_policy: bool,
    /// What redaction keeps in messages: the names the policy defines.
    pub vocabulary: std::sync::Arc<Vocabulary>,
    /// Human and statistics output: violations by owner, department, rule,
    /// clause or month.
    pub group_by: Option<grouping::GroupBy>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            redact: false,
            max_shown: None,
            show_waived: false,
            color: false,
            width: 100,
            root: None,
            policy_sources: Vec::new(),
            builtin_policy: false,
            vocabulary: Default::default(),
            group_by: None,
        }
    }
}

impl ReportOptions {
    /// The message of `v`, redacted when asked.
    pub fn message(&self, v: &Violation) -> String {
        if self.redact {
            redact_message_keeping(&v.message, &self.vocabulary)
        } else {
            v.message.clone()
        }
    }

    /// The message of `v` for a terminal or a CI log: redacted when asked,
    /// control characters escaped.
    pub fn text_message(&self, v: &Violation) -> String {
        control_text::escape_controls(&self.message(v)).into_owned()
    }
}

/// Colour unless `NO_COLOR` is set (to anything non-empty) or standard
/// output is not a terminal.
pub fn color_wanted() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stdout().is_terminal()
}

/// A violation's stable fingerprint: FNV-1a 64 of rule code, collection, id
/// and key (never of line numbers, so it survives edits elsewhere in the
/// file), as 16 lowercase hex digits. SARIF, GitLab and the baseline share it.
pub fn fingerprint(rule_code: &str, v: &Violation) -> String {
    let mut h = Fnv1a::new();
    h.field(rule_code);
    h.field(&v.collection);
    h.opt_field(v.id.as_deref());
    h.opt_field(v.key.as_deref());
    format!("{:016x}", h.finish())
}

/// FNV-1a, 64 bits: small, stable across versions and platforms.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// A field, length-prefixed so that ("ab", "c") and ("a", "bc") differ.
    fn field(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
    fn opt_field(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bytes(&[1]);
                self.field(s);
            }
            None => self.bytes(&[0]),
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Violations that count: unwaived ones, or all when `show_waived`.
pub(crate) fn shown<'a>(
    run: &'a Run,
    opts: &'a ReportOptions,
) -> impl Iterator<Item = &'a Violation> + 'a {
    run.violations
        .iter()
        .filter(move |v| opts.show_waived || v.waived.is_none())
}

/// Where a violation is best pointed at: `(file, line, column)`, the field
/// when known, else the record.
pub(crate) fn point(v: &Violation) -> Option<(&str, usize, usize)> {
    let loc = v.location.as_ref()?;
    Some(match &v.field {
        Some(f) => (loc.file.as_str(), f.line, f.column),
        None => (loc.file.as_str(), loc.line, loc.column),
    })
}

/// A file name as a relative path with forward slashes: relative to `root`
/// (or the current directory) when it is under it.
pub(crate) fn relative_path(file: &str, opts: &ReportOptions) -> String {
    let path = std::path::Path::new(file);
    let mut rel = path.to_path_buf();
    if path.is_absolute() {
        let root = opts.root.clone().or_else(|| std::env::current_dir().ok());
        if let Some(root) = root {
            if let Ok(stripped) = path.strip_prefix(&root) {
                rel = stripped.to_path_buf();
            }
        }
    }
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The totals line shared by human and concise output.
pub(crate) fn totals_line(run: &Run) -> String {
    let s = &run.summary;
    let mut line = format!(
        "{}, {}, {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info")
    );
    if s.waived > 0 {
        line.push_str(&format!(" ({} waived)", s.waived));
    }
    line.push_str(&format!(
        " in {} from {}",
        plural(s.records, "record"),
        plural(s.files, "file")
    ));
    if !run.complete() {
        line.push_str(&format!(
            "; INCOMPLETE: {}, part of the export was not checked",
            plural(run.input_errors.len(), "input error")
        ));
    }
    if !run.expired_waivers.is_empty() {
        line.push_str(&format!(
            "; {} fail the run",
            plural(run.expired_waivers.len(), "expired waiver")
        ));
    }
    line
}

/// One located line per expired waiver, as text formats show them.
pub(crate) fn expired_waiver_lines(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for w in &run.expired_waivers {
        writeln!(
            out,
            "{}:{}: expired waiver: {}",
            control_text::escape_controls(&w.file),
            w.line,
            control_text::escape_controls(&w.message())
        )?;
    }
    Ok(())
}

/// `file:line:col`, as far as it is known, of an input error.
pub(crate) fn input_error_at(e: &crate::data::diagnostic::InputProblem) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
        (Some(l), None) => format!("{}:{l}", e.file),
        _ => e.file.clone(),
    }
}

/// An input error's message with what it cost.
pub(crate) fn input_error_text(e: &crate::data::diagnostic::InputProblem) -> String {
    format!("{}; not checked: {}", e.message, e.records_lost)
}
