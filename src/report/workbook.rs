//! `--format xlsx`: a workbook for the people who act on findings. A
//! Violations sheet (the rows of `table`, header frozen, autofilter,
//! column widths), then By department, By employee and Clauses sheets of
//! counts. Redacted like every format: the rows carry the redacted
//! messages.

use std::io::{self, Write};

use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::grouping::{tally, GroupBy, Tally};
use super::{table, ReportOptions};
use crate::violation::Run;

/// Rows a sheet holds, the header included (Excel's limit).
const MAX_ROWS: usize = 1_048_576;

/// Widths of the Violations sheet's columns, in characters.
const WIDTHS: [f64; 15] = [
    10.0, 8.0, 30.0, 16.0, 10.0, 18.0, 16.0, 12.0, 12.0, 80.0, 40.0, 8.0, 8.0, 24.0, 24.0,
];

fn xlsx(e: XlsxError) -> io::Error {
    io::Error::other(format!("cannot write the workbook: {e}"))
}

pub fn render(run: &Run, out: &mut dyn Write, opts: &ReportOptions) -> io::Result<()> {
    let rows = table::rows(run, opts);
    if rows.len() >= MAX_ROWS {
        return Err(io::Error::other(format!(
            "a worksheet holds at most {} violations and this run has {}: use `--format csv`",
            MAX_ROWS - 1,
            rows.len()
        )));
    }
    let bold = CellFormat::new().set_bold();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Violations").map_err(xlsx)?;
    for (c, (h, w)) in table::HEADER.iter().zip(WIDTHS).enumerate() {
        let c = c as u16;
        sheet
            .write_string_with_format(0, c, *h, &bold)
            .map_err(xlsx)?;
        sheet.set_column_width(c, w).map_err(xlsx)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            // Lines and columns are numbers, so that they sort as numbers.
            match (table::HEADER[c as usize], cell.parse::<u32>()) {
                ("line" | "column", Ok(n)) => sheet.write_number(r, c, n),
                _ if cell.is_empty() => continue,
                _ => sheet.write_string(r, c, cell),
            }
            .map_err(xlsx)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet
        .autofilter(0, 0, rows.len() as u32, table::HEADER.len() as u16 - 1)
        .map_err(xlsx)?;

    counts(
        &mut book,
        "By department",
        "department",
        &tally(run, GroupBy::Department),
        &bold,
    )?;
    counts(
        &mut book,
        "By employee",
        "employee",
        &tally(run, GroupBy::Owner),
        &bold,
    )?;
    let clauses = tally(run, GroupBy::Clause);
    let sheet = counts(&mut book, "Clauses", "clause", &clauses, &bold)?;
    sheet
        .write_string_with_format(0, 6, "text", &bold)
        .map_err(xlsx)?;
    sheet.set_column_width(6, 80).map_err(xlsx)?;
    for (r, (id, _)) in clauses.iter().enumerate() {
        let text = run
            .rules
            .iter()
            .flat_map(|rule| &rule.clauses)
            .find(|c| &c.id == id)
            .map(|c| c.text.as_str());
        if let Some(text) = text {
            sheet.write_string(r as u32 + 1, 6, text).map_err(xlsx)?;
        }
    }
    let bytes = book.save_to_buffer().map_err(xlsx)?;
    out.write_all(&bytes)
}

/// A sheet of counts per group: name, count, errors, warnings, infos, waived.
fn counts<'b>(
    book: &'b mut Workbook,
    name: &str,
    group: &str,
    rows: &[(String, Tally)],
    bold: &CellFormat,
) -> io::Result<&'b mut Worksheet> {
    let sheet = book.add_worksheet().set_name(name).map_err(xlsx)?;
    let header = [group, "count", "errors", "warnings", "infos", "waived"];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, bold)
            .map_err(xlsx)?;
        sheet
            .set_column_width(c as u16, if c == 0 { 28 } else { 10 })
            .map_err(xlsx)?;
    }
    for (r, (g, t)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, g).map_err(xlsx)?;
        for (c, n) in [t.total(), t.errors, t.warnings, t.infos, t.waived]
            .into_iter()
            .enumerate()
        {
            sheet
                .write_number(r, c as u16 + 1, n as f64)
                .map_err(xlsx)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    Ok(sheet)
}
