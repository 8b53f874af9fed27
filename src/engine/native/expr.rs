//! Evaluation of checked expressions over the loaded export.

use super::index::Indexes;
use super::value::V;
use crate::ast::QuantKind;
use crate::check::ir::*;
use crate::data::model::Export;
use crate::engine::period::{self, Period};
use crate::schema::Layout;
use std::borrow::Cow;

/// What every expression of a run can read.
pub struct Ctx<'a> {
    pub export: &'a Export,
    pub program: &'a Program,
    pub params: &'a [ParamValue],
    pub indexes: &'a Indexes,
    pub as_of: i128,
    pub tz: jiff::tz::Offset,
}

impl<'a> Ctx<'a> {
    pub fn new(
        program: &'a Program,
        export: &'a Export,
        settings: &'a super::Settings,
        indexes: &'a Indexes,
    ) -> Self {
        Ctx {
            export,
            program,
            params: &settings.params,
            indexes,
            as_of: settings.as_of.as_nanosecond(),
            tz: settings.tz,
        }
    }

    pub fn eval(&self, e: &'a Ex, env: &mut Vec<V<'a>>) -> V<'a> {
        match e {
            Ex::Const(c) => match c {
                Const::Bool(b) => V::Bool(*b),
                Const::Int(i) => V::Int(*i),
                Const::Num(n) => V::Num(*n),
                Const::Str(s) => V::Str(Cow::Borrowed(s)),
                Const::Enum(v) => V::Enum(*v),
                Const::Dur(d) => V::Dur(*d),
            },
            Ex::Param(i) => match &self.params[*i] {
                ParamValue::Int(v) => V::Int(*v),
                ParamValue::Num(v) => V::Num(*v),
                ParamValue::Str(s) => V::Str(Cow::Borrowed(s)),
                ParamValue::Bool(b) => V::Bool(*b),
            },
            Ex::AsOf => V::Time(self.as_of),
            Ex::Var(s) => env.get(*s).cloned().unwrap_or(V::Absent),
            Ex::Field(base, i) => {
                let (fields, layout) = match self.eval(base, env) {
                    V::Rec(c, r) => (
                        &self.export.collections[c][r as usize].fields[..],
                        self.export.layouts.get(c).unwrap_or(Layout::empty()),
                    ),
                    V::Obj(fields, layout) => (fields, layout),
                    _ => return V::Absent,
                };
                let field = layout
                    .slot(*i)
                    .and_then(|s| fields.get(s))
                    .and_then(Option::as_ref);
                V::of_field(field, layout.inner(*i), self.tz, &self.export.ids)
            }
            Ex::Id(base) => match self.eval(base, env) {
                V::Rec(c, r) => self.export.collections[c][r as usize]
                    .id
                    .map_or(V::Absent, V::Ref),
                _ => V::Absent,
            },
            Ex::Nav(base, c) => match self.eval(base, env) {
                V::Ref(s) => self
                    .indexes
                    .resolve(*c, s)
                    .map_or(V::Absent, |r| V::Rec(*c, r)),
                _ => V::Absent,
            },
            Ex::PeriodAttr(base, attr) => match self.eval(base, env) {
                V::Period(p) => match attr {
                    PeriodAttr::Start => V::Time(p.start),
                    PeriodAttr::End => V::Time(p.end),
                    PeriodAttr::Label => V::Str(Cow::Owned(p.label())),
                    PeriodAttr::Kind => V::Str(Cow::Borrowed(p.kind.name())),
                },
                _ => V::Absent,
            },
            Ex::Not(x) => V::Bool(!self.truth(x, env)),
            Ex::And(xs) => V::Bool(xs.iter().all(|x| self.truth(x, env))),
            Ex::Or(xs) => V::Bool(xs.iter().any(|x| self.truth(x, env))),
            Ex::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a, env), self.eval(b, env));
                V::Bool(match op {
                    CmpOp::Eq => a.equals(&b),
                    CmpOp::Ne => a.present() && b.present() && !a.equals(&b),
                    CmpOp::Lt => a.order(&b).is_some_and(|o| o.is_lt()),
                    CmpOp::Le => a.order(&b).is_some_and(|o| o.is_le()),
                    CmpOp::Gt => a.order(&b).is_some_and(|o| o.is_gt()),
                    CmpOp::Ge => a.order(&b).is_some_and(|o| o.is_ge()),
                })
            }
            Ex::Arith(op, a, b) => arith(*op, self.eval(a, env), self.eval(b, env)),
            Ex::Neg(x) => match self.eval(x, env) {
                V::Int(i) => i.checked_neg().map_or(V::Absent, V::Int),
                V::Num(n) => V::Num(-n),
                V::Dur(d) => V::Dur(-d),
                _ => V::Absent,
            },
            Ex::In(elem, set) => {
                let x = self.eval(elem, env);
                if !x.present() {
                    return V::Bool(false);
                }
                let found = match self.eval(set, env) {
                    V::List(items) => items.iter().any(|i| i.equals(&x)),
                    V::Elems(fields, layout) => fields
                        .iter()
                        .any(|f| V::of_val(&f.val, layout, self.tz, &self.export.ids).equals(&x)),
                    _ => false,
                };
                V::Bool(found)
            }
            Ex::InPeriod(t, p) => match (self.eval(t, env), self.eval(p, env)) {
                (V::Time(t), V::Period(p)) => V::Bool(p.start <= t && t < p.end),
                _ => V::Bool(false),
            },
            Ex::Present(x) => V::Bool(self.eval(x, env).present()),
            Ex::Within {
                t,
                amount,
                after,
                anchor,
            } => {
                match (
                    self.eval(t, env),
                    self.eval(amount, env),
                    self.eval(anchor, env),
                ) {
                    (V::Time(t), V::Dur(d), V::Time(a)) => {
                        let (lo, hi) = if *after { (a, a + d) } else { (a - d, a) };
                        V::Bool(lo <= t && t <= hi)
                    }
                    _ => V::Bool(false),
                }
            }
            Ex::Duration(x, unit) => match self.eval(x, env) {
                V::Int(i) => V::Dur(i128::from(i) * unit),
                V::Num(n) if n.is_finite() => V::Dur((n * *unit as f64) as i128),
                _ => V::Absent,
            },
            Ex::Quant {
                kind,
                slot,
                source,
                filter,
                body,
            } => {
                let mut count = 0i64;
                let mut result = matches!(kind, QuantKind::All | QuantKind::No);
                self.each(source, env, &mut |ctx, v, env| {
                    set(env, *slot, v);
                    if filter.as_deref().is_some_and(|f| !ctx.truth(f, env)) {
                        return true;
                    }
                    let holds = body.as_deref().is_none_or(|b| ctx.truth(b, env));
                    match kind {
                        QuantKind::Exists if holds => {
                            result = true;
                            false
                        }
                        QuantKind::No if holds => {
                            result = false;
                            false
                        }
                        QuantKind::All if !holds => {
                            result = false;
                            false
                        }
                        QuantKind::Count if holds => {
                            count += 1;
                            true
                        }
                        _ => true,
                    }
                });
                if *kind == QuantKind::Count {
                    V::Int(count)
                } else {
                    V::Bool(result)
                }
            }
            Ex::List(items) => V::List(items.iter().map(|x| self.eval(x, env)).collect()),
            Ex::Call(b, args) => match b {
                Builtin::Rank => match self.eval(&args[0], env) {
                    V::Enum(i) => V::Int(i64::from(i) + 1),
                    _ => V::Absent,
                },
                Builtin::Coalesce => {
                    let a = self.eval(&args[0], env);
                    if a.present() {
                        a
                    } else {
                        self.eval(&args[1], env)
                    }
                }
                Builtin::Period(kind) => {
                    let y = self.eval(&args[0], env);
                    let n = args.get(1).map_or(V::Int(1), |a| self.eval(a, env));
                    match (y, n) {
                        (V::Int(y), V::Int(n)) => {
                            Period::of(*kind, y, n, self.tz).map_or(V::Absent, V::Period)
                        }
                        _ => V::Absent,
                    }
                }
            },
        }
    }

    pub fn truth(&self, e: &'a Ex, env: &mut Vec<V<'a>>) -> bool {
        matches!(self.eval(e, env), V::Bool(true))
    }

    /// Calls `f` with each value of a source, until it returns false.
    pub fn each(
        &self,
        source: &'a Source,
        env: &mut Vec<V<'a>>,
        f: &mut dyn FnMut(&Self, V<'a>, &mut Vec<V<'a>>) -> bool,
    ) {
        match source {
            Source::Scan(c) => {
                for r in 0..self.export.collections[*c].len() {
                    if !f(self, V::Rec(*c, r as u32), env) {
                        return;
                    }
                }
            }
            Source::Lookup { coll, field, key } => {
                let key = match self.eval(key, env) {
                    V::Ref(s) => s,
                    _ => return,
                };
                for &r in self.indexes.lookup(*coll, *field, key) {
                    if !f(self, V::Rec(*coll, r), env) {
                        return;
                    }
                }
            }
            Source::Elements(x) => match self.eval(x, env) {
                V::Elems(fields, layout) => {
                    for fl in fields {
                        let v = V::of_val(&fl.val, layout, self.tz, &self.export.ids);
                        if v.present() && !f(self, v, env) {
                            return;
                        }
                    }
                }
                V::List(items) => {
                    for v in items {
                        if v.present() && !f(self, v, env) {
                            return;
                        }
                    }
                }
                _ => {}
            },
            Source::Range(lo, hi) => {
                for i in *lo..=*hi {
                    if !f(self, V::Int(i), env) {
                        return;
                    }
                }
            }
            Source::Periods(kinds, t) => {
                let V::Time(t) = self.eval(t, env) else {
                    return;
                };
                let mut all: Vec<Period> = kinds
                    .iter()
                    .flat_map(|k| period::ended(*k, t, self.tz))
                    .collect();
                all.sort_by_key(|p| (p.start, p.kind));
                for p in all {
                    if !f(self, V::Period(p), env) {
                        return;
                    }
                }
            }
        }
    }
}

