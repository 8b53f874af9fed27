//! Baselines: accept today's violations, report only new ones from now on.
//!
//! The file is JSON, entries sorted by (rule, collection, id, key):
//!
//! ```json
//! { "version": 1,
//!   "violations": [ { "fingerprint": "…", "rule": "CD431", "collection": "customers",
//!                     "id": "C0042", "key": null } ] }
//! ```
//!
//! A violation is the same one when its fingerprint (rule, collection, id,
//! key; see [`crate::report::fingerprint`]) is: line numbers do not matter.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::fingerprint;
use crate::violation::Run;

pub const VERSION: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub collection: String,
    pub id: Option<String>,
    pub key: Option<String>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u64,
    pub violations: Vec<Entry>,
}

/// What [`filter`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Violations dropped because the baseline has them.
    pub baselined: usize,
    /// Baseline entries that matched nothing (fixed since).
    pub stale: usize,
}

impl Baseline {
    /// Every violation of `run`, waived or not.
    pub fn from_run(run: &Run) -> Baseline {
        let set: BTreeSet<Entry> = run
            .violations
            .iter()
            .filter_map(|v| {
                let rule = run.rules.get(v.rule)?;
                Some(Entry {
                    rule: rule.code.clone(),
                    collection: v.collection.clone(),
                    id: v.id.clone(),
                    key: v.key.clone(),
                    fingerprint: fingerprint(&rule.code, v),
                })
            })
            .collect();
        Baseline {
            version: VERSION,
            violations: set.into_iter().collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn load(path: &Path) -> miette::Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read baseline `{}`: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| {
            miette::miette!(
                "baseline `{}` is not a comply baseline: {e}",
                path.display()
            )
        })?;
        if b.version != VERSION {
            miette::bail!(
                "baseline `{}` has version {}; this comply reads version {VERSION}",
                path.display(),
                b.version
            );
        }
        Ok(b)
    }
}

/// Writes the baseline of `run` to `path`.
pub fn write(run: &Run, path: &Path) -> miette::Result<()> {
    // Atomically, like `-o`: a failed write keeps the previous baseline.
    crate::report_file::write_atomic(path, Baseline::from_run(run).to_json().as_bytes())
        .map_err(|e| miette::miette!("cannot write baseline `{}`: {e}", path.display()))
}

/// Drops from `run` the violations the baseline has, and updates the summary.
pub fn filter(run: &mut Run, baseline: &Baseline) -> Filtered {
    let known: BTreeSet<&str> = baseline
        .violations
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut seen = BTreeSet::new();
    let before = run.violations.len();
    let rules = &run.rules;
    run.violations.retain(|v| {
        let Some(rule) = rules.get(v.rule) else {
            return true;
        };
        let fp = fingerprint(&rule.code, v);
        if known.contains(fp.as_str()) {
            seen.insert(fp);
            false
        } else {
            true
        }
    });
    crate::waiver::recount(run);
    Filtered {
        baselined: before - run.violations.len(),
        stale: known.len() - seen.len(),
    }
}
