//! `comply history` and `comply diff`: the runs `check --history` kept, and
//! what changed between two of them, by who must act.

use super::{diagnostics, Exit};
use crate::config::Config;
use crate::history::{Diff, Store, StoredViolation};
use std::path::PathBuf;

/// `--history DIR`, else `history` in `comply.toml` (found upward).
pub fn directory(given: Option<PathBuf>) -> Result<PathBuf, Exit> {
    if let Some(d) = given {
        return Ok(d);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match Config::discover(&cwd) {
        Ok(Some(Config {
            history: Some(d), ..
        })) => Ok(d),
        Ok(_) => {
            eprintln!(
                "error: no history to read: give `--history DIR`, or `history = \"DIR\"` in comply.toml"
            );
            Err(Exit::Broken)
        }
        Err(e) => {
            eprint!("{}", diagnostics::render(e.as_ref()));
            Err(Exit::Broken)
        }
    }
}

/// The store `--history` (or comply.toml) names, and its directory.
fn open(history: Option<PathBuf>) -> Result<(PathBuf, Store), Exit> {
    let dir = directory(history)?;
    let store = Store::open(&dir).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Broken
    })?;
    Ok((dir, store))
}

pub fn list(history: Option<PathBuf>) -> Exit {
    let (dir, store) = match open(history) {
        Ok(x) => x,
        Err(x) => return x,
    };
    let runs = match store.runs() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Broken;
        }
    };
    if runs.is_empty() {
        println!("no runs in {}", dir.display());
        return Exit::Clean;
    }
    println!(
        "{:>4}  {:<25}  {:<25}  {:>6}  {:>8}  {:>5}  {:>6}  complete",
        "run", "recorded at", "as of", "errors", "warnings", "infos", "waived"
    );
    for r in runs {
        println!(
            "{:>4}  {:<25}  {:<25}  {:>6}  {:>8}  {:>5}  {:>6}  {}",
            r.id,
            r.recorded_at,
            r.as_of,
            r.errors,
            r.warnings,
            r.infos,
            r.waived,
            if r.complete { "yes" } else { "NO" }
        );
    }
    Exit::Clean
}

pub fn diff(a: i64, b: i64, history: Option<PathBuf>) -> Exit {
    let (_, store) = match open(history) {
        Ok(x) => x,
        Err(x) => return x,
    };
    match store.diff(a, b) {
        Ok(d) => {
            print!("{}", render(a, b, &d));
            Exit::Clean
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Broken
        }
    }
}

/// New and fixed violations listed under their owners; persisting ones
/// counted per owner.
pub fn render(a: i64, b: i64, d: &Diff) -> String {
    let mut out = format!(
        "run {a} -> run {b}: {} new, {} fixed, {} persisting\n",
        d.new.len(),
        d.fixed.len(),
        d.persisting.len()
    );
    let listed = |out: &mut String, title: &str, vs: &[StoredViolation]| {
        if vs.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title}:\n"));
        let mut owner: Option<&str> = None;
        for v in vs {
            if owner != Some(v.owner.as_str()) {
                let n = vs.iter().filter(|x| x.owner == v.owner).count();
                out.push_str(&format!("  {} ({n})\n", v.owner));
                owner = Some(&v.owner);
            }
            let who = if v.id.is_empty() { &v.key } else { &v.id };
            out.push_str(&format!(
                "    {} {} {}: {}\n",
                v.rule,
                v.collection,
                who,
                super::super::report::concise::one_line(&v.message)
            ));
        }
    };
    listed(&mut out, "new", &d.new);
    listed(&mut out, "fixed", &d.fixed);
    if !d.persisting.is_empty() {
        out.push_str("\npersisting, by owner:\n");
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for v in &d.persisting {
            *counts.entry(v.owner.as_str()).or_default() += 1;
        }
        for (o, n) in counts {
            out.push_str(&format!("  {o}: {n}\n"));
        }
    }
    out
}
