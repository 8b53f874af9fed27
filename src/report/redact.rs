//! Redaction: masking personal data in snippets and messages.
//!
//! What survives [`redact_json_text`]:
//! - every object key;
//! - string values under a key that holds ids: `id`, `*_id`, `*_ids`,
//!   `*_by`, `owner`, `reviewers` (array elements included);
//! - enum tokens (`^[a-z][a-z0-9_]*$`) under a key the schema declares as an
//!   enumeration (`type`, `status`, `stage`, `department`, …);
//! - risk levels `R1`..`R5`, `C1`..`C5`, under any key;
//! - timestamps and dates under keys ending in `_at` and under `as_of`,
//!   `period_label` and `rectification_deadline`;
//! - numbers, booleans and `null`.
//!
//! Every other string value (names, phone numbers, free text, and anything
//! under an unknown key) has each of its bytes replaced by `*`, quotes kept,
//! so byte offsets and spans into the text stay valid.

/// Keys whose values are enumeration tokens in the export schema.
const ENUM_KEYS: &[&str] = &[
    "type",
    "department",
    "status",
    "stage",
    "acquisition_channel",
    "data_classification",
    "purpose",
    "channel",
    "method",
    "methods",
    "scope",
    "period",
    "decision",
    "outcome",
    "recipient_type",
    "currency",
];

const TIMESTAMP_KEYS: &[&str] = &[
    "as_of",
    "period_label",
    "rectification_deadline",
    "timezone",
];

fn is_id_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("_id")
        || key.ends_with("_ids")
        || key.ends_with("_by")
        || key == "owner"
        || key == "reviewers"
}

fn is_enum_token(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_risk_level(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 2 && (b[0] == b'R' || b[0] == b'C') && (b'1'..=b'5').contains(&b[1])
}

/// `2025-03-04`, `2025-03-04T09:30:00+08:00`, `2025-Q1`, `+08:00`: digits
/// and date punctuation only, starting with a digit or sign.
fn is_timestamp_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
        && s.chars()
            .all(|c| c.is_ascii_digit() || "-:+.TtZzQ".contains(c))
}

fn keep(key: Option<&str>, value: &str) -> bool {
    if is_risk_level(value) {
        return true;
    }
    let Some(key) = key else { return false };
    if is_id_key(key) {
        return true;
    }
    if ENUM_KEYS.contains(&key) && is_enum_token(value) {
        return true;
    }
    (key.ends_with("_at") || TIMESTAMP_KEYS.contains(&key)) && is_timestamp_like(value)
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

/// Masks every JSON string value in `text` that may carry personal data
/// (see the module doc). Works on fragments: text outside any container is
/// masked as under an unknown key. Output has the same length in bytes.
pub fn redact_json_text(text: &str) -> String {
    redact_json_text_keeping(text, &Vocabulary::default())
}

/// [`redact_json_text`], also masking what the policy does not declare:
/// values (numbers too) under undeclared keys, and everything inside a
/// free-form object, its keys included.
pub fn redact_json_text_keeping(text: &str, vocabulary: &Vocabulary) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => {
                let key = match stack.last() {
                    Some(Frame::Object { key, .. }) => key.clone(),
                    Some(Frame::Array { key }) => key.clone(),
                    None => None,
                };
                stack.push(Frame::Array { key });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                let content = &text[start..end];
                let is_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if is_key {
                    let inside_free = vocabulary.free_above(&keys_of(&stack, true));
                    if let Some(Frame::Object { key, expect_key }) = stack.last_mut() {
                        *key = Some(content.to_string());
                        *expect_key = false;
                    }
                    if inside_free {
                        out.push_str(&text[copied..start]);
                        out.extend(std::iter::repeat_n('*', end - start));
                        copied = end;
                    }
                } else {
                    let key = match stack.last() {
                        Some(Frame::Object { key, .. }) | Some(Frame::Array { key }) => {
                            key.as_deref()
                        }
                        None => None,
                    };
                    if !keep(key, content) || !vocabulary.may_show(&keys_of(&stack, false)) {
                        out.push_str(&text[copied..start]);
                        out.extend(std::iter::repeat_n('*', end - start));
                        copied = end;
                    }
                }
                i = end + 1;
                continue;
            }
            b'-' | b'0'..=b'9' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .count();
                let value = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: false,
                        ..
                    }) | Some(Frame::Array { .. })
                );
                if value && !vocabulary.may_show(&keys_of(&stack, false)) {
                    out.push_str(&text[copied..i]);
                    out.extend(std::iter::repeat_n('*', end - i));
                    copied = end;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
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

/// What a message's mask shows: the same for every value, so that it tells
/// nothing of the value's length.
pub const MASK: &str = "******";

/// The names a policy defines: collections, fields, enum values, rule codes
/// and names. A message that quotes one of them quotes the policy, not the
/// export's data, and keeps it when redacted.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary(
    std::collections::BTreeSet<String>,
    /// Field names the policy declares (the export's own metadata members
    /// too); empty when no policy is known.
    std::collections::BTreeSet<String>,
    /// Fields declared as free-form objects: what is inside is the
    /// export's, keys and numbers included, and personal.
    std::collections::BTreeSet<String>,
);

