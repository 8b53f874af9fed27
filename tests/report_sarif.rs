//! The SARIF output validates against the SARIF 2.1.0 schema.

mod report_common;

use std::path::PathBuf;

use comply::report::{sarif, ReportOptions};
use serde_json::Value;

fn schema() -> Value {
    let rel = "shared/conformance/sarif/sarif-schema-2.1.0.json";
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(rel),
        PathBuf::from("/work").join(rel),
    ];
    let path = candidates
        .iter()
        .find(|p| p.is_file())
        .expect("the SARIF schema is in shared/conformance");
    let text = std::fs::read_to_string(path).expect("read schema");
    serde_json::from_str(&text).expect("schema is JSON")
}

fn errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let log = sarif::log_value(&report_common::run(), &ReportOptions::default());
    assert_eq!(errors(&validator, &log), Vec::<String>::new());

    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "CD431");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "/0/info_collected_at"
    );
    assert_eq!(
        log["runs"][0]["results"][2]["suppressions"][0]["kind"],
        "external"
    );
}

#[test]
fn broken_sarif_is_rejected() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let good = sarif::log_value(&report_common::run(), &ReportOptions::default());
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!errors(&validator, &bad).is_empty(), "a bad level passed");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!errors(&validator, &bad).is_empty(), "line 0 passed");
    let mut bad = good;
    bad["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .expect("driver")
        .remove("name");
    assert!(
        !errors(&validator, &bad).is_empty(),
        "a driver without name passed"
    );
}
