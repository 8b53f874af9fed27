//! Nicolas Seriot's JSONTestSuite through the JSON layer and the loader.

mod loader_common;
use loader_common as common;

use std::path::PathBuf;

use comply::data::{check_json_syntax, load, LoadOptions};

fn suite_dir() -> PathBuf {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/conformance/json-test-suite/test_parsing"),
        PathBuf::from("/work/shared/conformance/json-test-suite/test_parsing"),
    ];
    candidates
        .into_iter()
        .find(|p| p.is_dir())
        .expect("JSONTestSuite test_parsing directory")
}

#[test]
fn json_test_suite() {
    let schema = common::schema();
    let mut files: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("read suite")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() > 300, "{} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).expect("read case");
        let syntax = check_json_syntax(&bytes);
        match (name.as_bytes()[0], &syntax) {
            (b'y', Err(e)) => failures.push(format!("{name}: rejected: {e}")),
            (b'n', Ok(())) => failures.push(format!("{name}: accepted")),
            (b'n', Err(e)) if e.line == 0 || e.column == 0 => {
                failures.push(format!("{name}: no position: {e:?}"))
            }
            _ => {}
        }
        // Whatever the shape, loading never panics, and a syntax error is
        // an input error there too.
        let export = load(std::slice::from_ref(path), &schema, &LoadOptions::default());
        // Rendering the report (with its snippet) must not panic either.
        for report in &export.errors {
            let _ = format!("{report:?}");
        }
        if syntax.is_err() && export.errors.is_empty() {
            failures.push(format!("{name}: load reported no error"));
        }
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if let (b'y', Some(b'{')) = (name.as_bytes()[0], first) {
            if !export.errors.is_empty() {
                failures.push(format!(
                    "{name}: valid object refused by load: {:?}",
                    export.errors
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
