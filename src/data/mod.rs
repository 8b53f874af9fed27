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
use std::sync::{Arc, Mutex};

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
    /// Takes each record's fields as soon as the record is checked: the
    /// export then keeps only ids and locations, and a conversion holds a
    /// block of records, not the export. Files are then read one at a time.
    pub sink: Option<SinkRef>,
}

/// Receives checked records in file order, files in path order.
pub trait Sink: Send {
    /// A file starts: its records' file ids, below, count from `base` among
    /// the export's data files.
    fn file(&mut self, base: model::FileId);
    /// Records of collection `coll`, in file order: their syms are `ids`'s,
    /// their file ids index `files` (the current file's data files). A
    /// record can be given again when a file is read a second time (the
    /// stream gave up on it); a sink skips what it has already taken, by
    /// its offset in the file.
    fn records(
        &mut self,
        coll: crate::schema::CollId,
        records: &[model::Record],
        ids: &model::Interner,
        files: &[model::DataFile],
    );
}

#[derive(Clone)]
pub struct SinkRef(pub Arc<Mutex<dyn Sink>>);

impl std::fmt::Debug for SinkRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkRef")
    }
}

impl SinkRef {
    /// Gives `records` to the sink, then keeps only their ids and locations.
    pub(crate) fn drain(
        &self,
        coll: crate::schema::CollId,
        records: &mut [model::Record],
        ids: &model::Interner,
        files: &[model::DataFile],
    ) {
        if records.is_empty() {
            return;
        }
        // A panic in another file's sink poisons the lock; the records
        // still go to this one.
        let mut sink = self.0.lock().unwrap_or_else(|e| e.into_inner());
        sink.records(coll, records, ids, files);
        for r in records {
            r.fields = Box::default();
        }
    }

    fn file(&self, base: model::FileId) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).file(base);
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            projection: None,
            max_depth: json::DEFAULT_MAX_DEPTH,
            block_size: stream::DEFAULT_BLOCK,
            sink: None,
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
        // A path's own files never conflict: only the root export.json holds metadata.
        let mut path_meta = None;
        let mut merge = |export: &mut Export, out: file::FileOut| {
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
            out.records.into_export(export, base, &mut refs);
            if let Some(mut m) = out.meta {
                if let Some(loc) = &mut m.location {
                    loc.0 += base;
                }
                path_meta.get_or_insert(m);
            }
        };
        match &opts.sink {
            // One file at a time, each handed over as it is read: its
            // records' file ids are then known while it is read.
            Some(sink) => {
                for t in &tasks {
                    sink.file(export.files.len());
                    let mut out = file::process(t, schema, &needs, opts);
                    // What the stream did not hand over (a file read whole).
                    for (c, records) in out.records.collections.iter_mut().enumerate() {
                        sink.drain(c, records, &out.records.ids, &out.files);
                    }
                    merge(&mut export, out);
                }
            }
            None => {
                let outs: Vec<file::FileOut> = tasks
                    .par_iter()
                    .map(|t| file::process(t, schema, &needs, opts))
                    .collect();
                for out in outs {
                    merge(&mut export, out);
                }
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
