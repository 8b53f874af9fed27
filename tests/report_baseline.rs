//! Baselines: write, read back, filter.

mod report_common;

use comply::baseline::{self, Baseline};

#[test]
fn round_trip_and_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("comply-baseline.json");
    let run = report_common::run();
    baseline::write(&run, &path).expect("write");
    let text = std::fs::read_to_string(&path).expect("read");
    insta::assert_snapshot!(text);
    let b = Baseline::load(&path).expect("load");
    assert_eq!(b, Baseline::from_run(&run));

    // The same run again, lines shifted: nothing is new.
    let mut again = report_common::run();
    for v in &mut again.violations {
        if let Some(l) = &mut v.location {
            l.line += 3;
        }
    }
    let f = baseline::filter(&mut again, &b);
    assert_eq!(f.baselined, 4);
    assert_eq!(f.stale, 0);
    assert!(again.violations.is_empty());
    assert_eq!(
        (
            again.summary.errors,
            again.summary.warnings,
            again.summary.waived
        ),
        (0, 0, 0)
    );

    // A new violation survives; a fixed one makes an entry stale.
    let mut next = report_common::run();
    next.violations[0].id = Some("C0009".to_string());
    next.violations.remove(3);
    let f = baseline::filter(&mut next, &b);
    assert_eq!(f.baselined, 2);
    assert_eq!(f.stale, 2);
    assert_eq!(next.violations.len(), 1);
    assert_eq!(next.violations[0].id.as_deref(), Some("C0009"));
    assert_eq!(next.summary.errors, 1);
}

#[test]
fn bad_baseline_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.json");
    std::fs::write(&path, "{\"version\": 9, \"violations\": []}").expect("write");
    let err = Baseline::load(&path).expect_err("version 9");
    assert!(err.to_string().contains("has version 9"), "{err}");
    std::fs::write(&path, "[]").expect("write");
    assert!(Baseline::load(&path).is_err());
}
