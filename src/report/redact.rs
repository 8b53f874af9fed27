//! Redaction: masking personal data in snippets and messages, by what the
//! policy's schema says.
//!
//! What the policy defines is shown: object keys, and values under a field
//! it declares that is not marked `personal` and not inside a free-form
//! (`object`) or personal object, when the value fits the field's type (an
//! enum field shows its values only, a time field what looks like a date,
//! a ref what looks like an id). Everything else is masked with the same
//! [`MASK`], whatever its length: values under undeclared keys, every key
//! and value inside a free-form object, and all values when no policy is
//! known. `true`, `false` and `null` tell nothing and are always shown.

use std::collections::{BTreeSet, HashMap};

use crate::schema::{ObjectType, Schema, Type};

/// What a mask shows: the same for every value, so that it tells nothing of
/// the value's length.
pub const MASK: &str = "******";

/// What the policy declares under one field name, merged over every place
/// the name is declared (collections and nested objects alike).
#[derive(Debug, Clone, Default)]
struct FieldKind {
    /// Marked `personal` somewhere: masked everywhere, the safe reading of
    /// a name declared twice.
    personal: bool,
    /// A free-form object somewhere: what is inside is the export's.
    free: bool,
    strings: bool,
    times: bool,
    refs: bool,
    numbers: bool,
    enum_values: BTreeSet<String>,
}

/// The names a policy defines (collections, fields, enum values, rule codes
/// and names) and what its schema says of each field. A message that quotes
/// one of the names quotes the policy, not the export's data, and keeps it
/// when redacted.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    words: BTreeSet<String>,
    fields: HashMap<String, FieldKind>,
}

/// The members of the `export` metadata object (crm-export.md): the
/// contract's, not the policy's, and not personal.
const EXPORT_MEMBERS: &[(&str, bool)] = &[
    ("system", false),
    ("generated_at", true),
    ("as_of", true),
    ("timezone", false),
];

impl Vocabulary {
    pub fn of(schema: &Schema, rules: &[crate::violation::RuleInfo]) -> Self {
        let mut v = Vocabulary::default();
        for c in &schema.collections {
            v.words.insert(c.name.clone());
            v.object(schema, &c.record, false);
        }
        for (name, time) in EXPORT_MEMBERS {
            let k = v.fields.entry(name.to_string()).or_default();
            k.times |= time;
            k.strings |= !time;
        }
        v.words.extend(v.fields.keys().cloned());
        for e in &schema.enums {
            v.words.extend(e.values.iter().cloned());
        }
        for r in rules {
            v.words.insert(r.code.clone());
            v.words.insert(r.name.clone());
        }
        v.words.insert("export".into());
        v
    }

    fn object(&mut self, schema: &Schema, o: &ObjectType, inside_personal: bool) {
        for f in &o.fields {
            let personal = f.personal || inside_personal;
            let mut ty = &f.ty;
            while let Type::List(inner) = ty {
                ty = inner;
            }
            {
                let k = self.fields.entry(f.name.clone()).or_default();
                k.personal |= personal;
                match ty {
                    Type::String => k.strings = true,
                    Type::Time => k.times = true,
                    Type::Ref(_) => k.refs = true,
                    Type::Int { .. } | Type::Number => k.numbers = true,
                    Type::Enum(e) => {
                        if let Some(e) = schema.enums.get(*e) {
                            k.enum_values.extend(e.values.iter().cloned());
                        }
                    }
                    Type::AnyObject => k.free = true,
                    Type::Bool | Type::Object(_) | Type::List(_) => {}
                }
            }
            if let Type::Object(inner) = ty {
                self.object(schema, inner, personal);
            }
        }
    }

    /// Whether the objects and arrays above (the keys that hold them,
    /// outermost first) hide what they contain: one is free-form or personal.
    fn hides_inside(&self, keys: &[Option<&str>]) -> bool {
        keys.iter().any(|k| {
            k.and_then(|k| self.fields.get(k))
                .is_some_and(|f| f.free || f.personal)
        })
    }

    /// The field a value under `key` may be shown as, if any.
    fn shown_field(&self, keys: &[Option<&str>]) -> Option<&FieldKind> {
        let (last, above) = keys.split_last()?;
        let f = self.fields.get((*last)?)?;
        (!f.personal && !f.free && !self.hides_inside(above)).then_some(f)
    }

