//! `--format json`: the stable machine contract (see the spec, "The JSON report").

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::ReportOptions;
use crate::violation::{ExpiredWaiver, Run, Violation};

/// The JSON report's version.
pub const VERSION: u64 = 1;

/// One element of `violations`, keys in the contract's order.
pub fn violation_value(run: &Run, v: &Violation, opts: &ReportOptions) -> Value {
    let rule = run.rule(v);
    let mut m = Map::new();
    m.insert("rule".into(), json!(rule.code));
    m.insert("name".into(), json!(rule.name));
    m.insert("severity".into(), json!(rule.severity.as_str()));
    m.insert("clause".into(), json!(rule.clause_label()));
    m.insert("message".into(), json!(opts.message(v)));
    m.insert("collection".into(), json!(v.collection));
    m.insert("id".into(), json!(v.id));
    m.insert("key".into(), json!(v.key));
    let location = v.location.as_ref().map(|l| {
        json!({
            "file": l.file, "pointer": l.pointer, "line": l.line, "column": l.column,
            "end_line": l.end_line, "end_column": l.end_column,
        })
    });
    m.insert("location".into(), location.unwrap_or(Value::Null));
    let field = v
        .field
        .as_ref()
        .map(|f| json!({ "pointer": f.pointer, "line": f.line, "column": f.column }));
    m.insert("field".into(), field.unwrap_or(Value::Null));
    let p = &rule.policy;
    m.insert(
        "policy".into(),
        json!({ "file": p.file, "line": p.line, "column": p.column }),
    );
    let waived = v
        .waived
        .as_ref()
        .map(|w| json!({ "reason": w.reason, "expires": w.expires }));
    m.insert("waived".into(), waived.unwrap_or(Value::Null));
    // Additive to version 1: the file of an input error that may alone
    // explain this violation (it looks up records that error cost).
    m.insert("follows_input_error".into(), json!(v.follows_input_error));
    // Additive to version 1: who must act, when the rule names an owner.
    let owner = v
        .owner
        .as_ref()
        .map(|o| json!({ "id": o.id, "department": o.department }));
    m.insert("owner".into(), owner.unwrap_or(Value::Null));
    Value::Object(m)
}

/// The whole report as a value.
pub fn report_value(run: &Run, opts: &ReportOptions) -> Value {
    let violations = run
        .violations
        .iter()
        .map(|v| violation_value(run, v, opts))
        .collect();
    Value::Object(report_map(run, Value::Array(violations)))
}

/// The `summary` member.
pub fn summary_value(run: &Run) -> Value {
    let s = &run.summary;
    json!({
        "files": s.files, "records": s.records, "rules": s.rules, "errors": s.errors,
        "warnings": s.warnings, "infos": s.infos, "waived": s.waived,
        "input_errors": s.input_errors,
    })
}

/// One element of `expired_waivers`.
pub fn expired_waiver_value(w: &ExpiredWaiver) -> Value {
    json!({ "file": w.file, "line": w.line, "rule": w.rule, "id": w.id,
            "expires": w.expires, "message": w.message() })
}

/// The report's members in the contract's order, `violations` given.
fn report_map(run: &Run, violations: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("version".into(), json!(VERSION));
    m.insert("as_of".into(), json!(run.as_of));
    m.insert("complete".into(), json!(run.complete()));
    m.insert("summary".into(), summary_value(run));
    m.insert("violations".into(), violations);
    m.insert("input_errors".into(), json!(run.input_errors));
    // Additive to version 1: each fails the run, so the report says why.
    m.insert(
        "expired_waivers".into(),
        Value::Array(
            run.expired_waivers
                .iter()
                .map(expired_waiver_value)
                .collect(),
        ),
    );
    m.insert(
        "notes".into(),
        Value::Array(
            run.notes
                .iter()
                .map(|n| json!({ "file": n.file, "message": n.message }))
                .collect(),
        ),
    );
    m
}

/// The report as `report_value` gives it, serialized one violation at a
/// time: a tree of the whole report took more memory than the check of a
/// large export (16 MB for 3,000 violations).
struct Streamed<'a> {
    run: &'a Run,
    opts: &'a ReportOptions,
}

impl serde::Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let head = report_map(self.run, Value::Null);
        let mut map = ser.serialize_map(Some(head.len()))?;
        for (k, v) in &head {
            match k.as_str() {
                "violations" => map.serialize_entry(
                    k,
                    &Seq(|| {
                        self.run
                            .violations
                            .iter()
                            .map(|v| violation_value(self.run, v, self.opts))
                    }),
                )?,
                _ => map.serialize_entry(k, v)?,
            }
        }
        map.end()
    }
}

/// A sequence serialized from a fresh iterator, element by element.
struct Seq<F>(F);

impl<F, I> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq((self.0)())
    }
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Streamed { run, opts })?;
    writeln!(out)
}
