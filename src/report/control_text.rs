//! Text from the export reaches a terminal or a CI log: a record id or a
//! value holding `ESC[2J` or an OSC title sequence must not drive it.
//! Control characters (C0 but tab and line breaks, DEL, C1) and the
//! bidirectional overrides that reorder what is shown are written as
//! visible `\u{…}` escapes.

use std::borrow::Cow;

fn hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every hostile character escaped; borrowed when there is none.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_drives_a_terminal_and_keeps_the_rest() {
        assert_eq!(
            escape_controls("C1\u{1b}[2J\u{1b}]0;pwned\u{7}"),
            "C1\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(escape_controls("a\u{202E}b\u{9b}c"), "a\\u{202e}b\\u{9b}c");
        assert!(matches!(
            escape_controls("客户 C0001\tok\n"),
            Cow::Borrowed(_)
        ));
    }
}
