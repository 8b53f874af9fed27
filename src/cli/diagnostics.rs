//! Printing diagnostics: graphical on a terminal, plain without colour, or JSON.

use super::ErrorFormat;
use crate::diagnostic::Diagnostic;
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::io::IsTerminal;

/// Colour only on a terminal and when `NO_COLOR` is not set.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub fn handler() -> GraphicalReportHandler {
    let theme = if colour() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_width(100)
}

pub fn render(d: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    if handler().render_report(&mut out, d).is_err() {
        out = d.to_string();
    }
    out
}

pub fn print(diags: &[Diagnostic], format: ErrorFormat) {
    match format {
        ErrorFormat::Human => {
            for d in diags {
                eprint!("{}", render(d));
            }
        }
        ErrorFormat::Json => {
            let all: Vec<serde_json::Value> = diags.iter().map(Diagnostic::to_json).collect();
            println!("{}", serde_json::Value::Array(all));
        }
    }
}
