//! Loads an export against the test schema and prints what the loader found.
//!
//! `cargo run --example show_load -- PATH...`

#[path = "../tests/loader_common/mod.rs"]
mod common;

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let export = comply::data::load(&paths, &common::schema(), &Default::default());
    for e in &export.errors {
        eprintln!("{e:?}");
    }
    for n in &export.notes {
        eprintln!("note: {}: {}", n.file, n.message);
    }
    for f in &export.findings {
        let file = &export.files[f.file].display;
        eprintln!(
            "{:?} {} id={:?} key={:?} at {file}#{} field={:?}: {}",
            f.kind, f.collection, f.id, f.key, f.pointer, f.field, f.message
        );
    }
    eprintln!("records: {}", export.record_count());
}
