//! The checks that need the whole export: unique ids (CD002) and
//! references that resolve (CD003).

use std::collections::{HashMap, HashSet};

use super::model::{ByteSpan, Export, IntegrityFinding, IntegrityKind, Record, Sym};
use crate::schema::{CollId, Schema};
use crate::source::SourceFile;

/// A reference, with its record located in the merged export.
#[derive(Debug, Clone)]
pub(crate) struct Ref {
    pub coll: CollId,
    pub record: usize,
    pub target: CollId,
    pub sym: Sym,
    pub key: std::sync::Arc<str>,
    pub span: ByteSpan,
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
    // The first copies' files are no longer in memory: read each one again
    // for the line and column the message points at.
    let mut sources: HashMap<std::path::PathBuf, Option<SourceFile>> = HashMap::new();
    for (c, i, first, n) in copies {
        let later = &export.collections[c][i];
        let first = &export.collections[c][first];
        let first_file = &export.files[first.file];
        let src = sources.entry(first_file.path.clone()).or_insert_with(|| {
            crate::source::read_text(&first_file.path)
                .ok()
                .map(|t| SourceFile::new(first_file.display.clone(), t))
        });
        let at = match src {
            Some(s) => {
                let lc = s.line_col(first.span.start as usize);
                format!("{}:{}:{}", first_file.display, lc.line, lc.column)
            }
            None => format!("{}#{}", first_file.display, pointer(export, first)),
        };
        let id = later.id.map(|s| export.ids.resolve(s).to_owned());
        let ptr = pointer(export, later);
        let id_field = schema.collections[c].id_field();
        let id_span = id_field
            .and_then(|f| later.fields.get(f))
            .and_then(|f| f.as_ref())
            .map(|f| f.span);
        let finding = IntegrityFinding {
            kind: IntegrityKind::UniqueId,
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
            field: Some((format!("{ptr}/id"), id_span)),
            pointer: ptr,
        };
        export.findings.push(finding);
    }
}

pub(crate) fn references(export: &mut Export, schema: &Schema, refs: &[Ref]) {
    let mut ids: HashMap<CollId, HashSet<Sym>> = HashMap::new();
    for r in refs {
        let known = ids.entry(r.target).or_insert_with(|| {
            export.collections[r.target]
                .iter()
                .filter_map(|rec| rec.id)
                .collect()
        });
        if known.contains(&r.sym) {
            continue;
        }
        let rec = &export.collections[r.coll][r.record];
        let ptr = pointer(export, rec);
        let target = &schema.collections[r.target].name;
        let finding = IntegrityFinding {
            kind: IntegrityKind::Reference,
            collection: schema.collections[r.coll].name.clone(),
            id: rec.id.map(|s| export.ids.resolve(s).to_owned()),
            key: Some(r.key.to_string()),
            file: rec.file,
            span: rec.span,
            field: Some((format!("{ptr}{}", r.key), Some(r.span))),
            pointer: ptr,
            message: format!(
                "`{}`: `{}` names no `{target}` record",
                r.key,
                export.ids.resolve(r.sym)
            ),
        };
        export.findings.push(finding);
    }
}
