//! Integer arithmetic as the spec reads it: an overflow or a division by
//! zero is absent, where SQL engines wrap or fail the query. Integers are
//! `Int64`; instants and durations are nanoseconds in `Decimal128(38, 0)`,
//! computed as the native evaluator's `i128`.

use super::tables::INSTANT;
use crate::check::ir::ArithOp;
use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Checked {
    name: String,
    op: ArithOp,
    /// Nanoseconds (`i128`) rather than integers (`i64`).
    wide: bool,
    signature: Signature,
}

/// `op` on two `Int64` columns.
pub fn checked(op: ArithOp) -> ScalarUDF {
    udf(op, false)
}

/// `op` on two columns of nanoseconds (instants or durations; a count
/// that multiplies or divides a duration is cast to them first).
pub fn checked_ns(op: ArithOp) -> ScalarUDF {
    udf(op, true)
}

fn udf(op: ArithOp, wide: bool) -> ScalarUDF {
    let name = match op {
        ArithOp::Add => "comply_checked_add",
        ArithOp::Sub => "comply_checked_sub",
        ArithOp::Mul => "comply_checked_mul",
        ArithOp::Div => "comply_checked_div",
    };
    let ty = if wide { INSTANT } else { DataType::Int64 };
    ScalarUDF::new_from_impl(Checked {
        name: format!("{name}{}", if wide { "_ns" } else { "" }),
        op,
        wide,
        signature: Signature::exact(vec![ty.clone(), ty], Volatility::Immutable),
    })
}

fn apply<T: num_like::Checked>(op: ArithOp, x: T, y: T) -> Option<T> {
    match op {
        ArithOp::Add => x.add(y),
        ArithOp::Sub => x.sub(y),
        ArithOp::Mul => x.mul(y),
        ArithOp::Div => x.div(y),
    }
}

/// The checked operations of the two widths, by one name.
mod num_like {
    pub trait Checked: Sized {
        fn add(self, y: Self) -> Option<Self>;
        fn sub(self, y: Self) -> Option<Self>;
        fn mul(self, y: Self) -> Option<Self>;
        fn div(self, y: Self) -> Option<Self>;
    }
    macro_rules! checked {
        ($t:ty) => {
            impl Checked for $t {
                fn add(self, y: Self) -> Option<Self> {
                    self.checked_add(y)
                }
                fn sub(self, y: Self) -> Option<Self> {
                    self.checked_sub(y)
                }
                fn mul(self, y: Self) -> Option<Self> {
                    self.checked_mul(y)
                }
                fn div(self, y: Self) -> Option<Self> {
                    self.checked_div(y)
                }
            }
        };
    }
    checked!(i64);
    checked!(i128);
}

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(if self.wide { INSTANT } else { DataType::Int64 })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let [a, b] = args.args.as_slice() else {
            return exec_err!("{} takes two arguments", self.name);
        };
        let (a, b) = (a.to_array(n)?, b.to_array(n)?);
        let both = |i: usize| !a.is_null(i) && !b.is_null(i);
        if self.wide {
            let (x, y) = (
                a.as_primitive::<Decimal128Type>(),
                b.as_primitive::<Decimal128Type>(),
            );
            let out = super::tables::instants((0..n).map(|i| {
                both(i)
                    .then(|| apply(self.op, x.value(i), y.value(i)))
                    .flatten()
            }))?;
            return Ok(ColumnarValue::Array(out));
        }
        let (x, y) = (a.as_primitive::<Int64Type>(), b.as_primitive::<Int64Type>());
        let out: Int64Array = (0..n)
            .map(|i| {
                both(i)
                    .then(|| apply(self.op, x.value(i), y.value(i)))
                    .flatten()
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
