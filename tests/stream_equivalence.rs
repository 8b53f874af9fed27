//! Streaming a file block by block loads exactly what reading it whole
//! loads: the same records, findings, notes, metadata and errors, whatever
//! the block size (down to blocks smaller than one record), for every
//! fixture export, the sample export in both layouts, and broken files
//! (which the stream hands back to the whole-file reader).

use comply::data::{load, model::Export, LoadOptions};
use comply::schema::Schema;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn program() -> &'static comply::check::ir::Program {
    static P: OnceLock<comply::check::ir::Program> = OnceLock::new();
    P.get_or_init(|| comply::policy::compile(comply::policy::shipped()).0)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Everything a load produced, as comparable text (ids resolved, errors
/// rendered).
fn summary(e: &Export) -> String {
    let ids: Vec<&str> = (0..e.ids.len())
        .map(|i| e.ids.resolve(comply::data::model::Sym(i as u32)))
        .collect();
    let errors: Vec<String> = e.errors.iter().map(|r| format!("{r:?}")).collect();
    format!(
        "files {:?}\ncollections {:?}\nids {ids:?}\nmeta {:?}\nfindings {:?}\nnotes {:?}\nerrors {errors:#?}",
        e.files, e.collections, e.meta, e.findings, e.notes
    )
}

fn load_with(paths: &[PathBuf], schema: &Schema, block_size: usize, projected: bool) -> String {
    let opts = LoadOptions {
        projection: projected.then(|| program().projection.clone()),
        block_size,
        ..LoadOptions::default()
    };
    summary(&load(paths, schema, &opts))
}

fn assert_same(paths: &[PathBuf], blocks: &[usize]) {
    let schema = &program().schema;
    for projected in [true, false] {
        let whole = load_with(paths, schema, 0, projected);
        for &b in blocks {
            let streamed = load_with(paths, schema, b, projected);
            assert!(
                streamed == whole,
                "{paths:?} block {b} projected {projected}: streamed load differs\n--- whole\n{whole}\n--- streamed\n{streamed}"
            );
        }
    }
}

fn fixture_exports() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root().join("fixtures/rules"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_name() == "export.json")
        .map(|e| e.into_path())
        .collect();
    out.sort();
    assert!(out.len() > 300, "fixtures not found");
    out
}

#[test]
fn every_fixture_streams_as_it_reads_whole() {
    for path in fixture_exports() {
        assert_same(&[path], &[1, 97, 4096]);
    }
}

