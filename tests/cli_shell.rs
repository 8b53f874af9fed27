//! Completions and the man page come from the clap definition.

mod common;
use common::*;

#[test]
fn bash_completion_knows_the_commands_and_flags() {
    let out = comply(&["completions", "bash"]);
    assert_eq!(out.code, 0);
    for word in ["check", "lint", "fmt", "--fail-on", "--baseline"] {
        assert!(out.stdout.contains(word), "{word} missing");
    }
    for shell in ["zsh", "fish"] {
        let out = comply(&["completions", shell]);
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains("fail-on"), "{shell}");
    }
}

#[test]
fn man_page_documents_every_subcommand() {
    let out = comply(&["man"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.starts_with(".TH"),
        "{}",
        &out.stdout[..80.min(out.stdout.len())]
    );
    for word in ["comply\\-check", "baseline", "exit", "redact"] {
        assert!(
            out.stdout.contains(word),
            "{word} missing from the man page"
        );
    }
}
