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

/// An interned string: a record id, a reference, or free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

/// Ids, references and free text, each stored once. The names live in one
/// arena and the table holds only their numbers: a large export has
/// millions of them, and a string per entry (twice, as key and as name)
/// was most of what the table cost.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    // FxHash: ids are short strings hashed millions of times; no untrusted
    // input can choose them to collide against a table it cannot see grow.
    table: hashbrown::HashTable<Sym>,
    text: String,
    /// End of each name in `text`; a name starts where the previous ends.
    ends: Vec<usize>,
}

fn hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(s)
}

fn name<'a>(text: &'a str, ends: &[usize], sym: Sym) -> &'a str {
    let i = sym.0 as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        let h = hash(s);
        let Interner { table, text, ends } = self;
        if let Some(&sym) = table.find(h, |&sym| name(text, ends, sym) == s) {
            return sym;
        }
        let sym = Sym(ends.len() as u32);
        text.push_str(s);
        ends.push(text.len());
        table.insert_unique(h, sym, |&sym| hash(name(text, ends, sym)));
        sym
    }
    /// Makes room for `additional` more names, so that a large merge does
    /// not rehash the table again and again.
    pub fn reserve(&mut self, additional: usize) {
        let Interner { table, text, ends } = self;
        table.reserve(additional, |&sym| hash(name(text, ends, sym)));
        ends.reserve(additional);
    }
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.table
            .find(hash(s), |&sym| self.resolve(sym) == s)
            .copied()
    }
    pub fn resolve(&self, sym: Sym) -> &str {
        name(&self.text, &self.ends, sym)
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// A field's value, already validated against its declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Present in the text but absent in the spec's sense (null, blank
    /// string, empty array or object) or not fitting its type (CD001).
    Absent,
    /// Interned in `Export::ids`: free text repeats, and a value stays 16 bytes.
    Str(Sym),
    Int(i64),
    Num(f64),
    Bool(bool),
    /// An instant as seconds and nanoseconds (as `jiff::Timestamp` holds it),
    /// unpacked so that the variant packs beside the tag.
    Time(i64, i32),
    /// A `full-date`: midnight in the export's time zone, resolved by the evaluator.
    Date(jiff::civil::Date),
    /// Index of the value in its enum's declaration.
    Enum(u16),
    Ref(Sym),
    /// Elements in their original order; an ignored element is `Absent`, so
    /// that the position is the index in the JSON array.
    List(thin_vec::ThinVec<Field>),
    /// The kept fields of the object, laid out as its record's are.
    Obj(thin_vec::ThinVec<Option<Field>>),
    /// A non-empty object of type `object`, whose content no rule reads.
    AnyObj,
}

impl Val {
    pub fn time(t: jiff::Timestamp) -> Val {
        Val::Time(t.as_second(), t.subsec_nanosecond())
    }
}

/// A field kept for the rules. Its place in the text is not kept: a
/// violation that points at it finds it again in its record's text
/// (`locate::fields`), which is cheaper than 16 bytes on every field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub val: Val,
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
    /// The kept fields, in declared order: `Export::layouts` says where
    /// each declared field is. `None` when missing from the text.
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
    /// The text of an `as_of` that is given but is not a timestamp.
    pub bad_as_of: Option<String>,
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
    /// The collection a dangling reference (CD003) names.
    pub target: Option<CollId>,
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Where each collection's kept fields sit in its records.
    pub layouts: Vec<crate::schema::Layout>,
    pub ids: Interner,
    pub meta: Meta,
    pub findings: Vec<IntegrityFinding>,
    pub notes: Vec<Note>,
    /// Input errors (malformed JSON, unreadable files): the run goes on and exits 2.
    pub errors: Vec<miette::Report>,
    /// For each collection by `CollId`: the file of an input error that
    /// kept some of its records from being read. Rules that look records of
    /// it up may then report what only the loss explains.
    pub incomplete: Vec<Option<String>>,
    /// Size and modification time of each file as it was before it was
    /// read: locations are found by reading files again, and a file that
    /// changed in between would give wrong lines in silence.
    pub stamps: std::collections::HashMap<std::path::PathBuf, FileStamp>,
    /// Lines and columns already known (a converted export stores them):
    /// reports take them from here instead of reading the files again.
    pub positions: Vec<(FileId, u64, crate::source::LineCol)>,
    /// How many records the export holds, when `collections` holds only
    /// some of them (a Parquet export keeps its records in its files and
    /// loads only those a violation shows).
    /// (records, files): how many the export holds, when not all are loaded.
    pub counted: Option<(usize, usize)>,
    /// The directory of a converted (Parquet) export this was opened from:
    /// its records are read by the relational engine, not loaded.
    pub stored: Option<std::path::PathBuf>,
}

/// What a file looked like when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    pub fn of(path: &std::path::Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

impl Export {
    pub fn record_count(&self) -> usize {
        self.collections.iter().map(Vec::len).sum()
    }
    pub fn collection(&self, c: CollId) -> &[Record] {
        &self.collections[c]
    }
}
