//! Checks records against the schema (CD001) and turns them into the
//! compact, projected `Record` form. Every declared field is checked, kept
//! or not; references are remembered for CD003 once all files are in.

use std::collections::HashMap;

use serde_json::value::RawValue;

use super::json::{self, Entries, Kind, Top};
use super::model::{
    ByteSpan, Field, FileId, IntegrityFinding, IntegrityKind, Interner, Record, Sym, Val,
};
use super::timestamp::{parse_time, TimeVal};
use crate::schema::{CollId, Need, ObjectType, Schema, Type};

/// A reference seen in a record, resolved after loading (CD003).
#[derive(Debug, Clone)]
/// 16 bytes: there may be millions. The span of a reference that does not
/// resolve is found again in its record's text when it is reported.
pub(crate) struct PendingRef {
    pub target: u32,
    pub sym: Sym,
    /// Index of the record in its chunk.
    pub record: u32,
    /// Pointer of the reference inside the record, as an index in
    /// `Chunk::key_names`: there may be millions of references, at a few
    /// places.
    pub key: u32,
}

/// A key given twice in one object: the spans of the first and the last.
#[derive(Debug, Clone)]
pub(crate) struct DupKey {
    pub name: String,
    pub first: ByteSpan,
    pub last: ByteSpan,
}

/// The records of a run of one file's array or lines, checked together.
/// Syms are local to `interner` until the chunk is merged.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub coll: CollId,
    pub records: Vec<Record>,
    pub findings: Vec<IntegrityFinding>,
    pub refs: Vec<PendingRef>,
    pub interner: Interner,
    pub dups: Vec<DupKey>,
    pub keys: HashMap<String, u32>,
    pub key_names: Vec<Box<str>>,
}

/// What the checker knows about the records it is given.
pub(crate) struct Validator<'a> {
    pub schema: &'a Schema,
    pub coll: CollId,
    pub need: &'a Need,
    /// The whole file text, which every raw value borrows from.
    pub text: &'a str,
    /// Offset of `text` in the file: a streamed block starts anywhere.
    pub base: u64,
    pub file: FileId,
    pub prefix: &'a str,
}

struct Problem {
    key: String,
    span: Option<ByteSpan>,
    message: String,
}

struct Walk<'v, 'c> {
    v: &'v Validator<'v>,
    chunk: &'c mut Chunk,
    record: u32,
    path: String,
    problems: Vec<Problem>,
}

/// Marks a present value whose content is not kept (not projected).
const PRESENT: Val = Val::Bool(true);

const MAX_SHOWN: usize = 60;

/// User input for a message, shortened.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_SHOWN).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('`', "'")
}

fn escape_key(out: &mut String, key: &str) {
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

impl Validator<'_> {
    fn span(&self, raw: &RawValue) -> ByteSpan {
        let s = json::span_of(self.text, raw);
        ByteSpan {
            start: s.start + self.base,
            end: s.end + self.base,
        }
    }

    pub fn check_record(&self, raw: &RawValue, ordinal: u32, chunk: &mut Chunk) {
        let parsed = match json::object(raw) {
            Some(entries) => Top::Object(entries),
            None => Top::Other(json::kind(raw)),
        };
        self.check_parsed(self.span(raw), parsed, ordinal, chunk);
    }

    /// Checks a record already parsed one level deep; `span` is its place
    /// in the file.
    pub fn check_parsed(&self, span: ByteSpan, parsed: Top<'_>, ordinal: u32, chunk: &mut Chunk) {
        let def = &self.schema.collections[self.coll];
        let entries = match parsed {
            Top::Object(entries) => entries,
            other => {
                let found = match other {
                    Top::Other(kind) => kind.describe(),
                    _ => Kind::Array.describe(),
                };
                chunk.findings.push(IntegrityFinding {
                    kind: IntegrityKind::Shape,
                    target: None,
                    collection: def.name.clone(),
                    id: None,
                    key: None,
                    file: self.file,
                    span,
                    pointer: format!("{}/{ordinal}", self.prefix),
                    field: None,
                    message: format!("record {ordinal} is not an object: found {found}"),
                });
                return;
            }
        };
        let id_text = entries
            .iter()
            .rev()
            .find(|(k, _)| k == "id")
            .and_then(|(_, v)| json::string(v))
            .filter(|s| !is_blank(s));
        let id = id_text.as_deref().map(|s| chunk.interner.intern(s));
        let mut walk = Walk {
            v: self,
            record: chunk.records.len() as u32,
            chunk,
            path: String::new(),
            problems: Vec::new(),
        };
        let fields = walk.object_fields(&def.record, &entries, Some(self.need));
        let problems = std::mem::take(&mut walk.problems);
        if !problems.is_empty() {
            let pointer = format!("{}/{ordinal}", self.prefix);
            for p in problems {
                chunk.findings.push(IntegrityFinding {
                    kind: IntegrityKind::Shape,
                    target: None,
                    collection: def.name.clone(),
                    id: id_text.as_deref().map(str::to_owned),
                    field: Some((format!("{pointer}{}", p.key), p.span)),
                    key: Some(p.key),
                    file: self.file,
                    span,
                    pointer: pointer.clone(),
                    message: p.message,
                });
            }
        }
        chunk.records.push(Record {
            id,
            file: self.file,
            ordinal,
            span,
            fields,
        });
    }
}

