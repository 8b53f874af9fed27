//! Waivers: `comply-waivers.toml`, approved exceptions with an expiry date.
//!
//! ```toml
//! [[waiver]]
//! rule = "CD431"              # rule code
//! id = "C00*"                 # record id, or a glob with `*` and `?`
//! collection = "customers"    # optional
//! key = "2025-Q1"             # optional, glob too
//! reason = "consent on paper, scanned in ticket OPS-12"
//! approver = "compliance@example.com"
//! expires = 2026-06-30        # or "2026-06-30"; the last day it holds
//! ```

use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::violation::{Run, Severity, Waived};

/// One waiver, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    pub id: String,
    pub collection: Option<String>,
    pub key: Option<String>,
    pub reason: String,
    pub approver: String,
    pub expires: Date,
    /// Byte range of the `[[waiver]]` entry (its `rule` line) in the file.
    pub span: (usize, usize),
}

impl Waiver {
    /// Whether this waiver covers a violation of `rule` on (`collection`, `id`, `key`).
    pub fn matches(
        &self,
        rule: &str,
        collection: &str,
        id: Option<&str>,
        key: Option<&str>,
    ) -> bool {
        if self.rule != rule {
            return false;
        }
        if self.collection.as_deref().is_some_and(|c| c != collection) {
            return false;
        }
        let id_ok = match id {
            Some(id) => glob_match(&self.id, id),
            None => self.id.chars().all(|c| c == '*'),
        };
        let key_ok = match (&self.key, key) {
            (None, _) => true,
            (Some(p), Some(k)) => glob_match(p, k),
            (Some(p), None) => p.chars().all(|c| c == '*'),
        };
        id_ok && key_ok
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expires < today
    }
}

/// A parsed waiver file.
#[derive(Debug, Clone)]
pub struct WaiverFile {
    pub name: String,
    pub source: Arc<str>,
    pub waivers: Vec<Waiver>,
}

/// A waiver file that cannot be read as one.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(comply::waivers))]
pub struct WaiverFileError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waiver: Vec<Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    collection: Option<String>,
    key: Option<String>,
    reason: Option<Spanned<String>>,
    approver: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

const WAIVER_KEYS: &[&str] = &[
    "rule",
    "id",
    "collection",
    "key",
    "reason",
    "approver",
    "expires",
];

/// `Some(help)` naming the closest of `known` to the unknown key in a serde
/// "unknown field" message.
pub(crate) fn did_you_mean(message: &str, known: &[&str]) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let unknown = rest.split('`').next()?;
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
        .or_else(|| {
            let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
            Some(format!("expected one of {}", list.join(", ")))
        })
}

/// First line of a toml error message, lowercased at the start; an unknown
/// field is called a key (the "did you mean" goes to the help).
pub(crate) fn toml_message(e: &toml::de::Error) -> String {
    if let Some(rest) = e.message().strip_prefix("unknown field `") {
        if let Some(key) = rest.split('`').next() {
            return format!("unknown key `{key}`");
        }
    }
    let m = e.message().lines().next().unwrap_or("invalid toml").trim();
    let m = m.trim_end_matches('.');
    let mut chars = m.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid toml".to_string(),
    }
}

impl WaiverFile {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> miette::Result<WaiverFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read waivers `{}`: {e}", path.display()))?;
        WaiverFile::parse(&path.to_string_lossy(), &text).map_err(|e| miette::Report::new(*e))
    }

    /// Parses waivers from `text`, named `name` in diagnostics.
    pub fn parse(name: &str, text: &str) -> Result<WaiverFile, Box<WaiverFileError>> {
        let source: Arc<str> = Arc::from(text);
        let err = |message: String, span: Option<std::ops::Range<usize>>, label: &str, help| {
            Box::new(WaiverFileError {
                message,
                src: NamedSource::new(name, source.clone()),
                span: span.map(|r| SourceSpan::new(r.start.into(), r.end - r.start)),
                label: label.to_string(),
                help,
            })
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let message = toml_message(&e);
            let help = did_you_mean(e.message(), WAIVER_KEYS);
            err(message, e.span(), "here", help)
        })?;
        let mut waivers = Vec::new();
        for (n, entry) in raw.waiver.into_iter().enumerate() {
            let span = entry.span();
            let w = entry.into_inner();
            let head = span.start..(span.start + 1).min(text.len()).max(span.start);
            let required = |field: Option<Spanned<String>>, what: &str| {
                let field = field.ok_or_else(|| {
                    err(
                        format!("waiver {} has no `{what}`", n + 1),
                        Some(head.clone()),
                        "this waiver",
                        Some(format!("every waiver needs `{what} = \"…\"`")),
                    )
                })?;
                if field.get_ref().trim().is_empty() {
                    return Err(err(
                        format!("waiver {} has an empty `{what}`", n + 1),
                        Some(field.span()),
                        "empty",
                        None,
                    ));
                }
                Ok(field.into_inner())
            };
            let rule = required(w.rule, "rule")?;
            let id = required(w.id, "id")?;
            let reason = required(w.reason, "reason")?;
            let approver = required(w.approver, "approver")?;
            let expires = w.expires.ok_or_else(|| {
                err(
                    format!("waiver {} has no `expires`", n + 1),
                    Some(head.clone()),
                    "this waiver",
                    Some("every waiver needs `expires = YYYY-MM-DD`".to_string()),
                )
            })?;
            let text_value = match expires.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string(),
            };
            let date = parse_date(&text_value).ok_or_else(|| {
                err(
                    format!("`{text_value}` is not a date"),
                    Some(expires.span()),
                    "expected YYYY-MM-DD",
                    None,
                )
            })?;
            waivers.push(Waiver {
                rule,
                id,
                collection: w.collection,
                key: w.key,
                reason,
                approver,
                expires: date,
                span: (span.start, span.end),
            });
        }
        Ok(WaiverFile {
            name: name.to_string(),
            source,
            waivers,
        })
    }
}

