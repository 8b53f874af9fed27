//! Rules and expressions: name resolution, typing, join planning.

use super::ir::*;
use super::types::Ty;
use super::{Binding, Checker};
use crate::ast::{self, BinOp, Direction, ExprKind, QuantKind, StatementKind, TemplatePart, Unit};
use crate::diagnostic::did_you_mean;
use crate::source::Span;

const DAY_NS: i128 = 86_400_000_000_000;
const HOUR_NS: i128 = 3_600_000_000_000;

const BUILTINS: &[&str] = &[
    "rank",
    "coalesce",
    "quarter",
    "month",
    "year",
    "quarters_ended",
    "months_ended",
    "years_ended",
    "periods_ended",
];

fn err_ex() -> (Ex, Ty) {
    (Ex::Const(Const::Bool(false)), Ty::Error)
}

impl<'a> Checker<'a> {
    pub(super) fn rule(&mut self, r: &ast::Rule, clauses: &[ClauseInfo]) -> Option<CheckedRule> {
        let diags_before = self.diags.len();
        self.duplicate_statements(r);
        self.scope.clear();
        self.slots = 0;
        self.rule_params.clear();
        let head = Span::new(r.span.start, r.name.span.end);
        let find = |k: &str| r.statements.iter().find(|s| s.kind.keyword() == k);

        let mut binders = Vec::new();
        let mut collection = String::from("export");
        let mut ok = true;
        match find("for").map(|s| &s.kind) {
            Some(StatementKind::For(bs)) => {
                for (i, b) in bs.iter().enumerate() {
                    let (source, ty) = self.source(&b.source);
                    if matches!(ty, Ty::Error) {
                        ok = false;
                    }
                    if i == 0 {
                        match (&source, &ty) {
                            (Source::Scan(c), _) => {
                                collection = self.schema.collections[*c].name.clone()
                            }
                            (Source::Periods(..), _) => {}
                            (_, Ty::Error) => {}
                            _ => {
                                self.err("bad-binder", b.source.span, "a rule's first `for` must range over a collection or periods".into(), "not a collection", Some("write `for c in customers` or `for q in quarters_ended(as_of)`".into()));
                                ok = false;
                            }
                        }
                    }
                    let origin = self.origin(&b.source);
                    let slot = self.slots;
                    self.slots += 1;
                    self.scope
                        .push((b.var.name.clone(), Binding::Var { slot, ty }));
                    binders.push(Binder {
                        slot,
                        source,
                        origin,
                    });
                }
            }
            _ => {
                self.err(
                    "missing-for",
                    head,
                    format!("rule `{}` does not say what it judges", r.code.name),
                    "no `for`",
                    Some("add `for c in customers`".into()),
                );
                ok = false;
            }
        }

        let when = find("when").and_then(|s| match &s.kind {
            StatementKind::When(e) => Some(self.condition(e, "`when`")),
            _ => None,
        });
        let require = match find("require").map(|s| &s.kind) {
            Some(StatementKind::Require(e)) => self.condition(e, "`require`"),
            _ => {
                self.err(
                    "missing-require",
                    head,
                    format!("rule `{}` has no requirement", r.code.name),
                    "no `require`",
                    Some("add `require CONDITION`: what every record must satisfy".into()),
                );
                ok = false;
                Ex::Const(Const::Bool(true))
            }
        };
        let at = find("at").and_then(|s| match &s.kind {
            StatementKind::At(e) => self.at_path(e),
            _ => None,
        });
        let key = find("key").and_then(|s| match &s.kind {
            StatementKind::Key(e) => {
                let (ex, ty) = self.expr(e, None);
                match &ty {
                    Ty::Ref(_) | Ty::Str | Ty::Int | Ty::Period | Ty::Enum(_) | Ty::Error => {
                        Some((ex, enum_of(&ty)))
                    }
                    other => {
                        let d = other.describe(&self.schema);
                        self.err(
                            "bad-key",
                            e.span,
                            format!("a key must be an id, string, number, enum or period, not {d}"),
                            "this key",
                            None,
                        );
                        None
                    }
                }
            }
            _ => None,
        });
        let owner = find("owner").and_then(|s| match &s.kind {
            StatementKind::Owner(who, fallback, _) => {
                let end = fallback.as_ref().map_or(who.span.end, |f| f.span.end);
                self.owner(who, fallback.as_ref(), Span::new(s.span.start, end))
            }
            _ => None,
        });
        let several = binders.len() > 1
            || binders
                .first()
                .is_some_and(|b| !matches!(b.source, Source::Scan(_)));
        if ok && several && key.is_none() && find("key").is_none() {
            let span = find("for").map_or(head, |s| s.span);
            self.err(
                "missing-key",
                span,
                format!(
                    "rule `{}` can report one record several times but has no `key`",
                    r.code.name
                ),
                "several violations per record",
                Some("add `key` with what tells them apart, e.g. `key q` for a period".into()),
            );
            ok = false;
        }
        let message = match find("message").map(|s| &s.kind) {
            Some(StatementKind::Message(t)) => t
                .parts
                .iter()
                .map(|p| match p {
                    TemplatePart::Text(s) => MsgPart::Text(s.clone()),
                    TemplatePart::Hole(e) => {
                        let (x, t) = self.expr(e, None);
                        MsgPart::Hole(x, enum_of(&t))
                    }
                })
                .collect(),
            _ => {
                self.err(
                    "missing-message",
                    head,
                    format!("rule `{}` has no message", r.code.name),
                    "no `message`",
                    Some("add `message \"…\"` saying what is wrong, with `{field}` holes".into()),
                );
                ok = false;
                Vec::new()
            }
        };
        for s in &r.statements {
            if let StatementKind::Checks(_) = s.kind {
                self.err(
                    "misplaced-statement",
                    s.span,
                    "`checks` belongs to integrity checks".into(),
                    "not allowed in a rule",
                    Some("remove it, or declare an `integrity` check".into()),
                );
            }
        }
        let info = self.rule_info(r, clauses, collection);
        let slots = self.slots;
        self.scope.clear();
        let params = self.rule_params.iter().copied().collect();
        // Only this rule's own diagnostics: looking at all of them made
        // linting a policy with many errors quadratic.
        if !ok
            || self.diags[diags_before..]
                .iter()
                .any(|d| d.level == crate::diagnostic::Level::Error)
        {
            return None;
        }
        let branches = match find("require").map(|s| &s.kind) {
            Some(StatementKind::Require(e)) => branches(&self.src().text, e, &require),
            _ => Vec::new(),
        };
        Some(CheckedRule {
            branches,
            info: info?,
            binders,
            when,
            require,
            at,
            key,
            owner,
            message,
            slots,
            params,
        })
    }

