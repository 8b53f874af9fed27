//! `comply convert --to parquet`: the validated, projected export as one
//! Parquet file per collection, plus its integrity findings, for the
//! relational engine and for any tool that reads Parquet.
//!
//! Stored types are the portable ones: instants as UTC nanosecond
//! timestamps (the export's time zone in the file's metadata), enums as
//! dictionary-encoded names, references and text as strings, objects as
//! structs, lists as lists. Each record row carries where it came from:
//! file, byte offset, line, column and JSON pointer.

use super::tables::{self, arrow_type};
use super::EngineError;
use crate::check::ir::Program;
use crate::data::model::{ByteSpan, DataFile, Export, Interner, Record};
use crate::data::{Sink, SinkRef};
use crate::locate::lines::{Cursor, Locator};
use crate::schema::{CollId, Layout, Need, ObjectType, Schema, Type};
use crate::source::LineCol;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, StringArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema as ArrowSchema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::KeyValue;
use datafusion::parquet::file::properties::WriterProperties;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Rows per row group: what a reader holds of a column at a time.
const ROW_GROUP: usize = 16_384;

/// Bytes all collections' unfinished row groups may hold together before
/// the largest is closed early: with one writer per collection, full row
/// groups of 18 collections held 90 MB of a 130 MB export's conversion.
const ROW_GROUP_BUDGET: usize = 16 << 20;

/// What was written, for the command's summary.
pub struct Written {
    pub files: Vec<(String, usize)>,
}

/// Loads the export at `paths` and writes it to `dir` as it is read: the
/// loader hands each block's records over as soon as they are checked and
/// keeps only their ids and locations (for CD002 and CD003), so memory
/// holds a block of records and a row group, not the export.
///
/// A `full-date` value is an instant at midnight in the export's time zone,
/// which its metadata may give only at its end: the records are written
/// with the zone the spec defaults to, and written again, once the zone is
/// known, if it differs and such a value was seen.
pub fn convert(
    program: &Program,
    paths: &[PathBuf],
    load: &crate::data::LoadOptions,
    dir: &Path,
) -> (Export, Result<Written, EngineError>) {
    let guess = crate::audit::time_zone(&Export::default());
    let (export, writer) = stream(program, paths, load, dir, guess);
    let tz = crate::audit::time_zone(&export);
    let (export, writer) = match writer {
        Ok(w) if w.tz_used && tz != guess => stream(program, paths, load, dir, tz),
        w => (export, w),
    };
    let written = writer.and_then(|w| w.finish(program, &export, tz));
    (export, written)
}

fn stream(
    program: &Program,
    paths: &[PathBuf],
    load: &crate::data::LoadOptions,
    dir: &Path,
    tz: jiff::tz::Offset,
) -> (Export, Result<Writer, EngineError>) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let e = EngineError(format!("cannot create `{}`: {e}", dir.display()));
        return (Export::default(), Err(e));
    }
    let writer = Arc::new(Mutex::new(Writer::new(program, load, dir, tz)));
    let sink: Arc<Mutex<dyn Sink>> = writer.clone();
    let opts = crate::data::LoadOptions {
        sink: Some(SinkRef(sink)),
        ..load.clone()
    };
    let export = crate::data::load(paths, &program.schema, &opts);
    drop(opts);
    let mut writer = match Arc::try_unwrap(writer) {
        Ok(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()),
        Err(_) => {
            return (
                export,
                Err(EngineError("the loader kept the Parquet writer".into())),
            )
        }
    };
    let writer = match writer.error.take() {
        Some(e) => Err(e),
        None => Ok(writer),
    };
    (export, writer)
}

/// One collection's file, written a row group at a time.
struct Table {
    writer: Option<ArrowWriter<std::fs::File>>,
    rows: u32,
    /// Ids written so far: the first record with an id is marked, as the
    /// engine resolves a reference to it.
    seen: HashSet<Box<str>>,
    /// The last record taken from the current file: (file id, offset).
    taken: Option<(usize, u64)>,
}