/// A `YYYY-MM-DD` calendar date, parsed by `jiff`.
fn parse_date(s: &str) -> Option<Date> {
    // jiff also reads datetimes as dates; a waiver's expiry is a day.
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// Matches `text` against `pattern`, where `*` is any run of characters and
/// `?` any one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The waiver's `expires` is before today: an error; it waives nothing.
    Expired,
    /// The waiver matches no violation: a warning.
    Unused,
}

/// A waiver that is out of date or matches nothing.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct WaiverProblem {
    pub kind: ProblemKind,
    /// Index into `WaiverFile::waivers`.
    pub waiver: usize,
    pub message: String,
    src: NamedSource<Arc<str>>,
    span: SourceSpan,
}

impl WaiverProblem {
    /// Expired waivers fail the run.
    pub fn is_error(&self) -> bool {
        self.kind == ProblemKind::Expired
    }
}

impl Diagnostic for WaiverProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match self.kind {
            ProblemKind::Expired => "expired-waiver",
            ProblemKind::Unused => "unused-waiver",
        }))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.kind {
            ProblemKind::Expired => miette::Severity::Error,
            ProblemKind::Unused => miette::Severity::Warning,
        })
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("this waiver".to_string()),
            self.span,
        ))))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match self.kind {
            ProblemKind::Expired => "renew it with a new approval, or fix the data and remove it",
            ProblemKind::Unused => "remove it: it waives nothing in this export",
        }))
    }
}

/// Marks the violations that `file`'s waivers cover as waived, as of `today`,
/// and updates the summary. Returns expired waivers (errors; they waive
/// nothing) and waivers that match no violation (warnings).
pub fn apply(run: &mut Run, file: &WaiverFile, today: Date) -> Vec<WaiverProblem> {
    let mut used = vec![false; file.waivers.len()];
    for v in run.violations.iter_mut() {
        if v.waived.is_some() {
            continue;
        }
        let Some(rule) = run.rules.get(v.rule) else {
            continue;
        };
        let hit = file.waivers.iter().enumerate().find(|(_, w)| {
            !w.is_expired(today)
                && w.matches(&rule.code, &v.collection, v.id.as_deref(), v.key.as_deref())
        });
        if let Some((i, w)) = hit {
            used[i] = true;
            v.waived = Some(Waived {
                reason: w.reason.clone(),
                expires: Some(w.expires.to_string()),
                approver: Some(w.approver.clone()),
            });
        }
    }
    recount(run);
    let mut problems = Vec::new();
    for (i, w) in file.waivers.iter().enumerate() {
        let span = SourceSpan::new(w.span.0.into(), w.span.1.saturating_sub(w.span.0));
        let id = &w.id;
        let (kind, message) = if w.is_expired(today) {
            let line = file.source[..w.span.0.min(file.source.len())]
                .matches('\n')
                .count()
                + 1;
            run.expired_waivers.push(crate::violation::ExpiredWaiver {
                file: file.name.clone(),
                line,
                rule: w.rule.clone(),
                id: id.to_string(),
                expires: w.expires.to_string(),
            });
            (
                ProblemKind::Expired,
                format!("waiver for `{}` on `{id}` expired on {}", w.rule, w.expires),
            )
        } else if !used[i] {
            (
                ProblemKind::Unused,
                format!("waiver for `{}` on `{id}` matches no violation", w.rule),
            )
        } else {
            continue;
        };
        problems.push(WaiverProblem {
            kind,
            waiver: i,
            message,
            src: NamedSource::new(file.name.clone(), file.source.clone()),
            span,
        });
    }
    problems
}

/// Recomputes `errors`, `warnings`, `infos` (unwaived violations only) and
/// `waived` in the run's summary.
pub fn recount(run: &mut Run) {
    let (mut errors, mut warnings, mut infos, mut waived) = (0, 0, 0, 0);
    for v in &run.violations {
        if v.waived.is_some() {
            waived += 1;
            continue;
        }
        match run.rules.get(v.rule).map(|r| r.severity) {
            Some(Severity::Error) => errors += 1,
            Some(Severity::Warning) => warnings += 1,
            Some(Severity::Info) => infos += 1,
            None => {}
        }
    }
    let s = &mut run.summary;
    s.errors = errors;
    s.warnings = warnings;
    s.infos = infos;
    s.waived = waived;
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("C00*", "C0042"));
        assert!(glob_match("C00?2", "C0042"));
        assert!(glob_match("*", ""));
        assert!(glob_match("*42", "C0042"));
        assert!(glob_match("C*4*2", "C0042"));
        assert!(!glob_match("C00?", "C0042"));
        assert!(!glob_match("D*", "C0042"));
        assert!(glob_match("C0042", "C0042"));
    }
}
