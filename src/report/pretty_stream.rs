//! Pretty JSON documents with one large array written element by element:
//! the same text `serde_json::to_writer_pretty` gives for the whole
//! document, without the whole document in memory (a report of 400,000
//! violations built as one `Value` took gigabytes).

use std::io::{self, Write};

use serde_json::Value;

/// Stands for the streamed array in the document around it.
const HOLE: &str = "\u{0}comply-streamed-array\u{0}";

/// A value to put where the streamed array goes in [`write_document`].
pub fn hole() -> Value {
    Value::String(HOLE.into())
}

/// Writes `items` as a pretty array whose elements are `depth` levels deep
/// (two spaces a level).
pub fn write_array(
    out: &mut dyn Write,
    items: impl Iterator<Item = Value>,
    depth: usize,
) -> io::Result<()> {
    let pad = "  ".repeat(depth);
    let mut first = true;
    let mut text = Vec::new();
    for item in items {
        out.write_all(if first { b"[\n" } else { b",\n" })?;
        first = false;
        text.clear();
        serde_json::to_writer_pretty(&mut text, &item)?;
        // Strings are escaped, so every line break in the text is structure.
        for (i, line) in text.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(pad.as_bytes())?;
            out.write_all(line)?;
        }
    }
    if first {
        out.write_all(b"[]")
    } else {
        write!(out, "\n{}]", "  ".repeat(depth.saturating_sub(1)))
    }
}

/// Writes `doc` pretty, with `items` as the array where `doc` holds
/// [`hole`] (`depth` levels deep for its elements), and a final newline.
pub fn write_document(
    out: &mut dyn Write,
    doc: &Value,
    items: impl Iterator<Item = Value>,
    depth: usize,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(doc)?;
    let quoted = serde_json::to_string(HOLE)?;
    let (before, after) = text
        .split_once(&quoted)
        .ok_or_else(|| io::Error::other("no place for the streamed array"))?;
    out.write_all(before.as_bytes())?;
    write_array(out, items, depth)?;
    out.write_all(after.as_bytes())?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both(items: Vec<Value>) {
        let whole = json!({"a": 1, "runs": [{"x": "y", "results": items.clone(), "z": [1]}]});
        let doc = json!({"a": 1, "runs": [{"x": "y", "results": hole(), "z": [1]}]});
        let mut streamed = Vec::new();
        write_document(&mut streamed, &doc, items.into_iter(), 4).expect("write");
        let expected = serde_json::to_string_pretty(&whole).expect("pretty") + "\n";
        assert_eq!(String::from_utf8_lossy(&streamed), expected);
    }

    #[test]
    fn the_same_text_as_the_whole_document() {
        both(vec![]);
        both(vec![json!({"m": "line\nbreak", "n": [1, {"o": []}]})]);
        both(vec![
            json!(1),
            json!("two"),
            json!({"three": {"four": [5]}}),
        ]);
    }

    #[test]
    fn a_top_level_array() {
        let items = vec![json!({"a": [1, 2]}), json!({})];
        let mut streamed = Vec::new();
        write_document(&mut streamed, &hole(), items.clone().into_iter(), 1).expect("write");
        let expected = serde_json::to_string_pretty(&Value::Array(items)).expect("pretty") + "\n";
        assert_eq!(String::from_utf8_lossy(&streamed), expected);
    }
}
