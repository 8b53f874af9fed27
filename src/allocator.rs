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
