//! Each checked rule as a DataFusion logical plan, built with its Rust API.
//!
//! A rule's binders become scans, joins and unnests; `when` and the negated
//! `require` become filters; the result has one row per violation with its
//! record, key, message, field pointer and date. Every row of a plan under
//! construction is identified by its key columns (one per binder: a
//! record's `_row`, an element's index, a period's number), so that a
//! quantifier becomes an aggregate grouped by those keys and left-joined
//! back: a semi or anti join in effect, which the optimizer plans as a hash
//! join when the quantifier's filter holds an equality. A reference becomes
//! a left join with the first record of that id, as the native engine
//! resolves it.
//!
//! Truth follows the spec's two-valued reading: a comparison with an absent
//! side is false, never SQL's unknown, so every boolean is wrapped in
//! `IS TRUE`.

use super::periods;
use super::show::{self, Show};
use super::tables::{FIRST, ID, INSTANT, ROW};
use super::types::Typer;
use crate::ast::QuantKind;
use crate::check::ir::{
    ArithOp, Builtin, CheckedRule, CmpOp, Const, Ex, MsgPart, ParamValue, PeriodAttr, Program,
    Source,
};
use crate::check::types::Ty;
use crate::engine::period::{self, Period};
use crate::schema::{CollId, Need};
use datafusion::arrow::array::{ArrayRef, Int64Array, UInt32Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::MemTable;
use datafusion::common::{plan_err, Column, Result, ScalarValue, UnnestOptions};
use datafusion::datasource::provider_as_source;
use datafusion::functions::core::expr_fn::{coalesce, get_field};
use datafusion::functions::string::expr_fn::concat;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_nested::expr_fn::{array_element, array_has, cardinality, range};
use datafusion::logical_expr::{
    cast, lit, not, when, Expr, JoinType, LogicalPlan, LogicalPlanBuilder,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The columns of a rule's result.
pub const OUT_RECORD: &str = "record";
pub const OUT_KEY: &str = "key";
pub const OUT_MESSAGE: &str = "message";
pub const OUT_FIELD: &str = "field";
pub const OUT_DATE: &str = "date";
pub const OUT_OWNER: &str = "owner";
pub const OUT_DEPARTMENT: &str = "department";

/// What a rule is judged with.
pub struct Inputs<'a> {
    pub program: &'a Program,
    /// Each collection's table, by `CollId`, in the engine's representation
    /// (`tables`): a scan of memory or of Parquet.
    pub tables: Vec<LogicalPlan>,
    pub params: &'a [ParamValue],
    pub as_of: i128,
    pub tz: jiff::tz::Offset,
}

/// A value an expression stands for in a plan.
#[derive(Clone)]
enum Out {
    /// A record: the alias of its table in the plan (all of its columns
    /// null when a reference did not resolve).
    Row {
        alias: String,
        coll: CollId,
    },
    Val(Expr),
}

/// A plan under construction and what its rows bind.
#[derive(Clone)]
struct Scope {
    plan: LogicalPlan,
    keys: Vec<Expr>,
    slots: HashMap<usize, Out>,
    /// For an element binder: the column of its index in its list.
    positions: HashMap<usize, Expr>,
    /// References already joined in this plan, by the expression followed.
    navs: HashMap<String, (String, CollId)>,
}

struct Compiler<'a> {
    inputs: &'a Inputs<'a>,
    typer: Typer<'a>,
    next: usize,
}

/// The plan of rule `rule`: one row per violation.
pub fn rule_plan(inputs: &Inputs, rule: &CheckedRule) -> Result<LogicalPlan> {
    let mut c = Compiler {
        inputs,
        typer: Typer {
            program: inputs.program,
            slots: Vec::new(),
        },
        next: 0,
    };
    c.rule(rule)
}

fn unsupported<T>(what: &str) -> Result<T> {
    plan_err!("the datafusion engine cannot compile {what} yet")
}

