//! Values as message text, inside the plan: scalar functions that render a
//! column exactly as the native engine's `Renderer` renders a value, so
//! that both engines write the same messages.

use crate::engine::text::{duration, number, time_in};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// How a value of some type reads in a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Show {
    Bool,
    Int,
    Num,
    /// Free text from the export is quoted, so that redaction can mask it.
    Str {
        quote: bool,
    },
    Time,
    Dur,
    Enum(Vec<String>),
    Ref,
    Obj,
    /// A period struct: its label.
    Period,
    List(Box<Show>),
}

/// A scalar function of one argument returning its text.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ShowFn {
    name: String,
    show: Show,
    tz_seconds: i32,
    signature: Signature,
}

pub fn udf(show: Show, tz: jiff::tz::Offset) -> ScalarUDF {
    ScalarUDF::new_from_impl(ShowFn {
        name: format!("comply_show_{show:?}"),
        show,
        tz_seconds: tz.seconds(),
        signature: Signature::any(1, Volatility::Immutable),
    })
}

impl ScalarUDFImpl for ShowFn {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some(arg) = args.args.first() else {
            return exec_err!("{} takes one argument", self.name);
        };
        let array = arg.to_array(args.number_rows)?;
        let tz = jiff::tz::Offset::from_seconds(self.tz_seconds).unwrap_or(jiff::tz::Offset::UTC);
        let mut out = StringBuilder::new();
        for i in 0..array.len() {
            out.append_value(cell(array.as_ref(), i, &self.show, tz)?);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

fn cell(a: &dyn Array, i: usize, show: &Show, tz: jiff::tz::Offset) -> Result<String> {
    if a.is_null(i) {
        return Ok("(absent)".into());
    }
    let mismatch = || {
        datafusion::common::exec_datafusion_err!(
            "cannot show a {} value as {show:?}",
            a.data_type()
        )
    };
    let text = |a: &dyn Array| -> Result<String> {
        match a.data_type() {
            DataType::Utf8 => Ok(a.as_string::<i32>().value(i).to_string()),
            DataType::LargeUtf8 => Ok(a.as_string::<i64>().value(i).to_string()),
            DataType::Utf8View => Ok(a.as_string_view().value(i).to_string()),
            _ => Err(mismatch()),
        }
    };
    let int = |a: &dyn Array| -> Result<i64> {
        a.as_primitive_opt::<Int64Type>()
            .map(|p| p.value(i))
            .ok_or_else(mismatch)
    };
    let ns = |a: &dyn Array| -> Result<i128> {
        a.as_primitive_opt::<Decimal128Type>()
            .map(|p| p.value(i))
            .ok_or_else(mismatch)
    };
    Ok(match show {
        Show::Bool => a
            .as_boolean_opt()
            .ok_or_else(mismatch)?
            .value(i)
            .to_string(),
        Show::Int | Show::Num => match a.data_type() {
            DataType::Float64 => number(a.as_primitive::<Float64Type>().value(i)),
            _ => int(a)?.to_string(),
        },
        Show::Str { quote } => {
            let s = text(a)?;
            if *quote {
                format!("\"{}\"", s.replace('"', "'"))
            } else {
                s
            }
        }
        Show::Ref => text(a)?,
        Show::Time => time_in(tz, ns(a)?),
        Show::Dur => duration(ns(a)?),
        Show::Enum(names) => {
            let v = int(a)?;
            usize::try_from(v)
                .ok()
                .and_then(|v| names.get(v))
                .cloned()
                .unwrap_or_else(|| format!("#{v}"))
        }
        Show::Obj => "{…}".into(),
        Show::Period => {
            let s = a.as_struct_opt().ok_or_else(mismatch)?;
            match s.column_by_name("label") {
                Some(l) if !l.is_null(i) => text(l.as_ref())?,
                _ => "(absent)".into(),
            }
        }
        Show::List(inner) => {
            let items: ArrayRef = a.as_list_opt::<i32>().ok_or_else(mismatch)?.value(i);
            let mut parts = Vec::new();
            for j in (0..items.len()).filter(|&j| !items.is_null(j)) {
                parts.push(cell(items.as_ref(), j, inner, tz)?);
            }
            parts.join(", ")
        }
    })
}
