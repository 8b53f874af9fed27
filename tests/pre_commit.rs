//! The pre-commit hook, run by the real `pre-commit` (from PyPI) against this
//! repository: a throwaway git repo commits an export, the hook fails on a
//! violating one and passes on a clean one.
//!
//! The working tree is copied into a repository under `target/` (so the test
//! needs no pushed tag and sees uncommitted changes); pre-commit builds the
//! hook from it with `cargo install` (a release build, a few minutes) into a
//! `PRE_COMMIT_HOME` kept under `target/`, once per tree.

mod common;
use common::*;
use std::path::{Path, PathBuf};
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

/// This working tree (tracked and untracked files, as `git` sees them) as a
/// repository pre-commit can clone. Its commit has fixed dates, so the same
/// tree gives the same revision and pre-commit builds the hook once, not
/// once per run (`pre-commit try-repo` makes a new revision every time).
fn hook_repo() -> (PathBuf, String) {
    let repo = root().join("target/pre-commit-hook-repo");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).expect("mkdir");
    let files = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    for name in files.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let from = root().join(&name);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = repo.join(&name);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::copy(&from, &to).expect("copy");
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A", "."]);
    let ok = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["commit", "-q", "-m", "hook under test"])
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .current_dir(&repo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "commit the hook repository");
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&repo)
        .output()
        .expect("rev-parse");
    (
        repo,
        String::from_utf8_lossy(&rev.stdout).trim().to_string(),
    )
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
    let (hook_repo, rev) = hook_repo();
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n-   repo: {}\n    rev: {rev}\n    hooks:\n    -   id: comply-check\n",
            hook_repo.display()
        ),
    )
    .expect("write config");
    let run = |file: &str| {
        Command::new(&pc)
            .args(["run", "comply-check", "--files", file, "--verbose"])
            .args(["--hook-stage", "pre-commit"])
            .env("PRE_COMMIT_HOME", &home)
            .current_dir(&work)
            .output()
            .expect("pre-commit runs")
    };
    // The hook runs with its default `args`, `.`: the export is the
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
