//! Every malformed or ill-typed policy in `tests/policy-errors/` must give at
//! least one diagnostic; the rendered diagnostics are snapshot-tested so that
//! their wording, spans and help can be reviewed.

use comply::diagnostic::Diagnostic;
use comply::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::time::{Duration, Instant};

fn compile(name: &str, text: &str) -> Vec<Diagnostic> {
    comply::policy::compile(vec![SourceFile::new(name, text)]).1
}

fn render(diags: &[Diagnostic]) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for d in diags {
        handler.render_report(&mut out, d).expect("render");
        out.push('\n');
    }
    out
}

#[test]
fn policy_errors() {
    insta::glob!("policy-errors/*.policy", |path| {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .expect("file name");
        let name = format!("tests/policy-errors/{file}");
        let text = std::fs::read_to_string(path).expect("read policy");
        let diags = compile(&name, &text);
        assert!(!diags.is_empty(), "{name} gives no diagnostic");
        insta::assert_snapshot!(render(&diags));
    });
}

#[test]
fn json_form_of_an_error() {
    let text = "collection customers {\n  id: string\n  name: strng\n}\n";
    let diags = compile("tests/x.policy", text);
    let d = diags
        .iter()
        .find(|d| d.code == "unknown-type")
        .expect("unknown-type error");
    let json = d.to_json();
    assert_eq!(json["file"], "tests/x.policy");
    assert_eq!(json["line"], 3);
    assert_eq!(json["column"], 9);
    assert_eq!(json["message"], "unknown type `strng`");
    assert_eq!(json["help"], "did you mean `string`?");
    assert_eq!(json["severity"], "error");
    assert_eq!(json["code"], "unknown-type");
}

/// A deterministic xorshift generator: the test needs no `rand`.
fn junk(len: usize, mut seed: u64) -> String {
    let mut s = String::with_capacity(len);
    while s.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let b = (seed % 96) as u8;
        s.push(if b == 95 { '\n' } else { (b' ' + b) as char });
    }
    s
}

/// The best of three timings of `f`, the least disturbed by other load.
fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// `f(n)` and `f(4n)` cost about 4x apart (linear), never 16x (quadratic):
/// a bound on growth holds on any machine, unlike a wall-clock limit.
fn assert_linear(what: &str, n: usize, mut f: impl FnMut(usize)) {
    let small = best_of_three(|| f(n));
    let large = best_of_three(|| f(4 * n));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-4);
    assert!(
        ratio < 8.0,
        "{what}: {n} took {small:?}, {} took {large:?}: ratio {ratio:.1}",
        4 * n
    );
}

#[test]
fn ten_megabytes_of_junk() {
    let text = junk(10 << 20, 0x9E37_79B9_7F4A_7C15);
    assert!(!compile("junk.policy", &text).is_empty());
    assert_linear("bytes of junk", 1 << 20, |n| {
        let diags = compile("junk.policy", &text[..n]);
        assert!(!diags.is_empty());
    });
}

#[test]
fn junk_made_of_item_keywords() {
    // Many tiny items, each a syntax error: the errors are capped, not listed.
    let n = 50_000;
    let text = "rule \n".repeat(n);
    let diags = compile("items.policy", &text);
    assert!(
        !diags.is_empty() && diags.len() <= 51,
        "{} diagnostics",
        diags.len()
    );
    assert_linear("items of junk", 12_500, |n| {
        let diags = compile("items.policy", &"rule \n".repeat(n));
        assert!(!diags.is_empty() && diags.len() <= 51);
    });
}

fn rule_with(require: &str) -> String {
    format!(
        "collection customers {{\n  id: string\n}}\n\nrule CD001 deep {{\n  severity error\n  clause \"§1\"\n  for c in customers\n  require {require}\n  message \"m\"\n}}\n"
    )
}

#[test]
fn thousand_deep_parentheses() {
    let require = format!("{}true{}", "(".repeat(1000), ")".repeat(1000));
    let diags = compile("deep.policy", &rule_with(&require));
    assert!(
        diags.iter().any(|d| d.code == "nesting"),
        "{}",
        render(&diags)
    );
}

#[test]
fn thousand_nested_exists() {
    let require = format!("{}true", "exists x in customers satisfy ".repeat(1000));
    let diags = compile("deep.policy", &rule_with(&require));
    assert!(
        diags.iter().any(|d| d.code == "nesting"),
        "{}",
        render(&diags)
    );
}

#[test]
fn thousand_nested_not() {
    let require = format!("{}true", "not ".repeat(1000));
    let diags = compile("deep.policy", &rule_with(&require));
    assert!(!diags.is_empty());
}
