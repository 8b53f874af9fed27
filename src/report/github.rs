//! `--format github`: GitHub Actions workflow commands, one annotation a
//! violation: `::error file=…,line=…,col=…,title=CODE name::message`.

use std::io::{self, Write};

use super::control_text::escape_controls;
use super::{input_error_text, relative_path, shown, ReportOptions};
use crate::violation::{Run, Severity};

/// Escapes a command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes data for a command and a CI log: control characters too.
fn data(s: &str) -> String {
    escape_data(&escape_controls(s))
}

fn property(s: &str) -> String {
    escape_property(&escape_controls(s))
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    for e in &run.input_errors {
        let mut props = vec![format!("file={}", property(&relative_path(&e.file, opts)))];
        if let Some(l) = e.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = e.column {
            props.push(format!("col={c}"));
        }
        props.push("title=comply input error (export not fully checked)".into());
        writeln!(
            out,
            "::error {}::{}",
            props.join(","),
            data(&input_error_text(e))
        )?;
    }
    for w in &run.expired_waivers {
        writeln!(
            out,
            "::error file={},line={},title=comply expired waiver::{}",
            property(&relative_path(&w.file, opts)),
            w.line,
            data(&w.message())
        )?;
    }
    for v in shown(run, opts) {
        if v.waived.is_some() {
            continue;
        }
        let rule = run.rule(v);
        let level = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &v.location {
            props.push(format!(
                "file={}",
                property(&relative_path(&loc.file, opts))
            ));
            match &v.field {
                Some(f) => {
                    props.push(format!("line={}", f.line));
                    props.push(format!("col={}", f.column));
                }
                None => {
                    props.push(format!("line={}", loc.line));
                    props.push(format!("endLine={}", loc.end_line));
                    // Columns only make sense on a one-line range.
                    if loc.line == loc.end_line {
                        props.push(format!("col={}", loc.column));
                        props.push(format!("endColumn={}", loc.end_column));
                    }
                }
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", rule.code, rule.name))
        ));
        writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            data(&{
                let mut text = opts.message(v);
                if let Some(o) = &v.owner {
                    text.push_str(&format!(" (owner {})", o.label()));
                }
                if let Some(file) = &v.follows_input_error {
                    text.push_str(&format!(" (may follow from the input error in {file})"));
                }
                text
            })
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(
            escape_property("dir:a,b/100%.json"),
            "dir%3Aa%2Cb/100%25.json"
        );
    }
}