#[test]
fn the_sample_export_streams_as_it_reads_whole() {
    let dir = root().join("fixtures/sample-export");
    let doc = root().join("fixtures/sample-export.json");
    assert_same(&[dir], &[1, 64, 1 << 20]);
    assert_same(&[doc], &[1, 64, 1 << 20]);
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("comply-stream-{}-{tag}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Files the stream must hand back, or get right itself.
const CASES: &[&str] = &[
    // well formed, unusual
    "{}",
    " { \"export\" : {\"as_of\":\"2025-06-30T12:00:00+08:00\"} , \"customers\" : [ ] } \n",
    "{\"customers\":[{\"id\":\"C1\"},\n{\"id\":\"C2\"}],\"custmers\":[1,[2,{\"a\":\"]\"}]]}",
    "{\"customers\":[1, \"x\", null, [], {\"id\":\"C\\u0031\"}]}",
    "{\"employees\":[{\"id\":\"E1\",\"department\":\"compliance\",\"active\":true}],\"customers\":[{\"id\":\"C1\",\"owner\":\"E2\"}]}",
    // broken or reported with lines
    "{\"customers\":[{\"id\":\"C1\"},]}",
    "{\"customers\":[{\"id\":\"C1\"}]} x",
    "{\"customers\":[{\"id\":\"C1\"} {\"id\":\"C2\"}]}",
    "{\"customers\":[{\"id\":\"C1\",\"id\":\"C2\"}]}",
    "{\"customers\":[],\"customers\":[{\"id\":\"C2\"}]}",
    "{\"export\":{\"as_of\":\"yesterday\"},\"customers\":[]}",
    "{\"export\":[],\"customers\":[]}",
    "{\"customers\":{}}",
    "{\"customers\":[{\"id\":\"C1\"}",
    "{\"customers\":[{\"id\":\"C1\"}]]",
    "{\"customers\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    "{\"customers\":[tru]}",
    "{\"customers\":[\"\\",
    "\u{feff}{\"customers\":[]}",
    "[]",
    "",
];

#[test]
fn odd_and_broken_documents_stream_as_they_read_whole() {
    for (i, text) in CASES.iter().enumerate() {
        let dir = TempDir::new("doc");
        let doc = dir.0.join(format!("case-{i}.json"));
        write(&doc, text.as_bytes());
        assert_same(&[doc], &[1, 7, 4096]);
        // The same text as one collection's array file, and as NDJSON.
        let tree = TempDir::new("tree");
        write(
            &tree.0.join("export.json"),
            br#"{"export":{"as_of":"2025-06-30T12:00:00+08:00"}}"#,
        );
        write(&tree.0.join("customers.json"), text.as_bytes());
        write(&tree.0.join("visits.ndjson"), text.as_bytes());
        assert_same(std::slice::from_ref(&tree.0), &[1, 7, 4096]);
    }
}

#[test]
fn invalid_utf8_and_gzip_stream_as_they_read_whole() {
    let dir = TempDir::new("bytes");
    write(
        &dir.0.join("customers.ndjson"),
        b"{\"id\":\"C1\"}\n{\"id\":\"C\xff\"}\n",
    );
    write(&dir.0.join("visits.json"), b"[{\"id\":\"V\xe4\"}]");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(
        &mut gz,
        b"{\"id\":\"E1\"}\r\n\r\n  \n{\"id\":\"E2\",\"active\":1}\n{\"id\":\"E3\"}",
    )
    .unwrap();
    write(&dir.0.join("employees.ndjson.gz"), &gz.finish().unwrap());
    assert_same(std::slice::from_ref(&dir.0), &[1, 5, 4096]);
}

/// An NDJSON file's bad lines and duplicate keys are reported by the stream
/// itself (it no longer reads such a file whole): the same errors, notes,
/// lines around each error and records as the whole-file reader, past the
/// limit of errors shown, with Chinese text, CRLF and blank lines, whatever
/// the block size.
#[test]
fn ndjson_bad_lines_and_duplicate_keys_stream_as_they_read_whole() {
    let dir = TempDir::new("lines");
    let mut text = Vec::new();
    text.extend_from_slice(
        b"{\"id\":\"C0\",\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"name\":\"x\"}\r\n",
    );
    for i in 1..400 {
        match i % 7 {
            0 => text.extend_from_slice(format!("{{\"id\":\"C{i}\",}}\n").as_bytes()),
            1 => text.extend_from_slice(b"{\"id\":\"\xff\xfe\"}\n"),
            2 => text.extend_from_slice(b"\n  \r\n"),
            3 => text.extend_from_slice(format!("{{\"id\":\"C{i}\",\"stage\":\"lead\",\"stage\":\"\u{5ba2}\"}}\n").as_bytes()),
            4 => text.extend_from_slice(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"),
            _ => text.extend_from_slice(format!("{{\"id\":\"C{i}\",\"name\":\"\u{738b}\u{4e94} {i}\"}}\n").as_bytes()),
        }
    }
    text.extend_from_slice(b"{\"id\":");
    write(&dir.0.join("customers.ndjson"), &text);
    let summary = load_with(std::slice::from_ref(&dir.0), &program().schema, 0, true);
    assert!(summary.contains("more input errors in"), "{summary}");
    assert!(summary.contains("duplicate key `stage`"), "{summary}");
    assert_same(std::slice::from_ref(&dir.0), &[1, 13, 333, 4096, 1 << 20]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any cut of the sample export's documents into blocks loads the same.
    #[test]
    fn any_block_size_loads_the_same(block in 1usize..20_000) {
        let doc = root().join("fixtures/sample-export.json");
        let schema = &program().schema;
        let whole = load_with(std::slice::from_ref(&doc), schema, 0, true);
        prop_assert_eq!(load_with(&[doc], schema, block, true), whole);
    }
}