struct Writer {
    schema: Schema,
    needs: Vec<Need>,
    layouts: Vec<Layout>,
    tz: jiff::tz::Offset,
    dir: PathBuf,
    props: WriterProperties,
    tables: Vec<Table>,
    /// The current file's first data file id in the export.
    base: usize,
    cursor: Option<(PathBuf, Cursor)>,
    /// Whether a value's stored instant depended on `tz`.
    tz_used: bool,
    error: Option<EngineError>,
}

impl Writer {
    fn new(
        program: &Program,
        load: &crate::data::LoadOptions,
        dir: &Path,
        tz: jiff::tz::Offset,
    ) -> Writer {
        let projection = (load.projection.clone())
            .unwrap_or_else(|| crate::schema::Projection::all(&program.schema));
        let needs = projection.collections;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        Writer {
            schema: program.schema.clone(),
            layouts: needs.iter().map(Layout::of).collect(),
            tables: (0..needs.len())
                .map(|_| Table {
                    writer: None,
                    rows: 0,
                    seen: HashSet::new(),
                    taken: None,
                })
                .collect(),
            needs,
            tz,
            dir: dir.to_path_buf(),
            props,
            base: 0,
            cursor: None,
            tz_used: false,
            error: None,
        }
    }

    fn name(&self, c: CollId) -> String {
        format!("{}.parquet", self.schema.collections[c].name)
    }

    /// Writes records of collection `c`; they are in file order.
    fn write(
        &mut self,
        c: CollId,
        records: &[Record],
        ids: &Interner,
        files: &[DataFile],
    ) -> Result<(), EngineError> {
        let base = self.base;
        let table = &mut self.tables[c];
        // Records given again (the file read a second time) were written.
        let skip = table.taken.map_or(0, |taken| {
            records.partition_point(|r| (base + r.file, r.span.start) <= taken)
        });
        let records = &records[skip..];
        let Some(last) = records.last() else {
            return Ok(());
        };
        table.taken = Some((base + last.file, last.span.start));
        let rows = tables::Rows {
            records,
            ids,
            files,
            layout: &self.layouts[c],
            first_row: table.rows,
        };
        let seen = &mut table.seen;
        let (batch, tz_used) =
            tables::batch(&self.schema, c, &self.needs[c], self.tz, rows, &mut |r| {
                r.id.is_none_or(|s| seen.insert(ids.resolve(s).into()))
            })?;
        self.tz_used |= tz_used;
        let mut spans = Vec::with_capacity(records.len() * 2);
        let mut at = Vec::with_capacity(records.len() * 2);
        for r in records {
            let Some(file) = files.get(r.file) else {
                continue;
            };
            let unread = |e| EngineError(format!("cannot read `{}` again: {e}", file.display));
            let cursor = match &mut self.cursor {
                Some((path, cursor)) if *path == file.path => cursor,
                slot => {
                    let cursor = Cursor::open(file).map_err(unread)?;
                    &mut slot.insert((file.path.clone(), cursor)).1
                }
            };
            spans.push((base + r.file, r.span));
            let start = cursor.at(r.span.start).map_err(unread)?;
            at.push((start, cursor.at(r.span.end).map_err(unread)?));
        }
        let batch = self.stored(c, batch, &spans, &at)?;
        let table = &mut self.tables[c];
        table.rows = table.rows.saturating_add(batch.num_rows() as u32);
        let writer = match &mut table.writer {
            Some(w) => w,
            slot => {
                let path = self
                    .dir
                    .join(format!("{}.parquet", self.schema.collections[c].name));
                let file = std::fs::File::create(&path)
                    .map_err(|e| EngineError(format!("cannot create `{}`: {e}", path.display())))?;
                slot.insert(ArrowWriter::try_new(
                    file,
                    batch.schema(),
                    Some(self.props.clone()),
                )?)
            }
        };
        writer.write(&batch)?;
        self.keep_to_budget()
    }

    /// Closes the largest unfinished row groups until all fit the budget.
    fn keep_to_budget(&mut self) -> Result<(), EngineError> {
        loop {
            let sizes = self
                .tables
                .iter()
                .map(|t| t.writer.as_ref().map_or(0, ArrowWriter::in_progress_size));
            if sizes.clone().sum::<usize>() <= ROW_GROUP_BUDGET {
                return Ok(());
            }
            let Some((largest, _)) = sizes.enumerate().max_by_key(|&(_, n)| n) else {
                return Ok(());
            };
            if let Some(w) = &mut self.tables[largest].writer {
                w.flush()?;
            }
        }
    }

