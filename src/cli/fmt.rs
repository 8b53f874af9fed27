//! `comply fmt`: rewrite policies in the canonical layout.

use super::{diagnostics, lint, ErrorFormat, Exit};
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], check: bool) -> Exit {
    let files = if paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        paths.to_vec()
    };
    let files = match crate::policy::find(&files) {
        Ok(f) => f,
        Err(e) => {
            eprint!("{}", diagnostics::render(&e));
            return Exit::Broken;
        }
    };
    let sources = match lint::sources(&files) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut exit = Exit::Clean;
    for (path, src) in files.iter().zip(sources) {
        let (ast, diags) = crate::syntax::parse(&src);
        if !diags.is_empty() {
            diagnostics::print(&diags, ErrorFormat::Human);
            exit = Exit::Broken;
            continue;
        }
        let formatted = crate::syntax::format::format(&ast);
        if formatted == *src.text {
            continue;
        }
        if check {
            println!("would reformat {}", src.name);
            if exit == Exit::Clean {
                exit = Exit::Findings;
            }
        } else if let Err(e) = crate::report_file::write_atomic(path, formatted.as_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", src.name);
            exit = Exit::Broken;
        } else {
            println!("reformatted {}", src.name);
        }
    }
    exit
}
