//! Properties of the engine over the sample exports in
//! `fixtures/rules/*/*/export.json`: how an export is laid out (one document,
//! a directory of `.json` arrays or `.ndjson` files, a collection split over
//! two files) and the order of its records (when ids are unique) change no
//! violation. Violations are compared as sets of (rule, collection, id, key).

use comply::audit::{audit, AuditOptions};
use comply::check::ir::Program;
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

type Found = BTreeSet<(String, String, Option<String>, Option<String>)>;

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| comply::policy::compile(comply::policy::shipped()).0)
}

/// Every fixture document that is a JSON object whose collections are arrays.
fn fixtures() -> &'static Vec<(PathBuf, Map<String, Value>)> {
    static F: OnceLock<Vec<(PathBuf, Map<String, Value>)>> = OnceLock::new();
    F.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_name() != "export.json" {
                continue;
            }
            let Ok(Value::Object(doc)) =
                serde_json::from_slice::<Value>(&std::fs::read(e.path()).unwrap())
            else {
                continue;
            };
            if doc.iter().all(|(k, v)| k == "export" || v.is_array()) {
                out.push((e.into_path(), doc));
            }
        }
        assert!(out.len() > 100, "fixtures not found");
        out
    })
}

fn violations(paths: &[PathBuf]) -> Result<Found, String> {
    let a = audit(program(), paths, &AuditOptions::default()).map_err(|e| e.to_string())?;
    Ok(a.run
        .violations
        .iter()
        .map(|v| {
            (
                a.run.rule(v).code.clone(),
                v.collection.clone(),
                v.id.clone(),
                v.key.clone(),
            )
        })
        .collect())
}

struct TempDir(PathBuf);
impl TempDir {
    fn new() -> TempDir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "comply-export-props-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn meta_only(doc: &Map<String, Value>) -> String {
    let mut m = Map::new();
    if let Some(meta) = doc.get("export") {
        m.insert("export".into(), meta.clone());
    }
    serde_json::to_string_pretty(&Value::Object(m)).unwrap()
}

