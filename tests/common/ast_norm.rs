//! Span normaliser over `comply::ast`: zeroes every `Span` so that two parses
//! of differently laid-out text compare equal exactly when their trees do.
//! Shared by `tests/fmt_props.rs` and the `fuzz/` targets (via `#[path]`).
//! Every field is visited by an exhaustive destructuring `let`, so a field
//! added to the AST breaks this file's build instead of escaping the check.
#![allow(dead_code)]

use comply::ast::*;
use comply::source::Span;

fn z(s: &mut Span) {
    *s = Span::default();
}

fn ident(i: &mut Ident) {
    let Ident { name: _, span } = i;
    z(span);
}

fn strlit(s: &mut StrLit) {
    let StrLit { value: _, span } = s;
    z(span);
}

fn property(p: &mut Property) {
    let Property { key, value, span } = p;
    ident(key);
    strlit(value);
    z(span);
}

fn field(f: &mut FieldDecl) {
    let FieldDecl {
        name,
        ty,
        optional: _,
        personal: _,
        formats,
        span,
    } = f;
    ident(name);
    type_expr(ty);
    formats.iter_mut().for_each(text_format);
    z(span);
}

fn text_format(t: &mut TextFormatDecl) {
    let TextFormatDecl {
        pattern,
        label,
        when,
        span,
    } = t;
    strlit(pattern);
    label.iter_mut().for_each(strlit);
    if let Some((field, value)) = when {
        ident(field);
        ident(value);
    }
    z(span);
}

fn type_expr(t: &mut TypeExpr) {
    match t {
        TypeExpr::Named(i) => ident(i),
        TypeExpr::List(inner, s) => {
            type_expr(inner);
            z(s);
        }
        TypeExpr::Object(fields, s) => {
            fields.iter_mut().for_each(field);
            z(s);
        }
        TypeExpr::Enum(values, s) => {
            values.iter_mut().for_each(ident);
            z(s);
        }
        TypeExpr::Ref(i, s) => {
            ident(i);
            z(s);
        }
        TypeExpr::IntRange(_, _, s) => z(s),
    }
}

pub fn expr(e: &mut Expr) {
    let Expr { kind, span } = e;
    z(span);
    match kind {
        ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::Range(..) => {}
        ExprKind::Field(b, f) | ExprKind::Nav(b, f) => {
            expr(b);
            ident(f);
        }
        ExprKind::Call(f, args) => {
            ident(f);
            args.iter_mut().for_each(expr);
        }
        ExprKind::List(items) => items.iter_mut().for_each(expr),
        ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::Duration(x, _) => expr(x),
        ExprKind::Binary(_, l, r) => {
            expr(l);
            expr(r);
        }
        ExprKind::In {
            elem,
            set,
            negated: _,
        } => {
            expr(elem);
            expr(set);
        }
        ExprKind::Is {
            expr: x,
            present: _,
        } => expr(x),
        ExprKind::Within {
            expr: x,
            amount,
            direction: _,
            anchor,
        } => {
            expr(x);
            expr(amount);
            expr(anchor);
        }
        ExprKind::Quant {
            kind: _,
            var,
            source,
            filter,
            body,
        } => {
            ident(var);
            expr(source);
            if let Some(f) = filter {
                expr(f);
            }
            if let Some(b) = body {
                expr(b);
            }
        }
    }
}

fn statement(s: &mut Statement) {
    let Statement { kind, span } = s;
    z(span);
    match kind {
        StatementKind::Severity(i) | StatementKind::Checks(i) => ident(i),
        StatementKind::Clause(a, b) => {
            strlit(a);
            if let Some(b) = b {
                strlit(b);
            }
        }
        StatementKind::Gloss(g) => strlit(g),
        StatementKind::For(bs) => {
            for b in bs {
                let Binder { var, source, span } = b;
                ident(var);
                expr(source);
                z(span);
            }
        }
        StatementKind::When(e)
        | StatementKind::Require(e)
        | StatementKind::At(e)
        | StatementKind::Key(e) => expr(e),
        StatementKind::Owner(who, fallback, why) => {
            expr(who);
            if let Some(f) = fallback {
                expr(f);
            }
            if let Some(w) = why {
                strlit(w);
            }
        }
        StatementKind::Message(t) => {
            let Template {
                parts,
                raw: _,
                span,
            } = t;
            z(span);
            for p in parts {
                match p {
                    TemplatePart::Text(_) => {}
                    TemplatePart::Hole(e) => expr(e),
                }
            }
        }
    }
}

pub fn item(it: &mut Item) {
    match it {
        Item::Header(Header {
            name,
            properties,
            span,
        }) => {
            ident(name);
            properties.iter_mut().for_each(property);
            z(span);
        }
        Item::Param(Param {
            name,
            ty,
            range: _,
            default,
            span,
        }) => {
            ident(name);
            ident(ty);
            expr(default);
            z(span);
        }
        Item::Enum(EnumDecl { name, values, span }) => {
            ident(name);
            values.iter_mut().for_each(ident);
            z(span);
        }
        Item::Collection(CollectionDecl { name, fields, span }) => {
            ident(name);
            fields.iter_mut().for_each(field);
            z(span);
        }
        Item::Def(Def {
            name,
            params,
            body,
            span,
        }) => {
            ident(name);
            for (a, b) in params {
                ident(a);
                ident(b);
            }
            expr(body);
            z(span);
        }
        Item::Clause(ClauseDecl {
            id,
            properties,
            not_checkable,
            span,
        }) => {
            strlit(id);
            properties.iter_mut().for_each(property);
            if let Some(n) = not_checkable {
                strlit(n);
            }
            z(span);
        }
        Item::Owners(OwnersDecl {
            collection,
            department,
            span,
        }) => {
            ident(collection);
            ident(department);
            z(span);
        }
        Item::Rule(Rule {
            kind: _,
            code,
            name,
            statements,
            span,
        }) => {
            ident(code);
            ident(name);
            statements.iter_mut().for_each(statement);
            z(span);
        }
    }
}

/// The policy's items with every span zeroed. Comments are left out: their
/// placement legitimately changes (see [`comment_texts`]).
pub fn items(p: &Policy) -> Vec<Item> {
    let mut items = p.items.clone();
    items.iter_mut().for_each(item);
    items
}

/// The text of every comment, in order.
pub fn comment_texts(p: &Policy) -> Vec<String> {
    p.comments
        .iter()
        .map(|c| c.text.trim_end().to_string())
        .collect()
}