    fn shows_string(&self, keys: &[Option<&str>], raw: &str) -> bool {
        let Some(f) = self.shown_field(keys) else {
            return false;
        };
        f.strings
            || f.enum_values.contains(raw)
            || (f.times && timestamp_like(raw))
            || (f.refs && token_like(raw))
            || (f.numbers && number_like(raw))
    }

    fn shows_number(&self, keys: &[Option<&str>]) -> bool {
        self.shown_field(keys).is_some()
    }

    /// A word of the policy, or a JSON Pointer made of such words and indices.
    pub fn defines(&self, quoted: &str) -> bool {
        if self.words.contains(quoted) {
            return true;
        }
        match quoted.strip_prefix('/') {
            Some(rest) => rest.split('/').all(|seg| {
                self.words.contains(seg)
                    || (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()))
            }),
            None => false,
        }
    }
}

fn token_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':' | b'/'))
}

/// `2025-03-04`, `2025-03-04T09:30:00+08:00`: digits and date punctuation.
fn timestamp_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 4
        && b.len() <= 40
        && b[0].is_ascii_digit()
        && s.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'-' | b':' | b'+' | b'.' | b'T' | b't' | b'Z' | b'z')
        })
}

fn number_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
}

/// A run of the redacted text: copied from the input, or a mask over it.
#[derive(Debug, Clone, Copy)]
struct Run {
    input: usize,
    input_len: usize,
    output: usize,
    output_len: usize,
    copied: bool,
}

/// Redacted JSON text, with the map between its offsets and the input's.
#[derive(Debug, Clone, Default)]
pub struct Redacted {
    pub text: String,
    runs: Vec<Run>,
}

impl Redacted {
    fn copy(&mut self, input: &str, from: usize, to: usize) {
        if to <= from {
            return;
        }
        match self.runs.last_mut() {
            Some(r) if r.copied && r.input + r.input_len == from => {
                r.input_len += to - from;
                r.output_len += to - from;
            }
            _ => self.runs.push(Run {
                input: from,
                input_len: to - from,
                output: self.text.len(),
                output_len: to - from,
                copied: true,
            }),
        }
        self.text.push_str(&input[from..to]);
    }

    /// Masks `input[from..to]`, quoted when `quoted`; its line breaks are
    /// kept so that line numbers stay right.
    fn mask(&mut self, input: &str, from: usize, to: usize, quoted: bool) {
        let output = self.text.len();
        if quoted {
            self.text.push('"');
            self.text.push_str(MASK);
            self.text.push('"');
        } else {
            self.text.push_str(MASK);
        }
        for _ in input[from..to].matches('\n') {
            self.text.push('\n');
        }
        self.runs.push(Run {
            input: from,
            input_len: to - from,
            output,
            output_len: self.text.len() - output,
            copied: false,
        });
    }

    /// The redacted offset of input offset `at`; inside a mask, its start
    /// (or its end, for the `end` of a range).
    pub fn to_output(&self, at: usize, end: bool) -> usize {
        let i = self.runs.partition_point(|r| r.input <= at);
        let Some(r) = i.checked_sub(1).map(|i| self.runs[i]) else {
            return 0;
        };
        if r.copied {
            r.output + (at - r.input).min(r.output_len)
        } else if end && at > r.input {
            r.output + r.output_len
        } else {
            r.output
        }
    }

    /// The input offset that redacted offset `at` shows (a mask's start for
    /// any offset inside it).
    pub fn to_input(&self, at: usize) -> usize {
        let i = self.runs.partition_point(|r| r.output <= at);
        let Some(r) = i.checked_sub(1).map(|i| self.runs[i]) else {
            return 0;
        };
        if r.copied {
            r.input + (at - r.output).min(r.input_len)
        } else if at >= r.output + r.output_len {
            r.input + r.input_len
        } else {
            r.input
        }
    }
}

#[derive(Clone)]
enum Frame {
    /// In an object: the last key seen, and whether the next string is a key.
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    /// In an array: the key the array is the value of.
    Array { key: Option<String> },
}