fn describe(schema: &Schema, ty: &Type) -> String {
    match ty {
        Type::String => "a string".into(),
        Type::Int { .. } => "an integer".into(),
        Type::Number => "a number".into(),
        Type::Bool => "a boolean".into(),
        Type::Time => "a timestamp".into(),
        Type::Enum(e) => match schema.enums.get(*e) {
            Some(def) => format!("one of {}", list_values(&def.values)),
            None => "an enumeration value".into(),
        },
        Type::Ref(c) => match schema.collections.get(*c) {
            Some(def) => format!("the id of a `{}` record", def.name),
            None => "an id".into(),
        },
        Type::List(_) => "an array".into(),
        Type::Object(_) | Type::AnyObject => "an object".into(),
    }
}

fn list_values(values: &[String]) -> String {
    let mut out: Vec<String> = values.iter().take(12).map(|v| format!("`{v}`")).collect();
    if values.len() > 12 {
        out.push("…".into());
    }
    out.join(", ")
}

impl Walk<'_, '_> {
    fn problem(&mut self, span: Option<ByteSpan>, message: String) {
        let key = self.path.clone();
        let message = format!("`{key}`: {message}");
        self.problems.push(Problem { key, span, message });
    }

    /// Whether the value at the current path was reported after `before`
    /// (reports on its parts do not count).
    fn reported_since(&self, before: usize) -> bool {
        self.problems[before..].iter().any(|p| p.key == self.path)
    }

    fn mismatch(&mut self, raw: &RawValue, ty: &Type) -> Val {
        let span = self.v.span(raw);
        let k = json::kind(raw);
        let expected = describe(self.v.schema, ty);
        let message = match k {
            // A string where a string belongs fails only when it cannot be
            // decoded: JSON allows a lone surrogate escape, Unicode does not.
            Kind::String if *ty == Type::String => format!(
                "the string `{}` holds a lone surrogate escape, which is not a unicode character",
                shown(raw.get())
            ),
            Kind::Array | Kind::Object => format!("expected {expected}, found {}", k.describe()),
            _ => format!(
                "expected {expected}, found {} `{}`",
                k.describe(),
                shown(raw.get())
            ),
        };
        self.problem(Some(span), message);
        Val::Absent
    }

