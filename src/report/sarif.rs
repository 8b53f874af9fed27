//! `--format sarif`: SARIF 2.1.0.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{fingerprint, pretty_stream, relative_path, ReportOptions};
use crate::violation::{RuleInfo, Run, Severity, Violation};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/comply-lint/comply";
/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "complyRecord/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes what a URI reference cannot hold as is; keeps `/`.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A relative URI with forward slashes, or a `file://` URI for an absolute
/// path outside the root.
pub fn artifact_uri(file: &str, opts: &ReportOptions) -> String {
    let rel = relative_path(file, opts);
    if rel.starts_with('/') {
        format!("file://{}", uri_encode(&rel))
    } else if rel.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path: `C:/x` becomes `file:///C:/x`.
        format!("file:///{}", uri_encode(&rel))
    } else {
        uri_encode(&rel)
    }
}

fn rule_value(rule: &RuleInfo) -> Value {
    let clauses = rule
        .clauses
        .iter()
        .map(|c| format!("{} {}", c.id, c.text))
        .collect::<Vec<_>>()
        .join("\n");
    let short = rule.gloss.clone().unwrap_or_else(|| rule.name.clone());
    let full = if clauses.is_empty() {
        short.clone()
    } else {
        clauses.clone()
    };
    let help = if clauses.is_empty() {
        format!("{} ({})", rule.name, rule.code)
    } else {
        format!("{} enforces {}", rule.code, clauses)
    };
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "clause": rule.clause_label(),
            "collection": rule.collection,
            "policy": { "file": rule.policy.file, "line": rule.policy.line, "column": rule.policy.column },
        },
    })
}

fn result_value(run: &Run, v: &Violation, opts: &ReportOptions) -> Value {
    let rule = run.rule(v);
    let mut m = Map::new();
    m.insert("ruleId".into(), json!(rule.code));
    m.insert("ruleIndex".into(), json!(v.rule));
    m.insert("level".into(), json!(level(rule.severity)));
    m.insert("message".into(), json!({ "text": opts.message(v) }));
    let mut location = Map::new();
    let mut record_region = None;
    if let Some(loc) = &v.location {
        let record = json!({
            "startLine": loc.line, "startColumn": loc.column,
            "endLine": loc.end_line, "endColumn": loc.end_column,
        });
        // The field, as every other format points at it; the whole record
        // goes along as a related location.
        let region = match &v.field {
            Some(f) => {
                record_region = Some(record);
                json!({ "startLine": f.line, "startColumn": f.column })
            }
            None => record,
        };
        location.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": { "uri": artifact_uri(&loc.file, opts) },
                "region": region,
            }),
        );
    }
    let pointer = v
        .field
        .as_ref()
        .map(|f| f.pointer.clone())
        .or_else(|| v.location.as_ref().map(|l| l.pointer.clone()));
    if let Some(pointer) = pointer {
        location.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": pointer, "kind": "object" }]),
        );
    }
    if !location.is_empty() {
        m.insert("locations".into(), json!([Value::Object(location)]));
    }
    if let (Some(region), Some(loc)) = (record_region, &v.location) {
        m.insert(
            "relatedLocations".into(),
            json!([{
                "id": 0,
                "message": { "text": "the record" },
                "physicalLocation": {
                    "artifactLocation": { "uri": artifact_uri(&loc.file, opts) },
                    "region": region,
                },
            }]),
        );
    }
    m.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(&rule.code, v) }),
    );
    if let Some(w) = &v.waived {
        let mut s = Map::new();
        s.insert("kind".into(), json!("external"));
        s.insert("status".into(), json!("accepted"));
        s.insert("justification".into(), json!(w.reason));
        let mut props = Map::new();
        if let Some(e) = &w.expires {
            props.insert("expires".into(), json!(e));
        }
        if let Some(a) = &w.approver {
            props.insert("approver".into(), json!(a));
        }
        if !props.is_empty() {
            s.insert("properties".into(), Value::Object(props));
        }
        m.insert("suppressions".into(), json!([Value::Object(s)]));
    }
    let mut props = json!({ "collection": v.collection, "id": v.id, "key": v.key });
    if let Some(o) = &v.owner {
        props["owner"] = json!({ "id": o.id, "department": o.department });
    }
    m.insert("properties".into(), props);
    Value::Object(m)
}

/// The whole log as a value.
pub fn log_value(run: &Run, opts: &ReportOptions) -> Value {
    let results: Vec<Value> = run
        .violations
        .iter()
        .map(|v| result_value(run, v, opts))
        .collect();
    log_around(run, opts, Value::Array(results))
}

/// The log with `results` in its place.
fn log_around(run: &Run, opts: &ReportOptions, results: Value) -> Value {
    let rules: Vec<Value> = run.rules.iter().map(rule_value).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "comply",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [invocation(run, opts)],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "as_of": run.as_of,
                "policy_title": run.policy_title,
                "policy_version": run.policy_version,
            },
        }],
    })
}

/// How the run went: an input error means part of the export was not
/// checked, so the execution did not succeed, whatever the results say.
fn invocation(run: &Run, opts: &ReportOptions) -> Value {
    let located = |file: &str, line: Option<usize>, column: Option<usize>| {
        let mut physical = Map::new();
        physical.insert(
            "artifactLocation".into(),
            json!({ "uri": artifact_uri(file, opts) }),
        );
        if let Some(line) = line {
            let mut region = Map::new();
            region.insert("startLine".into(), json!(line));
            if let Some(column) = column {
                region.insert("startColumn".into(), json!(column));
            }
            physical.insert("region".into(), Value::Object(region));
        }
        json!([{ "physicalLocation": Value::Object(physical) }])
    };
    let execution: Vec<Value> = run
        .input_errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}; not checked: {}", e.message, e.records_lost) },
                "locations": located(&e.file, e.line, e.column),
                "descriptor": { "id": "input-error" },
                "properties": { "records_lost": e.records_lost },
            })
        })
        .collect();
    let configuration: Vec<Value> = run
        .expired_waivers
        .iter()
        .map(|w| {
            json!({
                "level": "error",
                "message": { "text": w.message() },
                "locations": located(&w.file, Some(w.line), None),
                "descriptor": { "id": "expired-waiver" },
                "associatedRule": { "id": w.rule },
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("executionSuccessful".into(), json!(run.complete()));
    if !execution.is_empty() {
        m.insert("toolExecutionNotifications".into(), Value::Array(execution));
    }
    if !configuration.is_empty() {
        m.insert(
            "toolConfigurationNotifications".into(),
            Value::Array(configuration),
        );
    }
    Value::Object(m)
}

/// Writes the log with one result in memory at a time.
pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let doc = log_around(run, opts, pretty_stream::hole());
    let results = run.violations.iter().map(|v| result_value(run, v, opts));
    // $.runs[0].results[i]: four levels deep.
    pretty_stream::write_document(out, &doc, results, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let opts = ReportOptions {
            root: Some("/data".into()),
            ..ReportOptions::default()
        };
        assert_eq!(
            artifact_uri("export/a b#1.json", &opts),
            "export/a%20b%231.json"
        );
        assert_eq!(artifact_uri("./export/x.json", &opts), "export/x.json");
        assert_eq!(artifact_uri("export\\x.json", &opts), "export/x.json");
        #[cfg(unix)]
        {
            assert_eq!(artifact_uri("/data/export/x.json", &opts), "export/x.json");
            assert_eq!(
                artifact_uri("/elsewhere/x.json", &opts),
                "file:///elsewhere/x.json"
            );
        }
    }
}
