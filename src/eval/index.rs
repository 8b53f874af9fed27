//! Hash indexes the checker planned: built once per (collection, field) and
//! shared by every rule, so a join costs O(n + m).

use crate::data::model::{Export, Sym, Val};
use crate::schema::{CollId, Layout};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

#[derive(Debug, Default)]
pub struct Indexes {
    maps: HashMap<(CollId, Option<usize>), HashMap<Sym, Vec<u32>>>,
}

impl Indexes {
    pub fn build(export: &Export, wanted: &[(CollId, Option<usize>)]) -> Indexes {
        let maps = wanted
            .par_iter()
            .map(|&(c, field)| {
                let mut map: HashMap<Sym, Vec<u32>> = HashMap::default();
                let layout = export.layouts.get(c).unwrap_or(Layout::empty());
                for (i, r) in export
                    .collections
                    .get(c)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                {
                    let key = match field {
                        None => r.id,
                        Some(f) => match layout
                            .slot(f)
                            .and_then(|s| r.fields.get(s))
                            .and_then(Option::as_ref)
                            .map(|f| &f.val)
                        {
                            Some(Val::Ref(s)) => Some(*s),
                            _ => None,
                        },
                    };
                    if let Some(k) = key {
                        map.entry(k).or_default().push(i as u32);
                    }
                }
                ((c, field), map)
            })
            .collect();
        Indexes { maps }
    }

    pub fn lookup(&self, coll: CollId, field: Option<usize>, key: Sym) -> &[u32] {
        self.maps
            .get(&(coll, field))
            .and_then(|m| m.get(&key))
            .map_or(&[], Vec::as_slice)
    }

    /// The record a reference resolves to: the first with that id.
    pub fn resolve(&self, coll: CollId, id: Sym) -> Option<u32> {
        self.lookup(coll, None, id).first().copied()
    }
}
