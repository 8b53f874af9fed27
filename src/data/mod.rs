//! Export loading with spans, and schema validation (CD001-CD004).
//!
//! [`load`] reads every path (one document, a directory, several paths),
//! checks each record against the schema and keeps only the projected
//! fields. Files are read in parallel and merged in path order, so the
//! result does not depend on scheduling.
//!
//! `Export::files` has one entry per array of records, so that a record's
//! pointer is `pointer_prefix/ordinal`: a whole document gives one entry for
//! itself (empty prefix: its metadata, CD004 and the like) and one per
//! collection member (`/customers`); an array or NDJSON file gives one.

mod container;
pub mod diagnostic;
mod file;
mod integrity;
pub mod json;
mod line_errors;
mod merge;
mod meta;
pub mod model;
mod reread;
mod stream;
pub mod timestamp;
mod validate;

use std::path::PathBuf;

use rayon::prelude::*;

pub use json::{check_json_syntax, JsonError};
use model::Export;

use crate::schema::{Layout, Need, Projection, Schema};

#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Fields the rules read; `None` keeps every declared field.
    pub projection: Option<Projection>,
    /// Deepest nesting accepted in a file.
    pub max_depth: usize,
    /// Bytes of a file read before the records found so far are checked
    /// and its text dropped; 0 reads every file whole.
    pub block_size: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            projection: None,
            max_depth: json::DEFAULT_MAX_DEPTH,
            block_size: stream::DEFAULT_BLOCK,
        }
    }
}

/// Loads an export. Never fails as a whole: unreadable or malformed files
/// go to `Export::errors` and the rest is still loaded.
pub fn load(paths: &[PathBuf], schema: &Schema, opts: &LoadOptions) -> Export {
    let projection = opts
        .projection
        .clone()
        .unwrap_or_else(|| Projection::all(schema));
    let needs: Vec<Need> = schema
        .collections
        .iter()
        .enumerate()
        .map(|(i, c)| {
            projection
                .collections
                .get(i)
                .cloned()
                .unwrap_or_else(|| Need::none(&c.record))
        })
        .collect();

    let mut export = Export {
        collections: vec![Vec::new(); schema.collections.len()],
        layouts: needs.iter().map(Layout::of).collect(),
        incomplete: vec![None; schema.collections.len()],
        ..Export::default()
    };
    let mut failures = Vec::new();
    let per_path = container::discover(paths, schema, &mut export.notes, &mut failures);
    for (file, message) in failures {
        // An unreadable path may have held any collection.
        for slot in &mut export.incomplete {
            slot.get_or_insert_with(|| file.clone());
        }
        export.errors.push(diagnostic::file(&file, message));
    }

    let mut first_meta = None;
    let mut refs = Vec::new();
    let mut unknown_seen = std::collections::HashSet::new();
    for tasks in per_path {
        for t in &tasks {
            if let Some(s) = model::FileStamp::of(&t.path) {
                export.stamps.insert(t.path.clone(), s);
            }
        }
        let outs: Vec<file::FileOut> = tasks
            .par_iter()
            .map(|t| file::process(t, schema, &needs, opts))
            .collect();
        // A path's own files never conflict: only the root export.json holds metadata.
        let mut path_meta = None;
        for out in outs {
            let base = export.files.len();
            export.files.extend(out.files);
            for mut f in out.findings {
                if f.key
                    .as_ref()
                    .is_some_and(|k| !unknown_seen.insert(k.clone()))
                {
                    continue;
                }
                f.file += base;
                export.findings.push(f);
            }
            export.notes.extend(out.notes);
            if let Some(first) = out.errors.first() {
                let file = diagnostic::problem(first).file;
                for &c in &out.lost {
                    export.incomplete[c].get_or_insert_with(|| file.clone());
                }
            }
            export.errors.extend(out.errors);
            out.records.into_export(&mut export, base, &mut refs);
            if let Some(mut m) = out.meta {
                if let Some(loc) = &mut m.location {
                    loc.0 += base;
                }
                path_meta.get_or_insert(m);
            }
        }
        if let Some(m) = path_meta {
            let location = m.location.clone();
            if let Some(conflict) = meta::merge(&mut first_meta, m) {
                export
                    .errors
                    .push(meta_conflict(&export, location, conflict));
            }
        }
    }
    export.meta = first_meta.unwrap_or_default();

    integrity::unique_ids(&mut export, schema);
    integrity::references(&mut export, schema, &refs);
    export
        .findings
        .sort_by_key(|f| (f.file, f.span.start, f.kind));
    export
}

fn meta_conflict(
    export: &Export,
    location: Option<(usize, model::ByteSpan, String)>,
    message: String,
) -> miette::Report {
    let Some((file, span, _)) = location else {
        return diagnostic::file("export", message);
    };
    let Some(f) = export.files.get(file) else {
        return diagnostic::file("export", message);
    };
    let len = (span.end - span.start) as usize;
    match reread::around(f, &[span.start], |_| true).map(|mut a| a.pop()) {
        Ok(Some((_, Some(around)))) => {
            diagnostic::at_in(&f.display, &around, span.start as usize, len, &message)
        }
        _ => diagnostic::file(&f.display, message),
    }
}
