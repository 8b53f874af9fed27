//! Shared by the export targets: the shipped program, fixed settings.
#![allow(dead_code)]
use comply::check::ir::Program;
use comply::data::LoadOptions;
use comply::eval::Settings;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        comply::policy::compile(comply::policy::shipped()).0
    })
}

pub fn settings(p: &Program) -> Settings {
    Settings {
        as_of: "2025-06-30T04:00:00Z".parse().unwrap(),
        tz: jiff::tz::Offset::from_hours(8).unwrap(),
        params: p.params.iter().map(|x| x.default.clone()).collect(),
    }
}

/// Loads the paths with the shipped schema and projection, evaluates with
/// fixed settings, and with the export's own as_of/timezone when it has them.
pub fn run(paths: &[PathBuf]) {
    let p = program();
    let opts = LoadOptions { projection: Some(p.projection.clone()), ..LoadOptions::default() };
    let export = comply::data::load(paths, &p.schema, &opts);
    let mut s = settings(p);
    let run = comply::eval::evaluate(p, &export, &s);
    std::hint::black_box(&run);
    if let Some((_, t)) = export.meta.as_of.as_ref().or(export.meta.generated_at.as_ref()) {
        s.as_of = *t;
        if let Some((_, tz)) = &export.meta.timezone {
            s.tz = *tz;
        }
        std::hint::black_box(comply::eval::evaluate(p, &export, &s));
    }
}

/// A fresh temporary directory for one input.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("comply-fuzz-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Cleanup(pub PathBuf);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
