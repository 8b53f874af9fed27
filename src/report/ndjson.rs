//! `--format ndjson`: one object a line, written as they come. Input errors
//! come first (`{"input_error": {…}}`), then one line per violation (the
//! shape of the JSON report's `violations` elements), then expired waivers
//! (`{"expired_waiver": {…}}`), and last one line `{"complete": …,
//! "summary": {…}}`: a reader that never sees it knows the stream was cut.

use std::io::{self, Write};

use serde_json::json;

use super::ReportOptions;
use crate::violation::Run;

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let mut line = |value: &serde_json::Value| -> io::Result<()> {
        serde_json::to_writer(&mut *out, value)?;
        out.write_all(b"\n")
    };
    for e in &run.input_errors {
        line(&json!({ "input_error": e }))?;
    }
    for v in &run.violations {
        line(&super::json::violation_value(run, v, opts))?;
    }
    for w in &run.expired_waivers {
        line(&json!({ "expired_waiver": super::json::expired_waiver_value(w) }))?;
    }
    line(&json!({
        "complete": run.complete(),
        "summary": super::json::summary_value(run),
    }))
}
