//! `comply lint`: parse and check policies.

use super::{diagnostics, ErrorFormat, Exit};
use crate::diagnostic::Level;
use std::path::PathBuf;

/// Policy sources named on the command line, or `policies/`, or the shipped policy.
pub fn sources(paths: &[PathBuf]) -> Result<Vec<crate::source::SourceFile>, Exit> {
    let paths = if paths.is_empty() {
        let dir = PathBuf::from("policies");
        if dir.is_dir() {
            vec![dir]
        } else {
            return Ok(crate::policy::shipped());
        }
    } else {
        paths.to_vec()
    };
    crate::policy::find(&paths)
        .and_then(|files| crate::policy::read(&files))
        .map_err(|e| {
            eprint!("{}", diagnostics::render(&e));
            Exit::Broken
        })
}

pub fn run(paths: &[PathBuf], deny_warnings: bool, format: ErrorFormat) -> Exit {
    let sources = match sources(paths) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let (program, diags) = crate::policy::compile(sources);
    diagnostics::print(&diags, format);
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    if format == ErrorFormat::Human {
        if errors + warnings == 0 {
            eprintln!(
                "{}: {} rules, {} integrity checks, {} collections: no problems",
                program.name,
                program.rules.len(),
                program.integrity.len(),
                program.schema.collections.len()
            );
        } else {
            eprintln!(
                "{errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            );
        }
    }
    if errors > 0 {
        Exit::Broken
    } else if warnings > 0 && deny_warnings {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
