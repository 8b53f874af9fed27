//! The pre-commit hook, run by the real `pre-commit` (from PyPI) against this
//! repository: a throwaway git repo commits an export, the hook fails on a
//! violating one and passes on a clean one.
//!
//! `pre-commit try-repo` takes this repository's working tree as it is, so
//! the test needs no pushed tag; pre-commit builds the hook with
//! `cargo install` (a release build, a few minutes) into a `PRE_COMMIT_HOME`
//! kept under `target/`, so later runs reuse it.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn pre_commit() -> Option<String> {
    let found = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if found("pre-commit") {
        return Some("pre-commit".into());
    }
    // CI installs it (.ci/run); elsewhere, install it the same way.
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "pre-commit"])
        .status();
    found("pre-commit").then(|| "pre-commit".into())
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git {args:?}");
}

fn export(channel: &str) -> String {
    format!(
        r#"{{"export": {{"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"}},
 "customers": [{{"id": "C1", "type": "individual", "name": "测试", "created_at": "2025-01-01",
   "acquisition_channel": "{channel}", "stage": "prospect", "data_classification": "confidential"}}]}}"#
    )
}

const METADATA: &str =
    r#"{"export": {"as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"}}"#;

fn customer(channel: &str) -> String {
    format!(
        r#"{{"id": "C1", "type": "individual", "name": "测试", "created_at": "2025-01-01", "acquisition_channel": "{channel}", "stage": "prospect", "data_classification": "confidential"}}"#
    )
}

fn outcome(out: std::process::Output) -> (bool, String) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn hook_fails_on_a_violating_export_and_passes_on_a_clean_one() {
    let Some(pc) = pre_commit() else {
        panic!("pre-commit is not installed and could not be installed with pip (`.ci/run` installs it)");
    };
    let work = std::env::temp_dir().join(format!("comply-pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&work, &["init", "-q"]);
    let home = root().join("target/pre-commit-home");
    let run = |file: &str| {
        Command::new(&pc)
            .args([
                "try-repo",
                root().to_str().unwrap_or_default(),
                "comply-check",
                "--files",
                file,
                "--verbose",
            ])
            .args(["--hook-stage", "pre-commit"])
            .env("PRE_COMMIT_HOME", &home)
            .current_dir(&work)
            .output()
            .expect("pre-commit runs")
    };
    // try-repo runs the hook with its default `args`, `.`: the export is the
    // repository itself.
    std::fs::write(work.join("export.json"), export("purchased_list")).expect("write");
    git(&work, &["add", "."]);
    let bad = run("export.json");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(
        !bad.status.success(),
        "hook passed a violating export:\n{text}"
    );
    assert!(text.contains("CD521"), "the violation is shown:\n{text}");

    // The directory layout: a change to one NDJSON collection file, or to a
    // gzipped one, alone must run the hook too.
    std::fs::write(work.join("export.json"), METADATA).expect("write");
    std::fs::write(work.join("customers.ndjson"), customer("purchased_list")).expect("write");
    git(&work, &["add", "."]);
    let (ok, text) = outcome(run("customers.ndjson"));
    assert!(!ok, "hook passed an NDJSON-only violating change:\n{text}");
    assert!(text.contains("CD521"), "the violation is shown:\n{text}");

    std::fs::write(work.join("customers.ndjson"), customer("referral")).expect("write");
    git(&work, &["add", "."]);
    let (ok, text) = outcome(run("customers.ndjson"));
    assert!(ok, "hook failed a clean export:\n{text}");

    std::fs::remove_file(work.join("customers.ndjson")).expect("rm");
    std::fs::write(
        work.join("customers.json"),
        format!("[{}]", customer("purchased_list")),
    )
    .expect("write");
    let gz = Command::new("gzip")
        .arg("customers.json")
        .current_dir(&work)
        .status()
        .is_ok_and(|s| s.success());
    assert!(gz, "gzip customers.json");
    git(&work, &["add", "-A", "."]);
    let (ok, text) = outcome(run("customers.json.gz"));
    assert!(!ok, "hook passed a .json.gz-only violating change:\n{text}");
    assert!(text.contains("CD521"), "the violation is shown:\n{text}");
    let _ = std::fs::remove_dir_all(work);
}