    /// The declared fields of an object, in declaration order; `need` says
    /// which are kept (`None`: none).
    fn object_fields(
        &mut self,
        obj: &ObjectType,
        entries: &Entries<'_>,
        need: Option<&Need>,
    ) -> Box<[Option<Field>]> {
        // Declared objects are small: their slots live on the stack.
        let mut on_stack: [Option<&RawValue>; 32] = [None; 32];
        let mut on_heap: Vec<Option<&RawValue>>;
        let slots: &mut [Option<&RawValue>] = if obj.fields.len() <= on_stack.len() {
            &mut on_stack[..obj.fields.len()]
        } else {
            on_heap = vec![None; obj.fields.len()];
            &mut on_heap
        };
        for (k, v) in entries {
            if let Some(i) = obj.fields.iter().position(|f| f.name == *k) {
                if let Some(prev) = slots[i] {
                    self.chunk.dups.push(DupKey {
                        name: k.to_string(),
                        first: self.v.span(prev),
                        last: self.v.span(v),
                    });
                }
                slots[i] = Some(v);
            }
        }
        // Only kept fields are stored, in declared order (see `Layout`).
        let kept = need.map_or(0, |n| n.fields.iter().flatten().count());
        let mut out: Vec<Option<Field>> = Vec::with_capacity(kept);
        for (i, def) in obj.fields.iter().enumerate() {
            let len = self.path.len();
            escape_key(&mut self.path, &def.name);
            let keep = need.and_then(|n| n.fields.get(i)).and_then(Option::as_ref);
            let at = out.len();
            if keep.is_some() {
                out.push(None);
            }
            match slots[i] {
                None if !def.optional => {
                    self.problem(None, format!("required field `{}` is missing", def.name));
                }
                None => {}
                Some(raw) => {
                    let before = self.problems.len();
                    let mut val = self.value(raw, &def.ty, keep);
                    if !def.formats.is_empty() && val != Val::Absent {
                        val = self.formats(raw, def, slots, val);
                    }
                    if val == Val::Absent && !def.optional && !self.reported_since(before) {
                        let span = self.v.span(raw);
                        self.problem(
                            Some(span),
                            format!(
                                "required field `{}` is absent (`{}`)",
                                def.name,
                                shown(raw.get())
                            ),
                        );
                    }
                    if keep.is_some() {
                        out[at] = Some(Field { val });
                    }
                }
            }
            self.path.truncate(len);
        }
        out.into_boxed_slice()
    }

    /// `val` if the string `raw` has every text format of `def` that holds
    /// (by its siblings in `slots`); else the first it lacks is reported and
    /// the value is absent, like any value that does not fit its field.
    fn formats(
        &mut self,
        raw: &RawValue,
        def: &crate::schema::FieldDef,
        slots: &[Option<&RawValue>],
        val: Val,
    ) -> Val {
        let Some(text) = json::string(raw) else {
            return val;
        };
        for f in &def.formats {
            let holds = match &f.when {
                None => true,
                Some(w) => slots
                    .get(w.field)
                    .copied()
                    .flatten()
                    .and_then(json::string)
                    .is_some_and(|s| s == w.value),
            };
            if holds && !f.regex.is_match(&text) {
                let when = match &f.when {
                    Some(w) => format!(" (the format when `{}` is `{}`)", w.field_name, w.value),
                    None => String::new(),
                };
                let span = self.v.span(raw);
                let msg = format!("`{}` does not match {}{when}", shown(&text), f.describe());
                self.problem(Some(span), msg);
                return Val::Absent;
            }
        }
        val
    }

