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
use crate::data::model::Export;
use crate::eval::locate::Locator;
use crate::schema::{Need, ObjectType, Schema, Type};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, StringArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema as ArrowSchema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::KeyValue;
use datafusion::parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: what a reader holds of a column at a time.
const ROW_GROUP: usize = 65_536;

/// What was written, for the command's summary.
pub struct Written {
    pub files: Vec<(String, usize)>,
}

pub fn convert(
    program: &Program,
    export: &Export,
    tz: jiff::tz::Offset,
    as_of: Option<&str>,
    dir: &Path,
) -> Result<Written, EngineError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| EngineError(format!("cannot create `{}`: {e}", dir.display())))?;
    let mut locator = Locator::default();
    for records in &export.collections {
        for r in records {
            locator.want(r.file, r.span.start);
            locator.want(r.file, r.span.end);
        }
    }
    for f in &export.findings {
        locator.want(f.file, f.span.start);
        locator.want(f.file, f.span.end);
    }
    if let Some((file, span, _)) = &export.meta.location {
        locator.want(*file, span.start);
        locator.want(*file, span.end);
    }
    locator.resolve(&export.files, &export.stamps);
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
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_key_value_metadata(Some(meta))
        .build();
    let mut written = Written { files: Vec::new() };
    for (c, def) in program.schema.collections.iter().enumerate() {
        let need = &program.projection.collections[c];
        let batch = tables::table(&program.schema, export, c, need, tz)?;
        let records = &export.collections[c];
        let spans: Vec<_> = records.iter().map(|r| (r.file, r.span)).collect();
        let mut fields: Vec<Field> = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (f, a) in batch.schema().fields().iter().zip(batch.columns()) {
            fields.push(f.as_ref().clone());
            columns.push(a.clone());
            if f.name() == tables::OFFSET {
                for (name, a) in location_columns(&locator, &spans) {
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
            let stored = storage(&program.schema, &f.ty, n, &columns[at])?;
            fields[at] = Field::new(&f.name, stored.data_type().clone(), true);
            columns[at] = stored;
        }
        let schema = Arc::new(ArrowSchema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        let name = format!("{}.parquet", def.name);
        write(&dir.join(&name), &batch, &props)?;
        written.files.push((name, batch.num_rows()));
    }
    let findings = findings_batch(program, export, &locator)?;
    write(&dir.join("_integrity.parquet"), &findings, &props)?;
    written
        .files
        .push(("_integrity.parquet".into(), findings.num_rows()));
    Ok(written)
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
            Type::Time => cast(
                a,
                &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            )?,
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
    columns.extend(location_columns(locator, &spans));
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
    locator: &Locator,
    spans: &[(usize, crate::data::model::ByteSpan)],
) -> Vec<(&'static str, ArrayRef)> {
    let start: Vec<_> = spans
        .iter()
        .map(|(f, s)| locator.get(*f, s.start))
        .collect();
    let end: Vec<_> = spans.iter().map(|(f, s)| locator.get(*f, s.end)).collect();
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
        ("_line", u32s(start.iter().map(|l| l.line as u32).collect())),
        (
            "_column",
            u32s(start.iter().map(|l| l.column as u32).collect()),
        ),
        (
            "_end_line",
            u32s(end.iter().map(|l| l.line as u32).collect()),
        ),
        (
            "_end_column",
            u32s(end.iter().map(|l| l.column as u32).collect()),
        ),
    ]
}

fn offset_text(tz: jiff::tz::Offset) -> String {
    let secs = tz.seconds();
    let (sign, abs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}
