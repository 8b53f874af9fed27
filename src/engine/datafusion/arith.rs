//! Integer arithmetic as the spec reads it: an overflow or a division by
//! zero is absent, where SQL engines wrap or fail the query.

use crate::check::ir::ArithOp;
use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Checked {
    name: String,
    op: u8,
    signature: Signature,
}

pub fn checked(op: ArithOp) -> ScalarUDF {
    let (name, code) = match op {
        ArithOp::Add => ("comply_checked_add", 0),
        ArithOp::Sub => ("comply_checked_sub", 1),
        ArithOp::Mul => ("comply_checked_mul", 2),
        ArithOp::Div => ("comply_checked_div", 3),
    };
    ScalarUDF::new_from_impl(Checked {
        name: name.into(),
        op: code,
        signature: Signature::exact(
            vec![DataType::Int64, DataType::Int64],
            Volatility::Immutable,
        ),
    })
}

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let [a, b] = args.args.as_slice() else {
            return exec_err!("{} takes two integers", self.name);
        };
        let (a, b) = (a.to_array(n)?, b.to_array(n)?);
        let (a, b) = (a.as_primitive::<Int64Type>(), b.as_primitive::<Int64Type>());
        let out: Int64Array = (0..n)
            .map(|i| {
                if a.is_null(i) || b.is_null(i) {
                    return None;
                }
                let (x, y) = (a.value(i), b.value(i));
                match self.op {
                    0 => x.checked_add(y),
                    1 => x.checked_sub(y),
                    2 => x.checked_mul(y),
                    _ => x.checked_div(y),
                }
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
