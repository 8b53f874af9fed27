//! Lexical pre-passes over policy text: comments, nesting depth, item boundaries.
//!
//! These run before pest so that one syntax error does not hide the others
//! (each top-level item is parsed on its own) and so that no input can make
//! the recursive-descent parser overflow the stack.

use crate::source::Span;

const ITEM_KEYWORDS: &[&str] = &[
    "policy",
    "param",
    "enum",
    "collection",
    "def",
    "rule",
    "integrity",
    "clause",
    "owners",
];

/// Walks the text outside strings and comments, calling `f(offset, byte)`.
fn scan(text: &str, mut f: impl FnMut(usize, u8), mut comment: impl FnMut(Span)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                f(i, b'"');
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                comment(Span::new(start, i));
            }
            b => {
                f(i, b);
                i += 1;
            }
        }
    }
}

pub fn comments(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    scan(text, |_, _| {}, |s| out.push(s));
    out
}

/// The first place where brackets nest deeper than `limit`.
pub fn too_deep(text: &str, limit: usize) -> Option<Span> {
    let mut depth = 0usize;
    let mut found = None;
    scan(
        text,
        |i, b| {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > limit && found.is_none() {
                found = Some(Span::new(i, i + 1));
            }
        },
        |_| {},
    );
    found
}

/// How many quantifier keywords an item holds, outside strings and
/// comments: quantifiers nest without brackets, so this bounds their nesting.
pub fn quantifiers(item: &str) -> usize {
    let mut code = Vec::with_capacity(item.len());
    scan(item, |_, b| code.push(b), |_| {});
    ["exists", "all", "count", "no", "not"]
        .iter()
        .map(|k| {
            memchr::memmem::find_iter(&code, k.as_bytes())
                .filter(|&i| {
                    let before = i.checked_sub(1).map(|j| code[j]);
                    let after = code.get(i + k.len()).copied();
                    !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                        && after.is_some_and(|c| c.is_ascii_whitespace() || c == b'(')
                })
                .count()
        })
        .sum()
}

/// Splits the text into top-level items: a new item starts on a line whose
/// first word is an item keyword, at bracket depth 0.
pub fn items(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    let mut depth = 0i64;
    let mut line_start = true;
    // The last byte of code seen: after `=` or an operator the line
    // continues an expression, whatever word starts it.
    let mut last = b'\n';
    scan(
        text,
        |i, b| {
            let continues = matches!(
                last,
                b'=' | b'(' | b',' | b'[' | b'+' | b'-' | b'*' | b'/' | b'<' | b'>' | b'!' | b'.'
            );
            if !b.is_ascii_whitespace() {
                last = b;
            }
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
            if b == b'\n' {
                line_start = true;
                return;
            }
            if line_start && !b.is_ascii_whitespace() {
                line_start = false;
                if depth <= 0 && i > 0 && !continues && starts_item(&bytes[i..]) {
                    depth = 0;
                    starts.push(i);
                }
            }
        },
        |_| {},
    );
    let mut spans: Vec<Span> = starts.windows(2).map(|w| Span::new(w[0], w[1])).collect();
    if let Some(&last) = starts.last() {
        spans.push(Span::new(last, text.len()));
    }
    spans
}

fn starts_item(rest: &[u8]) -> bool {
    ITEM_KEYWORDS.iter().any(|k| {
        rest.starts_with(k.as_bytes()) && rest.get(k.len()).is_some_and(|c| c.is_ascii_whitespace())
    })
}

/// Whether a chunk holds nothing but whitespace and comments.
pub fn blank(text: &str) -> bool {
    let mut blank = true;
    scan(
        text,
        |_, b| {
            if !b.is_ascii_whitespace() {
                blank = false;
            }
        },
        |_| {},
    );
    blank
}
