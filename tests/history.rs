//! `check --history`, `comply history` and `comply diff`: runs kept in an
//! SQLite store, what changed between two of them by owner, a store that
//! survives a killed run, and one written by a newer comply refused.

mod common;

use common::comply;
use std::path::Path;

fn check(history: &Path, extra: &[&str]) {
    let mut args = vec![
        "check",
        "fixtures/sample-export",
        "--exit-zero",
        "--format",
        "statistics",
        "--history",
        history.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = comply(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("kept in the history"), "{}", out.stderr);
}

#[test]
fn runs_are_kept_and_compared_by_owner() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("history");
    check(&h, &[]);
    // A laxer deadline fixes the late complaint (answered after 19 days).
    check(&h, &["--param", "complaint_response_days=30"]);
    // A stricter one finds more.
    check(&h, &["--param", "complaint_response_days=3"]);

    let list = comply(&["history", "--history", h.to_str().unwrap()]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let rows: Vec<&str> = list.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{}", list.stdout);
    assert!(rows.iter().all(|r| r.ends_with("yes")), "{}", list.stdout);

    let d = comply(&["diff", "1", "2", "--history", h.to_str().unwrap()]);
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(
        d.stdout
            .starts_with("run 1 -> run 2: 0 new, 1 fixed, 13 persisting"),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout
            .contains("fixed:\n  E015 (customer_service) (1)\n    CD532 complaints Q00003: "),
        "{}",
        d.stdout
    );
    let d = comply(&["diff", "2", "3", "--history", h.to_str().unwrap()]);
    let head = d.stdout.lines().next().unwrap_or_default().to_string();
    let new: usize = head
        .split(": ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(new >= 2, "{}", d.stdout);
    assert!(d.stdout.contains("\nnew:\n"), "{}", d.stdout);

    let missing = comply(&["diff", "1", "9", "--history", h.to_str().unwrap()]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no run `9`"), "{}", missing.stderr);
}

#[test]
fn a_store_written_by_a_newer_comply_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("history");
    check(&h, &[]);
    let db = rusqlite::Connection::open(h.join("comply-history.sqlite")).unwrap();
    db.execute_batch("PRAGMA user_version = 2").unwrap();
    drop(db);
    let out = comply(&["history", "--history", h.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("written by a newer comply"),
        "{}",
        out.stderr
    );
    let out = comply(&[
        "check",
        "fixtures/sample-export",
        "--history",
        h.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "a check does not write into it either");
}

/// Runs killed at several moments, some while they write: the store stays
/// readable and every run it lists holds exactly the violations its
/// summary counts (a run is one transaction).
#[test]
fn a_killed_run_leaves_the_store_whole() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("history");
    check(&h, &[]);
    let bin = env!("CARGO_BIN_EXE_comply");
    for delay_ms in [20, 60, 120, 200, 300] {
        let mut child = std::process::Command::new(bin)
            .current_dir(common::root())
            .args([
                "check",
                "fixtures/sample-export",
                "--exit-zero",
                "--format",
                "json",
            ])
            .arg("--history")
            .arg(&h)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let db = rusqlite::Connection::open(h.join("comply-history.sqlite")).unwrap();
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut q = db
        .prepare(
            "SELECT r.id, r.errors + r.warnings + r.infos + r.waived,
                    (SELECT count(*) FROM violations v WHERE v.run = r.id) FROM runs r",
        )
        .unwrap();
    let runs: Vec<(i64, i64, i64)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!runs.is_empty());
    for (id, counted, stored) in runs {
        assert_eq!(counted, stored, "run {id}");
    }
    let out = comply(&["history", "--history", h.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