/// The members of the `export` metadata object (crm-export.md).
const EXPORT_MEMBERS: &[&str] = &["system", "generated_at", "as_of", "timezone"];

impl Vocabulary {
    pub fn of(schema: &crate::schema::Schema, rules: &[crate::violation::RuleInfo]) -> Self {
        type Set = std::collections::BTreeSet<String>;
        fn fields(o: &crate::schema::ObjectType, out: &mut Set, free: &mut Set) {
            for f in &o.fields {
                out.insert(f.name.clone());
                let mut ty = &f.ty;
                while let crate::schema::Type::List(inner) = ty {
                    ty = inner;
                }
                match ty {
                    crate::schema::Type::Object(inner) => fields(inner, out, free),
                    crate::schema::Type::AnyObject => {
                        free.insert(f.name.clone());
                    }
                    _ => {}
                }
            }
        }
        let mut words = Set::new();
        let mut keys = Set::new();
        let mut free = Set::new();
        for c in &schema.collections {
            words.insert(c.name.clone());
            fields(&c.record, &mut keys, &mut free);
        }
        keys.extend(EXPORT_MEMBERS.iter().map(|s| s.to_string()));
        words.extend(keys.iter().cloned());
        for e in &schema.enums {
            words.extend(e.values.iter().cloned());
        }
        for r in rules {
            words.insert(r.code.clone());
            words.insert(r.name.clone());
        }
        words.insert("export".into());
        Vocabulary(words, keys, free)
    }

    /// Whether a value under this chain of keys (outermost first) may be
    /// shown at all: its key is one the policy declares, and no key above
    /// it is a free-form object. With no policy known, every key may.
    pub fn may_show(&self, keys: &[Option<&str>]) -> bool {
        if self.1.is_empty() {
            return true;
        }
        let Some((last, above)) = keys.split_last() else {
            return false;
        };
        last.is_some_and(|k| self.1.contains(k) && !self.2.contains(k)) && !self.free_above(above)
    }

    /// Whether one of these keys (outermost first) is a free-form object.
    pub fn free_above(&self, keys: &[Option<&str>]) -> bool {
        keys.iter().any(|k| k.is_some_and(|k| self.2.contains(k)))
    }

    /// A word of the policy, or a JSON Pointer made of such words and indices.
    pub fn defines(&self, quoted: &str) -> bool {
        if self.0.contains(quoted) {
            return true;
        }
        match quoted.strip_prefix('/') {
            Some(rest) => rest.split('/').all(|seg| {
                self.0.contains(seg) || (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()))
            }),
            None => false,
        }
    }
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

    #[test]
    fn messages_keep_what_the_policy_defines() {
        let words: std::collections::BTreeSet<String> =
            ["customers", "name", "acquisition_channel", "referral"]
                .map(String::from)
                .into();
        let v = Vocabulary(words, Default::default(), Default::default());
        assert_eq!(
            redact_message_keeping(
                "unknown collection `custmers`; did you mean `customers`?",
                &v
            ),
            "unknown collection `******`; did you mean `customers`?"
        );
        assert_eq!(
            redact_message_keeping(
                "`/acquisition_channel`: `bogus` is not one of `referral`",
                &v
            ),
            "`/acquisition_channel`: `******` is not one of `referral`"
        );
        assert_eq!(
            redact_message_keeping("`/3/name` is `Wang`", &v),
            "`/3/name` is `******`"
        );
    }

    #[test]
    fn masks_free_text_keeps_ids_and_enums() {
        let text = r#"{"id": "C0042", "name": "Wang Li", "phone": "+86 138 0000 0000",
  "type": "individual", "owner": "E7", "created_at": "2025-01-02T09:00:00+08:00",
  "profile": {"risk_tolerance": "C3", "investment_preference": "aggressive growth"},
  "reviewers": ["E1", "E2"], "summary": "called, she said \"no\""}"#;
        let red = redact_json_text(text);
        assert_eq!(red.len(), text.len());
        for kept in [
            "C0042",
            "individual",
            "E7",
            "2025-01-02T09:00:00+08:00",
            "C3",
            "E1",
            "E2",
        ] {
            assert!(red.contains(kept), "{kept} lost in {red}");
        }
        for gone in ["Wang", "138", "aggressive", "she said"] {
            assert!(!red.contains(gone), "{gone} survived in {red}");
        }
        assert!(red.contains(r#""name": "*******""#));
    }

    #[test]
    fn lowercase_free_text_under_unknown_key_is_masked() {
        let red = redact_json_text(r#"{"nickname": "bob", "status": "open"}"#);
        assert_eq!(red, r#"{"nickname": "***", "status": "open"}"#);
    }

    #[test]
    fn fragments_and_unterminated_strings() {
        assert_eq!(redact_json_text(r#""Wang"#), r#""****"#);
        assert_eq!(
            redact_json_text(r#"  "x": 1}, {"id": "A"#),
            r#"  "*": 1}, {"id": "A"#
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
