//! The HTML report: one self-contained file (inline CSS, SVG and a little
//! JavaScript, nothing fetched) that compliance officers open in a browser,
//! print to PDF or forward by mail.
//!
//! All markup is in `templates/`, rendered by minijinja with HTML
//! auto-escaping on for every template: user text (messages, record JSON,
//! clause text) is never pasted into HTML by hand.

pub mod charts;
pub mod snippet;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{context, AutoEscape, Environment, Value};
use serde::Serialize;

use crate::violation::{Run, Severity, Violation, Waived};
use charts::{Chart, Counts, SEVERITIES};
use snippet::{RecordTexts, Snippet};

/// What a clause of the regulation is checked by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Codes of the rules that enforce it.
    Rules(Vec<String>),
    /// Why no rule can check it.
    NotCheckable(String),
}

/// One clause of the regulation, as the clause table lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseRow {
    /// `§4.3(a)`
    pub id: String,
    pub text: String,
    pub coverage: Coverage,
}

/// What the report needs beyond the [`Run`].
#[derive(Debug, Clone)]
pub struct HtmlInput {
    /// The paths checked, as given.
    pub export: String,
    /// When the run happened.
    pub generated_at: String,
    pub comply_version: String,
    /// The least severity that fails the run.
    pub fail_on: Severity,
    /// Mask personal text in the record JSON shown (on by default).
    /// What redaction keeps in messages: the names the policy defines.
    pub vocabulary: std::sync::Arc<crate::report::Vocabulary>,
    pub redact: bool,
    /// Every clause of the regulation, in order.
    pub clauses: Vec<ClauseRow>,
    /// The date (`YYYY-MM…`) of each violation's offending record, parallel
    /// to `run.violations`; missing or None when the record has none.
    pub dates: Vec<Option<String>>,
    /// The folder the violations' file paths are relative to (None: the
    /// current directory).
    pub data_root: Option<PathBuf>,
}