fn records(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

fn ndjson(recs: &[Value]) -> String {
    recs.iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    /// `export.json` (metadata) + `<c>.json` arrays.
    Arrays,
    /// `export.json` (metadata) + `<c>.ndjson`.
    Lines,
    /// `export.json` (metadata) + `<c>/1.json` and `<c>/2.json` (or `.ndjson`)
    /// holding the records before and after `split` (a fraction).
    Split { at: f64, lines: bool },
}

/// Lays the document out as a directory.
fn directory(doc: &Map<String, Value>, layout: Layout) -> TempDir {
    let dir = TempDir::new();
    write(&dir.0.join("export.json"), meta_only(doc));
    for (name, v) in doc.iter().filter(|(k, _)| *k != "export") {
        let recs = records(v);
        match layout {
            Layout::Arrays => write(
                &dir.0.join(format!("{name}.json")),
                serde_json::to_string_pretty(v).unwrap(),
            ),
            Layout::Lines => write(&dir.0.join(format!("{name}.ndjson")), ndjson(recs)),
            Layout::Split { at, lines } => {
                let k = ((recs.len() as f64) * at).round() as usize;
                let (a, b) = recs.split_at(k.min(recs.len()));
                for (i, part) in [a, b].into_iter().enumerate() {
                    if lines {
                        write(
                            &dir.0.join(name).join(format!("{}.ndjson", i + 1)),
                            ndjson(part),
                        );
                    } else {
                        write(
                            &dir.0.join(name).join(format!("{}.json", i + 1)),
                            serde_json::to_string(part).unwrap(),
                        );
                    }
                }
            }
        }
    }
    dir
}

fn document(doc: &Map<String, Value>) -> TempDir {
    let dir = TempDir::new();
    write(
        &dir.0.join("export.json"),
        serde_json::to_string_pretty(&Value::Object(doc.clone())).unwrap(),
    );
    dir
}

fn has_duplicate_ids(doc: &Map<String, Value>) -> bool {
    doc.iter().filter(|(k, _)| *k != "export").any(|(_, v)| {
        let mut seen = BTreeSet::new();
        records(v)
            .iter()
            .filter_map(|r| r.get("id"))
            .any(|id| !seen.insert(id.to_string()))
    })
}

/// Every fixture, laid out as `.json` arrays and as `.ndjson` files: the
/// same violations as the one document.
#[test]
fn directory_layouts_change_no_violation() {
    for (path, doc) in fixtures() {
        let base = violations(std::slice::from_ref(path));
        for layout in [Layout::Arrays, Layout::Lines] {
            let dir = directory(doc, layout);
            assert_eq!(
                violations(std::slice::from_ref(&dir.0)),
                base,
                "{} laid out as {layout:?}",
                path.display()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Records of every collection shuffled: no change, when ids are unique.
    #[test]
    fn reordering_records_changes_no_violation(i in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let (path, doc) = &fixtures()[i.index(fixtures().len())];
        prop_assume!(!has_duplicate_ids(doc));
        let base = violations(std::slice::from_ref(path));
        let mut shuffled = doc.clone();
        let mut s = seed | 1;
        for (k, v) in shuffled.iter_mut() {
            if k == "export" {
                continue;
            }
            let recs = v.as_array_mut().unwrap();
            for j in (1..recs.len()).rev() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                recs.swap(j, (s % (j as u64 + 1)) as usize);
            }
        }
        let dir = document(&shuffled);
        prop_assert_eq!(violations(&[dir.0.join("export.json")]), base.clone(), "{} shuffled", path.display());
        let dir = directory(&shuffled, Layout::Arrays);
        prop_assert_eq!(violations(std::slice::from_ref(&dir.0)), base, "{} shuffled, as a directory", path.display());
    }

    /// Each collection split across two files of its folder, at any point.
    #[test]
    fn splitting_collections_changes_no_violation(i in any::<prop::sample::Index>(), at in 0.0f64..=1.0, lines in any::<bool>()) {
        let (path, doc) = &fixtures()[i.index(fixtures().len())];
        let base = violations(std::slice::from_ref(path));
        let dir = directory(doc, Layout::Split { at, lines });
        prop_assert_eq!(violations(std::slice::from_ref(&dir.0)), base, "{} split at {} (ndjson: {})", path.display(), at, lines);
    }
}

// ------------------------------------------------------------ fuzz regressions

/// Found by `cargo fuzz run export_json` (input `["\`, 3 bytes, in
/// `tests/regressions/export_trailing_backslash.json`): a file ending inside
/// a string just after a backslash made `data::json::check_depth` slice past
/// the end of the text (`range start index 4 out of range for slice of
/// length 3`), a panic that took the whole load down. Now a syntax error.
#[test]
fn file_ending_in_a_backslash_inside_a_string() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/export_trailing_backslash.json");
    let bytes = std::fs::read(&file).unwrap();
    let p = program();
    let opts = comply::data::LoadOptions {
        projection: Some(p.projection.clone()),
        ..Default::default()
    };
    for text in [&bytes[..], b"{\"a\":\"\\", b"\"\\", b"[\"\\\\\\"] {
        // As one document, as a collection's array and as its .ndjson.
        let dir = TempDir::new();
        write(&dir.0.join("doc/export.json"), text);
        write(
            &dir.0.join("tree/export.json"),
            br#"{"export":{"as_of":"2025-06-30T12:00:00+08:00"}}"#,
        );
        write(&dir.0.join("tree/customers.json"), text);
        write(
            &dir.0.join("lines/customers.ndjson"),
            [&b"{}\n"[..], text].concat(),
        );
        for path in ["doc/export.json", "tree", "lines"] {
            let export = comply::data::load(&[dir.0.join(path)], &p.schema, &opts);
            assert!(
                !export.errors.is_empty(),
                "{path}: {:?} loads without an error",
                String::from_utf8_lossy(text)
            );
        }
    }
}