/// The keys above a value, outermost first; for a key itself (`for_key`),
/// those of the objects that hold it.
fn keys_of(stack: &[Frame], for_key: bool) -> Vec<Option<&str>> {
    let mut keys: Vec<Option<&str>> = stack
        .iter()
        .map(|f| match f {
            Frame::Object { key, .. } | Frame::Array { key } => key.as_deref(),
        })
        .collect();
    if for_key {
        // The innermost object's own last key is a sibling, not above.
        keys.pop();
    }
    keys
}

/// The index just past the closing quote of the string starting at `start`
/// (or the end of the text when it is not closed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn next_non_ws(bytes: &[u8], from: usize) -> Option<u8> {
    bytes
        .get(from..)?
        .iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
}

/// Masks what `text`, JSON or a fragment of it, shows that the policy does
/// not (see the module doc). Never fails: text that is not JSON is masked
/// word by word, its structure kept.
pub fn redact_json(text: &str, vocabulary: &Vocabulary) -> Redacted {
    let bytes = text.as_bytes();
    let mut out = Redacted {
        text: String::with_capacity(text.len()),
        runs: Vec::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object {
                    key: None,
                    expect_key: true,
                });
                i += 1;
            }
            b'[' => {
                let key = match stack.last() {
                    Some(Frame::Object { key, .. }) | Some(Frame::Array { key }) => key.clone(),
                    None => None,
                };
                stack.push(Frame::Array { key });
                i += 1;
            }
            b'}' => {
                if matches!(stack.last(), Some(Frame::Object { .. })) {
                    stack.pop();
                }
                i += 1;
            }
            b']' => {
                if matches!(stack.last(), Some(Frame::Array { .. })) {
                    stack.pop();
                }
                i += 1;
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let terminated = end > i + 1 && bytes[end - 1] == b'"';
                let raw = if terminated {
                    &text[i + 1..end - 1]
                } else {
                    ""
                };
                let is_key = terminated
                    && matches!(
                        stack.last(),
                        Some(Frame::Object {
                            expect_key: true,
                            ..
                        })
                    )
                    && next_non_ws(bytes, end) == Some(b':');
                let shown = if is_key {
                    let shown = !vocabulary.hides_inside(&keys_of(&stack, true));
                    if let Some(Frame::Object { key, expect_key }) = stack.last_mut() {
                        *key = Some(raw.to_string());
                        *expect_key = false;
                    }
                    shown
                } else {
                    terminated && vocabulary.shows_string(&keys_of(&stack, false), raw)
                };
                if !shown {
                    out.copy(text, copied, i);
                    out.mask(text, i, end, true);
                    copied = end;
                }
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .count();
                if !vocabulary.shows_number(&keys_of(&stack, false)) {
                    out.copy(text, copied, i);
                    out.mask(text, i, end, false);
                    copied = end;
                }
                i = end;
            }
            c if c.is_ascii_whitespace() || c == b':' => i += 1,
            _ => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|c| !c.is_ascii_whitespace() && !b"{}[],:\"".contains(c))
                    .count();
                let word = &text[i..end];
                if !matches!(word, "true" | "false" | "null") {
                    out.copy(text, copied, i);
                    out.mask(text, i, end, false);
                    copied = end;
                }
                i = end;
            }
        }
    }
    out.copy(text, copied, text.len());
    out
}

/// Masks what a message quotes (text between double quotes or backticks)
/// unless the policy defines it, each with the same [`MASK`].
///
/// Messages are written by the rules; a message that carries free text must
/// quote it for this to hide it. Ids and dates that messages name unquoted
/// stay, as in snippets.
pub fn redact_message(message: &str) -> String {
    redact_message_keeping(message, &Vocabulary::default())
}

