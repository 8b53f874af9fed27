//! Policy text → parse + check. Must never panic, overflow or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let src = comply::source::SourceFile::new("fuzz.policy", text);
    let _ = comply::policy::compile(vec![src]);
});
