//! `--format csv`: the table of `table::rows` as RFC 4180 CSV (CRLF line
//! ends, fields quoted where they hold a comma, a quote or a line break),
//! in UTF-8 with a byte order mark so that spreadsheet programs open
//! Chinese text as Chinese.

use std::io::{self, Write};

use super::{table, ReportOptions};
use crate::violation::Run;

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(table::HEADER)?;
    for row in table::rows(run, opts) {
        w.write_record(&row)?;
    }
    w.flush()
}
