//! `--format junit`: one test suite, one test case a rule (passing when it
//! has no unwaived violation), one `<failure>` a violation.

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

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let mut failures_by_rule = vec![Vec::new(); run.rules.len()];
    for v in run.violations.iter().filter(|v| v.waived.is_none()) {
        if let Some(slot) = failures_by_rule.get_mut(v.rule) {
            slot.push(v);
        }
    }
    let failing = failures_by_rule.iter().filter(|f| !f.is_empty()).count();
    let tests = run.rules.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="comply" tests="{tests}" failures="{failing}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failing}" errors="0" skipped="0" timestamp="{}">"#,
        escape_xml(if run.policy_title.is_empty() {
            "comply"
        } else {
            &run.policy_title
        }),
        escape_xml(&run.as_of),
    )?;
    for (rule, failures) in run.rules.iter().zip(&failures_by_rule) {
        let classname = rule.clause_label();
        let classname = if classname.is_empty() {
            "comply".to_string()
        } else {
            classname
        };
        let name = format!("{} {}", rule.code, rule.name);
        if failures.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}"/>"#,
                escape_xml(&classname),
                escape_xml(&name)
            )?;
            continue;
        }
        writeln!(
            out,
            r#"    <testcase classname="{}" name="{}">"#,
            escape_xml(&classname),
            escape_xml(&name)
        )?;
        for v in failures {
            let message = opts.message(v);
            let at = match point(v) {
                Some((file, line, col)) => format!("{file}:{line}:{col}"),
                None => format!("<{}>", v.collection),
            };
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape_xml(&message),
                rule.severity.as_str(),
                escape_xml(&format!("{at}: {message}")),
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
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
