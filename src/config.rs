//! `comply.toml`: project settings, found from a directory upward.
//!
//! ```toml
//! policies = ["policies/customer-development.policy"]
//! select = ["CD4"]
//! ignore = ["CD442"]
//! extend-select = []
//! fail-on = "warning"          # error (default), warning, info, never
//! waivers = "comply-waivers.toml"
//! baseline = "comply-baseline.json"
//! timezone = "+08:00"
//! format = "human"
//! redact = false
//!
//! [params]
//! visit_record_days = 3
//! ```
//!
//! Paths are relative to the directory of the config file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::report::Format;
use crate::violation::{RuleInfo, Severity};
use crate::waiver::{did_you_mean, toml_message};

pub const FILE_NAME: &str = "comply.toml";

/// The lowest severity that fails the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub const EXPECTED: &'static str = "expected one of `error`, `warning`, `info`";

    /// What `--fail-on` and `fail-on =` both accept. (A run that must not
    /// fail on findings says `--exit-zero`.)
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            _ => None,
        }
    }

    /// Whether a violation of severity `s` (unwaived) fails the run.
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s == Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
        }
    }
}

/// A loaded `comply.toml`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub policies: Vec<PathBuf>,
    pub params: toml::Table,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub extend_select: Vec<String>,
    pub fail_on: FailOn,
    /// `[params]` with where each value is written, for errors in place.
    pub param_spans: Vec<(String, std::ops::Range<usize>)>,
    pub source: Option<(String, Arc<str>)>,
    pub waivers: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    /// Where `--history` keeps the runs, relative to the config file.
    pub history: Option<PathBuf>,
    pub timezone: Option<String>,
    pub format: Option<Format>,
    pub redact: Option<bool>,
}

/// A config file that is not valid.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(comply::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
    /// The file's other errors: a config is reported whole, not one error
    /// per run.
    #[related]
    pub others: Vec<ConfigError>,
}

const KEYS: &[&str] = &[
    "policies",
    "params",
    "select",
    "ignore",
    "extend-select",
    "fail-on",
    "waivers",
    "baseline",
    "history",
    "timezone",
    "format",
    "redact",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    policies: Vec<String>,
    #[serde(default)]
    params: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    extend_select: Vec<String>,
    fail_on: Option<Spanned<String>>,
    waivers: Option<String>,
    baseline: Option<String>,
    history: Option<String>,
    timezone: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    redact: Option<bool>,
}

