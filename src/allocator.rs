//! The one place with `unsafe`: tuning mimalloc before any work is done.
//!
//! Loading an export frees a lot of short-lived memory (each block's text,
//! each record's parse, each chunk's tables) on several threads. mimalloc
//! v3 keeps freed pages for a second before giving them back, so the peak
//! RSS of a check of a 205 MB export stood at 320-336 MB while the data it
//! held was about 150 MB; purging at once brought the peak to 258 MB at the
//! same speed (BENCHMARKS.md, "What changed the figures"). The system
//! allocator peaks at 320 MB.
//!
//! Committing arena memory on demand takes the peak further, to 221 MB;
//! mimalloc reads that option when it reserves an arena, and the first one
//! is reserved before `main`, so it is a build-time default instead
//! (`MI_DEFAULT_ARENA_EAGER_COMMIT=0`, passed by `.cargo/config.toml`).

/// mimalloc's `mi_option_purge_delay`, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the options; call first thing in `main`, before threads start.
pub fn tune() {
    // SAFETY: `mi_option_set` only stores an integer in mimalloc's option
    // table; the id is a valid option of the vendored mimalloc (v3.3), and
    // no other thread is running yet.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

/// Freed pages kept this long before they are given back, while reports
/// are rendered.
const REPORT_PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Rendering a report on every core allocates and frees a string per
/// violation; purging each freed page at once then cost a TLB shootdown
/// across cores per page: 7.8 s of system time in a 13 s human report of
/// 291,000 violations, 2.4 s (8.4 s in all) with a 10 ms delay, for 4% more
/// peak memory. The load keeps purging at once: its peak is the run's.
pub fn for_reports() {
    // SAFETY: as in `tune`, only an integer in mimalloc's option table is
    // stored. It is called between the phases of a check: the worker threads
    // are parked, no allocation runs beside it, and an allocation racing it
    // would read either delay, both valid.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, REPORT_PURGE_DELAY_MS);
    }
}
