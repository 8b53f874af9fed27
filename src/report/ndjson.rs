//! `--format ndjson`: one violation a line, the shape of the JSON report's
//! `violations` elements, written as they come.

use std::io::{self, Write};

use super::ReportOptions;
use crate::violation::Run;

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    for v in &run.violations {
        serde_json::to_writer(&mut *out, &super::json::violation_value(run, v, opts))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