impl Config {
    /// The nearest `comply.toml` in `dir` or a parent of it, loaded; `None`
    /// when there is none.
    pub fn discover(dir: &Path) -> miette::Result<Option<Config>> {
        for d in dir.ancestors() {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    pub fn load(path: &Path) -> miette::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read config `{}`: {e}", path.display()))?;
        Config::parse(path, &text).map_err(|e| miette::Report::new(*e))
    }

    /// Parses `text` as the config file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Box<ConfigError>> {
        let source: Arc<str> = Arc::from(text);
        let name = path.to_string_lossy().into_owned();
        let err = |message: String, span: Option<std::ops::Range<usize>>, label: &str, help| {
            Box::new(ConfigError {
                message,
                src: NamedSource::new(&name, source.clone()),
                span: span.map(|r| SourceSpan::new(r.start.into(), r.end - r.start)),
                label: label.to_string(),
                help,
                others: Vec::new(),
            })
        };
        // Every unknown key at once (serde stops at the first).
        if let Ok(table) = toml::de::DeTable::parse(text) {
            let mut unknown: Vec<ConfigError> = table
                .get_ref()
                .iter()
                .filter(|(k, _)| !KEYS.contains(&k.get_ref().as_ref()))
                .map(|(k, _)| {
                    let key = k.get_ref().as_ref();
                    *err(
                        format!("unknown key `{key}`"),
                        Some(k.span()),
                        "here",
                        did_you_mean(&format!("unknown field `{key}`"), KEYS),
                    )
                })
                .collect();
            if !unknown.is_empty() {
                let mut first = unknown.remove(0);
                first.others = unknown;
                return Err(Box::new(first));
            }
        }
        let raw: Raw = toml::from_str(text).map_err(|e| {
            err(
                toml_message(&e),
                e.span(),
                "here",
                did_you_mean(e.message(), KEYS),
            )
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let fail_on = match raw.fail_on {
            None => FailOn::default(),
            Some(s) => match FailOn::parse(s.get_ref()) {
                Some(f) => f,
                None => {
                    return Err(err(
                        format!("unknown `fail-on` value `{}`", s.get_ref()),
                        Some(s.span()),
                        "not a severity",
                        Some(FailOn::EXPECTED.to_string()),
                    ))
                }
            },
        };
        let format = match raw.format {
            None => None,
            Some(s) => Some(
                s.get_ref()
                    .parse::<Format>()
                    .map_err(|e| err(e.to_string(), Some(s.span()), "unknown format", None))?,
            ),
        };
        let timezone = match raw.timezone {
            None => None,
            Some(s) => {
                if !is_fixed_offset(s.get_ref()) {
                    return Err(err(
                        format!("`{}` is not a fixed offset", s.get_ref()),
                        Some(s.span()),
                        "expected `+08:00` or `Z`",
                        None,
                    ));
                }
                Some(s.into_inner())
            }
        };
        let param_spans = raw
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.span()))
            .collect();
        Ok(Config {
            path: path.to_path_buf(),
            policies: raw.policies.iter().map(|p| base.join(p)).collect(),
            params: raw
                .params
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            param_spans,
            source: Some((name.clone(), source.clone())),
            select: raw.select,
            ignore: raw.ignore,
            extend_select: raw.extend_select,
            fail_on,
            waivers: raw.waivers.map(|p| base.join(p)),
            baseline: raw.baseline.map(|p| base.join(p)),
            history: raw.history.map(|p| base.join(p)),
            timezone,
            format,
            redact: raw.redact,
        })
    }
}

/// `Z`, `z` or `±hh:mm` with hours 00-23 and minutes 00-59.
fn is_fixed_offset(s: &str) -> bool {
    if s == "Z" || s == "z" {
        return true;
    }
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[3] == b':'
        && digits(1..3)
        && digits(4..6)
        && s[1..3] < *"24"
        && s[4..6] < *"60"
}

/// Which rules run: `select` (default: all), plus `extend_select`, minus
/// `ignore`. Selectors are codes or code prefixes (`CD4`, `CD43`) or `ALL`;
/// for each rule the longest matching selector decides, and `ignore` wins a
/// tie (like ruff).
pub fn select(
    rules: &[RuleInfo],
    select: &[String],
    ignore: &[String],
    extend_select: &[String],
) -> Vec<bool> {
    fn best(code: &str, selectors: &[String]) -> Option<usize> {
        selectors
            .iter()
            .filter_map(|s| {
                if s == "ALL" {
                    Some(0)
                } else if code.starts_with(s.as_str()) {
                    Some(s.len())
                } else {
                    None
                }
            })
            .max()
    }
    let default_all = [String::from("ALL")];
    let select = if select.is_empty() {
        &default_all[..]
    } else {
        select
    };
    rules
        .iter()
        .map(|r| {
            let sel = best(&r.code, select).max(best(&r.code, extend_select));
            let ign = best(&r.code, ignore);
            match (sel, ign) {
                (Some(s), Some(i)) => s > i,
                (Some(_), None) => true,
                (None, _) => false,
            }
        })
        .collect()
}