pub fn set<'a>(env: &mut Vec<V<'a>>, slot: usize, v: V<'a>) {
    if env.len() <= slot {
        env.resize(slot + 1, V::Absent);
    }
    env[slot] = v;
}

fn arith<'a>(op: ArithOp, a: V<'a>, b: V<'a>) -> V<'a> {
    match (op, a, b) {
        (_, V::Absent, _) | (_, _, V::Absent) => V::Absent,
        (ArithOp::Add, V::Int(x), V::Int(y)) => x.checked_add(y).map_or(V::Absent, V::Int),
        (ArithOp::Sub, V::Int(x), V::Int(y)) => x.checked_sub(y).map_or(V::Absent, V::Int),
        (ArithOp::Mul, V::Int(x), V::Int(y)) => x.checked_mul(y).map_or(V::Absent, V::Int),
        (ArithOp::Div, V::Int(x), V::Int(y)) => x.checked_div(y).map_or(V::Absent, V::Int),
        (ArithOp::Sub, V::Time(x), V::Time(y)) => V::Dur(x - y),
        (ArithOp::Add, V::Time(x), V::Dur(y)) | (ArithOp::Add, V::Dur(y), V::Time(x)) => {
            V::Time(x + y)
        }
        (ArithOp::Sub, V::Time(x), V::Dur(y)) => V::Time(x - y),
        (ArithOp::Add, V::Dur(x), V::Dur(y)) => V::Dur(x + y),
        (ArithOp::Sub, V::Dur(x), V::Dur(y)) => V::Dur(x - y),
        // An integer factor scales exactly: through f64, a duration beyond
        // 2^53 ns (104 days) would lose its nanoseconds.
        (ArithOp::Mul, V::Dur(d), V::Int(n)) | (ArithOp::Mul, V::Int(n), V::Dur(d)) => {
            d.checked_mul(i128::from(n)).map_or(V::Absent, V::Dur)
        }
        (ArithOp::Div, V::Dur(d), V::Int(n)) => {
            d.checked_div(i128::from(n)).map_or(V::Absent, V::Dur)
        }
        (ArithOp::Mul, V::Dur(d), n) | (ArithOp::Mul, n, V::Dur(d)) => n
            .as_f64()
            .map_or(V::Absent, |n| V::Dur((d as f64 * n) as i128)),
        (ArithOp::Div, V::Dur(d), n) => match n.as_f64() {
            Some(n) if n != 0.0 => V::Dur((d as f64 / n) as i128),
            _ => V::Absent,
        },
        (op, x, y) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => {
                let r = match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                };
                if r.is_finite() {
                    V::Num(r)
                } else {
                    V::Absent
                }
            }
            _ => V::Absent,
        },
    }
}
