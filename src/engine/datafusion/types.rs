//! The type of each IR expression, found again from the schema: the IR
//! keeps none, and the relational plan needs it to pick a column's
//! representation and how a message shows a value.

use crate::ast::QuantKind;
use crate::check::ir::{ArithOp, Builtin, Ex, PeriodAttr, Program, Source};
use crate::check::types::Ty;

pub struct Typer<'a> {
    pub program: &'a Program,
    /// The type of each binder slot bound so far.
    pub slots: Vec<Ty>,
}

impl Typer<'_> {
    pub fn bind(&mut self, slot: usize, ty: Ty) {
        if self.slots.len() <= slot {
            self.slots.resize(slot + 1, Ty::Error);
        }
        self.slots[slot] = ty;
    }

    /// The type of the values a source yields.
    pub fn source(&self, s: &Source) -> Ty {
        match s {
            Source::Scan(c) | Source::Lookup { coll: c, .. } => Ty::Rec(*c),
            Source::Elements(x) => match self.ty(x) {
                Ty::List(t) => *t,
                _ => Ty::Error,
            },
            Source::Range(..) => Ty::Int,
            Source::Periods(..) => Ty::Period,
        }
    }

    pub fn ty(&self, e: &Ex) -> Ty {
        use crate::check::ir::Const;
        match e {
            Ex::Const(c) => match c {
                Const::Bool(_) => Ty::Bool,
                Const::Int(_) => Ty::Int,
                Const::Num(_) => Ty::Num,
                Const::Str(_) => Ty::Str,
                // Which enum is known from the other side of a comparison.
                Const::Enum(_) => Ty::Error,
                Const::Dur(_) => Ty::Dur,
            },
            Ex::Param(i) => self
                .program
                .params
                .get(*i)
                .and_then(|p| Ty::param(&p.ty))
                .unwrap_or(Ty::Error),
            Ex::AsOf => Ty::Time,
            Ex::Var(s) => self.slots.get(*s).cloned().unwrap_or(Ty::Error),
            Ex::Field(base, i) => match self.ty(base) {
                Ty::Rec(c) => {
                    let def = &self.program.schema.collections[c].record;
                    def.fields
                        .get(*i)
                        .map_or(Ty::Error, |f| Ty::of_field(&f.ty, c, vec![*i]))
                }
                Ty::Obj(o) => o.def.fields.get(*i).map_or(Ty::Error, |f| {
                    let mut path = o.path.clone();
                    path.push(*i);
                    Ty::of_field(&f.ty, o.coll, path)
                }),
                _ => Ty::Error,
            },
            Ex::Id(base) => match self.ty(base) {
                Ty::Rec(c) => Ty::Ref(c),
                _ => Ty::Error,
            },
            Ex::Nav(_, c) => Ty::Rec(*c),
            Ex::PeriodAttr(_, a) => match a {
                PeriodAttr::Start | PeriodAttr::End => Ty::Time,
                PeriodAttr::Label | PeriodAttr::Kind => Ty::Str,
            },
            Ex::Not(_)
            | Ex::And(_)
            | Ex::Or(_)
            | Ex::Cmp(..)
            | Ex::In(..)
            | Ex::InPeriod(..)
            | Ex::Present(_)
            | Ex::Within { .. } => Ty::Bool,
            Ex::Arith(op, a, b) => match (op, self.ty(a), self.ty(b)) {
                (ArithOp::Sub, Ty::Time, Ty::Time) => Ty::Dur,
                (ArithOp::Add | ArithOp::Sub, Ty::Time, Ty::Dur)
                | (ArithOp::Add, Ty::Dur, Ty::Time) => Ty::Time,
                (_, Ty::Dur, _) | (_, _, Ty::Dur) => Ty::Dur,
                (_, Ty::Int, Ty::Int) => Ty::Int,
                _ => Ty::Num,
            },
            Ex::Neg(x) => self.ty(x),
            Ex::Duration(..) => Ty::Dur,
            Ex::Quant { kind, .. } => {
                if *kind == QuantKind::Count {
                    Ty::Int
                } else {
                    Ty::Bool
                }
            }
            Ex::List(items) => Ty::List(Box::new(
                items
                    .iter()
                    .map(|x| self.ty(x))
                    .find(|t| *t != Ty::Error)
                    .unwrap_or(Ty::Error),
            )),
            Ex::Call(b, args) => match b {
                Builtin::Rank => Ty::Int,
                Builtin::Coalesce => args
                    .iter()
                    .map(|x| self.ty(x))
                    .find(|t| *t != Ty::Error)
                    .unwrap_or(Ty::Error),
                Builtin::Period(_) => Ty::Period,
            },
        }
    }
}
