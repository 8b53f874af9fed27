//! `--format junit`: one test suite; one test case per input error (an
//! `<error>`), per expired waiver and per violation (a `<failure>`, or
//! `<skipped>` with the reason when waived), and one passing test case per
//! rule with no violation.

use std::io::{self, Write};

use super::{point, ReportOptions};
use crate::violation::Run;

/// Escapes text for XML content and attribute values; drops characters XML
/// 1.0 cannot carry.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One test case: its name, its classname and what goes inside it.
struct Case {
    classname: String,
    name: String,
    body: Option<String>,
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let mut cases = Vec::new();
    let (mut failures, mut errors, mut skipped) = (0, 0, 0);
    // What was not read comes first: nothing below speaks for it.
    for e in &run.input_errors {
        errors += 1;
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            (Some(l), None) => format!("{}:{l}", e.file),
            _ => e.file.clone(),
        };
        let message = format!("{}; not checked: {}", e.message, e.records_lost);
        cases.push(Case {
            classname: "comply.input".into(),
            name: format!("input error {at}"),
            body: Some(format!(
                r#"<error message="{}" type="input-error">{}</error>"#,
                escape_xml(&message),
                escape_xml(&format!("{at}: {message}"))
            )),
        });
    }
    for w in &run.expired_waivers {
        failures += 1;
        cases.push(Case {
            classname: "comply.waivers".into(),
            name: format!("waiver {}:{} {} {}", w.file, w.line, w.rule, w.id),
            body: Some(format!(
                r#"<failure message="{}" type="expired-waiver"/>"#,
                escape_xml(&w.message())
            )),
        });
    }
    let mut violated = vec![false; run.rules.len()];
    for v in &run.violations {
        let Some(rule) = run.rules.get(v.rule) else {
            continue;
        };
        violated[v.rule] = true;
        let message = opts.message(v);
        let at = match point(v) {
            Some((file, line, col)) => format!("{file}:{line}:{col}"),
            None => format!("<{}>", v.collection),
        };
        let mut name = format!("{} {} {}", rule.code, rule.name, v.collection);
        for part in [&v.id, &v.key].into_iter().flatten() {
            name.push(' ');
            name.push_str(part);
        }
        let body = match &v.waived {
            Some(w) => {
                skipped += 1;
                format!(
                    r#"<skipped message="{}"/>"#,
                    escape_xml(&format!("waived: {}", w.reason))
                )
            }
            None => {
                failures += 1;
                format!(
                    r#"<failure message="{}" type="{}">{}</failure>"#,
                    escape_xml(&message),
                    rule.severity.as_str(),
                    escape_xml(&format!("{at}: {message}")),
                )
            }
        };
        cases.push(Case {
            classname: classname(rule),
            name,
            body: Some(body),
        });
    }
    // A rule with no violation is one passing test case.
    for (rule, _) in run.rules.iter().zip(&violated).filter(|(_, v)| !**v) {
        cases.push(Case {
            classname: classname(rule),
            name: format!("{} {}", rule.code, rule.name),
            body: None,
        });
    }
    let tests = cases.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="comply" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" timestamp="{}">"#,
        escape_xml(if run.policy_title.is_empty() {
            "comply"
        } else {
            &run.policy_title
        }),
        escape_xml(&run.as_of),
    )?;
    for c in &cases {
        let (classname, name) = (escape_xml(&c.classname), escape_xml(&c.name));
        match &c.body {
            None => writeln!(out, r#"    <testcase classname="{classname}" name="{name}"/>"#)?,
            Some(body) => writeln!(
                out,
                "    <testcase classname=\"{classname}\" name=\"{name}\">\n      {body}\n    </testcase>"
            )?,
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn classname(rule: &crate::violation::RuleInfo) -> String {
    let label = rule.clause_label();
    if label.is_empty() {
        "comply".to_string()
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_xml("a<b>&\"c\"'d'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;\u{FFFD}"
        );
    }
}
