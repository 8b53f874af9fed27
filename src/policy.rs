//! Finding, reading, parsing and checking policy files.

use crate::check::{self, ir::Program};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use std::path::{Path, PathBuf};

/// The shipped regulation, built into the binary so that `comply check`
/// works from any directory.
pub const SHIPPED: &str = include_str!("../policies/customer-development.policy");
pub const SHIPPED_NAME: &str = "policies/customer-development.policy";

/// Stack for parsing and checking: deep but bounded input must never
/// overflow it (the parser rejects nesting beyond its limits first).
const STACK: usize = 256 << 20;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PolicyFileError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(io))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no `.policy` file in `{0}`")]
    #[diagnostic(code(no_policy), help("policy files end in `.policy`"))]
    Empty(String),
}

/// Policy files named by `paths`: files as given, directories walked for `*.policy`.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyFileError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "policy")
                })
                .map(|e| e.into_path())
                .collect();
            if found.is_empty() {
                return Err(PolicyFileError::Empty(p.display().to_string()));
            }
            out.append(&mut found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

pub fn read(paths: &[PathBuf]) -> Result<Vec<SourceFile>, PolicyFileError> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|source| PolicyFileError::Read {
                path: p.display().to_string(),
                source,
            })?;
            Ok(SourceFile::new(
                display(p),
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        })
        .collect()
}

pub fn shipped() -> Vec<SourceFile> {
    vec![SourceFile::new(SHIPPED_NAME, SHIPPED)]
}

/// A path as users see it: relative to the current directory when inside it.
pub fn display(p: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf());
    rel.display().to_string().replace('\\', "/")
}

/// Parses and checks the sources as one policy, reporting every error.
pub fn compile(sources: Vec<SourceFile>) -> (Program, Vec<Diagnostic>) {
    let spare = sources.clone();
    match std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || compile_here(&sources))
    {
        Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        // No thread to be had: check on this one; the nesting limits keep
        // the recursion within an ordinary stack too.
        Err(_) => compile_here(&spare),
    }
}

fn compile_here(sources: &[SourceFile]) -> (Program, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut asts = Vec::new();
    for s in sources {
        let (ast, mut d) = crate::syntax::parse(s);
        diags.append(&mut d);
        asts.push(ast);
    }
    let (program, mut d) = check::check(sources, &asts);
    diags.append(&mut d);
    (program, diags)
}