    /// For a binder over a list field of an earlier binder: where it came from.
    fn origin(&self, e: &ast::Expr) -> Option<(usize, Vec<String>)> {
        let mut names = Vec::new();
        let mut cur = e;
        loop {
            match &cur.kind {
                ExprKind::Field(base, f) => {
                    names.push(f.name.clone());
                    cur = base;
                }
                ExprKind::Name(n) => {
                    let slot = self.scope.iter().rev().find_map(|(name, b)| match b {
                        Binding::Var { slot, .. } if name == n => Some(*slot),
                        _ => None,
                    })?;
                    names.reverse();
                    return (!names.is_empty()).then_some((slot, names));
                }
                _ => return None,
            }
        }
    }

    fn at_path(&mut self, e: &ast::Expr) -> Option<AtPath> {
        let mut names = Vec::new();
        let mut cur = e;
        let var = loop {
            match &cur.kind {
                ExprKind::Field(base, f) => {
                    names.push(f);
                    cur = base;
                }
                ExprKind::Name(n) => break n,
                _ => {
                    self.err(
                        "bad-at",
                        e.span,
                        "`at` must name a field of the record, like `c.info_collected_at`".into(),
                        "not a field path",
                        Some("references (`->`) and computations cannot be pointed at".into()),
                    );
                    return None;
                }
            }
        };
        names.reverse();
        let found = self
            .scope
            .iter()
            .rev()
            .find(|(n, _)| n == var)
            .map(|(_, b)| b.clone());
        let Some(Binding::Var { slot, ty }) = found else {
            self.err(
                "bad-at",
                cur.span,
                format!("`{var}` is not bound by the rule's `for`"),
                "unknown",
                None,
            );
            return None;
        };
        // Type-check the path too, which marks its fields as needed.
        self.expr(e, None);
        let mut steps = Vec::new();
        let mut ty = ty;
        for f in names {
            let (idx, next) = match &ty {
                Ty::Rec(c) => {
                    let c = *c;
                    let rec = &self.schema.collections[c].record;
                    let (i, fd) = rec.field(&f.name)?;
                    (i, Ty::of_field(&fd.ty, c, vec![i]))
                }
                Ty::Obj(o) => {
                    let (i, fd) = o.def.field(&f.name)?;
                    let mut path = o.path.clone();
                    path.push(i);
                    (i, Ty::of_field(&fd.ty, o.coll, path))
                }
                _ => return None,
            };
            steps.push((idx, f.name.clone()));
            ty = next;
        }
        Some(AtPath { slot, steps })
    }

    fn condition(&mut self, e: &ast::Expr, what: &str) -> Ex {
        let (ex, ty) = self.expr(e, Some(&Ty::Bool));
        self.expect_bool(&ty, e.span, what);
        ex
    }

    pub(super) fn expect_bool(&mut self, ty: &Ty, span: Span, what: &str) {
        if !matches!(ty, Ty::Bool | Ty::Error) {
            let d = ty.describe(&self.schema);
            self.err(
                "type-mismatch",
                span,
                format!("{what} must be a condition, but this is {d}"),
                "not a condition",
                Some("compare it, or test it with `is present`".into()),
            );
        }
    }