    /// A batch of the engine's table as stored: location columns after the
    /// offset, declared fields in their portable types.
    fn stored(
        &self,
        c: CollId,
        batch: RecordBatch,
        spans: &[(usize, ByteSpan)],
        at: &[(LineCol, LineCol)],
    ) -> Result<RecordBatch, EngineError> {
        let def = &self.schema.collections[c];
        let need = &self.needs[c];
        let mut fields: Vec<Field> = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (f, a) in batch.schema().fields().iter().zip(batch.columns()) {
            fields.push(f.as_ref().clone());
            columns.push(a.clone());
            if f.name() == tables::OFFSET {
                for (name, a) in location_columns(spans, at) {
                    fields.push(Field::new(name, a.data_type().clone(), false));
                    columns.push(a);
                }
            }
        }
        // Declared fields follow the location columns: store them portably.
        let first_field = fields.len() - declared_count(&def.record, need);
        for (i, (f, n)) in def
            .record
            .fields
            .iter()
            .zip(&need.fields)
            .filter_map(|(f, n)| n.as_ref().map(|n| (f, n)))
            .enumerate()
        {
            let at = first_field + i;
            let stored = storage(&self.schema, &f.ty, n, &columns[at])?;
            fields[at] = Field::new(&f.name, stored.data_type().clone(), true);
            columns[at] = stored;
        }
        Ok(RecordBatch::try_new(
            Arc::new(ArrowSchema::new(fields)),
            columns,
        )?)
    }

    /// Closes every collection's file with the export's metadata, and
    /// writes the integrity findings.
    fn finish(
        mut self,
        program: &Program,
        export: &Export,
        tz: jiff::tz::Offset,
    ) -> Result<Written, EngineError> {
        let meta = metadata(program, export, tz);
        let mut written = Written { files: Vec::new() };
        for c in 0..self.tables.len() {
            if self.tables[c].writer.is_none() {
                // An empty table still says what its columns are.
                let rows = tables::Rows {
                    records: &[],
                    ids: &export.ids,
                    files: &[],
                    layout: &self.layouts[c],
                    first_row: 0,
                };
                let (batch, _) =
                    tables::batch(&self.schema, c, &self.needs[c], self.tz, rows, &mut |_| {
                        true
                    })?;
                let batch = self.stored(c, batch, &[], &[])?;
                let path = self.dir.join(self.name(c));
                let file = std::fs::File::create(&path)
                    .map_err(|e| EngineError(format!("cannot create `{}`: {e}", path.display())))?;
                let mut w = ArrowWriter::try_new(file, batch.schema(), Some(self.props.clone()))?;
                w.write(&batch)?;
                self.tables[c].writer = Some(w);
            }
            let name = self.name(c);
            let table = &mut self.tables[c];
            if let Some(mut w) = table.writer.take() {
                for kv in &meta {
                    w.append_key_value_metadata(kv.clone());
                }
                w.close()
                    .map_err(|e| EngineError(format!("cannot write `{name}`: {e}")))?;
            }
            written.files.push((name, table.rows as usize));
        }
        let mut locator = Locator::default();
        for f in &export.findings {
            locator.want(f.file, f.span.start);
            locator.want(f.file, f.span.end);
        }
        locator.resolve(&export.files, &export.stamps);
        let findings = findings_batch(program, export, &locator)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_key_value_metadata(Some(meta))
            .build();
        write(&self.dir.join("_integrity.parquet"), &findings, &props)?;
        written
            .files
            .push(("_integrity.parquet".into(), findings.num_rows()));
        Ok(written)
    }
}

impl Sink for Writer {
    fn file(&mut self, base: usize) {
        self.base = base;
        self.cursor = None;
        for t in &mut self.tables {
            t.taken = None;
        }
    }

    fn records(&mut self, coll: CollId, records: &[Record], ids: &Interner, files: &[DataFile]) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.write(coll, records, ids, files) {
            self.error = Some(e);
        }
    }
}

