//! Shared by the export targets: the shipped program, fixed settings, and the
//! rendering of a run in every report format and of every input error.
#![allow(dead_code)]
use comply::audit::AuditOptions;
use comply::check::ir::Program;
use comply::data::model::Export;
use comply::eval::Settings;
use comply::report::{Format, ReportOptions, Vocabulary};
use comply::violation::Run;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        comply::policy::compile(comply::policy::shipped()).0
    })
}

pub fn settings(p: &Program) -> Settings {
    Settings {
        as_of: "2025-06-30T04:00:00Z".parse().unwrap(),
        tz: jiff::tz::Offset::from_hours(8).unwrap(),
        params: p.params.iter().map(|x| x.default.clone()).collect(),
    }
}

/// Spaces put before the first line of some files (export_json: when the
/// first byte says so; export_dir: forms 4 and 5), so that its columns pass
/// 65,535: miette pads to a label's column with a formatting width, which
/// panics past `u16::MAX`. The inputs themselves stay small.
pub const PAD: usize = 70_000;

pub fn padded(body: &[u8]) -> Vec<u8> {
    let mut v = vec![b' '; PAD];
    v.extend_from_slice(body);
    v
}

/// What `comply check` builds once per run for its reports (src/cli/check.rs):
/// the policy texts, the vocabulary redaction keeps, the clause table.
struct ReportBase {
    policy_sources: Vec<(String, String)>,
    vocabulary: Arc<Vocabulary>,
    clauses: Vec<comply::report_html::ClauseRow>,
}

fn base() -> &'static ReportBase {
    static B: OnceLock<ReportBase> = OnceLock::new();
    B.get_or_init(|| {
        let p = program();
        let all: Vec<comply::violation::RuleInfo> = p
            .integrity
            .iter()
            .map(|r| r.info.clone())
            .chain(p.rules.iter().map(|r| r.info.clone()))
            .collect();
        ReportBase {
            policy_sources: comply::policy::shipped()
                .iter()
                .map(|s| (s.name.clone(), s.text.to_string()))
                .collect(),
            vocabulary: Arc::new(Vocabulary::of(&p.schema, &all)),
            clauses: comply::cli::coverage::clause_rows(p),
        }
    })
}

/// The human diagnostic of an input error (or of a setup error), as
/// `comply check` prints it to standard error (`cli::diagnostics::render`):
/// miette's graphical handler, here always without colour, at width 100.
pub fn render_diagnostic(d: &dyn miette::Diagnostic) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(
        miette::GraphicalTheme::unicode_nocolor(),
    )
    .with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = d.to_string();
    }
    out
}

/// Renders `run` in every report format, redacted and not, into memory, and
/// checks what can be checked of the machine-readable ones. `input_errors`
/// is the number of input errors of the load the run comes from.
pub fn render_all(run: &Run, input_errors: usize, what: &str, paths: &str) {
    let b = base();
    for redact in [true, false] {
        let opts = ReportOptions {
            redact,
            // Colour in one of the two passes: the human report's other path.
            color: !redact,
            width: 100,
            policy_sources: b.policy_sources.clone(),
            builtin_policy: true,
            vocabulary: b.vocabulary.clone(),
            ..ReportOptions::default()
        };
        let mut out: Vec<u8> = Vec::new();
        for fmt in Format::ALL {
            out.clear();
            if let Err(e) = fmt.render(run, &mut out, &opts) {
                panic!("{what}: --format {fmt} (redact {redact}) failed: {e}");
            }
            match fmt {
                Format::Json => check_json(&out, run, input_errors, what, redact),
                Format::Sarif | Format::Gitlab => {
                    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
                        panic!("{what}: --format {fmt} (redact {redact}) is not JSON: {e}");
                    }
                }
                Format::Ndjson => {
                    for line in out.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                        if let Err(e) = serde_json::from_slice::<serde_json::Value>(line) {
                            panic!("{what}: an ndjson line (redact {redact}) is not JSON: {e}: {}", String::from_utf8_lossy(line));
                        }
                    }
                }
                _ => {}
            }
            std::hint::black_box(&out);
        }
        out.clear();
        comply::report::statistics::render_json(run, &mut out, &opts).unwrap();
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
            panic!("{what}: statistics::render_json is not JSON: {e}");
        }
        comply::report::human::render_notes(run, &mut std::io::sink()).unwrap();

        // HTML, as `comply check` builds its input.
        let mut input = comply::report_html::HtmlInput::new(paths, "2026-12-03 00:00:00 +00:00");
        input.redact = redact;
        input.vocabulary = b.vocabulary.clone();
        input.fail_on = comply::violation::Severity::Error;
        input.clauses = b.clauses.clone();
        input.dates = run.violations.iter().map(|v| v.date.clone()).collect();
        out.clear();
        if let Err(e) = comply::report_html::render(run, &input, &mut out) {
            panic!("{what}: --format html (redact {redact}) failed: {e}");
        }
        std::hint::black_box(&out);
    }
}

