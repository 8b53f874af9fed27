//! Values as text, for messages and keys.

use super::value::V;
use crate::data::model::Export;
use crate::engine::text::{duration, number, time_in};
use crate::schema::{EnumId, Schema};

pub struct Renderer<'a> {
    pub export: &'a Export,
    pub schema: &'a Schema,
    pub tz: jiff::tz::Offset,
}

impl Renderer<'_> {
    pub fn render(&self, v: &V, e: Option<EnumId>) -> String {
        match v {
            V::Absent => "(absent)".into(),
            V::Bool(b) => b.to_string(),
            V::Int(i) => i.to_string(),
            V::Num(n) => number(*n),
            V::Str(s) => s.to_string(),
            V::Time(t) => self.time(*t),
            V::Dur(d) => duration(*d),
            V::Enum(i) => e
                .and_then(|e| self.schema.enums.get(e))
                .and_then(|d| d.values.get(*i as usize))
                .cloned()
                .unwrap_or_else(|| format!("#{i}")),
            V::Ref(s) => self.export.ids.resolve(*s).to_string(),
            V::Rec(c, r) => self.export.collections[*c][*r as usize].id.map_or_else(
                || "(no id)".into(),
                |s| self.export.ids.resolve(s).to_string(),
            ),
            V::Obj(..) | V::AnyObj => "{…}".into(),
            V::Elems(fields, layout) => fields
                .iter()
                .map(|f| V::of_val(&f.val, layout, self.tz, &self.export.ids))
                .filter(V::present)
                .map(|v| self.render(&v, e))
                .collect::<Vec<_>>()
                .join(", "),
            V::List(items) => items
                .iter()
                .map(|v| self.render(v, e))
                .collect::<Vec<_>>()
                .join(", "),
            V::Period(p) => p.label(),
        }
    }

    /// An instant in the export's time zone; midnight shows as the date alone.
    pub fn time(&self, t: i128) -> String {
        time_in(self.tz, t)
    }
}
