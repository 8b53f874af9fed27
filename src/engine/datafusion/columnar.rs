//! A converted export (`comply convert --to parquet DIR`) as the relational
//! engine's input. Its records stay in their files: the plans scan them,
//! and only the records a violation shows are read back, with the lines
//! and columns the conversion stored, for the report.

use super::tables::{arrow_type, FILE, ID, OFFSET, POINTER, ROW};
use super::EngineError;
use crate::check::ir::Program;
use crate::data::model::{ByteSpan, DataFile, Export, FileId, IntegrityFinding, Meta, Record};
use crate::engine::Found;
use crate::schema::{Need, Schema, Type};
use crate::source::LineCol;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch, UInt32Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Field, Schema as ArrowSchema, UInt32Type, UInt64Type,
};
use datafusion::catalog::MemTable;
use datafusion::common::{exec_err, Column, Result as DfResult};
use datafusion::datasource::provider_as_source;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{
    ColumnarValue, Expr, JoinType, LogicalPlan, LogicalPlanBuilder, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::prelude::ParquetReadOptions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FINDINGS: &str = "_integrity.parquet";

/// Whether `path` is a directory `comply convert` wrote.
pub fn is_columnar(path: &Path) -> bool {
    path.is_dir() && path.join(FINDINGS).is_file()
}

fn err(path: &Path, e: impl std::fmt::Display) -> EngineError {
    EngineError(format!("cannot read `{}`: {e}", path.display()))
}

/// The export's metadata, record count and integrity findings, with no
/// records: what the run needs before the plans.
pub fn open(program: &Program, dir: &Path) -> Result<Export, EngineError> {
    let path = dir.join(FINDINGS);
    let file = std::fs::File::open(&path).map_err(|e| err(&path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&path, e))?;
    let kv: HashMap<String, String> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .filter_map(|k| k.value.clone().map(|v| (k.key.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    let mut export = Export {
        collections: vec![Vec::new(); program.schema.collections.len()],
        incomplete: vec![None; program.schema.collections.len()],
        ..Default::default()
    };
    export.files = data_files(&kv);
    let errors: Vec<String> = kv
        .get("comply.input_errors")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let incomplete: Vec<Option<String>> = kv
        .get("comply.incomplete")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    if incomplete.len() == export.incomplete.len() {
        export.incomplete = incomplete;
    }
    export.notes = kv
        .get("comply.notes")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    for e in errors {
        export.errors.push(miette::miette!(
            "`{}` was converted from an export that was not read whole: {e}",
            dir.display()
        ));
    }
    export.meta = meta(&kv, &mut export.positions);
    for batch in builder.build().map_err(|e| err(&path, e))? {
        let b = batch.map_err(|e| err(&path, e))?;
        let s = |n: &str| b.column_by_name(n).map(|a| a.as_string::<i32>().clone());
        let u64s = |n: &str| {
            b.column_by_name(n)
                .map(|a| a.as_primitive::<UInt64Type>().clone())
        };
        let u32s = |n: &str| {
            b.column_by_name(n)
                .map(|a| a.as_primitive::<UInt32Type>().clone())
        };
        let (Some(rule), Some(coll), Some(id), Some(key), Some(msg), Some(ptr), Some(field)) = (
            s("rule"),
            s("collection"),
            s("id"),
            s("key"),
            s("message"),
            s("_pointer"),
            s("field"),
        ) else {
            return Err(err(&path, "it lacks the columns of integrity findings"));
        };
        let (Some(fids), Some(off), Some(end), Some(l), Some(c), Some(el), Some(ec)) = (
            u32s("_file_id"),
            u64s(OFFSET),
            u64s("_end"),
            u32s("_line"),
            u32s("_column"),
            u32s("_end_line"),
            u32s("_end_column"),
        ) else {
            return Err(err(&path, "it lacks the location columns"));
        };
        let text = |a: &datafusion::arrow::array::StringArray, i: usize| {
            (!a.is_null(i)).then(|| a.value(i).to_string())
        };
        for i in 0..b.num_rows() {
            let code = rule.value(i);
            let Some(kind) = program
                .integrity
                .iter()
                .find(|r| r.info.code == code)
                .map(|r| r.kind)
            else {
                continue;
            };
            let pointer = ptr.value(i).to_string();
            let fid = fids.value(i) as usize;
            let span = ByteSpan {
                start: off.value(i),
                end: end.value(i),
            };
            let at = |a: &UInt32Array| a.value(i) as usize;
            place(
                &mut export.positions,
                fid,
                span,
                (at(&l), at(&c)),
                (at(&el), at(&ec)),
            );
            export.findings.push(IntegrityFinding {
                kind,
                target: None,
                collection: coll.value(i).to_string(),
                id: text(&id, i),
                key: text(&key, i),
                file: fid,
                span,
                pointer,
                field: text(&field, i).map(|p| (p, None)),
                message: msg.value(i).to_string(),
            });
        }
    }
    let mut counted = 0;
    for c in &program.schema.collections {
        let path = dir.join(format!("{}.parquet", c.name));
        let file = std::fs::File::open(&path).map_err(|e| err(&path, e))?;
        let b = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&path, e))?;
        counted += usize::try_from(b.metadata().file_metadata().num_rows()).unwrap_or(0);
    }
    let files_read = kv
        .get("comply.paths")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    export.counted = Some((counted, files_read));
    Ok(export)
}

/// The loader's data files, as the conversion stored them.
fn data_files(kv: &HashMap<String, String>) -> Vec<DataFile> {
    let files: Vec<(String, String, bool)> = kv
        .get("comply.files")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    files
        .into_iter()
        .map(|(display, pointer_prefix, gzip)| DataFile {
            path: PathBuf::from(&display),
            display,
            pointer_prefix,
            gzip,
        })
        .collect()
}

fn meta(kv: &HashMap<String, String>, positions: &mut Vec<(FileId, u64, LineCol)>) -> Meta {
    let mut m = Meta::default();
    let tz = kv
        .get("comply.timezone")
        .and_then(|t| offset(t).map(|o| (t.clone(), o)));
    let zone = tz.as_ref().map_or(jiff::tz::Offset::UTC, |(_, o)| *o);
    m.timezone = tz;
    if let Some(t) = kv.get("comply.as_of") {
        let at = match crate::data::timestamp::parse_time(t) {
            Some(crate::data::timestamp::TimeVal::Instant(t)) => Some(t),
            Some(crate::data::timestamp::TimeVal::Date(d)) => {
                crate::data::timestamp::midnight(d, zone)
            }
            None => None,
        };
        match at {
            Some(at) => m.as_of = Some((t.clone(), at)),
            None => m.bad_as_of = Some(t.clone()),
        }
    }
    let get = |k: &str| kv.get(&format!("comply.meta.{k}"));
    let num = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
    if let (Some(fid), Some(pointer), Some(start), Some(end)) =
        (num("file_id"), get("pointer"), num("offset"), num("end"))
    {
        let fid = fid as FileId;
        let at = |l: &str, c: &str| LineCol {
            line: num(l).unwrap_or(1) as usize,
            column: num(c).unwrap_or(1) as usize,
        };
        positions.push((fid, start, at("line", "column")));
        positions.push((fid, end, at("end_line", "end_column")));
        m.location = Some((fid, ByteSpan { start, end }, pointer.clone()));
    }
    m
}

/// The lines and columns of a span's two ends, as the conversion stored them.
fn place(
    positions: &mut Vec<(FileId, u64, LineCol)>,
    file: FileId,
    span: ByteSpan,
    (line, column): (usize, usize),
    (end_line, end_column): (usize, usize),
) {
    positions.push((file, span.start, LineCol { line, column }));
    positions.push((
        file,
        span.end,
        LineCol {
            line: end_line,
            column: end_column,
        },
    ));
}

/// `+08:00`, `-05:30` or `Z`.
fn offset(t: &str) -> Option<jiff::tz::Offset> {
    if t == "Z" {
        return Some(jiff::tz::Offset::UTC);
    }
    let sign = match t.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = t[1..].split_once(':')?;
    let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    jiff::tz::Offset::from_seconds(secs).ok()
}

/// Each collection's Parquet file as a plan in the engine's representation.
pub async fn tables(
    ctx: &SessionContext,
    program: &Program,
    dir: &Path,
) -> Result<Vec<LogicalPlan>, EngineError> {
    let mut out = Vec::new();
    for (c, def) in program.schema.collections.iter().enumerate() {
        let path = dir.join(format!("{}.parquet", def.name));
        let Some(p) = path.to_str() else {
            return Err(err(&path, "the path is not UTF-8"));
        };
        let plan = ctx
            .read_parquet(p, ParquetReadOptions::default())
            .await
            .map_err(|e| err(&path, e))?
            .into_unoptimized_plan();
        let need = &program.projection.collections[c];
        let mut columns: Vec<Expr> = [ROW, ID, super::tables::FIRST, FILE, OFFSET, POINTER]
            .iter()
            .map(|n| Expr::Column(Column::from_name(*n)).alias(*n))
            .collect();
        for (f, n) in def.record.fields.iter().zip(&need.fields) {
            let Some(n) = n else { continue };
            let stored = Expr::Column(Column::from_name(&f.name));
            let e = if holds_converted(&f.ty) {
                ScalarUDF::new_from_impl(ToEngine::new(&program.schema, &f.ty, n))
                    .call(vec![stored])
            } else {
                stored
            };
            columns.push(e.alias(&f.name));
        }
        out.push(
            LogicalPlanBuilder::from(plan)
                .project(columns)
                .and_then(|b| b.alias(def.name.as_str()))
                .map_err(|e| err(&path, e))?
                .build()
                .map_err(|e| err(&path, e))?,
        );
    }
    Ok(out)
}

fn holds_converted(ty: &Type) -> bool {
    match ty {
        Type::Time | Type::Enum(_) => true,
        Type::List(t) => holds_converted(t),
        Type::Object(o) => o.fields.iter().any(|f| holds_converted(&f.ty)),
        _ => false,
    }
}

/// A stored column in the engine's representation: timestamps as
/// nanoseconds, enum names as their positions.
#[derive(Debug)]
struct ToEngine {
    name: String,
    /// The field's type and need, as text: what tells two apart.
    key: String,
    ty: Type,
    enums: Vec<Vec<String>>,
    need: Need,
    out: DataType,
    signature: Signature,
}

impl PartialEq for ToEngine {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for ToEngine {}
impl std::hash::Hash for ToEngine {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl ToEngine {
    fn new(schema: &Schema, ty: &Type, need: &Need) -> ToEngine {
        ToEngine {
            name: "comply_from_parquet".into(),
            key: format!("{ty:?} {need:?}"),
            ty: ty.clone(),
            enums: schema.enums.iter().map(|e| e.values.clone()).collect(),
            need: need.clone(),
            out: arrow_type(schema, ty, need),
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    fn convert(&self, ty: &Type, need: &Need, a: &ArrayRef) -> DfResult<ArrayRef> {
        super::tables::map_leaves(ty, need, a, &|ty, a| -> DfResult<ArrayRef> {
            Ok(match ty {
                Type::Time => super::instant::load(a)?,
                Type::Enum(e) => {
                    let names = &self.enums[*e];
                    let text = cast(a, &DataType::Utf8)?;
                    let text = text.as_string::<i32>();
                    Arc::new(Int64Array::from_iter((0..text.len()).map(|i| {
                        if text.is_null(i) {
                            return None;
                        }
                        names
                            .iter()
                            .position(|n| n == text.value(i))
                            .map(|p| p as i64)
                    })))
                }
                _ => a.clone(),
            })
        })
    }
}

impl ScalarUDFImpl for ToEngine {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(self.out.clone())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(a) = args.args.first() else {
            return exec_err!("{} takes one argument", self.name);
        };
        let a = a.to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(
            self.convert(&self.ty, &self.need, &a)?,
        ))
    }
}

/// Reads back the records `found` shows, into `export` (which holds no
/// records before), and points `found` at them.
pub async fn load_found(
    ctx: &SessionContext,
    program: &Program,
    dir: &Path,
    export: &mut Export,
    found: &mut [Found],
) -> Result<(), EngineError> {
    for (c, def) in program.schema.collections.iter().enumerate() {
        let mut rows: Vec<u32> = found
            .iter()
            .filter_map(|f| f.record.filter(|r| r.0 == c).map(|r| r.1))
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_unstable();
        rows.dedup();
        let path = dir.join(format!("{}.parquet", def.name));
        let Some(p) = path.to_str() else {
            return Err(err(&path, "the path is not UTF-8"));
        };
        let wanted_schema = Arc::new(ArrowSchema::new(vec![Field::new(
            "w",
            DataType::UInt32,
            false,
        )]));
        let batch = RecordBatch::try_new(
            wanted_schema.clone(),
            vec![Arc::new(UInt32Array::from(rows.clone()))],
        )?;
        let wanted = LogicalPlanBuilder::scan(
            "wanted",
            provider_as_source(Arc::new(MemTable::try_new(
                wanted_schema,
                vec![vec![batch]],
            )?)),
            None,
        )?
        .build()?;
        let scan = ctx
            .read_parquet(p, ParquetReadOptions::default())
            .await
            .map_err(|e| err(&path, e))?
            .into_unoptimized_plan();
        let names = [
            ROW,
            ID,
            "_file_id",
            OFFSET,
            "_end",
            "_line",
            "_column",
            "_end_line",
            "_end_column",
            POINTER,
        ];
        let plan = LogicalPlanBuilder::from(scan)
            .join_on(
                wanted,
                JoinType::LeftSemi,
                vec![Expr::Column(Column::from_name(ROW))
                    .eq(Expr::Column(Column::new(Some("wanted"), "w")))],
            )?
            .project(names.iter().map(|n| Expr::Column(Column::from_name(*n))))?
            .build()?;
        let batches = ctx.execute_logical_plan(plan).await?.collect().await?;
        let mut at: HashMap<u32, u32> = HashMap::new();
        for b in &batches {
            let row = b.column(0).as_primitive::<UInt32Type>();
            let id = b.column(1).as_string::<i32>();
            let file = b.column(2).as_primitive::<UInt32Type>();
            let (off, end) = (
                b.column(3).as_primitive::<UInt64Type>(),
                b.column(4).as_primitive::<UInt64Type>(),
            );
            let n = |k: usize, i: usize| b.column(k).as_primitive::<UInt32Type>().value(i) as usize;
            let ptr = b.column(9).as_string::<i32>();
            for i in 0..b.num_rows() {
                let pointer = ptr.value(i);
                let fid = file.value(i) as usize;
                let ordinal = pointer
                    .rsplit_once('/')
                    .and_then(|(_, o)| o.parse().ok())
                    .unwrap_or(0);
                let span = ByteSpan {
                    start: off.value(i),
                    end: end.value(i),
                };
                place(
                    &mut export.positions,
                    fid,
                    span,
                    (n(5, i), n(6, i)),
                    (n(7, i), n(8, i)),
                );
                let sym = (!id.is_null(i)).then(|| export.ids.intern(id.value(i)));
                at.insert(row.value(i), export.collections[c].len() as u32);
                export.collections[c].push(Record {
                    id: sym,
                    file: fid,
                    ordinal,
                    span,
                    fields: Box::new([]),
                });
            }
        }
        for f in found.iter_mut() {
            if let Some((fc, r)) = f.record {
                if fc == c {
                    f.record = at.get(&r).map(|&k| (c, k));
                }
            }
        }
    }
    Ok(())
}