/// What a check of the Parquet needs to know of the export besides its
/// records, in every file's metadata.
fn metadata(program: &Program, export: &Export, tz: jiff::tz::Offset) -> Vec<KeyValue> {
    let mut locator = Locator::default();
    if let Some((file, span, _)) = &export.meta.location {
        locator.want(*file, span.start);
        locator.want(*file, span.end);
    }
    locator.resolve(&export.files, &export.stamps);
    // What a check of the Parquet judges by when `--as-of` is not given.
    let as_of = (export.meta.as_of.as_ref())
        .or(export.meta.generated_at.as_ref())
        .map(|(t, _)| t.as_str());
    let mut meta = vec![
        KeyValue::new("comply.timezone".into(), offset_text(tz)),
        KeyValue::new(
            "comply.policy".into(),
            format!("{} {}", program.name, program.version),
        ),
    ];
    if let Some(a) = as_of {
        meta.push(KeyValue::new("comply.as_of".into(), a.to_string()));
    }
    // The loader's data files, in its order: a check of the Parquet numbers
    // them as the loader did, so that its report lists violations alike.
    let files: Vec<(&str, &str, bool)> = export
        .files
        .iter()
        .map(|f| (f.display.as_str(), f.pointer_prefix.as_str(), f.gzip))
        .collect();
    let paths: std::collections::HashSet<_> = export.files.iter().map(|f| &f.path).collect();
    meta.push(KeyValue::new(
        "comply.files".into(),
        serde_json::json!(files).to_string(),
    ));
    // An export that was not read whole must not look whole once converted.
    let errors: Vec<String> = export.errors.iter().map(|e| e.to_string()).collect();
    meta.push(KeyValue::new(
        "comply.input_errors".into(),
        serde_json::json!(errors).to_string(),
    ));
    // What the loader noted (a key given twice, a skipped file): a report
    // of the Parquet shows it as the JSON's did.
    meta.push(KeyValue::new(
        "comply.notes".into(),
        serde_json::json!(export.notes).to_string(),
    ));
    // Which collections an input error kept records from, for the
    // violations only that loss may explain.
    meta.push(KeyValue::new(
        "comply.incomplete".into(),
        serde_json::json!(export.incomplete).to_string(),
    ));
    meta.push(KeyValue::new(
        "comply.paths".into(),
        paths.len().to_string(),
    ));
    // Where the `export` object is: period rules point there.
    if let Some((file, span, pointer)) = &export.meta.location {
        let (s, e) = (locator.get(*file, span.start), locator.get(*file, span.end));
        let display = export
            .files
            .get(*file)
            .map(|f| f.display.clone())
            .unwrap_or_default();
        for (k, v) in [
            ("file", display),
            ("file_id", file.to_string()),
            ("pointer", pointer.clone()),
            ("offset", span.start.to_string()),
            ("end", span.end.to_string()),
            ("line", s.line.to_string()),
            ("column", s.column.to_string()),
            ("end_line", e.line.to_string()),
            ("end_column", e.column.to_string()),
        ] {
            meta.push(KeyValue::new(format!("comply.meta.{k}"), v));
        }
    }
    meta
}

fn declared_count(o: &ObjectType, need: &Need) -> usize {
    o.fields
        .iter()
        .zip(&need.fields)
        .filter(|(_, n)| n.is_some())
        .count()
}

fn write(path: &Path, batch: &RecordBatch, props: &WriterProperties) -> Result<(), EngineError> {
    let shown = path.display();
    let file = std::fs::File::create(path)
        .map_err(|e| EngineError(format!("cannot create `{shown}`: {e}")))?;
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props.clone()))
        .map_err(|e| EngineError(format!("cannot write `{shown}`: {e}")))?;
    w.write(batch)
        .and_then(|_| w.close().map(|_| ()))
        .map_err(|e| EngineError(format!("cannot write `{shown}`: {e}")))
}

