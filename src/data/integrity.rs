//! The checks that need the whole export: unique ids (CD002) and
//! references that resolve (CD003).

use std::collections::HashMap;

use super::model::{Export, IntegrityFinding, IntegrityKind, Record, Sym};
use super::validate::PendingRef;
use crate::schema::{CollId, Schema};

/// The references of one checked chunk, their syms in the export's table.
#[derive(Debug)]
pub(crate) struct Refs {
    pub coll: CollId,
    /// Index in its collection of the chunk's first record.
    pub first: usize,
    pub keys: Vec<Box<str>>,
    pub refs: Vec<PendingRef>,
}

fn pointer(export: &Export, r: &Record) -> String {
    let prefix = export
        .files
        .get(r.file)
        .map_or("", |f| f.pointer_prefix.as_str());
    format!("{prefix}/{}", r.ordinal)
}

pub(crate) fn unique_ids(export: &mut Export, schema: &Schema) {
    // (collection, later copy, first copy, occurrence number)
    let mut copies: Vec<(CollId, usize, usize, usize)> = Vec::new();
    for (c, records) in export.collections.iter().enumerate() {
        let mut seen: rustc_hash::FxHashMap<Sym, (usize, usize)> = Default::default();
        for (i, r) in records.iter().enumerate() {
            let Some(id) = r.id else { continue };
            let entry = seen.entry(id).or_insert((i, 0));
            entry.1 += 1;
            if entry.1 > 1 {
                copies.push((c, i, entry.0, entry.1));
            }
        }
    }
    if copies.is_empty() {
        return;
    }
    // The first copies' files are no longer in memory: their lines and
    // columns are found in one streaming pass over each, as violations' are.
    let mut locator = crate::locate::lines::Locator::default();
    for &(c, _, first, _) in &copies {
        let first = &export.collections[c][first];
        locator.want(first.file, first.span.start);
    }
    locator.resolve(&export.files, &HashMap::new());
    for (c, i, first, n) in copies {
        let later = &export.collections[c][i];
        let first = &export.collections[c][first];
        let first_file = &export.files[first.file];
        let at = match locator.find(first.file, first.span.start) {
            Some(lc) => format!("{}:{}:{}", first_file.display, lc.line, lc.column),
            None => format!("{}#{}", first_file.display, pointer(export, first)),
        };
        let id = later.id.map(|s| export.ids.resolve(s).to_owned());
        let ptr = pointer(export, later);
        let finding = IntegrityFinding {
            kind: IntegrityKind::UniqueId,
            target: None,
            collection: schema.collections[c].name.clone(),
            message: format!(
                "id `{}` appears again in `{}` (occurrence {n}); the first is at {at}",
                id.as_deref().unwrap_or_default(),
                schema.collections[c].name
            ),
            id,
            key: Some(n.to_string()),
            file: later.file,
            span: later.span,
            // Its span is found again when the violation is located.
            field: Some((format!("{ptr}/id"), None)),
            pointer: ptr,
        };
        export.findings.push(finding);
    }
}

pub(crate) fn references(export: &mut Export, schema: &Schema, batches: &[Refs]) {
    // One bit per interned id, per target collection: ids are dense.
    let mut known: Vec<Option<Vec<bool>>> = vec![None; export.collections.len()];
    for batch in batches {
        for r in &batch.refs {
            let target = r.target as usize;
            let ids = known[target].get_or_insert_with(|| {
                let mut bits = vec![false; export.ids.len()];
                for rec in &export.collections[target] {
                    if let Some(id) = rec.id {
                        bits[id.0 as usize] = true;
                    }
                }
                bits
            });
            if ids.get(r.sym.0 as usize).copied().unwrap_or(false) {
                continue;
            }
            let rec = &export.collections[batch.coll][batch.first + r.record as usize];
            let ptr = pointer(export, rec);
            let target = &schema.collections[target].name;
            let key = batch.keys.get(r.key as usize).map_or("", |k| k);
            let finding = IntegrityFinding {
                kind: IntegrityKind::Reference,
                target: Some(r.target as usize),
                collection: schema.collections[batch.coll].name.clone(),
                id: rec.id.map(|s| export.ids.resolve(s).to_owned()),
                key: Some(key.to_string()),
                file: rec.file,
                span: rec.span,
                // Its span is found again when the violation is located.
                field: Some((format!("{ptr}{key}"), None)),
                pointer: ptr,
                message: format!(
                    "`{key}`: `{}` names no `{target}` record",
                    export.ids.resolve(r.sym)
                ),
            };
            export.findings.push(finding);
        }
    }
}
