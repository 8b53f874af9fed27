// `unsafe` is denied everywhere but in `allocator`, which tunes mimalloc.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod allocator;

use clap::Parser;

// mimalloc: loading an export allocates millions of small boxes (records,
// strings); measured faster than the system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    allocator::tune();
    let _ = comply::cli::BEFORE_REPORTS.set(allocator::for_reports);
    let cli = comply::cli::Cli::parse();
    let code = comply::cli::run(cli);
    std::process::exit(code as i32);
}
