//! Hash indexes the checker planned: built once per (collection, field) and
//! shared by every rule, so a join costs O(n + m).

use crate::data::model::{Export, Sym, Val};
use crate::schema::{CollId, Layout};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

/// One index: for each key, its records' positions, ascending. The
/// positions of all keys sit in one vector (keys map to a range of it), so
/// an index costs about 20 bytes per key and 4 per record, where a vector
/// per key cost 50 and more.
#[derive(Debug, Default)]
struct Index {
    ranges: HashMap<Sym, (u32, u32)>,
    records: Vec<u32>,
}

impl Index {
    fn build(mut pairs: Vec<(Sym, u32)>) -> Index {
        // Sorting by key, then position, keeps each key's records in order.
        pairs.sort_unstable();
        let mut ranges: HashMap<Sym, (u32, u32)> = HashMap::default();
        let mut records = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while i < pairs.len() {
            let key = pairs[i].0;
            let start = i;
            while i < pairs.len() && pairs[i].0 == key {
                records.push(pairs[i].1);
                i += 1;
            }
            ranges.insert(key, (start as u32, (i - start) as u32));
        }
        Index { ranges, records }
    }

    fn get(&self, key: Sym) -> &[u32] {
        match self.ranges.get(&key) {
            Some(&(start, len)) => &self.records[start as usize..(start + len) as usize],
            None => &[],
        }
    }
}

#[derive(Debug, Default)]
pub struct Indexes {
    maps: HashMap<(CollId, Option<usize>), Index>,
}

impl Indexes {
    pub fn build(export: &Export, wanted: &[(CollId, Option<usize>)]) -> Indexes {
        let maps = wanted
            .par_iter()
            .map(|&(c, field)| {
                let layout = export.layouts.get(c).unwrap_or(Layout::empty());
                let records = export.collections.get(c).map(Vec::as_slice).unwrap_or(&[]);
                let pairs: Vec<(Sym, u32)> = records
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
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
                        key.map(|k| (k, i as u32))
                    })
                    .collect();
                ((c, field), Index::build(pairs))
            })
            .collect();
        Indexes { maps }
    }

    pub fn lookup(&self, coll: CollId, field: Option<usize>, key: Sym) -> &[u32] {
        self.maps.get(&(coll, field)).map_or(&[], |m| m.get(key))
    }

    /// The record a reference resolves to: the first with that id.
    pub fn resolve(&self, coll: CollId, id: Sym) -> Option<u32> {
        self.lookup(coll, None, id).first().copied()
    }
}