    /// What a binder or quantifier ranges over.
    fn source(&mut self, e: &ast::Expr) -> (Source, Ty) {
        match &e.kind {
            ExprKind::Name(n) if !self.bound(n) => {
                if let Some(c) = self.schema.collection(n) {
                    return (Source::Scan(c), Ty::Rec(c));
                }
            }
            ExprKind::Range(lo, hi) => return (Source::Range(*lo, *hi), Ty::Int),
            ExprKind::Call(f, args) if f.name.ends_with("_ended") => {
                let kinds = match f.name.as_str() {
                    "months_ended" => vec![PeriodKind::Month],
                    "quarters_ended" => vec![PeriodKind::Quarter],
                    "years_ended" => vec![PeriodKind::Year],
                    "periods_ended" => {
                        vec![PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year]
                    }
                    _ => Vec::new(),
                };
                if !kinds.is_empty() {
                    if args.len() != 1 {
                        self.err(
                            "arity",
                            e.span,
                            format!(
                                "`{}` takes 1 argument (the instant judged), not {}",
                                f.name,
                                args.len()
                            ),
                            "wrong number of arguments",
                            Some(format!("write `{}(as_of)`", f.name)),
                        );
                        return (Source::Range(0, -1), Ty::Error);
                    }
                    let (t, ty) = self.expr(&args[0], Some(&Ty::Time));
                    self.expect(&ty, &Ty::Time, args[0].span);
                    return (Source::Periods(kinds, Box::new(t)), Ty::Period);
                }
            }
            _ => {}
        }
        let (ex, ty) = self.expr(e, None);
        match ty {
            Ty::List(t) => (Source::Elements(Box::new(ex)), *t),
            Ty::Error => (Source::Range(0, -1), Ty::Error),
            other => {
                let d = other.describe(&self.schema);
                let help = if let ExprKind::Name(n) = &e.kind {
                    did_you_mean(n, self.schema.collections.iter().map(|c| c.name.as_str()))
                } else {
                    None
                };
                self.err("not-iterable", e.span, format!("cannot range over {d}"), "not a collection or list", help.or_else(|| Some("range over a collection, a list field, `1..4` or `quarters_ended(as_of)`".into())));
                (Source::Range(0, -1), Ty::Error)
            }
        }
    }

    fn bound(&self, n: &str) -> bool {
        self.scope.iter().any(|(name, _)| name == n)
    }

    fn expect(&mut self, got: &Ty, want: &Ty, span: Span) {
        if !(got == want || matches!(got, Ty::Error) || want == &Ty::Num && got.is_numeric()) {
            let (g, w) = (got.describe(&self.schema), want.describe(&self.schema));
            self.err(
                "type-mismatch",
                span,
                format!("expected {w}, found {g}"),
                &format!("this is {g}"),
                None,
            );
        }
    }