impl Compiler<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn program(&self) -> &Program {
        self.inputs.program
    }

    fn rule(&mut self, rule: &CheckedRule) -> Result<LogicalPlan> {
        let unit = self.generated(
            "unit",
            vec![Field::new("_unit", DataType::Int64, false)],
            vec![Arc::new(Int64Array::from(vec![0]))],
        )?;
        let mut scope = Scope {
            plan: unit,
            keys: Vec::new(),
            slots: HashMap::new(),
            positions: HashMap::new(),
            navs: HashMap::new(),
        };
        for (i, b) in rule.binders.iter().enumerate() {
            let origin = b.origin.is_some();
            self.bind(&mut scope, b.slot, &b.source, i == 0, origin)?;
        }
        if let Some(w) = &rule.when {
            let w = self.truth(&mut scope, w)?;
            scope.plan = LogicalPlanBuilder::from(scope.plan).filter(w)?.build()?;
        }
        let r = self.truth(&mut scope, &rule.require)?;
        scope.plan = LogicalPlanBuilder::from(scope.plan)
            .filter(not(r))?
            .build()?;

        let record = match rule.binders.first().and_then(|b| scope.slots.get(&b.slot)) {
            Some(Out::Row { alias, .. }) => col(alias, ROW),
            _ => lit(ScalarValue::UInt32(None)),
        };
        let key = match &rule.key {
            Some((k, e)) => self.show(&mut scope, k, *e, false)?,
            None => lit(ScalarValue::Utf8(None)),
        };
        let (owner, department) = match &rule.owner {
            Some(o) => {
                let id = match &o.id {
                    Some(x) => {
                        let out = self.compile(&mut scope, x)?;
                        self.as_value(out)
                    }
                    None => lit(ScalarValue::Utf8(None)),
                };
                let d = self.value(&mut scope, &o.department)?;
                let names = self.program().schema.enums[o.departments].values.clone();
                let shown = show::udf(Show::Enum(names), self.inputs.tz).call(vec![d.clone()]);
                (
                    id,
                    when(d.is_null(), lit(ScalarValue::Utf8(None))).otherwise(shown)?,
                )
            }
            None => (lit(ScalarValue::Utf8(None)), lit(ScalarValue::Utf8(None))),
        };
        let mut parts = Vec::new();
        for part in &rule.message {
            parts.push(match part {
                MsgPart::Text(t) => lit(t.clone()),
                MsgPart::Hole(x, e) => {
                    let from_policy = matches!(x, Ex::Const(_) | Ex::Param(_) | Ex::PeriodAttr(..));
                    self.show(&mut scope, x, *e, !from_policy)?
                }
            });
        }
        let message = if parts.is_empty() {
            lit("")
        } else {
            concat(parts)
        };
        let (field, date) = match &rule.at {
            Some(at) => {
                let mut pointer = self.origin(rule, &scope, at.slot);
                let mut value = Ex::Var(at.slot);
                for (idx, name) in &at.steps {
                    pointer.push(lit(format!("/{}", crate::locate::escape_pointer(name))));
                    value = Ex::Field(Box::new(value), *idx);
                }
                let date = if at.steps.is_empty() || self.typer.ty(&value) != Ty::Time {
                    no_instant()
                } else {
                    self.value(&mut scope, &value)?
                };
                let field = if pointer.is_empty() {
                    lit("")
                } else {
                    concat(pointer)
                };
                (field, date)
            }
            None => (lit(ScalarValue::Utf8(None)), no_instant()),
        };
        LogicalPlanBuilder::from(scope.plan)
            .project(vec![
                cast(record, DataType::UInt32).alias(OUT_RECORD),
                cast(key, DataType::Utf8).alias(OUT_KEY),
                message.alias(OUT_MESSAGE),
                cast(field, DataType::Utf8).alias(OUT_FIELD),
                cast(date, INSTANT).alias(OUT_DATE),
                cast(owner, DataType::Utf8).alias(OUT_OWNER),
                cast(department, DataType::Utf8).alias(OUT_DEPARTMENT),
            ])?
            .build()
    }

    /// The pointer, inside its record, of the value binder `slot` holds.
    fn origin(&self, rule: &CheckedRule, scope: &Scope, slot: usize) -> Vec<Expr> {
        let Some(b) = rule.binders.iter().find(|b| b.slot == slot) else {
            return Vec::new();
        };
        let (Some((from, path)), Some(pos)) = (&b.origin, scope.positions.get(&slot)) else {
            return Vec::new();
        };
        let mut parts = self.origin(rule, scope, *from);
        parts.push(lit(format!("/{}/", path.join("/"))));
        parts.push(cast(pos.clone(), DataType::Utf8));
        parts
    }

    /// A table the plan generates, of `columns`.
    fn generated(
        &mut self,
        prefix: &str,
        fields: Vec<Field>,
        columns: Vec<ArrayRef>,
    ) -> Result<LogicalPlan> {
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        let table = MemTable::try_new(schema, vec![vec![batch]])?;
        let alias = self.fresh(prefix);
        LogicalPlanBuilder::scan(alias, provider_as_source(Arc::new(table)), None)?.build()
    }

    fn scan(&mut self, coll: CollId, first_only: bool) -> Result<(LogicalPlan, String)> {
        let alias = self.fresh("t");
        let mut b =
            LogicalPlanBuilder::from(self.inputs.tables[coll].clone()).alias(alias.clone())?;
        if first_only {
            b = b.filter(col(&alias, FIRST))?;
        }
        Ok((b.build()?, alias))
    }

    /// Binds `slot` to each value of `source` in every row of the scope.
    fn bind(
        &mut self,
        scope: &mut Scope,
        slot: usize,
        source: &Source,
        first: bool,
        positioned: bool,
    ) -> Result<()> {
        let ty = self.typer.source(source);
        match source {
            Source::Scan(c) => {
                let (right, alias) = self.scan(*c, false)?;
                scope.plan = if first {
                    right
                } else {
                    LogicalPlanBuilder::from(scope.plan.clone())
                        .cross_join(right)?
                        .build()?
                };
                scope.keys.push(col(&alias, ROW));
                scope.slots.insert(slot, Out::Row { alias, coll: *c });
            }
            Source::Lookup { coll, field, key } => {
                let key = self.value(scope, key)?;
                let (right, alias) = self.scan(*coll, false)?;
                let name = match field {
                    Some(i) => self.program().schema.collections[*coll].record.fields[*i]
                        .name
                        .clone(),
                    None => ID.to_string(),
                };
                scope.plan = LogicalPlanBuilder::from(scope.plan.clone())
                    .join_on(right, JoinType::Inner, vec![col(&alias, &name).eq(key)])?
                    .build()?;
                scope.keys.push(col(&alias, ROW));
                scope.slots.insert(slot, Out::Row { alias, coll: *coll });
            }
            Source::Elements(x) if matches!(x.as_ref(), Ex::List(items) if !items.is_empty()) => {
                // A list written in the policy: a generated table.
                let Ex::List(items) = x.as_ref() else {
                    return unsupported("a list");
                };
                let mut rows = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    rows.push(vec![lit(i as i64), self.value(scope, item)?]);
                }
                let (n, v) = (self.fresh("__n"), self.fresh("__v"));
                let t = LogicalPlanBuilder::values(rows)?
                    .project(vec![
                        Expr::Column(Column::from_name("column1")).alias(&n),
                        Expr::Column(Column::from_name("column2")).alias(&v),
                    ])?
                    .build()?;
                scope.plan = self.cross(scope, t, first)?;
                let value = Expr::Column(Column::from_name(&v));
                scope.plan = LogicalPlanBuilder::from(scope.plan.clone())
                    .filter(value.clone().is_not_null())?
                    .build()?;
                scope.keys.push(Expr::Column(Column::from_name(&n)));
                scope.slots.insert(slot, Out::Val(value));
            }
            Source::Elements(x) => {
                let list = self.value(scope, x)?;
                self.unnest(scope, list, slot, positioned)?;
            }
            Source::Periods(kinds, at) if !matches!(at.as_ref(), Ex::AsOf) => {
                // A time per row: each row's periods, as a list.
                let at = self.value(scope, at)?;
                let list = periods::ended_udf(kinds, self.inputs.tz).call(vec![cast(at, INSTANT)]);
                self.unnest(scope, list, slot, positioned)?;
            }
            Source::Range(lo, hi) => {
                let name = self.fresh("__n");
                let t = self.generated(
                    "range",
                    vec![Field::new(&name, DataType::Int64, false)],
                    vec![Arc::new(Int64Array::from_iter_values(*lo..=*hi))],
                )?;
                scope.plan = self.cross(scope, t, first)?;
                let v = Expr::Column(Column::from_name(&name));
                scope.keys.push(v.clone());
                scope.slots.insert(slot, Out::Val(v));
            }
            // At `as_of` (the arm above takes any other time): one
            // generated table for every row.
            Source::Periods(kinds, _) => {
                let at = self.inputs.as_of;
                let tz = self.inputs.tz;
                let mut all: Vec<Period> = kinds
                    .iter()
                    .flat_map(|k| period::ended(*k, at, tz))
                    .collect();
                all.sort_by_key(|p| (p.start, p.kind));
                let (n, p) = (self.fresh("__p"), self.fresh("__period"));
                let periods: Vec<Option<Period>> = all.iter().copied().map(Some).collect();
                let t = self.generated(
                    "periods",
                    vec![
                        Field::new(&n, DataType::UInt32, false),
                        Field::new(&p, DataType::Struct(periods::period_fields()), true),
                    ],
                    vec![
                        Arc::new(UInt32Array::from_iter_values(0..all.len() as u32)),
                        Arc::new(periods::period_array(&periods)?),
                    ],
                )?;
                scope.plan = self.cross(scope, t, first)?;
                scope.keys.push(Expr::Column(Column::from_name(&n)));
                scope
                    .slots
                    .insert(slot, Out::Val(Expr::Column(Column::from_name(&p))));
            }
        }
        self.typer.bind(slot, ty);
        Ok(())
    }

    /// Binds `slot` to each non-null element of `list` in turn: a row per
    /// element, keyed by its position.
    fn unnest(
        &mut self,
        scope: &mut Scope,
        list: Expr,
        slot: usize,
        positioned: bool,
    ) -> Result<()> {
        let (i, e) = (self.fresh("__i"), self.fresh("__e"));
        let positions = range(
            lit(0i64),
            cast(
                coalesce(vec![cardinality(list.clone()), lit(0u64)]),
                DataType::Int64,
            ),
            lit(1i64),
        );
        let mut columns = all_columns(&scope.plan);
        columns.push(positions.alias(&i));
        let plan = LogicalPlanBuilder::from(scope.plan.clone())
            .project(columns)?
            .unnest_column_with_options(
                Column::from_name(&i),
                UnnestOptions::new().with_preserve_nulls(false),
            )?
            .build()?;
        let mut columns = all_columns(&plan);
        let position = Expr::Column(Column::from_name(&i));
        columns.push(array_element(list, position.clone() + lit(1i64)).alias(&e));
        let element = Expr::Column(Column::from_name(&e));
        scope.plan = LogicalPlanBuilder::from(plan)
            .project(columns)?
            .filter(element.clone().is_not_null())?
            .build()?;
        scope.keys.push(position.clone());
        if positioned {
            scope.positions.insert(slot, position);
        }
        scope.slots.insert(slot, Out::Val(element));
        Ok(())
    }

    fn cross(&mut self, scope: &Scope, t: LogicalPlan, first: bool) -> Result<LogicalPlan> {
        if first {
            return Ok(t);
        }
        LogicalPlanBuilder::from(scope.plan.clone())
            .cross_join(t)?
            .build()
    }

    /// A boolean that is never null.
    fn truth(&mut self, scope: &mut Scope, e: &Ex) -> Result<Expr> {
        let v = self.value(scope, e)?;
        // These compile to booleans that are never null already.
        let total = matches!(
            e,
            Ex::Not(_)
                | Ex::And(_)
                | Ex::Or(_)
                | Ex::Cmp(..)
                | Ex::In(..)
                | Ex::InPeriod(..)
                | Ex::Present(_)
                | Ex::Within { .. }
                | Ex::Quant { .. }
        );
        Ok(if total { v } else { v.is_true() })
    }

    fn value(&mut self, scope: &mut Scope, e: &Ex) -> Result<Expr> {
        let out = self.compile(scope, e)?;
        Ok(self.as_value(out))
    }

    fn as_value(&self, out: Out) -> Expr {
        match out {
            Out::Val(v) => v,
            // A record as a value is its id, as a message shows it.
            Out::Row { alias, .. } => col(&alias, ID),
        }
    }

    fn compile(&mut self, scope: &mut Scope, e: &Ex) -> Result<Out> {
        let v = match e {
            Ex::Const(c) => match c {
                Const::Bool(b) => lit(*b),
                Const::Int(i) => lit(*i),
                Const::Num(n) => lit(*n),
                Const::Str(s) => lit(s.clone()),
                Const::Enum(i) => lit(i64::from(*i)),
                Const::Dur(d) => nanoseconds(*d),
            },
            Ex::Param(i) => match self.inputs.params.get(*i) {
                Some(ParamValue::Int(v)) => lit(*v),
                Some(ParamValue::Num(v)) => lit(*v),
                Some(ParamValue::Str(s)) => lit(s.clone()),
                Some(ParamValue::Bool(b)) => lit(*b),
                None => return plan_err!("no value for parameter {i}"),
            },
            Ex::AsOf => nanoseconds(self.inputs.as_of),
            Ex::Var(s) => {
                return match scope.slots.get(s) {
                    Some(o) => Ok(o.clone()),
                    None => plan_err!("unbound variable {s}"),
                }
            }
            Ex::Field(base, i) => {
                let ty = self.typer.ty(base);
                match (self.compile(scope, base)?, ty) {
                    (Out::Row { alias, coll }, _) => {
                        let f = &self.program().schema.collections[coll].record.fields[*i];
                        if self.kept(coll, &[*i]) {
                            col(&alias, &f.name)
                        } else {
                            lit(ScalarValue::Null)
                        }
                    }
                    (Out::Val(v), Ty::Obj(o)) => {
                        let mut path = o.path.clone();
                        path.push(*i);
                        if self.kept(o.coll, &path) {
                            get_field(v, o.def.fields[*i].name.as_str())
                        } else {
                            lit(ScalarValue::Null)
                        }
                    }
                    _ => lit(ScalarValue::Null),
                }
            }
            Ex::Id(base) => match self.compile(scope, base)? {
                Out::Row { alias, .. } => col(&alias, ID),
                Out::Val(_) => lit(ScalarValue::Utf8(None)),
            },
            Ex::Nav(base, c) => {
                let cache = format!("{base:?}");
                if let Some((alias, coll)) = scope.navs.get(&cache) {
                    return Ok(Out::Row {
                        alias: alias.clone(),
                        coll: *coll,
                    });
                }
                let key = self.value(scope, base)?;
                let (right, alias) = self.scan(*c, true)?;
                scope.plan = LogicalPlanBuilder::from(scope.plan.clone())
                    .join_on(right, JoinType::Left, vec![col(&alias, ID).eq(key)])?
                    .build()?;
                scope.navs.insert(cache, (alias.clone(), *c));
                return Ok(Out::Row { alias, coll: *c });
            }
            Ex::PeriodAttr(base, attr) => {
                let p = self.value(scope, base)?;
                let name = match attr {
                    PeriodAttr::Start => "start",
                    PeriodAttr::End => "end",
                    PeriodAttr::Label => "label",
                    PeriodAttr::Kind => "kind",
                };
                get_field(p, name)
            }
            Ex::Not(x) => not(self.truth(scope, x)?),
            Ex::And(xs) => {
                let mut out = lit(true);
                for x in xs {
                    out = out.and(self.truth(scope, x)?);
                }
                out
            }
            Ex::Or(xs) => {
                let mut out = lit(false);
                for x in xs {
                    out = out.or(self.truth(scope, x)?);
                }
                out
            }
            Ex::Cmp(op, a, b) => {
                let (a, b) = match (self.compile(scope, a)?, self.compile(scope, b)?) {
                    // Two records are equal when they are the same record,
                    // as in the native engine: not when their ids are (a
                    // duplicated id names two records).
                    (Out::Row { alias: x, coll: cx }, Out::Row { alias: y, coll: cy }) => {
                        let (x, y) = (col(&x, ROW), col(&y, ROW));
                        let both = x.clone().is_not_null().and(y.clone().is_not_null());
                        return Ok(Out::Val(match op {
                            CmpOp::Eq if cx == cy => x.eq(y).is_true(),
                            CmpOp::Ne if cx == cy => x.not_eq(y).is_true(),
                            CmpOp::Ne => both,
                            _ => lit(false),
                        }));
                    }
                    (a, b) => (self.as_value(a), self.as_value(b)),
                };
                let c = match op {
                    CmpOp::Eq => a.eq(b),
                    CmpOp::Ne => a.not_eq(b),
                    CmpOp::Lt => a.lt(b),
                    CmpOp::Le => a.lt_eq(b),
                    CmpOp::Gt => a.gt(b),
                    CmpOp::Ge => a.gt_eq(b),
                };
                c.is_true()
            }
            Ex::Arith(op, a, b) => self.arith(scope, *op, a, b)?,
            Ex::Neg(x) => Expr::Negative(Box::new(self.value(scope, x)?)),
            Ex::In(elem, set) => {
                let x = self.value(scope, elem)?;
                let found = match set.as_ref() {
                    Ex::List(items) => {
                        let mut vs = Vec::new();
                        for i in items {
                            vs.push(self.value(scope, i)?);
                        }
                        x.clone().in_list(vs, false)
                    }
                    set => array_has(self.value(scope, set)?, x.clone()),
                };
                x.is_not_null().and(found.is_true())
            }
            Ex::InPeriod(t, p) => {
                let (t, p) = (self.value(scope, t)?, self.value(scope, p)?);
                let inside = get_field(p.clone(), "start")
                    .lt_eq(t.clone())
                    .and(t.lt(get_field(p, "end")));
                inside.is_true()
            }
            Ex::Present(x) => match self.compile(scope, x)? {
                Out::Row { alias, .. } => col(&alias, ROW).is_not_null(),
                Out::Val(v) => v.is_not_null(),
            },
            Ex::Within {
                t,
                amount,
                after,
                anchor,
            } => {
                let t = self.value(scope, t)?;
                let d = self.value(scope, amount)?;
                let a = self.value(scope, anchor)?;
                let (lo, hi) = if *after {
                    (a.clone(), a + d)
                } else {
                    (a.clone() - d, a)
                };
                lo.lt_eq(t.clone()).and(t.lt_eq(hi)).is_true()
            }
            Ex::Duration(x, unit) => {
                let ty = self.typer.ty(x);
                let x = self.value(scope, x)?;
                match ty {
                    Ty::Int => super::arith::checked_ns(ArithOp::Mul)
                        .call(vec![cast(x, INSTANT), nanoseconds(*unit)]),
                    // Through `Int64`, which truncates as the native `as`
                    // does: a cast to a decimal would round.
                    _ => cast(
                        cast(
                            cast(x, DataType::Float64) * lit(*unit as f64),
                            DataType::Int64,
                        ),
                        INSTANT,
                    ),
                }
            }
            Ex::Quant {
                kind,
                slot,
                source,
                filter,
                body,
            } => self.quant(
                scope,
                *kind,
                *slot,
                source,
                filter.as_deref(),
                body.as_deref(),
            )?,
            Ex::List(_) => return unsupported("a list of values outside `in`"),
            Ex::Call(b, args) => match b {
                Builtin::Rank => self.value(scope, &args[0])? + lit(1i64),
                Builtin::Coalesce => {
                    let mut vs = Vec::new();
                    for a in args {
                        vs.push(self.value(scope, a)?);
                    }
                    coalesce(vs)
                }
                Builtin::Period(kind) => {
                    let y = self.value(scope, &args[0])?;
                    let n = match args.get(1) {
                        Some(a) => self.value(scope, a)?,
                        None => lit(1i64),
                    };
                    periods::period_udf(*kind, self.inputs.tz).call(vec![y, n])
                }
            },
        };
        Ok(Out::Val(v))
    }

    fn arith(&mut self, scope: &mut Scope, op: ArithOp, a: &Ex, b: &Ex) -> Result<Expr> {
        let (ta, tb) = (self.typer.ty(a), self.typer.ty(b));
        let (x, y) = (self.value(scope, a)?, self.value(scope, b)?);
        let float = |e: Expr| cast(e, DataType::Float64);
        // Nanoseconds from a float, truncated through `Int64` as the native
        // `as` truncates (a cast to a decimal would round).
        let to_ns = |e: Expr| cast(cast(e, DataType::Int64), INSTANT);
        let wide = matches!(ta, Ty::Time | Ty::Dur) || matches!(tb, Ty::Time | Ty::Dur);
        let exact = |op| {
            if wide {
                super::arith::checked_ns(op)
                    .call(vec![cast(x.clone(), INSTANT), cast(y.clone(), INSTANT)])
            } else {
                super::arith::checked(op).call(vec![x.clone(), y.clone()])
            }
        };
        Ok(match (op, &ta, &tb) {
            // Integers, instants and durations (nanoseconds): exact, and
            // absent on overflow or division by zero.
            (ArithOp::Add | ArithOp::Sub, _, _) if is_exact(&ta) && is_exact(&tb) => exact(op),
            (ArithOp::Mul, Ty::Int | Ty::Dur, Ty::Int) | (ArithOp::Mul, Ty::Int, Ty::Dur) => {
                exact(op)
            }
            (ArithOp::Div, Ty::Int | Ty::Dur, Ty::Int) => exact(op),
            (ArithOp::Mul, Ty::Dur, _) | (ArithOp::Mul, _, Ty::Dur) => to_ns(float(x) * float(y)),
            (ArithOp::Div, Ty::Dur, _) => to_ns(
                when(float(y.clone()).eq(lit(0f64)), lit(ScalarValue::Null))
                    .otherwise(float(x) / float(y))?,
            ),
            (op, _, _) => {
                let (x, y) = (float(x), float(y));
                let r = match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => {
                        when(y.clone().eq(lit(0f64)), lit(ScalarValue::Null)).otherwise(x / y)?
                    }
                };
                // A result that is not finite (an overflow, a division by
                // zero) is absent, as in the native engine: `r - r` is 0
                // exactly when `r` is finite.
                when((r.clone() - r.clone()).eq(lit(0f64)), r).end()?
            }
        })
    }

    /// `exists`, `no`, `all` and `count` over a source: the rows of the
    /// scope crossed with the source's values, filtered, counted per row of
    /// the scope and joined back.
    fn quant(
        &mut self,
        scope: &mut Scope,
        kind: QuantKind,
        slot: usize,
        source: &Source,
        filter: Option<&Ex>,
        body: Option<&Ex>,
    ) -> Result<Expr> {
        let mut sub = scope.clone();
        self.bind(&mut sub, slot, source, false, false)?;
        let mut cond = match filter {
            Some(f) => self.truth(&mut sub, f)?,
            None => lit(true),
        };
        let holds = match body {
            Some(b) => self.truth(&mut sub, b)?,
            None => lit(true),
        };
        cond = cond.and(if kind == QuantKind::All {
            not(holds)
        } else {
            holds
        });
        let alias = self.fresh("q");
        let groups: Vec<Expr> = scope
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| k.clone().alias(format!("k{i}")))
            .collect();
        let counted = LogicalPlanBuilder::from(sub.plan)
            .filter(cond)?
            .aggregate(groups, vec![count(lit(1i64)).alias("n")])?
            .alias(alias.clone())?
            .build()?;
        let on: Vec<Expr> = scope
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| k.clone().eq(col(&alias, &format!("k{i}"))))
            .collect();
        scope.plan = LogicalPlanBuilder::from(scope.plan.clone())
            .join_on(counted, JoinType::Left, on)?
            .build()?;
        let n = coalesce(vec![col(&alias, "n"), lit(0i64)]);
        Ok(match kind {
            QuantKind::Exists => n.gt(lit(0i64)),
            QuantKind::No | QuantKind::All => n.eq(lit(0i64)),
            QuantKind::Count => n,
        })
    }

    /// The text of `e` as a message or key shows it.
    fn show(&mut self, scope: &mut Scope, e: &Ex, en: Option<usize>, quote: bool) -> Result<Expr> {
        let ty = self.typer.ty(e);
        match self.compile(scope, e)? {
            Out::Row { alias, .. } => Ok(when(col(&alias, ROW).is_null(), lit("(absent)"))
                .otherwise(coalesce(vec![col(&alias, ID), lit("(no id)")]))?),
            Out::Val(v) => {
                let how = self.how(&ty, en, quote);
                let v = match ty {
                    Ty::Obj(_) | Ty::AnyObj => {
                        when(v.is_null(), lit(ScalarValue::Null)).otherwise(lit(true))?
                    }
                    _ => v,
                };
                Ok(show::udf(how, self.inputs.tz).call(vec![v]))
            }
        }
    }

    fn how(&self, ty: &Ty, en: Option<usize>, quote: bool) -> Show {
        let enum_names = |e: usize| Show::Enum(self.program().schema.enums[e].values.clone());
        match ty {
            Ty::Bool => Show::Bool,
            Ty::Int => Show::Int,
            Ty::Num => Show::Num,
            Ty::Str => Show::Str { quote },
            Ty::Time => Show::Time,
            Ty::Dur => Show::Dur,
            Ty::Enum(e) => enum_names(en.unwrap_or(*e)),
            Ty::Ref(_) => Show::Ref,
            Ty::Rec(_) => Show::Ref,
            Ty::Obj(_) | Ty::AnyObj => Show::Obj,
            Ty::Period => Show::Period,
            Ty::List(t) => Show::List(Box::new(self.how(t, en, quote))),
            Ty::Error => match en {
                Some(e) => enum_names(e),
                None => Show::Int,
            },
        }
    }

    /// Whether the loader keeps the field at `path` (field indexes from the
    /// record, lists transparent) of collection `coll`.
    fn kept(&self, coll: CollId, path: &[usize]) -> bool {
        let mut need: Option<&Need> = self.program().projection.collections.get(coll);
        for i in path {
            need = need.and_then(|n| n.fields.get(*i)).and_then(Option::as_ref);
        }
        need.is_some()
    }
}

fn is_exact(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Time | Ty::Dur)
}

/// An instant or a duration, in nanoseconds.
fn nanoseconds(v: i128) -> Expr {
    lit(ScalarValue::Decimal128(Some(v), 38, 0))
}

fn no_instant() -> Expr {
    lit(ScalarValue::Decimal128(None, 38, 0))
}

fn col(alias: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(alias), name))
}

fn all_columns(plan: &LogicalPlan) -> Vec<Expr> {
    plan.schema()
        .columns()
        .into_iter()
        .map(Expr::Column)
        .collect()
}
