//! How a converted export stores an instant. Arrow's timestamps are 64-bit
//! counts: in nanoseconds they hold only 1677-2262, and the spec keeps
//! years 0001-9999 to the nanosecond. So an instant is stored as a struct
//! of a UTC timestamp in microseconds (`utc`, which any Parquet reader
//! takes as a timestamp) and the nanoseconds past that microsecond (`ns`,
//! 0-999); together they are exact.

use super::tables::instants;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, StructArray, TimestampMicrosecondArray, UInt16Array,
};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, Fields, TimeUnit, TimestampMicrosecondType, UInt16Type,
};
use datafusion::arrow::error::ArrowError;
use std::sync::Arc;

pub const UTC: &str = "utc";
pub const NS: &str = "ns";

fn fields() -> Fields {
    Fields::from(vec![
        Field::new(
            UTC,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new(NS, DataType::UInt16, true),
    ])
}

/// The engine's nanoseconds (`Decimal128(38, 0)`) as stored.
pub fn store(a: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let ns = a.as_primitive_opt::<Decimal128Type>().ok_or_else(|| {
        ArrowError::InvalidArgumentError(format!("an instant column of type {}", a.data_type()))
    })?;
    let mut utc = Vec::with_capacity(ns.len());
    let mut rest = Vec::with_capacity(ns.len());
    for i in 0..ns.len() {
        if ns.is_null(i) {
            utc.push(None);
            rest.push(None);
            continue;
        }
        let v = ns.value(i);
        let micros = i64::try_from(v.div_euclid(1000)).map_err(|_| {
            ArrowError::InvalidArgumentError(format!("the instant {v} ns is out of range"))
        })?;
        utc.push(Some(micros));
        rest.push(Some(v.rem_euclid(1000) as u16));
    }
    let utc = TimestampMicrosecondArray::from(utc).with_timezone("UTC");
    Ok(Arc::new(StructArray::try_new(
        fields(),
        vec![Arc::new(utc), Arc::new(UInt16Array::from(rest))],
        ns.nulls().cloned(),
    )?))
}

/// A stored instant column as the engine's nanoseconds.
pub fn load(a: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let wrong = || {
        ArrowError::InvalidArgumentError(format!(
            "a stored instant must be a struct of `{UTC}` and `{NS}`, not {}",
            a.data_type()
        ))
    };
    let s = a.as_struct_opt().ok_or_else(wrong)?;
    let utc = s.column_by_name(UTC).ok_or_else(wrong)?;
    let utc = utc
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(wrong)?;
    let ns = s.column_by_name(NS).ok_or_else(wrong)?;
    let ns = ns.as_primitive_opt::<UInt16Type>().ok_or_else(wrong)?;
    instants((0..s.len()).map(|i| {
        (!s.is_null(i) && !utc.is_null(i))
            .then(|| i128::from(utc.value(i)) * 1000 + i128::from(ns.value(i)))
    }))
}
