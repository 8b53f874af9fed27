//! Parse; when there is no diagnostic, format, parse again: the trees are
//! equal modulo spans, the comments are kept, and formatting is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/ast_norm.rs"]
mod ast_norm;

use comply::source::SourceFile;
use comply::syntax::{format::format, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (p1, d1) = parse(&SourceFile::new("a.policy", text));
    if !d1.is_empty() {
        return;
    }
    let f1 = format(&p1);
    let (p2, d2) = parse(&SourceFile::new("b.policy", f1.as_str()));
    assert!(d2.is_empty(), "formatted output does not parse:\n--- input\n{text}\n--- formatted\n{f1}\n--- {:?}", d2.iter().map(|d| d.to_string()).collect::<Vec<_>>());
    assert_eq!(ast_norm::items(&p1), ast_norm::items(&p2), "tree changed:\n--- input\n{text}\n--- formatted\n{f1}");
    assert_eq!(ast_norm::comment_texts(&p1), ast_norm::comment_texts(&p2), "comments changed:\n--- input\n{text}\n--- formatted\n{f1}");
    let f2 = format(&p2);
    assert_eq!(f1, f2, "format not idempotent:\n--- input\n{text}");
});