/// The JSON report parses, and says `complete: false` (with each input
/// error listed) whenever the load had an input error.
fn check_json(out: &[u8], run: &Run, input_errors: usize, what: &str, redact: bool) {
    let v: serde_json::Value = match serde_json::from_slice(out) {
        Ok(v) => v,
        Err(e) => panic!("{what}: the JSON report (redact {redact}) does not parse: {e}"),
    };
    let complete = v.get("complete").and_then(serde_json::Value::as_bool);
    assert_eq!(
        complete,
        Some(input_errors == 0),
        "{what}: JSON report `complete` with {input_errors} input error(s) (redact {redact})"
    );
    let listed = v.get("input_errors").and_then(serde_json::Value::as_array).map(Vec::len);
    assert_eq!(listed, Some(input_errors), "{what}: JSON report `input_errors` (redact {redact})");
    let counted = v.pointer("/summary/input_errors").and_then(serde_json::Value::as_u64);
    assert_eq!(counted, Some(input_errors as u64), "{what}: JSON report `summary.input_errors` (redact {redact})");
    let listed_v = v.get("violations").and_then(serde_json::Value::as_array).map(Vec::len);
    assert_eq!(listed_v, Some(run.violations.len()), "{what}: JSON report `violations` (redact {redact})");
}

/// Loads the paths as `comply check` does (`audit::load`: the shipped
/// schema and projection) and renders each input error's diagnostic. Then
/// evaluates with fixed settings, and as `comply check` does (`audit::judge`:
/// the export's own as_of/timezone), rendering every report of each run (or
/// the setup error's diagnostic when judge refuses). When judge would settle
/// on the fixed settings themselves, the run is evaluated and rendered once.
pub fn run(paths: &[PathBuf]) {
    let p = program();
    let opts = AuditOptions::default();
    let export: Export = comply::audit::load(p, paths, &opts);
    for e in &export.errors {
        std::hint::black_box(render_diagnostic(e.as_ref()));
    }
    let n = export.errors.len();
    let shown = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
    let fixed = settings(p);
    let m = &export.meta;
    let judged_as_fixed = m.bad_as_of.is_none()
        && m.as_of.as_ref().or(m.generated_at.as_ref()).map(|(_, t)| *t) == Some(fixed.as_of)
        && m.timezone.as_ref().map_or(true, |(_, tz)| *tz == fixed.tz);
    if !judged_as_fixed {
        let run = comply::eval::evaluate(p, &export, &fixed);
        render_all(&run, n, "fixed as_of", &shown);
    }
    let params = comply::audit::params(p, &opts.params).unwrap();
    match comply::audit::judge(p, export, &opts, params) {
        Ok(a) => render_all(&a.run, n, "export's as_of", &shown),
        Err(e) => {
            std::hint::black_box(render_diagnostic(&e));
        }
    }
}

/// A fresh temporary directory for one input.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("comply-fuzz-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Cleanup(pub PathBuf);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
