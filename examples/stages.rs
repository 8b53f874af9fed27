//! Time and peak RSS after each stage of a `comply check` with the shipped
//! policy: where the time and memory of a run go.
//!
//! `cargo run --release --example stages -- EXPORT`

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

fn status(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn stage(name: &str, start: Instant) {
    eprintln!(
        "{name:<10} {:>8.3} s   RSS {:>7.1} MB   peak {:>7.1} MB",
        start.elapsed().as_secs_f64(),
        status("VmRSS:") as f64 / 1024.0,
        status("VmHWM:") as f64 / 1024.0
    );
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stages EXPORT");
        std::process::exit(2);
    };
    let start = Instant::now();
    let (program, _) = comply::policy::compile(comply::policy::shipped());
    stage("compile", start);
    let opts = comply::audit::AuditOptions::default();
    let export = comply::audit::load(&program, &[path.into()], &opts);
    stage("load", start);
    eprintln!("records {}", export.record_count());
    footprint(&export);
    let params = comply::audit::params(&program, &opts.params).unwrap_or_default();
    let Ok(audit) = comply::audit::judge(&program, export, &opts, params) else {
        eprintln!("cannot judge");
        std::process::exit(2);
    };
    stage("evaluate", start);
    let mut sink = std::io::sink();
    let _ = comply::report::Format::Json.render(
        &audit.run,
        &mut sink,
        &comply::report::ReportOptions::default(),
    );
    stage("report", start);
    eprintln!("violations {}", audit.run.violations.len());
}

/// What the loaded export holds, by part, counted from its contents.
fn footprint(export: &comply::data::model::Export) {
    use comply::data::model::{Field, Record, Val};
    fn val(v: &Val) -> usize {
        match v {
            Val::List(items) => 16 + items.iter().map(|f| 16 + val(&f.val)).sum::<usize>(),
            Val::Obj(fields) => {
                16 + fields
                    .iter()
                    .map(|f| 16 + f.as_ref().map_or(0, |f| val(&f.val)))
                    .sum::<usize>()
            }
            _ => 0,
        }
    }
    let records: usize = export.collections.iter().map(Vec::len).sum();
    let headers = records * std::mem::size_of::<Record>();
    let mut slots = 0;
    let mut nested = 0;
    for r in export.collections.iter().flatten() {
        slots += r.fields.len() * std::mem::size_of::<Option<Field>>();
        nested += r
            .fields
            .iter()
            .flatten()
            .map(|f| val(&f.val))
            .sum::<usize>();
    }
    let text: usize = (0..export.ids.len())
        .map(|i| export.ids.resolve(comply::data::model::Sym(i as u32)).len())
        .sum();
    let mb = |b: usize| b as f64 / 1e6;
    eprintln!(
        "footprint: record headers {:.1} MB, field slots {:.1} MB, nested objects and lists {:.1} MB, interned text {:.1} MB for {} names",
        mb(headers),
        mb(slots),
        mb(nested),
        mb(text),
        export.ids.len()
    );
}
