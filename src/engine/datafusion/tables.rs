//! The loaded export as Arrow tables, one per collection, typed by the
//! policy's schema: what the relational engine scans and what `comply
//! convert` writes as Parquet.
//!
//! Inside the engine an instant or a duration is a `Decimal128(38, 0)` of
//! nanoseconds (since the epoch), the native evaluator's `i128`: an `Int64`
//! holds only 1677-2262, and the spec keeps years 0001-9999 to the
//! nanosecond. An enum value is its 0-based position in its declaration: the
//! IR compares and subtracts them as the native evaluator does, exactly.
//! A date-only value is midnight in the export's time zone, as the native
//! evaluator reads it. Absent in the spec's sense (null, blank, unfit, an
//! empty list or object) is null.

use crate::data::model::{DataFile, Export, Field, Interner, Record, Val};
use crate::schema::{CollId, Need, ObjectType, Schema, Type};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int64Array, ListArray, StringArray,
    StructArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{DataType, Field as ArrowField, Fields, Schema as ArrowSchema};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::HashSet;
use std::sync::Arc;

/// Columns every collection's table has besides its declared fields.
pub const ROW: &str = "_row";
pub const ID: &str = "_id";
/// Whether this is the first record with its id (the one a reference resolves to).
pub const FIRST: &str = "_first";
pub const FILE: &str = "_file";
pub const OFFSET: &str = "_offset";
pub const POINTER: &str = "_pointer";

/// Instants and durations in the engine: nanoseconds, as an `i128`.
pub const INSTANT: DataType = DataType::Decimal128(38, 0);

/// Nanoseconds as a column of `INSTANT`.
pub fn instants(ns: impl IntoIterator<Item = Option<i128>>) -> Result<ArrayRef, ArrowError> {
    Ok(Arc::new(
        Decimal128Array::from_iter(ns).with_precision_and_scale(38, 0)?,
    ))
}

/// The Arrow type of a declared field type, keeping only the fields `need` reads.
pub fn arrow_type(schema: &Schema, ty: &Type, need: &Need) -> DataType {
    match ty {
        Type::String | Type::Ref(_) => DataType::Utf8,
        Type::Int { .. } | Type::Enum(_) => DataType::Int64,
        Type::Time => INSTANT,
        Type::Number => DataType::Float64,
        Type::Bool | Type::AnyObject => DataType::Boolean,
        Type::Object(o) => DataType::Struct(struct_fields(schema, o, need)),
        Type::List(t) => DataType::List(Arc::new(ArrowField::new(
            "item",
            arrow_type(schema, t, need),
            true,
        ))),
    }
}

fn struct_fields(schema: &Schema, o: &ObjectType, need: &Need) -> Fields {
    o.fields
        .iter()
        .zip(&need.fields)
        .filter_map(|(f, n)| {
            n.as_ref()
                .map(|n| ArrowField::new(&f.name, arrow_type(schema, &f.ty, n), true))
        })
        .collect()
}

/// `a`, a column of type `ty` (keeping the fields `need` reads), with each
/// scalar leaf replaced by what `leaf` makes of it: objects and lists are
/// rebuilt around their converted contents. `comply convert` stores the
/// engine's columns with it, and a check of Parquet reads them back.
pub fn map_leaves<E: From<ArrowError>>(
    ty: &Type,
    need: &Need,
    a: &ArrayRef,
    leaf: &dyn Fn(&Type, &ArrayRef) -> Result<ArrayRef, E>,
) -> Result<ArrayRef, E> {
    use datafusion::arrow::array::{Array, AsArray};
    Ok(match ty {
        Type::Object(o) => {
            let Some(s) = a.as_struct_opt() else {
                return Ok(a.clone());
            };
            let mut fields = Vec::new();
            let mut children = Vec::new();
            for (f, n) in o.fields.iter().zip(&need.fields) {
                let (Some(n), Some(child)) = (n, s.column_by_name(&f.name)) else {
                    continue;
                };
                let c = map_leaves(&f.ty, n, child, leaf)?;
                fields.push(ArrowField::new(&f.name, c.data_type().clone(), true));
                children.push(c);
            }
            if fields.is_empty() {
                return Ok(a.clone());
            }
            Arc::new(StructArray::try_new(
                Fields::from(fields),
                children,
                s.nulls().cloned(),
            )?)
        }
        Type::List(t) => {
            let Some(l) = a.as_list_opt::<i32>() else {
                return Ok(a.clone());
            };
            let values = map_leaves(t, need, l.values(), leaf)?;
            Arc::new(ListArray::try_new(
                Arc::new(ArrowField::new("item", values.data_type().clone(), true)),
                l.offsets().clone(),
                values,
                l.nulls().cloned(),
            )?)
        }
        _ => leaf(ty, a)?,
    })
}

