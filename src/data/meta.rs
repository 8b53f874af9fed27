//! The `export` metadata object, and how metadata from several paths combine.

use super::json::{self, Entries};
use super::model::{ByteSpan, FileId, Meta};
use super::timestamp::{midnight, parse_offset, parse_time, TimeVal};

/// The spec's default export time zone.
pub const DEFAULT_OFFSET: &str = "+08:00";

/// Reads a metadata object. Problems (a field that is not a valid
/// timestamp or offset) come back with the span of the value.
pub(crate) fn parse(
    text: &str,
    entries: &Entries<'_>,
    location: (FileId, ByteSpan, String),
) -> (Meta, Vec<(ByteSpan, String)>) {
    let mut meta = Meta {
        location: Some(location),
        ..Meta::default()
    };
    let mut problems = Vec::new();
    let get = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    };
    let text_of = |name: &str, problems: &mut Vec<(ByteSpan, String)>| {
        let raw = get(name)?;
        if json::kind(raw) == json::Kind::Null {
            return None;
        }
        match json::string(raw) {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some((s.into_owned(), json::span_of(text, raw))),
            None => {
                let found = json::kind(raw).describe();
                problems.push((
                    json::span_of(text, raw),
                    format!("`export.{name}` must be a string, found {found}"),
                ));
                None
            }
        }
    };
    meta.system = text_of("system", &mut problems).map(|(s, _)| s);
    if let Some((s, span)) = text_of("timezone", &mut problems) {
        match parse_offset(&s) {
            Some(o) => meta.timezone = Some((s, o)),
            None => problems.push((
                span,
                format!("`export.timezone` is `{s}`, not a fixed offset like `+08:00` or `Z`"),
            )),
        }
    }
    let offset = meta
        .timezone
        .as_ref()
        .map(|t| t.1)
        .or_else(|| parse_offset(DEFAULT_OFFSET))
        .unwrap_or(jiff::tz::Offset::UTC);
    for name in ["generated_at", "as_of"] {
        let before = problems.len();
        let Some((s, span)) = text_of(name, &mut problems) else {
            // A given `as_of` that is not a timestamp stops the run: the
            // spec forbids falling back to `generated_at`.
            if name == "as_of" && problems.len() > before {
                meta.bad_as_of = get(name).map(|raw| raw.get().to_owned());
            }
            continue;
        };
        let t = match parse_time(&s) {
            Some(TimeVal::Instant(t)) => Some(t),
            Some(TimeVal::Date(d)) => midnight(d, offset),
            None => None,
        };
        match t {
            Some(t) if name == "as_of" => meta.as_of = Some((s, t)),
            Some(t) => meta.generated_at = Some((s, t)),
            None => {
                if name == "as_of" {
                    meta.bad_as_of = Some(s.clone());
                }
                problems.push((
                    span,
                    format!("`export.{name}` is `{s}`, not an RFC 3339 timestamp"),
                ));
            }
        }
    }
    (meta, problems)
}

/// Folds a later path's metadata into the first: the first wins, and a
/// different `as_of` or `timezone` text is a conflict (returned as message).
pub(crate) fn merge(first: &mut Option<Meta>, later: Meta) -> Option<String> {
    let Some(first) = first else {
        *first = Some(later);
        return None;
    };
    let mut conflicts = Vec::new();
    if let (Some(a), Some(b)) = (&first.as_of, &later.as_of) {
        if a.0 != b.0 {
            conflicts.push(format!("`as_of` is `{}` here but `{}` before", b.0, a.0));
        }
    }
    if let (Some(a), Some(b)) = (&first.timezone, &later.timezone) {
        if a.0 != b.0 {
            conflicts.push(format!("`timezone` is `{}` here but `{}` before", b.0, a.0));
        }
    }
    (!conflicts.is_empty())
        .then(|| format!("conflicting export metadata: {}", conflicts.join(", ")))
}