    /// A string-typed value: `None` (already reported, or absent) or its text.
    fn text_of<'r>(&mut self, raw: &'r RawValue, ty: &Type) -> Option<std::borrow::Cow<'r, str>> {
        match json::string(raw) {
            Some(s) if is_blank(&s) => None,
            Some(s) => Some(s),
            None => {
                self.mismatch(raw, ty);
                None
            }
        }
    }

    /// The value of `raw` as `ty`; `Val::Absent` when absent or not fitting
    /// (reported). `keep` is `None` when the value is only checked.
    fn value(&mut self, raw: &RawValue, ty: &Type, keep: Option<&Need>) -> Val {
        let kind = json::kind(raw);
        if kind == Kind::Null {
            return Val::Absent;
        }
        match ty {
            Type::String => match self.text_of(raw, ty) {
                Some(s) if keep.is_some() => Val::Str(self.chunk.interner.intern(&s)),
                Some(_) => PRESENT,
                None => Val::Absent,
            },
            Type::Int { min, max } => {
                if kind != Kind::Number {
                    return self.mismatch(raw, ty);
                }
                let t = raw.get();
                if t.contains(['.', 'e', 'E']) {
                    return self.mismatch(raw, ty);
                }
                let span = self.v.span(raw);
                let Ok(n) = t.parse::<i64>() else {
                    self.problem(
                        Some(span),
                        format!("integer `{}` is out of range", shown(t)),
                    );
                    return Val::Absent;
                };
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    let lo = min.map_or(String::new(), |m| m.to_string());
                    let hi = max.map_or(String::new(), |m| m.to_string());
                    self.problem(Some(span), format!("`{n}` is outside {lo}..{hi}"));
                    return Val::Absent;
                }
                Val::Int(n)
            }
            Type::Number => {
                if kind != Kind::Number {
                    return self.mismatch(raw, ty);
                }
                match raw.get().parse::<f64>() {
                    Ok(x) if x.is_finite() => Val::Num(x),
                    _ => {
                        let span = self.v.span(raw);
                        let msg = format!("number `{}` is out of range", shown(raw.get()));
                        self.problem(Some(span), msg);
                        Val::Absent
                    }
                }
            }
            Type::Bool => match kind {
                Kind::Bool => Val::Bool(raw.get() == "true"),
                _ => self.mismatch(raw, ty),
            },
            Type::Time => {
                let Some(s) = self.text_of(raw, ty) else {
                    return Val::Absent;
                };
                match parse_time(&s) {
                    Some(TimeVal::Instant(t)) => Val::time(t),
                    Some(TimeVal::Date(d)) => Val::Date(d),
                    None => {
                        let span = self.v.span(raw);
                        let msg = format!(
                            "`{}` is not a timestamp (RFC 3339 date-time with an offset, or a full-date)",
                            shown(&s)
                        );
                        self.problem(Some(span), msg);
                        Val::Absent
                    }
                }
            }
            Type::Enum(e) => {
                let Some(s) = self.text_of(raw, ty) else {
                    return Val::Absent;
                };
                match self.v.schema.enums.get(*e).and_then(|d| d.value(&s)) {
                    Some(i) => Val::Enum(i),
                    None => {
                        let span = self.v.span(raw);
                        let expected = describe(self.v.schema, ty);
                        let msg = format!("`{}` is not {expected}", shown(&s));
                        self.problem(Some(span), msg);
                        Val::Absent
                    }
                }
            }
            Type::Ref(target) => {
                let Some(s) = self.text_of(raw, ty) else {
                    return Val::Absent;
                };
                let sym = self.chunk.interner.intern(&s);
                let key = match self.chunk.keys.get(&self.path) {
                    Some(&k) => k,
                    None => {
                        let k = self.chunk.key_names.len() as u32;
                        self.chunk.key_names.push(self.path.as_str().into());
                        self.chunk.keys.insert(self.path.clone(), k);
                        k
                    }
                };
                self.chunk.refs.push(PendingRef {
                    target: *target as u32,
                    sym,
                    record: self.record,
                    key,
                });
                Val::Ref(sym)
            }
            Type::List(elem) => {
                let Some(items) = json::array(raw) else {
                    return self.mismatch(raw, ty);
                };
                let mut kept = Vec::with_capacity(if keep.is_some() { items.len() } else { 0 });
                let mut usable = false;
                for (i, item) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push('/');
                    self.path.push_str(&i.to_string());
                    let before = self.problems.len();
                    let val = self.value(item, elem, keep);
                    if val == Val::Absent {
                        if !self.reported_since(before) {
                            let span = self.v.span(item);
                            let msg = format!("element {i} is absent (`{}`)", shown(item.get()));
                            self.problem(Some(span), msg);
                        }
                    } else {
                        usable = true;
                    }
                    self.path.truncate(len);
                    if keep.is_some() {
                        kept.push(Field { val });
                    }
                }
                match (usable, keep) {
                    (false, _) => Val::Absent,
                    (true, Some(_)) => Val::List(kept.into_iter().collect()),
                    (true, None) => PRESENT,
                }
            }
            Type::Object(obj) => {
                let Some(entries) = json::object(raw) else {
                    return self.mismatch(raw, ty);
                };
                if entries.is_empty() {
                    return Val::Absent;
                }
                let fields = self.object_fields(obj, &entries, keep);
                match keep {
                    Some(_) => Val::Obj(fields.into_vec().into()),
                    None => PRESENT,
                }
            }
            Type::AnyObject => {
                if kind != Kind::Object {
                    return self.mismatch(raw, ty);
                }
                let inner = raw.get()[1..raw.get().len() - 1].trim_matches([' ', '\t', '\n', '\r']);
                if inner.is_empty() {
                    Val::Absent
                } else {
                    Val::AnyObj
                }
            }
        }
    }
}