/// The table schema of collection `c`.
pub fn table_schema(schema: &Schema, c: CollId, need: &Need) -> ArrowSchema {
    let mut fields = vec![
        ArrowField::new(ROW, DataType::UInt32, false),
        ArrowField::new(ID, DataType::Utf8, true),
        ArrowField::new(FIRST, DataType::Boolean, false),
        ArrowField::new(FILE, DataType::Utf8, false),
        ArrowField::new(OFFSET, DataType::UInt64, false),
        ArrowField::new(POINTER, DataType::Utf8, false),
    ];
    fields.extend(
        struct_fields(schema, &schema.collections[c].record, need)
            .iter()
            .map(|f| f.as_ref().clone()),
    );
    ArrowSchema::new(fields)
}

/// Collection `c` of `export` as one batch. `need` must be what the export
/// was loaded with (its layout keeps at least those fields).
pub fn table(
    schema: &Schema,
    export: &Export,
    c: CollId,
    need: &Need,
    tz: jiff::tz::Offset,
) -> Result<RecordBatch, ArrowError> {
    let layout = export.layouts.get(c).cloned().unwrap_or_default();
    let mut seen = HashSet::new();
    let rows = Rows {
        records: &export.collections[c],
        ids: &export.ids,
        files: &export.files,
        layout: &layout,
        first_row: 0,
    };
    let (batch, _) = batch(schema, c, need, tz, rows, &mut |r| {
        r.id.is_none_or(|s| seen.insert(s))
    })?;
    Ok(batch)
}

/// Some records of one collection, as the loader keeps them.
pub struct Rows<'a> {
    pub records: &'a [Record],
    /// Their ids' and strings' syms.
    pub ids: &'a Interner,
    /// Their file ids' files.
    pub files: &'a [DataFile],
    pub layout: &'a crate::schema::Layout,
    /// The row number of the first of them.
    pub first_row: u32,
}

/// `rows` as a batch of collection `c`'s table; `is_first` says whether a
/// record is the first of the collection with its id. The flag says
/// whether `tz` made a value (a `full-date`, midnight in that zone).
pub fn batch(
    schema: &Schema,
    c: CollId,
    need: &Need,
    tz: jiff::tz::Offset,
    rows: Rows<'_>,
    is_first: &mut dyn FnMut(&Record) -> bool,
) -> Result<(RecordBatch, bool), ArrowError> {
    let Rows {
        records,
        ids,
        files,
        layout,
        first_row,
    } = rows;
    let n = u32::try_from(records.len()).unwrap_or(u32::MAX);
    let file = |r: &Record| files.get(r.file);
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(
            first_row..first_row.saturating_add(n),
        )),
        Arc::new(StringArray::from_iter(
            records.iter().map(|r| r.id.map(|s| ids.resolve(s))),
        )),
        Arc::new(BooleanArray::from_iter(
            records.iter().map(|r| Some(is_first(r))),
        )),
        Arc::new(StringArray::from_iter_values(
            records
                .iter()
                .map(|r| file(r).map_or("", |f| f.display.as_str())),
        )),
        Arc::new(UInt64Array::from_iter_values(
            records.iter().map(|r| r.span.start),
        )),
        Arc::new(StringArray::from_iter_values(records.iter().map(|r| {
            let prefix = file(r).map_or("", |f| f.pointer_prefix.as_str());
            format!("{prefix}/{}", r.ordinal)
        }))),
    ];
    let conv = Converter {
        schema,
        ids,
        tz,
        tz_used: std::cell::Cell::new(false),
    };
    let record = &schema.collections[c].record;
    for (i, (f, n)) in record.fields.iter().zip(&need.fields).enumerate() {
        let Some(n) = n else { continue };
        let slot = layout.slot(i);
        let vals: Vec<Option<&Val>> = records
            .iter()
            .map(|r| slot.and_then(|s| r.fields.get(s)).and_then(present))
            .collect();
        columns.push(conv.column(&f.ty, n, layout.inner(i), &vals)?);
    }
    let batch = RecordBatch::try_new(Arc::new(table_schema(schema, c, need)), columns)?;
    Ok((batch, conv.tz_used.get()))
}

