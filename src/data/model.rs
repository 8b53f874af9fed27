//! The loaded export: records in compact, projected form, with spans.

use crate::schema::CollId;

/// Index into `Export::files`.
pub type FileId = usize;

/// A byte range in one export file (after decompression for `.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ByteSpan {
    pub start: u64,
    pub end: u64,
}

/// An interned id string (record ids and references share one table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

#[derive(Debug, Default, Clone)]
pub struct Interner {
    // FxHash: ids are short strings hashed millions of times; no untrusted
    // input can choose them to collide against a table it cannot see grow.
    map: rustc_hash::FxHashMap<Box<str>, Sym>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(self.names.len() as u32);
        self.names.push(s.into());
        self.map.insert(s.into(), sym);
        sym
    }
    /// Makes room for `additional` more names, so that a large merge does
    /// not rehash the table again and again.
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
        self.names.reserve(additional);
    }
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.names[sym.0 as usize]
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A field's value, already validated against its declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Present in the text but absent in the spec's sense (null, blank
    /// string, empty array or object) or not fitting its type (CD001).
    Absent,
    Str(Box<str>),
    Int(i64),
    Num(f64),
    Bool(bool),
    Time(jiff::Timestamp),
    /// A `full-date`: midnight in the export's time zone, resolved by the evaluator.
    Date(jiff::civil::Date),
    /// Index of the value in its enum's declaration.
    Enum(u16),
    Ref(Sym),
    /// Elements in their original order; an ignored element is `Absent`, so
    /// that the position is the index in the JSON array.
    List(Box<[Field]>),
    /// Fields in the order of the declared object type; `None` when missing
    /// from the text or not projected.
    Obj(Box<[Option<Field>]>),
    /// A non-empty object of type `object`, whose content no rule reads.
    AnyObj,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub val: Val,
    pub span: ByteSpan,
}

impl Field {
    pub fn present(&self) -> Option<&Val> {
        match self.val {
            Val::Absent => None,
            ref v => Some(v),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// None when the record has no usable `id` (CD001 says so).
    pub id: Option<Sym>,
    pub file: FileId,
    /// Position in its container: the array index, or the record's number
    /// (from 0) among the records of an NDJSON file.
    pub ordinal: u32,
    pub span: ByteSpan,
    /// Fields in the order of the collection's declared record type.
    pub fields: Box<[Option<Field>]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// As shown to users: relative to the current directory when possible.
    pub display: String,
    pub path: std::path::PathBuf,
    /// Pointer to the array holding this file's records (`/customers` in a
    /// whole document, empty for an array file or NDJSON).
    pub pointer_prefix: String,
    pub gzip: bool,
}

/// Export metadata (`export` object).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub system: Option<String>,
    /// Raw text and parsed value of each timestamp.
    pub generated_at: Option<(String, jiff::Timestamp)>,
    pub as_of: Option<(String, jiff::Timestamp)>,
    pub timezone: Option<(String, jiff::tz::Offset)>,
    /// Where the metadata object is, for violations on `export`.
    pub location: Option<(FileId, ByteSpan, String)>,
}

/// The schema-derived integrity checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntegrityKind {
    /// CD001
    Shape,
    /// CD002
    UniqueId,
    /// CD003
    Reference,
    /// CD004
    UnknownCollection,
}

/// A finding of an integrity check, before it is matched to the policy's
/// integrity rule and becomes a violation.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrityFinding {
    pub kind: IntegrityKind,
    /// Collection name (`export` for CD004).
    pub collection: String,
    pub id: Option<String>,
    pub key: Option<String>,
    pub file: FileId,
    /// The record (or the unknown file / member).
    pub span: ByteSpan,
    /// RFC 6901 pointer of the record in its file.
    pub pointer: String,
    /// The offending field: pointer in the file, and its span when it is in the text.
    pub field: Option<(String, Option<ByteSpan>)>,
    pub message: String,
}

/// A skipped file and the like: not a violation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Note {
    pub file: String,
    pub message: String,
}

/// The export, loaded.
#[derive(Debug, Default)]
pub struct Export {
    pub files: Vec<DataFile>,
    /// Records of each declared collection, indexed by `CollId`, in file
    /// order (files in path order).
    pub collections: Vec<Vec<Record>>,
    pub ids: Interner,
    pub meta: Meta,
    pub findings: Vec<IntegrityFinding>,
    pub notes: Vec<Note>,
    /// Input errors (malformed JSON, unreadable files): the run goes on and exits 2.
    pub errors: Vec<miette::Report>,
}

impl Export {
    pub fn record_count(&self) -> usize {
        self.collections.iter().map(Vec::len).sum()
    }
    pub fn collection(&self, c: CollId) -> &[Record] {
        &self.collections[c]
    }
}
