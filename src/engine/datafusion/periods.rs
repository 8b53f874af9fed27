//! Calendar periods inside the plan: the struct a period value is, the
//! functions that make one from a year and a number (`quarter(2025, 2)`),
//! and the periods that ended in the rolling year before a time given per
//! row, as the native engine lists them (`period::ended`).

use super::tables::INSTANT;
use crate::check::ir::PeriodKind;
use crate::engine::period::{self, Period};
use datafusion::arrow::array::{Array, AsArray, Int64Array, ListArray, StringArray, StructArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Field, Fields, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// The struct a period value is in the plan.
pub fn period_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", INSTANT, true),
        Field::new("end", INSTANT, true),
        Field::new("label", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, true),
    ])
}

/// Periods as a struct array, null where there is none.
pub fn period_array(periods: &[Option<Period>]) -> Result<StructArray> {
    let start = super::tables::instants(periods.iter().map(|p| p.map(|p| p.start)))?;
    let end = super::tables::instants(periods.iter().map(|p| p.map(|p| p.end)))?;
    let label = StringArray::from_iter(periods.iter().map(|p| p.map(|p| p.label())));
    let kind = StringArray::from_iter(periods.iter().map(|p| p.map(|p| p.kind.name())));
    let nulls =
        datafusion::arrow::buffer::NullBuffer::from_iter(periods.iter().map(Option::is_some));
    Ok(StructArray::try_new(
        period_fields(),
        vec![start, end, Arc::new(label), Arc::new(kind)],
        Some(nulls),
    )?)
}

/// `quarter(year, n)` and friends over columns: a period per row.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PeriodFn {
    name: String,
    kind: PeriodKind,
    tz_seconds: i32,
    signature: Signature,
}

pub fn period_udf(kind: PeriodKind, tz: jiff::tz::Offset) -> ScalarUDF {
    ScalarUDF::new_from_impl(PeriodFn {
        name: format!("comply_{}", kind.name()),
        kind,
        tz_seconds: tz.seconds(),
        signature: Signature::any(2, Volatility::Immutable),
    })
}

impl ScalarUDFImpl for PeriodFn {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(period_fields()))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let ints = |i: usize| -> Result<Option<Int64Array>> {
            let Some(a) = args.args.get(i) else {
                return Ok(None);
            };
            let a = a.to_array(n)?;
            Ok(match a.data_type() {
                DataType::Int64 => Some(a.as_primitive::<Int64Type>().clone()),
                DataType::Null => Some(Int64Array::new_null(n)),
                t => return exec_err!("{} takes integers, not {t}", self.name),
            })
        };
        let (years, ns) = (ints(0)?, ints(1)?);
        let tz = jiff::tz::Offset::from_seconds(self.tz_seconds).unwrap_or(jiff::tz::Offset::UTC);
        let periods: Vec<Option<Period>> = (0..n)
            .map(|i| {
                let y = years.as_ref().filter(|a| !a.is_null(i))?.value(i);
                let m = match &ns {
                    Some(a) if a.is_null(i) => return None,
                    Some(a) => a.value(i),
                    None => 1,
                };
                Period::of(self.kind, y, m, tz)
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(period_array(&periods)?)))
    }
}

/// The periods of `kinds` that ended in the rolling year before each row's
/// instant, oldest first, as a list per row (null where the instant is).
#[derive(Debug, PartialEq, Eq, Hash)]
struct EndedFn {
    name: String,
    kinds: Vec<PeriodKind>,
    tz_seconds: i32,
    signature: Signature,
}

pub fn ended_udf(kinds: &[PeriodKind], tz: jiff::tz::Offset) -> ScalarUDF {
    ScalarUDF::new_from_impl(EndedFn {
        name: "comply_periods_ended".into(),
        kinds: kinds.to_vec(),
        tz_seconds: tz.seconds(),
        signature: Signature::exact(vec![INSTANT], Volatility::Immutable),
    })
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(period_fields()),
        true,
    )))
}

impl ScalarUDFImpl for EndedFn {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(list_type())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let [at] = args.args.as_slice() else {
            return exec_err!("{} takes an instant", self.name);
        };
        let at = at.to_array(n)?;
        let at = at.as_primitive::<Decimal128Type>();
        let tz = jiff::tz::Offset::from_seconds(self.tz_seconds).unwrap_or(jiff::tz::Offset::UTC);
        let mut all: Vec<Option<Period>> = Vec::new();
        let mut lengths = Vec::with_capacity(n);
        for i in 0..n {
            if at.is_null(i) {
                lengths.push(0);
                continue;
            }
            let mut ps: Vec<Period> = (self.kinds.iter())
                .flat_map(|k| period::ended(*k, at.value(i), tz))
                .collect();
            ps.sort_by_key(|p| (p.start, p.kind));
            lengths.push(ps.len());
            all.extend(ps.into_iter().map(Some));
        }
        let DataType::List(item) = list_type() else {
            return exec_err!("{}: not a list type", self.name);
        };
        Ok(ColumnarValue::Array(Arc::new(ListArray::try_new(
            item,
            OffsetBuffer::from_lengths(lengths),
            Arc::new(period_array(&all)?),
            at.nulls().cloned(),
        )?)))
    }
}