/// Selectors as `select` reads them: codes and prefixes in upper case,
/// rule names as their codes, `ALL`. Each selector that names no rule is an
/// error (a typo would select nothing in silence), with a did-you-mean;
/// `option` names where the selectors came from (`--select`).
pub fn resolve_selectors(
    rules: &[RuleInfo],
    selectors: &[String],
    option: &str,
) -> Result<Vec<String>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for raw in selectors {
        let s = raw.trim();
        if s.is_empty() {
            errors.push(format!(
                "empty selector in `{option}`: remove the extra comma"
            ));
            continue;
        }
        if s.eq_ignore_ascii_case("ALL") {
            out.push("ALL".to_string());
        } else if let Some(r) = rules.iter().find(|r| r.name == s) {
            out.push(r.code.clone());
        } else if rules
            .iter()
            .any(|r| r.code.starts_with(&s.to_ascii_uppercase()))
        {
            out.push(s.to_ascii_uppercase());
        } else {
            let candidates = rules
                .iter()
                .flat_map(|r| [r.code.as_str(), r.name.as_str()]);
            let help = crate::diagnostic::did_you_mean(&s.to_ascii_uppercase(), candidates)
                .or_else(|| {
                    crate::diagnostic::did_you_mean(s, rules.iter().map(|r| r.name.as_str()))
                })
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            errors.push(format!("`{option} {s}` selects no rule{help}"));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

impl Config {
    /// `[params]` as `NAME=VALUE` overrides, each value of its parameter's
    /// declared type as TOML writes it (`days = "15"` is a string, not an
    /// integer), every error located in the file.
    pub fn params_for(
        &self,
        params: &[crate::check::ir::ParamInfo],
    ) -> Result<Vec<(String, String)>, Box<ConfigError>> {
        use crate::check::ir::ParamValue;
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let (name, source) = self
            .source
            .clone()
            .unwrap_or_else(|| (self.path.display().to_string(), Arc::from("")));
        let span_of = |key: &str| {
            self.param_spans
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, r)| SourceSpan::new(r.start.into(), r.end - r.start))
        };
        for (key, value) in &self.params {
            let mut error = |message: String, label: &str, help: Option<String>| {
                errors.push(ConfigError {
                    message,
                    src: NamedSource::new(&name, source.clone()),
                    span: span_of(key),
                    label: label.to_string(),
                    help,
                    others: Vec::new(),
                });
            };
            let Some(p) = params.iter().find(|p| &p.name == key) else {
                let help =
                    crate::diagnostic::did_you_mean(key, params.iter().map(|p| p.name.as_str()));
                error(
                    format!("unknown parameter `{key}`"),
                    "not a parameter of the policy",
                    help,
                );
                continue;
            };
            let text = match (&p.default, value) {
                (ParamValue::Int(_), toml::Value::Integer(n)) => n.to_string(),
                (ParamValue::Num(_), toml::Value::Integer(n)) => n.to_string(),
                (ParamValue::Num(_), toml::Value::Float(x)) if x.is_finite() => x.to_string(),
                (ParamValue::Bool(_), toml::Value::Boolean(b)) => b.to_string(),
                (ParamValue::Str(_), toml::Value::String(s)) => s.clone(),
                (default, other) => {
                    let (ty, example) = match default {
                        ParamValue::Int(_) => ("an integer", "15"),
                        ParamValue::Num(_) => ("a number", "2.5"),
                        ParamValue::Bool(_) => ("`true` or `false`", "true"),
                        ParamValue::Str(_) => ("a string", "\"text\""),
                    };
                    error(
                        format!("parameter `{key}` is {ty}, but `{other}` is not"),
                        "wrong type",
                        Some(format!("write `{key} = {example}`")),
                    );
                    continue;
                }
            };
            if let (false, Some((lo, hi))) = (
                p.admits(&ParamValue::Int(text.parse().unwrap_or(0))),
                p.range,
            ) {
                error(
                    format!("parameter `{key}` takes values from {lo} to {hi}, but `{text}` is outside them"),
                    "out of range",
                    None,
                );
                continue;
            }
            out.push((key.clone(), text));
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            let mut first = errors.remove(0);
            first.others = errors;
            Err(Box::new(first))
        }
    }
}