impl HtmlInput {
    pub fn new(export: impl Into<String>, generated_at: impl Into<String>) -> Self {
        HtmlInput {
            export: export.into(),
            generated_at: generated_at.into(),
            comply_version: env!("CARGO_PKG_VERSION").to_string(),
            fail_on: Severity::Error,
            vocabulary: Default::default(),
            redact: true,
            clauses: Vec::new(),
            dates: Vec::new(),
            data_root: None,
        }
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    ("report.html", include_str!("../../templates/report.html")),
    ("charts.html", include_str!("../../templates/charts.html")),
    ("report.css", include_str!("../../templates/report.css")),
    ("report.js", include_str!("../../templates/report.js")),
];

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // Every template escapes for HTML, whatever its name.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

#[derive(Debug, Serialize)]
struct ClauseView {
    id: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct Row {
    n: usize,
    /// What rows of one rule share is held once, not once per row: the
    /// gloss and clause texts alone were most of a row.
    rule: Arc<str>,
    rule_name: Arc<str>,
    severity: &'static str,
    severity_rank: usize,
    clauses: Arc<[ClauseView]>,
    clause_ids: Arc<str>,
    gloss: Option<Arc<str>>,
    collection: String,
    id: Option<String>,
    key: Option<String>,
    message: String,
    /// `file:line:col` of the field, else of the record.
    location: Option<String>,
    location_sort: String,
    pointer: Option<String>,
    record_location: Option<String>,
    policy: Arc<str>,
    snippet: Option<Snippet>,
    month: Option<String>,
    waived: Option<Waived>,
    /// The file of an input error that may alone explain it.
    follows_input_error: Option<String>,
}

#[derive(Serialize)]
struct RuleCount {
    code: String,
    name: String,
    severity: Option<&'static str>,
    active: usize,
    waived: usize,
    known: bool,
}

#[derive(Serialize)]
struct ClauseTableRow {
    id: String,
    text: String,
    rules: Vec<RuleCount>,
    not_checkable: Option<String>,
    total: usize,
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
}

/// Writes the report of `run` to `out`.
pub fn render(run: &Run, input: &HtmlInput, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let env = environment().map_err(to_io)?;
    let template = env.get_template("report.html").map_err(to_io)?;
    let ctx = build_context(run, input);
    // Straight to the writer: the page of a large run is hundreds of MB.
    let mut out = std::io::BufWriter::new(out);
    template.render_captured_to(ctx, &mut out).map_err(to_io)?;
    std::io::Write::flush(&mut out)
}

fn to_io(e: minijinja::Error) -> std::io::Error {
    std::io::Error::other(format!("HTML report template: {e:#}"))
}

fn label(loc_file: &str, line: usize, column: usize) -> String {
    format!("{loc_file}:{line}:{column}")
}

fn rows(run: &Run, input: &HtmlInput) -> Vec<Row> {
    let mut texts = RecordTexts::new(input.data_root.clone());
    texts.vocabulary = input.vocabulary.clone();
    texts.prefetch(run.violations.iter().filter_map(|v| v.location.as_ref()));

    // Built on every core: a row's snippet (cut, redacted, marked) is most
    // of an HTML report's own cost.
    use rayon::prelude::*;
    let shared: Vec<RuleShared> = run.rules.iter().map(RuleShared::of).collect();
    run.violations
        .par_iter()
        .enumerate()
        .filter_map(|(i, v)| Some(row(i, v, shared.get(v.rule)?, input, &texts)))
        .collect()
}

/// What every row of a rule shows of it.
struct RuleShared {
    code: Arc<str>,
    name: Arc<str>,
    severity: crate::violation::Severity,
    clauses: Arc<[ClauseView]>,
    clause_ids: Arc<str>,
    gloss: Option<Arc<str>>,
    policy: Arc<str>,
}

impl RuleShared {
    fn of(rule: &crate::violation::RuleInfo) -> Self {
        RuleShared {
            code: rule.code.as_str().into(),
            name: rule.name.as_str().into(),
            severity: rule.severity,
            clauses: rule
                .clauses
                .iter()
                .map(|c| ClauseView {
                    id: c.id.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            clause_ids: rule
                .clauses
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                .into(),
            gloss: rule.gloss.as_deref().map(Arc::from),
            policy: label(&rule.policy.file, rule.policy.line, rule.policy.column).into(),
        }
    }
}

fn row(i: usize, v: &Violation, rule: &RuleShared, input: &HtmlInput, texts: &RecordTexts) -> Row {
    let (location, location_sort) = match (&v.location, &v.field) {
        (Some(l), Some(f)) => (
            Some(label(&l.file, f.line, f.column)),
            format!("{}|{:012}|{:08}", l.file, f.line, f.column),
        ),
        (Some(l), None) => (
            Some(label(&l.file, l.line, l.column)),
            format!("{}|{:012}|{:08}", l.file, l.line, l.column),
        ),
        _ => (None, String::new()),
    };
    let snippet = v
        .location
        .as_ref()
        .and_then(|l| texts.snippet(l, v.field.as_ref(), input.redact));
    let month = input
        .dates
        .get(i)
        .and_then(|d| d.as_deref())
        .and_then(charts::month_of)
        .map(|(y, m)| format!("{y:04}-{m:02}"));
    Row {
        n: i + 1,
        rule: rule.code.clone(),
        rule_name: rule.name.clone(),
        severity: rule.severity.as_str(),
        severity_rank: 3 - charts::sev_index(rule.severity),
        clauses: rule.clauses.clone(),
        clause_ids: rule.clause_ids.clone(),
        gloss: rule.gloss.clone(),
        collection: v.collection.clone(),
        id: v.id.clone(),
        key: v.key.clone(),
        // Free text from the export is quoted in messages; masked like snippets.
        message: if input.redact {
            crate::report::redact_message_keeping(&v.message, &input.vocabulary)
        } else {
            v.message.clone()
        },
        location,
        location_sort,
        pointer: v
            .field
            .as_ref()
            .map(|f| f.pointer.clone())
            .or_else(|| v.location.as_ref().map(|l| l.pointer.clone())),
        record_location: v.location.as_ref().map(|l| {
            format!(
                "{}:{}:{}–{}:{}",
                l.file, l.line, l.column, l.end_line, l.end_column
            )
        }),
        policy: rule.policy.clone(),
        snippet,
        month,
        waived: v.waived.clone(),
        follows_input_error: v.follows_input_error.clone(),
    }
}

/// `§4.3(a)` → `§4.3`; `§1` → `§1`.
fn clause_group(id: &str) -> &str {
    id.split('(').next().unwrap_or(id).trim()
}

/// The violations' rows, each turned into a template value only when the
/// template reaches it: a run's rows as one value tree took gigabytes.
#[derive(Debug)]
struct Rows(Vec<Row>);

impl minijinja::value::Object for Rows {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_usize()?).map(|r| Value::from(Serde(r)))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

fn ser<T: Serialize>(v: T) -> Value {
    Value::from(Serde(&v))
}

fn build_context(run: &Run, input: &HtmlInput) -> Value {
    let all = rows(run, input);
    let (waived, mut active): (Vec<Row>, Vec<Row>) =
        all.into_iter().partition(|r| r.waived.is_some());
    // The most severe first; within a severity, the run's order (what the
    // input errors may explain last, then file and position).
    active.sort_by_key(|r| std::cmp::Reverse(r.severity_rank));

    // Totals by severity, of the violations that count.
    let mut totals = Counts::default();
    for v in &run.violations {
        if v.waived.is_none() {
            if let Some(r) = run.rules.get(v.rule) {
                totals.add(r.severity);
            }
        }
    }
    let failed = SEVERITIES
        .iter()
        .zip(totals.0)
        .any(|(s, n)| n > 0 && *s >= input.fail_on);

    // Counts per rule code.
    let mut per_rule: HashMap<&str, (usize, usize)> = HashMap::new();
    for v in &run.violations {
        if let Some(r) = run.rules.get(v.rule) {
            let e = per_rule.entry(r.code.as_str()).or_default();
            if v.waived.is_some() {
                e.1 += 1;
            } else {
                e.0 += 1;
            }
        }
    }
    let rule_count = |code: &str| {
        let info = run.rules.iter().find(|r| r.code == code);
        let (active, waived) = per_rule.get(code).copied().unwrap_or_default();
        RuleCount {
            code: code.to_string(),
            name: info.map(|r| r.name.clone()).unwrap_or_default(),
            severity: info.map(|r| r.severity.as_str()),
            active,
            waived,
            known: info.is_some(),
        }
    };

    // The clause table: every clause, then rules tied to none.
    let mut clause_rows: Vec<ClauseTableRow> = input
        .clauses
        .iter()
        .map(|c| {
            let (rules, not_checkable) = match &c.coverage {
                Coverage::Rules(codes) => (codes.iter().map(|c| rule_count(c)).collect(), None),
                Coverage::NotCheckable(why) => (Vec::new(), Some(why.clone())),
            };
            let total = rules.iter().map(|r: &RuleCount| r.active).sum();
            ClauseTableRow {
                id: c.id.clone(),
                text: c.text.clone(),
                rules,
                not_checkable,
                total,
            }
        })
        .collect();
    let unclaused: Vec<RuleCount> = run
        .rules
        .iter()
        .filter(|r| r.clauses.is_empty())
        .map(|r| rule_count(&r.code))
        .collect();
    if !unclaused.is_empty() {
        clause_rows.push(ClauseTableRow {
            id: String::new(),
            text: "Data integrity: the export's shape, checked from the schema before the rules."
                .to_string(),
            total: unclaused.iter().map(|r| r.active).sum(),
            rules: unclaused,
            not_checkable: None,
        });
    }

    // Chart: by clause group.
    let mut groups: Vec<String> = Vec::new();
    for c in &input.clauses {
        if matches!(c.coverage, Coverage::Rules(_)) {
            let g = clause_group(&c.id).to_string();
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    let mut by_group: BTreeMap<String, Counts> = BTreeMap::new();
    for v in run.violations.iter().filter(|v| v.waived.is_none()) {
        let Some(rule) = run.rules.get(v.rule) else {
            continue;
        };
        // Counted once, under the first clause it cites: the bars add up
        // to the number of violations.
        let g = rule
            .clauses
            .first()
            .map_or_else(|| "schema".to_string(), |c| clause_group(&c.id).to_string());
        if !groups.contains(&g) {
            groups.push(g.clone());
        }
        by_group.entry(g).or_default().add(rule.severity);
    }
    let clause_chart = charts::horizontal(
        &groups
            .iter()
            .map(|g| (g.clone(), by_group.get(g).cloned().unwrap_or_default()))
            .collect::<Vec<_>>(),
        560.0,
    );
    let severity_chart = charts::horizontal(
        &SEVERITIES
            .iter()
            .map(|s| {
                let mut c = Counts::default();
                c.0[charts::sev_index(*s)] = totals.0[charts::sev_index(*s)];
                (s.as_str().to_string(), c)
            })
            .collect::<Vec<_>>(),
        360.0,
    );

    // Chart: by month of the offending record.
    let mut by_month: BTreeMap<(i32, u32), Counts> = BTreeMap::new();
    let mut undated = 0;
    for (i, v) in run.violations.iter().enumerate() {
        let Some(rule) = run.rules.get(v.rule) else {
            continue;
        };
        if v.waived.is_some() {
            continue;
        }
        match input
            .dates
            .get(i)
            .and_then(|d| d.as_deref())
            .and_then(charts::month_of)
        {
            Some(m) => by_month.entry(m).or_default().add(rule.severity),
            None => undated += 1,
        }
    }
    let months = charts::month_range(&by_month.keys().copied().collect::<Vec<_>>());
    let month_chart: Chart = charts::vertical(
        &months
            .iter()
            .map(|m| {
                (
                    format!("{:04}-{:02}", m.0, m.1),
                    by_month.get(m).cloned().unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>(),
        900.0,
        220.0,
    );

    // Filter options, from the violations shown.
    let mut rule_opts: BTreeMap<String, String> = BTreeMap::new();
    let mut clause_opts: BTreeSet<String> = BTreeSet::new();
    let mut coll_opts: BTreeSet<String> = BTreeSet::new();
    let mut sev_opts: BTreeSet<(usize, &'static str)> = BTreeSet::new();
    for r in &active {
        rule_opts.insert(r.rule.to_string(), format!("{} {}", r.rule, r.rule_name));
        clause_opts.extend(r.clauses.iter().map(|c| c.id.clone()));
        coll_opts.insert(r.collection.clone());
        sev_opts.insert((r.severity_rank, r.severity));
    }
    let to_opts = |it: Vec<(String, String)>| -> Vec<Opt> {
        it.into_iter()
            .map(|(value, label)| Opt { value, label })
            .collect()
    };

    context! {
        title => run.policy_title.as_str(),
        policy_version => run.policy_version.as_str(),
        as_of => run.as_of.as_str(),
        export => input.export.as_str(),
        generated_at => input.generated_at.as_str(),
        comply_version => input.comply_version.as_str(),
        fail_on => input.fail_on.as_str(),
        failed => failed,
        verdict => if !run.complete() {
            "INCOMPLETE"
        } else if failed || !run.expired_waivers.is_empty() {
            "FAIL"
        } else {
            "PASS"
        },
        input_errors => ser(&run.input_errors),
        follow_on => run.violations.iter().filter(|v| v.follows_input_error.is_some() && v.waived.is_none()).count(),
        expired_waivers => run.expired_waivers.iter().map(|w| context! { file => w.file.as_str(), line => w.line, message => w.message() }).collect::<Vec<_>>(),
        redact => input.redact,
        summary => Value::from(Serde(&run.summary)),
        totals => context! {
            error => totals.0[0], warning => totals.0[1], info => totals.0[2],
            waived => waived.len(), active => active.len(),
        },
        clause_chart => Value::from(Serde(&clause_chart)),
        severity_chart => Value::from(Serde(&severity_chart)),
        month_chart => Value::from(Serde(&month_chart)),
        undated => undated,
        clauses => Value::from(Serde(&clause_rows)),
        rows => Value::from_object(Rows(active)),
        waived => Value::from_object(Rows(waived)),
        notes => run.notes.iter().map(|n| context! { file => n.file.as_str(), message => n.message.as_str() }).collect::<Vec<_>>(),
        rule_opts => ser(to_opts(rule_opts.into_iter().collect())),
        severity_opts => ser(to_opts(sev_opts.into_iter().rev().map(|(_, s)| (s.to_string(), s.to_string())).collect())),
        clause_opts => ser(to_opts(clause_opts.into_iter().map(|c| (c.clone(), c)).collect())),
        collection_opts => ser(to_opts(coll_opts.into_iter().map(|c| (c.clone(), c)).collect())),
    }
}