fn present(f: &Option<Field>) -> Option<&Val> {
    f.as_ref().and_then(Field::present)
}

struct Converter<'a> {
    schema: &'a Schema,
    ids: &'a Interner,
    tz: jiff::tz::Offset,
    tz_used: std::cell::Cell<bool>,
}

impl Converter<'_> {
    fn column(
        &self,
        ty: &Type,
        need: &Need,
        layout: &crate::schema::Layout,
        vals: &[Option<&Val>],
    ) -> Result<ArrayRef, ArrowError> {
        let ids = self.ids;
        Ok(match ty {
            Type::String | Type::Ref(_) => {
                Arc::new(StringArray::from_iter(vals.iter().map(|v| match v {
                    Some(Val::Str(s) | Val::Ref(s)) => Some(ids.resolve(*s)),
                    _ => None,
                })))
            }
            Type::Int { .. } => Arc::new(Int64Array::from_iter(vals.iter().map(|v| match v {
                Some(Val::Int(i)) => Some(*i),
                _ => None,
            }))),
            Type::Enum(_) => Arc::new(Int64Array::from_iter(vals.iter().map(|v| match v {
                Some(Val::Enum(e)) => Some(i64::from(*e)),
                _ => None,
            }))),
            Type::Time => instants(vals.iter().map(|v| match v {
                Some(Val::Time(s, n)) => Some(i128::from(*s) * 1_000_000_000 + i128::from(*n)),
                Some(Val::Date(d)) => {
                    self.tz_used.set(true);
                    crate::engine::period::midnight(*d, self.tz)
                }
                _ => None,
            }))?,
            Type::Number => Arc::new(Float64Array::from_iter(vals.iter().map(|v| match v {
                Some(Val::Num(n)) => Some(*n),
                Some(Val::Int(i)) => Some(*i as f64),
                _ => None,
            }))),
            Type::Bool => Arc::new(BooleanArray::from_iter(vals.iter().map(|v| match v {
                Some(Val::Bool(b)) => Some(*b),
                _ => None,
            }))),
            Type::AnyObject => Arc::new(BooleanArray::from_iter(
                vals.iter().map(|v| v.map(|_| true)),
            )),
            Type::Object(o) => {
                let fields = struct_fields(self.schema, o, need);
                let mut children = Vec::new();
                for (i, (f, n)) in o.fields.iter().zip(&need.fields).enumerate() {
                    let Some(n) = n else { continue };
                    let slot = layout.slot(i);
                    let inner: Vec<Option<&Val>> = vals
                        .iter()
                        .map(|v| match v {
                            Some(Val::Obj(fs)) => slot.and_then(|s| fs.get(s)).and_then(present),
                            _ => None,
                        })
                        .collect();
                    children.push(self.column(&f.ty, n, layout.inner(i), &inner)?);
                }
                let nulls =
                    NullBuffer::from_iter(vals.iter().map(|v| matches!(v, Some(Val::Obj(_)))));
                if fields.is_empty() {
                    Arc::new(StructArray::new_empty_fields(vals.len(), Some(nulls)))
                } else {
                    Arc::new(StructArray::try_new(fields, children, Some(nulls))?)
                }
            }
            Type::List(t) => {
                let mut lengths = Vec::with_capacity(vals.len());
                let mut items: Vec<Option<&Val>> = Vec::new();
                let mut valid = Vec::with_capacity(vals.len());
                for v in vals {
                    match v {
                        // A list whose every element is absent is absent.
                        Some(Val::List(xs)) if xs.iter().any(|x| x.val != Val::Absent) => {
                            lengths.push(xs.len());
                            items.extend(xs.iter().map(Field::present));
                            valid.push(true);
                        }
                        _ => {
                            lengths.push(0);
                            valid.push(false);
                        }
                    }
                }
                let child = self.column(t, need, layout, &items)?;
                let field = Arc::new(ArrowField::new("item", child.data_type().clone(), true));
                Arc::new(ListArray::try_new(
                    field,
                    OffsetBuffer::from_lengths(lengths),
                    child,
                    Some(NullBuffer::from(valid)),
                )?)
            }
        })
    }
}