/// A column of the engine's representation in its stored one.
fn storage(schema: &Schema, ty: &Type, need: &Need, a: &ArrayRef) -> Result<ArrayRef, EngineError> {
    tables::map_leaves(ty, need, a, &|ty, a| -> Result<ArrayRef, EngineError> {
        Ok(match ty {
            Type::Time => super::instant::store(a)?,
            Type::Enum(e) => {
                let names = StringArray::from_iter_values(schema.enums[*e].values.iter());
                let keys = cast(a, &DataType::Int32)?;
                let keys = keys.as_primitive::<Int32Type>().clone();
                Arc::new(DictionaryArray::<Int32Type>::try_new(
                    keys,
                    Arc::new(names),
                )?)
            }
            _ => {
                debug_assert_eq!(a.data_type(), &arrow_type(schema, ty, need));
                a.clone()
            }
        })
    })
}

fn findings_batch(
    program: &Program,
    export: &Export,
    locator: &Locator,
) -> Result<RecordBatch, EngineError> {
    let fs = &export.findings;
    let code = |f: &crate::data::model::IntegrityFinding| {
        program
            .integrity
            .iter()
            .find(|r| r.kind == f.kind)
            .map(|r| r.info.code.clone())
    };
    let display = |f: usize| export.files.get(f).map(|f| f.display.clone());
    let spans: Vec<_> = fs.iter().map(|f| (f.file, f.span)).collect();
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        (
            "rule",
            Arc::new(StringArray::from_iter(fs.iter().map(code))),
        ),
        (
            "collection",
            Arc::new(StringArray::from_iter_values(
                fs.iter().map(|f| f.collection.as_str()),
            )),
        ),
        (
            "id",
            Arc::new(StringArray::from_iter(fs.iter().map(|f| f.id.as_deref()))),
        ),
        (
            "key",
            Arc::new(StringArray::from_iter(fs.iter().map(|f| f.key.as_deref()))),
        ),
        (
            "message",
            Arc::new(StringArray::from_iter_values(
                fs.iter().map(|f| f.message.as_str()),
            )),
        ),
        (
            "_file",
            Arc::new(StringArray::from_iter(fs.iter().map(|f| display(f.file)))),
        ),
        (
            "_offset",
            Arc::new(UInt64Array::from_iter_values(
                fs.iter().map(|f| f.span.start),
            )),
        ),
    ];
    let at: Vec<_> = spans
        .iter()
        .map(|(f, s)| (locator.get(*f, s.start), locator.get(*f, s.end)))
        .collect();
    columns.extend(location_columns(&spans, &at));
    columns.push((
        "_pointer",
        Arc::new(StringArray::from_iter_values(
            fs.iter().map(|f| f.pointer.as_str()),
        )),
    ));
    columns.push((
        "field",
        Arc::new(StringArray::from_iter(
            fs.iter().map(|f| f.field.as_ref().map(|(p, _)| p.as_str())),
        )),
    ));
    let schema = ArrowSchema::new(
        columns
            .iter()
            .map(|(n, a)| {
                Field::new(
                    *n,
                    a.data_type().clone(),
                    a.null_count() > 0 || a.is_empty(),
                )
            })
            .collect::<Vec<_>>(),
    );
    Ok(RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, a)| a).collect(),
    )?)
}

/// Where each record ends, and the line and column of both ends: what a
/// report needs to locate a record without reading the export again.
fn location_columns(
    spans: &[(usize, ByteSpan)],
    at: &[(LineCol, LineCol)],
) -> Vec<(&'static str, ArrayRef)> {
    let u32s = |v: Vec<u32>| -> ArrayRef { Arc::new(UInt32Array::from(v)) };
    vec![
        (
            "_file_id",
            u32s(spans.iter().map(|(f, _)| *f as u32).collect()),
        ),
        (
            "_end",
            Arc::new(UInt64Array::from_iter_values(
                spans.iter().map(|(_, s)| s.end),
            )),
        ),
        (
            "_line",
            u32s(at.iter().map(|(s, _)| s.line as u32).collect()),
        ),
        (
            "_column",
            u32s(at.iter().map(|(s, _)| s.column as u32).collect()),
        ),
        (
            "_end_line",
            u32s(at.iter().map(|(_, e)| e.line as u32).collect()),
        ),
        (
            "_end_column",
            u32s(at.iter().map(|(_, e)| e.column as u32).collect()),
        ),
    ]
}

fn offset_text(tz: jiff::tz::Offset) -> String {
    let secs = tz.seconds();
    let (sign, abs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}