    /// Whether the expression is a bare name that only context can resolve (an enum value).
    fn contextual(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => {
                !self.bound(n)
                    && n != "as_of"
                    && !self.params.iter().any(|p| p.0.name == *n)
                    && self.schema.collection(n).is_none()
            }
            ExprKind::List(items) => items.first().is_some_and(|i| self.contextual(i)),
            _ => false,
        }
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, expect: Option<&Ty>) -> (Ex, Ty) {
        match &e.kind {
            ExprKind::Bool(b) => (Ex::Const(Const::Bool(*b)), Ty::Bool),
            ExprKind::Int(v) => (Ex::Const(Const::Int(*v)), Ty::Int),
            ExprKind::Num(v) => (Ex::Const(Const::Num(*v)), Ty::Num),
            ExprKind::Str(s) => (Ex::Const(Const::Str(s.clone())), Ty::Str),
            ExprKind::Name(n) => self.name(n, e.span, expect),
            ExprKind::Field(base, f) => {
                let (b, bt) = self.expr(base, None);
                self.field(b, bt, f, e.span)
            }
            ExprKind::Nav(base, f) => {
                let (b, bt) = self.expr(base, None);
                match bt {
                    Ty::Ref(c) => {
                        self.indexes.insert((c, None));
                        self.field(Ex::Nav(Box::new(b), c), Ty::Rec(c), f, e.span)
                    }
                    Ty::Error => err_ex(),
                    other => {
                        let d = other.describe(&self.schema);
                        let help = matches!(other, Ty::Rec(_) | Ty::Obj(_))
                            .then(|| format!("read a field with `.{}`", f.name));
                        self.err(
                            "type-mismatch",
                            base.span,
                            format!("`->` follows a reference, but this is {d}"),
                            "not a reference",
                            help,
                        );
                        err_ex()
                    }
                }
            }
            ExprKind::Call(f, args) => self.call(f, args, e.span, expect),
            ExprKind::List(items) => {
                let elem = match expect {
                    Some(Ty::List(t)) => Some((**t).clone()),
                    _ => None,
                };
                let mut elem = elem;
                let mut exs = Vec::new();
                for it in items {
                    let (x, t) = self.expr(it, elem.as_ref());
                    match &elem {
                        None => elem = Some(t),
                        Some(want) if !want.comparable(&t) => {
                            let (w, g) = (want.describe(&self.schema), t.describe(&self.schema));
                            self.err(
                                "type-mismatch",
                                it.span,
                                format!("list elements must all be {w}, but this is {g}"),
                                "different type",
                                None,
                            );
                        }
                        _ => {}
                    }
                    exs.push(x);
                }
                (Ex::List(exs), Ty::List(Box::new(elem.unwrap_or(Ty::Error))))
            }
            ExprKind::Range(lo, hi) => (
                Ex::List(
                    (*lo..=*hi)
                        .map(|v| Ex::Const(Const::Int(v)))
                        .take(10_000)
                        .collect(),
                ),
                Ty::List(Box::new(Ty::Int)),
            ),
            ExprKind::Neg(inner) => {
                let (x, t) = self.expr(inner, None);
                if !(t.is_numeric() || t == Ty::Dur) {
                    let d = t.describe(&self.schema);
                    self.err(
                        "type-mismatch",
                        inner.span,
                        format!("cannot negate {d}"),
                        "not a number",
                        None,
                    );
                    return err_ex();
                }
                (Ex::Neg(Box::new(x)), t)
            }
            ExprKind::Not(inner) => {
                let (x, t) = self.expr(inner, Some(&Ty::Bool));
                self.expect_bool(&t, inner.span, "the operand of `not`");
                (Ex::Not(Box::new(x)), Ty::Bool)
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::In { elem, set, negated } => {
                let (ex, set_ex, et, st) = if self.contextual(elem) && !self.contextual(set) {
                    let (s, st) = self.expr(set, None);
                    let want = match &st {
                        Ty::List(t) => Some((**t).clone()),
                        _ => None,
                    };
                    let (x, et) = self.expr(elem, want.as_ref());
                    (x, s, et, st)
                } else {
                    let (x, et) = self.expr(elem, None);
                    let (s, st) = self.expr(set, Some(&Ty::List(Box::new(et.clone()))));
                    (x, s, et, st)
                };
                let test = match &st {
                    Ty::Period => {
                        self.expect(&et, &Ty::Time, elem.span);
                        Ex::InPeriod(Box::new(ex), Box::new(set_ex))
                    }
                    Ty::List(t) => {
                        if !t.comparable(&et) {
                            let (g, w) = (et.describe(&self.schema), t.describe(&self.schema));
                            self.err(
                                "type-mismatch",
                                elem.span,
                                format!("{g} cannot be in a list of {w}"),
                                &format!("this is {g}"),
                                None,
                            );
                        }
                        Ex::In(Box::new(ex), Box::new(set_ex))
                    }
                    Ty::Error => Ex::Const(Const::Bool(false)),
                    other => {
                        let d = other.describe(&self.schema);
                        self.err(
                            "type-mismatch",
                            set.span,
                            format!("`in` needs a list or a period, but this is {d}"),
                            "not a list",
                            Some("write a list like `[marketing, business]`".into()),
                        );
                        Ex::Const(Const::Bool(false))
                    }
                };
                (
                    if *negated {
                        Ex::Not(Box::new(test))
                    } else {
                        test
                    },
                    Ty::Bool,
                )
            }
            ExprKind::Is { expr, present } => {
                let (x, _) = self.expr(expr, None);
                let p = Ex::Present(Box::new(x));
                (if *present { p } else { Ex::Not(Box::new(p)) }, Ty::Bool)
            }
            ExprKind::Within {
                expr,
                amount,
                direction,
                anchor,
            } => {
                let (t, tt) = self.expr(expr, None);
                self.expect(&tt, &Ty::Time, expr.span);
                let (a, at) = self.expr(amount, None);
                if !matches!(at, Ty::Dur | Ty::Error) {
                    let d = at.describe(&self.schema);
                    self.err(
                        "type-mismatch",
                        amount.span,
                        format!("expected a duration like `15 days`, found {d}"),
                        "not a duration",
                        Some("add a unit: `days` or `hours`".into()),
                    );
                }
                let (an, ant) = self.expr(anchor, None);
                self.expect(&ant, &Ty::Time, anchor.span);
                (
                    Ex::Within {
                        t: Box::new(t),
                        amount: Box::new(a),
                        after: *direction == Direction::After,
                        anchor: Box::new(an),
                    },
                    Ty::Bool,
                )
            }
            ExprKind::Duration(inner, unit) => {
                let (x, t) = self.expr(inner, None);
                if !t.is_numeric() {
                    let d = t.describe(&self.schema);
                    self.err(
                        "type-mismatch",
                        inner.span,
                        format!("a duration needs a number of days or hours, not {d}"),
                        "not a number",
                        None,
                    );
                    return err_ex();
                }
                let ns = match unit {
                    Unit::Days => DAY_NS,
                    Unit::Hours => HOUR_NS,
                };
                (Ex::Duration(Box::new(x), ns), Ty::Dur)
            }
            ExprKind::Quant {
                kind,
                var,
                source,
                filter,
                body,
            } => self.quant(
                *kind,
                var,
                source,
                filter.as_deref(),
                body.as_deref(),
                e.span,
            ),
        }
    }

    fn name(&mut self, n: &str, span: Span, expect: Option<&Ty>) -> (Ex, Ty) {
        if let Some((_, b)) = self.scope.iter().rev().find(|(name, _)| name == n) {
            return match b.clone() {
                Binding::Var { slot, ty } => (Ex::Var(slot), ty),
                Binding::Arg { ex, ty } => (ex, ty),
            };
        }
        if n == "as_of" {
            return (Ex::AsOf, Ty::Time);
        }
        if let Some(i) = self.params.iter().position(|p| p.0.name == n) {
            self.params[i].4 = true;
            self.rule_params.insert(i);
            return (Ex::Param(i), self.params[i].1.clone());
        }
        if let Some(Ty::Enum(e)) = expect {
            let def = &self.schema.enums[*e];
            if let Some(v) = def.value(n) {
                return (Ex::Const(Const::Enum(v)), Ty::Enum(*e));
            }
            let ename = def.name.clone();
            let help = did_you_mean(n, def.values.iter().map(String::as_str))
                .or_else(|| Some(format!("its values are {}", list(&def.values))));
            self.err(
                "unknown-enum-value",
                span,
                format!("`{n}` is not a value of enum `{ename}`"),
                "unknown value",
                help,
            );
            return err_ex();
        }
        let holders: Vec<usize> = self
            .schema
            .enums
            .iter()
            .enumerate()
            .filter(|(_, e)| e.value(n).is_some())
            .map(|(i, _)| i)
            .collect();
        if holders.len() == 1 {
            let e = holders[0];
            return (
                Ex::Const(Const::Enum(self.schema.enums[e].value(n).unwrap_or(0))),
                Ty::Enum(e),
            );
        }
        if holders.len() > 1 {
            let names: Vec<String> = holders
                .iter()
                .map(|&h| self.schema.enums[h].name.clone())
                .collect();
            self.err(
                "ambiguous-enum-value",
                span,
                format!("`{n}` is a value of several enums ({})", list(&names)),
                "ambiguous",
                Some("compare it with a field, so that its enum is known".into()),
            );
            return err_ex();
        }
        if self.schema.collection(n).is_some() {
            self.err(
                "collection-as-value",
                span,
                format!("collection `{n}` is not a value"),
                "a collection",
                Some(format!("range over it: `exists x in {n} where …`")),
            );
            return err_ex();
        }
        let mut candidates: Vec<String> = self.scope.iter().map(|(n, _)| n.clone()).collect();
        candidates.extend(self.params.iter().map(|p| p.0.name.clone()));
        candidates.push("as_of".into());
        for e in &self.schema.enums {
            candidates.extend(e.values.iter().cloned());
        }
        candidates.extend(self.schema.collections.iter().map(|c| c.name.clone()));
        let help = did_you_mean(n, candidates.iter().map(String::as_str));
        self.err("unknown-name", span, format!("unknown name `{n}`"), "not defined", help.or_else(|| Some("names are variables bound by `for` or a quantifier, parameters, enum values and `as_of`".into())));
        err_ex()
    }

    fn field(&mut self, base: Ex, bt: Ty, f: &ast::Ident, span: Span) -> (Ex, Ty) {
        match bt {
            Ty::Rec(c) => {
                if f.name == "id" {
                    return (Ex::Id(Box::new(base)), Ty::Ref(c));
                }
                let rec = &self.schema.collections[c].record;
                match rec.field(&f.name) {
                    Some((i, fd)) => {
                        let ty = Ty::of_field(&fd.ty, c, vec![i]);
                        self.need(c, &[i]);
                        (Ex::Field(Box::new(base), i), ty)
                    }
                    None => {
                        let cname = self.schema.collections[c].name.clone();
                        let help =
                            did_you_mean(&f.name, rec.fields.iter().map(|f| f.name.as_str()));
                        self.err(
                            "unknown-field",
                            f.span,
                            format!("collection `{cname}` has no field `{}`", f.name),
                            "unknown field",
                            help,
                        );
                        err_ex()
                    }
                }
            }
            Ty::Obj(o) => match o.def.field(&f.name) {
                Some((i, fd)) => {
                    let mut path = o.path.clone();
                    path.push(i);
                    self.need(o.coll, &path);
                    (
                        Ex::Field(Box::new(base), i),
                        Ty::of_field(&fd.ty, o.coll, path),
                    )
                }
                None => {
                    let help = did_you_mean(&f.name, o.def.fields.iter().map(|f| f.name.as_str()));
                    let fields: Vec<String> = o.def.fields.iter().map(|f| f.name.clone()).collect();
                    self.err(
                        "unknown-field",
                        f.span,
                        format!("this object has no field `{}`", f.name),
                        "unknown field",
                        help.or_else(|| Some(format!("its fields are {}", list(&fields)))),
                    );
                    err_ex()
                }
            },
            Ty::Period => {
                let attr = match f.name.as_str() {
                    "start" => (PeriodAttr::Start, Ty::Time),
                    "end" => (PeriodAttr::End, Ty::Time),
                    "label" => (PeriodAttr::Label, Ty::Str),
                    "kind" => (PeriodAttr::Kind, Ty::Str),
                    other => {
                        let help = did_you_mean(other, ["start", "end", "label", "kind"]);
                        self.err(
                            "unknown-field",
                            f.span,
                            format!("a period has no field `{other}`"),
                            "unknown field",
                            help.or_else(|| {
                                Some("periods have `start`, `end`, `label` and `kind`".into())
                            }),
                        );
                        return err_ex();
                    }
                };
                (Ex::PeriodAttr(Box::new(base), attr.0), attr.1)
            }
            Ty::Ref(c) => {
                let cname = self.schema.collections[c].name.clone();
                self.err(
                    "type-mismatch",
                    span,
                    format!("this is a reference to `{cname}`, not a record"),
                    "a reference",
                    Some(format!("follow it with `->{}`", f.name)),
                );
                err_ex()
            }
            Ty::Error => err_ex(),
            other => {
                let d = other.describe(&self.schema);
                let help = matches!(other, Ty::List(_))
                    .then(|| "range over a list with `exists x in … where …`".to_string());
                self.err(
                    "type-mismatch",
                    span,
                    format!("{d} has no fields"),
                    "no field here",
                    help,
                );
                err_ex()
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> (Ex, Ty) {
        match op {
            BinOp::And | BinOp::Or => {
                let (a, at) = self.expr(l, Some(&Ty::Bool));
                self.expect_bool(&at, l.span, &format!("each side of `{}`", op.symbol()));
                let (b, bt) = self.expr(r, Some(&Ty::Bool));
                self.expect_bool(&bt, r.span, &format!("each side of `{}`", op.symbol()));
                let mut items = Vec::new();
                for x in [a, b] {
                    match (op, x) {
                        (BinOp::And, Ex::And(v)) | (BinOp::Or, Ex::Or(v)) => items.extend(v),
                        (_, x) => items.push(x),
                    }
                }
                (
                    if op == BinOp::And {
                        Ex::And(items)
                    } else {
                        Ex::Or(items)
                    },
                    Ty::Bool,
                )
            }
            _ if op.is_comparison() => {
                let ((a, at), (b, bt)) = if self.contextual(l) && !self.contextual(r) {
                    let rb = self.expr(r, None);
                    let la = self.expr(l, Some(&rb.1));
                    (la, rb)
                } else {
                    let la = self.expr(l, None);
                    let rb = self.expr(r, Some(&la.1));
                    (la, rb)
                };
                if !at.comparable(&bt) {
                    let (x, y) = (at.describe(&self.schema), bt.describe(&self.schema));
                    let help = match (&at, &bt) {
                        (Ty::Time, Ty::Str) | (Ty::Str, Ty::Time) => Some(
                            "times are compared with times; a string is not parsed as a time"
                                .into(),
                        ),
                        (Ty::Ref(_), Ty::Ref(_)) => {
                            Some("the two sides refer to different collections".into())
                        }
                        (Ty::Enum(_), Ty::Enum(_)) => {
                            Some("the two sides are values of different enums".into())
                        }
                        (Ty::Dur, t) | (t, Ty::Dur) if t.is_numeric() => {
                            Some("add a unit to the number: `15 days`".into())
                        }
                        _ => None,
                    };
                    self.err(
                        "type-mismatch",
                        span,
                        format!("cannot compare {x} with {y}"),
                        "incompatible types",
                        help,
                    );
                    return err_ex();
                }
                let cop = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let ordered = at.ordered() && bt.ordered();
                if !matches!(cop, CmpOp::Eq | CmpOp::Ne) && !ordered {
                    let d = if at.ordered() {
                        bt.describe(&self.schema)
                    } else {
                        at.describe(&self.schema)
                    };
                    let help = matches!(at, Ty::Enum(_))
                        .then(|| "compare enum positions with `rank(x)`".to_string());
                    self.err(
                        "type-mismatch",
                        span,
                        format!("`{}` does not order values of type {d}", op.symbol()),
                        "not ordered",
                        help,
                    );
                    return err_ex();
                }
                (Ex::Cmp(cop, Box::new(a), Box::new(b)), Ty::Bool)
            }
            _ => {
                let (a, at) = self.expr(l, None);
                let (b, bt) = self.expr(r, None);
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let ty = match (aop, &at, &bt) {
                    (_, Ty::Error, _) | (_, _, Ty::Error) => Ty::Error,
                    (_, Ty::Int, Ty::Int) => Ty::Int,
                    (_, x, y) if x.is_numeric() && y.is_numeric() => Ty::Num,
                    (ArithOp::Sub, Ty::Time, Ty::Time) => Ty::Dur,
                    (ArithOp::Add | ArithOp::Sub, Ty::Time, Ty::Dur) => Ty::Time,
                    (ArithOp::Add, Ty::Dur, Ty::Time) => Ty::Time,
                    (ArithOp::Add | ArithOp::Sub, Ty::Dur, Ty::Dur) => Ty::Dur,
                    (ArithOp::Mul | ArithOp::Div, Ty::Dur, y) if y.is_numeric() => Ty::Dur,
                    (ArithOp::Mul, x, Ty::Dur) if x.is_numeric() => Ty::Dur,
                    _ => {
                        let (x, y) = (at.describe(&self.schema), bt.describe(&self.schema));
                        let help = match (&at, &bt) {
                            (Ty::Time, y) | (y, Ty::Time) if y.is_numeric() => {
                                Some("add a unit to the number: `3 days`".into())
                            }
                            _ => None,
                        };
                        self.err(
                            "type-mismatch",
                            span,
                            format!("cannot apply `{}` to {x} and {y}", op.symbol()),
                            "incompatible types",
                            help,
                        );
                        return err_ex();
                    }
                };
                (Ex::Arith(aop, Box::new(a), Box::new(b)), ty)
            }
        }
    }

    fn call(
        &mut self,
        f: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        expect: Option<&Ty>,
    ) -> (Ex, Ty) {
        let arity = |c: &mut Self, n: usize| -> bool {
            if args.len() != n {
                c.err(
                    "arity",
                    span,
                    format!(
                        "`{}` takes {n} argument{}, not {}",
                        f.name,
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                    "wrong number of arguments",
                    None,
                );
                false
            } else {
                true
            }
        };
        match f.name.as_str() {
            "rank" => {
                if !arity(self, 1) {
                    return err_ex();
                }
                let (x, t) = self.expr(&args[0], None);
                if !matches!(t, Ty::Enum(_) | Ty::Error) {
                    let d = t.describe(&self.schema);
                    self.err(
                        "type-mismatch",
                        args[0].span,
                        format!("`rank` needs an enum value, not {d}"),
                        "not an enum",
                        None,
                    );
                }
                (Ex::Call(Builtin::Rank, vec![x]), Ty::Int)
            }
            "coalesce" => {
                if !arity(self, 2) {
                    return err_ex();
                }
                let (a, at) = self.expr(&args[0], expect);
                let (b, bt) = self.expr(&args[1], Some(&at));
                if !at.comparable(&bt) {
                    let (x, y) = (at.describe(&self.schema), bt.describe(&self.schema));
                    self.err(
                        "type-mismatch",
                        span,
                        format!("`coalesce` needs two values of one type, not {x} and {y}"),
                        "different types",
                        None,
                    );
                }
                (
                    Ex::Call(Builtin::Coalesce, vec![a, b]),
                    if at == Ty::Error { bt } else { at },
                )
            }
            "quarter" | "month" | "year" => {
                let (kind, n) = match f.name.as_str() {
                    "quarter" => (PeriodKind::Quarter, 2),
                    "month" => (PeriodKind::Month, 2),
                    _ => (PeriodKind::Year, 1),
                };
                if !arity(self, n) {
                    return err_ex();
                }
                let mut xs = Vec::new();
                for a in args {
                    let (x, t) = self.expr(a, None);
                    self.expect(&t, &Ty::Int, a.span);
                    xs.push(x);
                }
                (Ex::Call(Builtin::Period(kind), xs), Ty::Period)
            }
            name if name.ends_with("_ended") && BUILTINS.contains(&name) => {
                self.err(
                    "periods-as-value",
                    span,
                    format!("`{name}` lists periods to range over"),
                    "not a value",
                    Some(format!(
                        "write `for q in {name}(as_of)` or `all q in {name}(as_of) satisfy …`"
                    )),
                );
                err_ex()
            }
            name => self.user_call(name, f, args, span),
        }
    }

    fn user_call(
        &mut self,
        name: &str,
        f: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> (Ex, Ty) {
        let Some(&(def_file, def)) = self.defs.get(name) else {
            let names: Vec<String> = self
                .defs
                .keys()
                .cloned()
                .chain(BUILTINS.iter().map(|s| s.to_string()))
                .collect();
            let help = did_you_mean(name, names.iter().map(String::as_str));
            self.err(
                "unknown-function",
                f.span,
                format!("unknown predicate or function `{name}`"),
                "not defined",
                help.or_else(|| Some("define it with `def name(x: type) = …`".into())),
            );
            return err_ex();
        };
        self.used_defs.insert(name.to_string());
        if self.def_stack.iter().any(|d| d == name) {
            self.err(
                "recursive-def",
                f.span,
                format!("predicate `{name}` uses itself"),
                "recursive use",
                Some("predicates are expanded where they are used, so they cannot recurse".into()),
            );
            return err_ex();
        }
        if args.len() != def.params.len() {
            let n = def.params.len();
            self.err(
                "arity",
                span,
                format!(
                    "`{name}` takes {n} argument{}, not {}",
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
                "wrong number of arguments",
                Some(format!(
                    "its parameters are {}",
                    list(
                        &def.params
                            .iter()
                            .map(|(p, t)| format!("{}: {}", p.name, t.name))
                            .collect::<Vec<_>>()
                    )
                )),
            );
            return err_ex();
        }
        let mut bound = Vec::new();
        for (a, (p, pt)) in args.iter().zip(&def.params) {
            let quiet = self.quiet;
            self.quiet += 1;
            let want = self.param_type(pt);
            self.quiet = quiet;
            let (x, t) = self.expr(a, want.as_ref());
            if let Some(want) = &want {
                if !(t.comparable(want) || matches!((&t, want), (Ty::Rec(x), Ty::Rec(y)) if x == y))
                {
                    let (g, w) = (t.describe(&self.schema), want.describe(&self.schema));
                    self.err(
                        "type-mismatch",
                        a.span,
                        format!("argument `{}` of `{name}` is {w}, but this is {g}", p.name),
                        &format!("this is {g}"),
                        None,
                    );
                }
            }
            bound.push((
                p.name.clone(),
                Binding::Arg {
                    ex: x,
                    ty: want.unwrap_or(t),
                },
            ));
        }
        // Expand the body where it is used, with the arguments bound and the
        // caller's variables hidden.
        let saved_scope = std::mem::replace(&mut self.scope, bound);
        let saved_file = self.file;
        self.file = def_file;
        self.quiet += 1;
        self.def_stack.push(name.to_string());
        let (x, t) = self.expr(&def.body, Some(&Ty::Bool));
        self.def_stack.pop();
        self.quiet -= 1;
        self.file = saved_file;
        self.scope = saved_scope;
        (x, t)
    }

    fn quant(
        &mut self,
        kind: QuantKind,
        var: &ast::Ident,
        source: &ast::Expr,
        filter: Option<&ast::Expr>,
        body: Option<&ast::Expr>,
        span: Span,
    ) -> (Ex, Ty) {
        let (src, elem) = self.source(source);
        let slot = self.slots;
        self.slots += 1;
        self.scope
            .push((var.name.clone(), Binding::Var { slot, ty: elem }));
        let filter = filter.map(|f| Box::new(self.condition(f, "`where`")));
        let body = body.map(|b| Box::new(self.condition(b, "`satisfy`")));
        self.scope.pop();
        if kind == QuantKind::All && body.is_none() {
            self.err(
                "missing-satisfy",
                span,
                "`all` needs `satisfy` to say what every element must meet".into(),
                "no `satisfy`",
                Some(format!("write `all {} in … satisfy CONDITION`", var.name)),
            );
        }
        let src = self.plan(src, slot, filter.as_deref());
        let ty = if kind == QuantKind::Count {
            Ty::Int
        } else {
            Ty::Bool
        };
        (
            Ex::Quant {
                kind,
                slot,
                source: src,
                filter,
                body,
            },
            ty,
        )
    }

    /// Turns a scan filtered by `x.field == value` into an index lookup.
    fn plan(&mut self, src: Source, slot: usize, filter: Option<&Ex>) -> Source {
        let Source::Scan(coll) = src else { return src };
        let Some(filter) = filter else { return src };
        let conjuncts: Vec<&Ex> = match filter {
            Ex::And(v) => v.iter().collect(),
            x => vec![x],
        };
        for c in conjuncts {
            let Ex::Cmp(CmpOp::Eq, a, b) = c else {
                continue;
            };
            for (this, other) in [(a, b), (b, a)] {
                let field = match &**this {
                    Ex::Field(base, f) if **base == Ex::Var(slot) => Some(*f),
                    Ex::Id(base) if **base == Ex::Var(slot) => None,
                    _ => continue,
                };
                // Only references and ids are indexed: they are what joins use.
                let is_ref = match field {
                    None => true,
                    Some(f) => matches!(
                        self.schema.collections[coll].record.fields[f].ty,
                        crate::schema::Type::Ref(_)
                    ),
                };
                if is_ref && !mentions(other, slot) {
                    self.indexes.insert((coll, field));
                    return Source::Lookup {
                        coll,
                        field,
                        key: other.clone(),
                    };
                }
            }
        }
        Source::Scan(coll)
    }
}

/// The branches of a requirement: the conjuncts of `a and b and …`, or the
/// disjuncts of `not (a or b or …)`, with their text from the policy.
fn branches(text: &str, ast: &ast::Expr, ir: &Ex) -> Vec<Branch> {
    fn flatten<'e>(e: &'e ast::Expr, op: BinOp, out: &mut Vec<&'e ast::Expr>) {
        match &e.kind {
            ExprKind::Binary(o, l, r) if *o == op => {
                flatten(l, op, out);
                flatten(r, op, out);
            }
            _ => out.push(e),
        }
    }
    let (asts, irs, violating): (Vec<&ast::Expr>, &[Ex], bool) = match (&ast.kind, ir) {
        (ExprKind::Not(inner), Ex::Not(x)) => match &**x {
            Ex::Or(xs) => {
                let mut v = Vec::new();
                flatten(inner, BinOp::Or, &mut v);
                (v, xs, true)
            }
            _ => (vec![&**inner], std::slice::from_ref(&**x), true),
        },
        (_, Ex::And(xs)) => {
            let mut v = Vec::new();
            flatten(ast, BinOp::And, &mut v);
            (v, xs, false)
        }
        _ => (vec![ast], std::slice::from_ref(ir), false),
    };
    let label = |i: usize| match asts.get(i) {
        // Predicates expand where used, so the IR may have more branches
        // than the text shows; then they are numbered instead.
        Some(a) if asts.len() == irs.len() => text
            .get(a.span.start..a.span.end)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => format!("branch {} of {}", i + 1, irs.len()),
    };
    irs.iter()
        .enumerate()
        .map(|(i, x)| Branch {
            text: label(i),
            ex: x.clone(),
            violating,
        })
        .collect()
}

fn enum_of(t: &Ty) -> Option<crate::schema::EnumId> {
    match t {
        Ty::Enum(e) => Some(*e),
        Ty::List(t) => enum_of(t),
        _ => None,
    }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether an expression reads the variable in `slot` (or a later one, bound inside it).
fn mentions(e: &Ex, slot: usize) -> bool {
    let m = |x: &Ex| mentions(x, slot);
    match e {
        Ex::Var(s) => *s >= slot,
        Ex::Const(_) | Ex::Param(_) | Ex::AsOf => false,
        Ex::Field(b, _)
        | Ex::Id(b)
        | Ex::Nav(b, _)
        | Ex::PeriodAttr(b, _)
        | Ex::Not(b)
        | Ex::Neg(b)
        | Ex::Present(b)
        | Ex::Duration(b, _) => m(b),
        Ex::And(v) | Ex::Or(v) | Ex::List(v) | Ex::Call(_, v) => v.iter().any(m),
        Ex::Cmp(_, a, b) | Ex::Arith(_, a, b) | Ex::In(a, b) | Ex::InPeriod(a, b) => m(a) || m(b),
        Ex::Within {
            t, amount, anchor, ..
        } => m(t) || m(amount) || m(anchor),
        Ex::Quant {
            source,
            filter,
            body,
            ..
        } => {
            let s = match source {
                Source::Scan(_) | Source::Range(..) => false,
                Source::Lookup { key, .. } => m(key),
                Source::Elements(x) | Source::Periods(_, x) => m(x),
            };
            s || filter.as_deref().is_some_and(m) || body.as_deref().is_some_and(m)
        }
    }
}
