//! Gathering checked chunks: into their file's records as they are
//! checked, then the files into the export, in path order.
//!
//! A file's chunks are folded in as soon as they are checked, so their
//! record vectors and id tables do not pile up until the file ends; the
//! first file's records become the export's without being copied.

use super::integrity::Refs;
use super::model::{Export, IntegrityFinding, Interner, Record, Sym, Val};
use super::validate::{Chunk, DupKey};

/// The records of one file, their syms in the file's own table.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub ids: Interner,
    /// Indexed by collection; empty for collections the file does not hold.
    pub collections: Vec<Vec<Record>>,
    pub refs: Vec<Refs>,
    /// CD001 findings.
    pub findings: Vec<IntegrityFinding>,
    pub dups: Vec<DupKey>,
    /// For each collection, a bit per sym: the ids of its records so far.
    /// A reference to one of them resolves whatever comes later, so it is
    /// not kept for CD003; exports that list a collection before those that
    /// refer to it keep almost none.
    seen: Vec<Vec<u64>>,
}

fn has(bits: &[u64], sym: Sym) -> bool {
    let i = sym.0 as usize;
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

impl Loaded {
    /// Folds in a checked chunk; its records follow those already in.
    pub fn absorb(&mut self, chunk: Chunk) {
        let remap: Vec<Sym> = (0..chunk.interner.len())
            .map(|i| self.ids.intern(chunk.interner.resolve(Sym(i as u32))))
            .collect();
        self.fold(chunk, Some(&remap))
    }

    /// Folds in a chunk whose records a sink took (their fields are gone):
    /// only the syms of their ids and references are kept, so the strings
    /// of the export do not pile up in the file's table.
    pub fn absorb_taken(&mut self, mut chunk: Chunk) {
        let mut remap: Vec<Option<Sym>> = vec![None; chunk.interner.len()];
        let mut keep = |s: Sym| {
            *remap[s.0 as usize].get_or_insert_with(|| self.ids.intern(chunk.interner.resolve(s)))
        };
        for r in &mut chunk.records {
            debug_assert!(r.fields.is_empty());
            r.id = r.id.map(&mut keep);
        }
        for p in &mut chunk.refs {
            p.sym = keep(p.sym);
        }
        self.fold(chunk, None)
    }

    /// Folds in a chunk; `remap` takes its syms to the file's table, when
    /// they are not already.
    fn fold(&mut self, chunk: Chunk, remap: Option<&[Sym]>) {
        if self.collections.len() <= chunk.coll {
            self.collections.resize_with(chunk.coll + 1, Vec::new);
        }
        let records = &mut self.collections[chunk.coll];
        let first = records.len();
        // Grown by a quarter, not doubled: the vector lives as long as the
        // run, and a doubled one is up to half empty.
        if records.capacity() - records.len() < chunk.records.len() {
            records.reserve_exact((records.len() / 4).max(chunk.records.len()));
        }
        records.extend(chunk.records.into_iter().map(|mut r| {
            if let Some(remap) = remap {
                remap_record(&mut r, remap);
            }
            r
        }));
        if self.seen.len() <= chunk.coll {
            self.seen.resize_with(chunk.coll + 1, Vec::new);
        }
        let bits = &mut self.seen[chunk.coll];
        for id in records[first..].iter().filter_map(|r| r.id) {
            let i = id.0 as usize;
            if bits.len() <= i / 64 {
                bits.resize(i / 64 + 1, 0);
            }
            bits[i / 64] |= 1 << (i % 64);
        }
        let mut pending = chunk.refs;
        if let Some(remap) = remap {
            for p in &mut pending {
                p.sym = remap[p.sym.0 as usize];
            }
        }
        let seen = &self.seen;
        pending.retain(|p| {
            !seen
                .get(p.target as usize)
                .is_some_and(|bits| has(bits, p.sym))
        });
        if !pending.is_empty() {
            self.refs.push(Refs {
                coll: chunk.coll,
                first,
                keys: chunk.key_names,
                refs: pending,
            });
        }
        self.findings.extend(chunk.findings);
        self.dups.extend(chunk.dups);
    }

    /// Moves the file's records into the export, their file ids shifted by
    /// `base`; references go to `refs`.
    pub fn into_export(self, export: &mut Export, base: usize, refs: &mut Vec<Refs>) {
        let untouched = export.ids.is_empty() && export.collections.iter().all(Vec::is_empty);
        let remap: Option<Vec<Sym>> = (!untouched).then(|| {
            export.ids.reserve(self.ids.len());
            (0..self.ids.len())
                .map(|i| export.ids.intern(self.ids.resolve(Sym(i as u32))))
                .collect()
        });
        if untouched {
            export.ids = self.ids;
        }
        let mut firsts = Vec::with_capacity(self.collections.len());
        for (c, mut records) in self.collections.into_iter().enumerate() {
            let Some(target) = export.collections.get_mut(c) else {
                firsts.push(0);
                continue;
            };
            firsts.push(target.len());
            for r in &mut records {
                r.file += base;
                if let Some(remap) = &remap {
                    remap_record(r, remap);
                }
            }
            if target.is_empty() {
                *target = records;
            } else {
                target.append(&mut records);
            }
        }
        for mut batch in self.refs {
            batch.first += firsts.get(batch.coll).copied().unwrap_or(0);
            if let Some(remap) = &remap {
                for p in &mut batch.refs {
                    p.sym = remap[p.sym.0 as usize];
                }
            }
            refs.push(batch);
        }
        for mut f in self.findings {
            f.file += base;
            export.findings.push(f);
        }
    }
}

fn remap_record(r: &mut Record, remap: &[Sym]) {
    r.id = r.id.map(|s| remap[s.0 as usize]);
    for f in r.fields.iter_mut().flatten() {
        remap_val(&mut f.val, remap);
    }
}

fn remap_val(v: &mut Val, remap: &[Sym]) {
    match v {
        Val::Ref(s) | Val::Str(s) => *s = remap[s.0 as usize],
        Val::List(items) => items.iter_mut().for_each(|f| remap_val(&mut f.val, remap)),
        Val::Obj(fields) => fields
            .iter_mut()
            .flatten()
            .for_each(|f| remap_val(&mut f.val, remap)),
        _ => {}
    }
}
