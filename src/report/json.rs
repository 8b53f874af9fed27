//! `--format json`: the stable machine contract (see the spec, "The JSON report").

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::ReportOptions;
use crate::violation::{Run, Violation};

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
    Value::Object(m)
}

/// The whole report as a value.
pub fn report_value(run: &Run, opts: &ReportOptions) -> Value {
    let s = &run.summary;
    let mut m = Map::new();
    m.insert("version".into(), json!(VERSION));
    m.insert("as_of".into(), json!(run.as_of));
    m.insert(
        "summary".into(),
        json!({
            "files": s.files, "records": s.records, "rules": s.rules, "errors": s.errors,
            "warnings": s.warnings, "infos": s.infos, "waived": s.waived,
        }),
    );
    m.insert(
        "violations".into(),
        Value::Array(
            run.violations
                .iter()
                .map(|v| violation_value(run, v, opts))
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
    Value::Object(m)
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_value(run, opts))?;
    writeln!(out)
}
