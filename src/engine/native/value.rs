//! Values during evaluation, borrowed from the export where they can be.

use crate::data::model::{Field, Interner, Sym, Val};
use crate::engine::period::Period;
use crate::schema::CollId;
use crate::schema::Layout;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub enum V<'a> {
    Absent,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(Cow<'a, str>),
    /// Nanoseconds since the epoch.
    Time(i128),
    /// Nanoseconds.
    Dur(i128),
    Enum(u16),
    Ref(Sym),
    /// A record: its collection and position in it.
    Rec(CollId, u32),
    /// An object's kept fields, and where each declared field sits.
    Obj(&'a [Option<Field>], &'a Layout),
    AnyObj,
    /// Elements of a list field, with their positions in the JSON array.
    Elems(&'a [Field], &'a Layout),
    List(Vec<V<'a>>),
    Period(Period),
}

impl<'a> V<'a> {
    pub fn present(&self) -> bool {
        !matches!(self, V::Absent)
    }

    /// A stored field's value; date-only values become midnight in `tz`.
    pub fn of_field(
        f: Option<&'a Field>,
        layout: &'a Layout,
        tz: jiff::tz::Offset,
        ids: &'a Interner,
    ) -> V<'a> {
        match f {
            None => V::Absent,
            Some(f) => V::of_val(&f.val, layout, tz, ids),
        }
    }

    /// `layout` lays out the value's object (or its list's objects); `ids`
    /// holds the export's interned text.
    pub fn of_val(
        v: &'a Val,
        layout: &'a Layout,
        tz: jiff::tz::Offset,
        ids: &'a Interner,
    ) -> V<'a> {
        match v {
            Val::Absent => V::Absent,
            Val::Str(s) => V::Str(Cow::Borrowed(ids.resolve(*s))),
            Val::Int(i) => V::Int(*i),
            Val::Num(n) => V::Num(*n),
            Val::Bool(b) => V::Bool(*b),
            Val::Time(secs, nanos) => {
                V::Time(i128::from(*secs) * 1_000_000_000 + i128::from(*nanos))
            }
            Val::Date(d) => crate::engine::period::midnight(*d, tz).map_or(V::Absent, V::Time),
            Val::Enum(e) => V::Enum(*e),
            Val::Ref(s) => V::Ref(*s),
            Val::List(items) if items.iter().all(|f| f.val == Val::Absent) => V::Absent,
            Val::List(items) => V::Elems(items, layout),
            Val::Obj(fields) => V::Obj(fields, layout),
            Val::AnyObj => V::AnyObj,
        }
    }

    /// Equality as the spec defines it: false when either side is absent.
    pub fn equals(&self, other: &V) -> bool {
        match (self, other) {
            (V::Absent, _) | (_, V::Absent) => false,
            (V::Int(a), V::Num(b)) | (V::Num(b), V::Int(a)) => (*a as f64) == *b,
            (a, b) => a == b,
        }
    }

    /// Ordering for `<` and friends; None when either side is absent or the
    /// values do not order.
    pub fn order(&self, other: &V) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (V::Int(a), V::Int(b)) => Some(a.cmp(b)),
            (V::Int(a), V::Num(b)) => (*a as f64).partial_cmp(b),
            (V::Num(a), V::Int(b)) => a.partial_cmp(&(*b as f64)),
            (V::Num(a), V::Num(b)) => a.partial_cmp(b),
            (V::Time(a), V::Time(b)) | (V::Dur(a), V::Dur(b)) => Some(a.cmp(b)),
            (V::Str(a), V::Str(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            V::Int(i) => Some(*i as f64),
            V::Num(n) => Some(*n),
            _ => None,
        }
    }
}
