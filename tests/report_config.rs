//! `comply.toml`: discovery, paths, unknown keys, rule selection.

mod report_common;

use comply::config::{self, Config, FailOn};
use comply::report::Format;
use comply::violation::Severity;

const CONFIG: &str = r#"
policies = ["policies/cd.policy"]
select = ["CD4"]
ignore = ["CD43"]
extend-select = ["CD431"]
fail-on = "warning"
waivers = "comply-waivers.toml"
baseline = "baseline/comply.json"
timezone = "+08:00"
format = "sarif"
redact = true

[params]
visit_record_days = 3
"#;

#[test]
fn discovers_upward_and_resolves_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("comply.toml"), CONFIG).expect("write");
    let deep = root.join("a/b/c");
    std::fs::create_dir_all(&deep).expect("mkdir");
    let c = Config::discover(&deep).expect("valid").expect("found");
    assert_eq!(c.path, root.join("comply.toml"));
    assert_eq!(c.policies, [root.join("policies/cd.policy")]);
    assert_eq!(c.waivers, Some(root.join("comply-waivers.toml")));
    assert_eq!(c.baseline, Some(root.join("baseline/comply.json")));
    assert_eq!(c.fail_on, FailOn::Warning);
    assert_eq!(c.format, Some(Format::Sarif));
    assert_eq!(c.redact, Some(true));
    assert_eq!(c.timezone.as_deref(), Some("+08:00"));
    assert_eq!(
        c.params
            .get("visit_record_days")
            .and_then(|v| v.as_integer()),
        Some(3)
    );
    assert!(c.fail_on.fails(Severity::Warning) && !c.fail_on.fails(Severity::Info));
}

#[test]
fn no_config_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A temp dir has no comply.toml above it unless the machine has one at `/`.
    if std::path::Path::new("/comply.toml").exists() {
        return;
    }
    assert!(Config::discover(dir.path()).expect("ok").is_none());
}

fn error(text: &str) -> String {
    let err = Config::parse(std::path::Path::new("comply.toml"), text).expect_err("must fail");
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    handler.render_report(&mut out, &*err).expect("render");
    out
}

#[test]
fn unknown_key_suggests() {
    let text = error("policies = []\nextend_select = [\"CD4\"]\n");
    assert!(text.contains("did you mean `extend-select`?"), "{text}");
    insta::assert_snapshot!("unknown_key", text);
    insta::assert_snapshot!("bad_fail_on", error("fail-on = \"sometimes\"\n"));
    insta::assert_snapshot!("bad_format", error("format = \"xml\"\n"));
    insta::assert_snapshot!("bad_timezone", error("timezone = \"Asia/Shanghai\"\n"));
}

#[test]
fn selection_by_code_and_prefix() {
    let rules = report_common::run().rules; // CD431 CD435 CD004 CD611
    let s = |sel: &[&str], ign: &[&str], ext: &[&str]| {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        config::select(&rules, &v(sel), &v(ign), &v(ext))
    };
    assert_eq!(s(&[], &[], &[]), [true, true, true, true]);
    assert_eq!(s(&["CD4"], &[], &[]), [true, true, false, false]);
    assert_eq!(
        s(&["CD4"], &["CD43"], &["CD431"]),
        [true, false, false, false]
    );
    assert_eq!(s(&[], &["CD0"], &[]), [true, true, false, true]);
    assert_eq!(s(&["CD435"], &["CD4"], &[]), [false, true, false, false]);
    assert_eq!(s(&["CD4"], &["CD4"], &[]), [false, false, false, false]);
    assert_eq!(s(&["ALL"], &["CD611"], &[]), [true, true, true, false]);
    let sel = vec!["CD9".to_string(), "CD43".to_string()];
    let errors = config::resolve_selectors(&rules, &sel, "--select").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("`--select CD9` selects no rule"),
        "{errors:?}"
    );
}
