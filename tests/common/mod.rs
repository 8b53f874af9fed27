//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, the project's read-only contract and conformance data.
pub fn shared() -> PathBuf {
    let beside = root().join("../shared");
    if beside.is_dir() {
        beside
    } else {
        PathBuf::from("/work/shared")
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built binary from the repository root, colour off.
pub fn comply(args: &[&str]) -> Output {
    comply_in(&root(), args)
}

pub fn comply_in(dir: &Path, args: &[&str]) -> Output {
    comply_with_stdin(dir, args, std::process::Stdio::null())
}

/// Runs the built binary in `dir` with `stdin` as its standard input.
pub fn comply_with_stdin(dir: &Path, args: &[&str], stdin: std::process::Stdio) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_comply"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(stdin)
        .output()
        .expect("the comply binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