/// [`redact_message`], keeping what `vocabulary` defines.
pub fn redact_message_keeping(message: &str, vocabulary: &Vocabulary) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        let q = rest.as_bytes()[i] as char;
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        match after.find(q) {
            Some(j) => {
                let quoted = &after[..j];
                if vocabulary.defines(quoted) {
                    out.push_str(quoted);
                } else {
                    out.push_str(MASK);
                }
                out.push(q);
                rest = &after[j + 1..];
            }
            None => {
                // An unclosed quote runs to the end: all of it is quoted.
                out.push_str(MASK);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(policy: &str) -> Vocabulary {
        let file = crate::source::SourceFile::new("t.policy", policy.to_string());
        let (program, diagnostics) = crate::policy::compile(vec![file]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        Vocabulary::of(&program.schema, &[])
    }

    const POLICY: &str = r#"
enum risk { C1, C2, C3 }
collection customers {
  id: string
  name: string personal
  type: enum { individual, corporate }
  owner: ref customers?
  created_at: time
  phone: string? personal
  profile: { basic_info: object?, risk_tolerance: risk?, notes: string? personal }?
  reviewers: [ref customers]?
  note: { text: string }? personal
  score: number?
}
"#;

    #[test]
    fn the_schema_decides_what_is_shown() {
        let v = vocabulary(POLICY);
        let text = r#"{"id": "C0042", "name": "Wang Li", "phone": "+86 138 0000 0000",
  "type": "individual", "owner": "E7", "created_at": "2025-01-02T09:00:00+08:00",
  "profile": {"risk_tolerance": "C3", "notes": "aggressive growth", "basic_info": {"city": "上海", "age": 41}},
  "reviewers": ["E1", "E2"], "note": {"text": "she said \"no\""}, "national_id": "110101", "score": 7,
  "income": 987654, "active": true}"#;
        let red = redact_json(text, &v).text;
        for kept in [
            "C0042",
            "individual",
            "E7",
            "2025-01-02T09:00:00+08:00",
            "\"C3\"",
            "\"E1\"",
            "\"E2\"",
            "\"score\": 7",
            "\"national_id\"",
            "true",
        ] {
            assert!(red.contains(kept), "{kept} lost in {red}");
        }
        for gone in [
            "Wang",
            "138",
            "aggressive",
            "she said",
            "上海",
            "city",
            "41",
            "110101",
            "987654",
        ] {
            assert!(!red.contains(gone), "{gone} survived in {red}");
        }
        assert!(red.contains(r#""name": "******""#), "{red}");
        assert_eq!(red.lines().count(), text.lines().count());
    }

    #[test]
    fn an_enum_field_shows_only_its_values() {
        let v = vocabulary(POLICY);
        let red = redact_json(r#"{"type": "Wang Li", "created_at": "next Tuesday"}"#, &v).text;
        assert_eq!(red, r#"{"type": "******", "created_at": "******"}"#);
    }

    #[test]
    fn without_a_policy_every_value_is_masked() {
        let red = redact_json(
            r#"{"id": "C1", "n": 3, "ok": false}"#,
            &Vocabulary::default(),
        );
        assert_eq!(red.text, r#"{"id": "******", "n": ******, "ok": false}"#);
    }

    #[test]
    fn offsets_map_both_ways() {
        let v = vocabulary(POLICY);
        let text = r#"{"name": "Wang Fang", "type": "corporate"}"#;
        let red = redact_json(text, &v);
        let a = text.find("\"corporate").unwrap_or(0);
        let (x, y) = (red.to_output(a, false), red.to_output(a + 11, true));
        assert_eq!(&red.text[x..y], "\"corporate\"");
        assert_eq!(red.to_input(x), a);
        let a = text.find("\"Wang").unwrap_or(0);
        let (x, y) = (red.to_output(a, false), red.to_output(a + 11, true));
        assert_eq!(&red.text[x..y], "\"******\"");
    }

    #[test]
    fn fragments_and_broken_text() {
        let v = vocabulary(POLICY);
        assert_eq!(redact_json(r#""Wang"#, &v).text, r#""******""#);
        assert_eq!(
            redact_json("{\"id\": \"A\", Wang Li\n}", &v).text,
            "{\"id\": \"A\", ****** ******\n}"
        );
    }

    #[test]
    fn messages_keep_what_the_policy_defines() {
        let v = vocabulary(POLICY);
        assert_eq!(
            redact_message_keeping(
                "unknown collection `custmers`; did you mean `customers`?",
                &v
            ),
            "unknown collection `******`; did you mean `customers`?"
        );
        assert_eq!(
            redact_message_keeping("`/type`: `bogus` is not one of `individual`", &v),
            "`/type`: `******` is not one of `individual`"
        );
        assert_eq!(
            redact_message_keeping("`/3/name` is `Wang`", &v),
            "`/3/name` is `******`"
        );
    }

    #[test]
    fn messages_mask_quoted_text() {
        assert_eq!(
            redact_message("customer C1: name `Wang Li` and \"x\""),
            "customer C1: name `******` and \"******\""
        );
        assert_eq!(redact_message("open `abc"), "open `******");
    }
}
