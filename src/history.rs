//! Trends between runs: `comply check --history DIR` keeps each run's
//! summary and its violations' fingerprints (with owner and department) in
//! an embedded SQLite database; `comply history` lists the runs and
//! `comply diff A B` says what is new, fixed and persisting, by owner.
//!
//! A run is written in one transaction, so a run killed while it writes
//! leaves the store as it was. The schema's version is SQLite's
//! `user_version`: a store written by a newer comply is refused, not
//! misread.

use crate::violation::Run;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The schema this comply writes and reads.
const VERSION: i64 = 1;
const FILE: &str = "comply-history.sqlite";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(pub String);

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One stored run, as `comply history` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRun {
    pub id: i64,
    pub recorded_at: String,
    pub as_of: String,
    pub complete: bool,
    pub errors: i64,
    pub warnings: i64,
    pub infos: i64,
    pub waived: i64,
}

/// A violation as stored: what tells it apart, and who must act.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredViolation {
    pub owner: String,
    pub rule: String,
    pub collection: String,
    pub id: String,
    pub key: String,
    pub message: String,
}

impl Store {
    /// Opens (creating when needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, HistoryError> {
        let shown = dir.display();
        std::fs::create_dir_all(dir).map_err(|e| {
            HistoryError(format!(
                "cannot create the history directory `{shown}`: {e}"
            ))
        })?;
        let path = dir.join(FILE);
        let fail = |e: rusqlite::Error| {
            HistoryError(format!("cannot open the history `{}`: {e}", path.display()))
        };
        let conn = Connection::open(&path).map_err(fail)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(fail)?;
        if version > VERSION {
            return Err(HistoryError(format!(
                "the history `{}` was written by a newer comply (schema {version}; this one reads {VERSION}): \
                 use that comply, or another `--history` directory",
                path.display()
            )));
        }
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS runs (
               id INTEGER PRIMARY KEY,
               recorded_at TEXT NOT NULL,
               as_of TEXT NOT NULL,
               complete INTEGER NOT NULL,
               errors INTEGER NOT NULL,
               warnings INTEGER NOT NULL,
               infos INTEGER NOT NULL,
               waived INTEGER NOT NULL,
               input_errors INTEGER NOT NULL,
               records INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS violations (
               run INTEGER NOT NULL REFERENCES runs(id),
               fingerprint TEXT NOT NULL,
               rule TEXT NOT NULL,
               collection TEXT NOT NULL,
               record TEXT,
               key TEXT,
               owner TEXT,
               department TEXT,
               message TEXT NOT NULL,
               waived INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS violations_run ON violations(run);
             PRAGMA user_version = 1;
             COMMIT;",
        )
        .map_err(fail)?;
        Ok(Store { conn, path })
    }

    fn err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError(format!("the history `{}`: {e}", self.path.display()))
    }

    /// Stores `run`, in one transaction; returns its number.
    pub fn record(&mut self, run: &Run, recorded_at: &str) -> Result<i64, HistoryError> {
        let shown = self.path.display().to_string();
        let fail = move |e: rusqlite::Error| HistoryError(format!("the history `{shown}`: {e}"));
        let tx = self.conn.transaction().map_err(fail.clone())?;
        let s = &run.summary;
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO runs (recorded_at, as_of, complete, errors, warnings, infos, waived, input_errors, records)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                recorded_at,
                run.as_of,
                run.complete(),
                n(s.errors),
                n(s.warnings),
                n(s.infos),
                n(s.waived),
                n(s.input_errors),
                n(s.records)
            ],
        )
        .map_err(fail.clone())?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO violations (run, fingerprint, rule, collection, record, key, owner, department, message, waived)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(fail.clone())?;
            for v in &run.violations {
                let rule = run.rule(v);
                let owner = v.owner.as_ref();
                insert
                    .execute(params![
                        id,
                        crate::report::fingerprint(&rule.code, v),
                        rule.code,
                        v.collection,
                        v.id,
                        v.key,
                        owner.and_then(|o| o.id.as_deref()),
                        owner.and_then(|o| o.department.as_deref()),
                        v.message,
                        v.waived.is_some()
                    ])
                    .map_err(fail.clone())?;
            }
        }
        tx.commit().map_err(fail)?;
        Ok(id)
    }

    pub fn runs(&self) -> Result<Vec<StoredRun>, HistoryError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT id, recorded_at, as_of, complete, errors, warnings, infos, waived FROM runs ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map([], |r| {
                Ok(StoredRun {
                    id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    as_of: r.get(2)?,
                    complete: r.get(3)?,
                    errors: r.get(4)?,
                    warnings: r.get(5)?,
                    infos: r.get(6)?,
                    waived: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn exists(&self, run: i64) -> Result<bool, HistoryError> {
        self.conn
            .query_row("SELECT 1 FROM runs WHERE id = ?1", [run], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    /// A run's unwaived violations by fingerprint.
    fn violations(&self, run: i64) -> Result<BTreeMap<String, StoredViolation>, HistoryError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT fingerprint, rule, collection, record, key, owner, department, message
                 FROM violations WHERE run = ?1 AND waived = 0",
            )
            .map_err(|e| self.err(e))?;
        let rows = q
            .query_map([run], |r| {
                let owner: Option<String> = r.get(5)?;
                let department: Option<String> = r.get(6)?;
                let owner = match (owner, department) {
                    (Some(o), Some(d)) => format!("{o} ({d})"),
                    (Some(o), None) => o,
                    (None, Some(d)) => d,
                    (None, None) => "(no owner)".into(),
                };
                Ok((
                    r.get::<_, String>(0)?,
                    StoredViolation {
                        owner,
                        rule: r.get(1)?,
                        collection: r.get(2)?,
                        id: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        key: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        message: r.get(7)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// What changed from run `a` to run `b`: (new, fixed, persisting).
    pub fn diff(&self, a: i64, b: i64) -> Result<Diff, HistoryError> {
        for run in [a, b] {
            if !self.exists(run)? {
                return Err(HistoryError(format!(
                    "no run `{run}` in the history `{}`: `comply history` lists them",
                    self.path.display()
                )));
            }
        }
        let (old, new) = (self.violations(a)?, self.violations(b)?);
        let mut d = Diff::default();
        for (fp, v) in &new {
            if old.contains_key(fp) {
                d.persisting.push(v.clone());
            } else {
                d.new.push(v.clone());
            }
        }
        d.fixed = old
            .iter()
            .filter(|(fp, _)| !new.contains_key(*fp))
            .map(|(_, v)| v.clone())
            .collect();
        for list in [&mut d.new, &mut d.fixed, &mut d.persisting] {
            list.sort();
        }
        Ok(d)
    }
}

/// Violations of a later run against an earlier one, each list sorted by
/// owner, then rule and record.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    pub new: Vec<StoredViolation>,
    pub fixed: Vec<StoredViolation>,
    pub persisting: Vec<StoredViolation>,
}
