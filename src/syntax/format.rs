//! The canonical layout of a policy: `comply fmt`. Comments are kept (a
//! comment at the end of a line moves to its own line before the next
//! item or statement); the output parses to the same AST and is a fixed point.

use crate::ast::*;

const WIDTH: usize = 90;
const INDENT: &str = "  ";

pub fn format(policy: &Policy) -> String {
    let mut f = Formatter {
        out: String::new(),
        comments: policy.comments.clone(),
        next: 0,
    };
    let mut prev: Option<&Item> = None;
    for item in &policy.items {
        if let Some(p) = prev {
            // Consecutive one-line items of a kind stay together.
            let compact = matches!(
                (p, item),
                (Item::Param(_), Item::Param(_)) | (Item::Enum(_), Item::Enum(_))
            );
            let has_comment = f.pending(item.span().start);
            if !compact || has_comment {
                f.out.push('\n');
            }
        }
        f.comments_before(item.span().start, "");
        f.item(item);
        prev = Some(item);
    }
    f.comments_before(usize::MAX, "");
    f.out
}

struct Formatter {
    out: String,
    comments: Vec<Comment>,
    next: usize,
}

impl Formatter {
    fn pending(&self, before: usize) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|c| c.span.start < before)
    }

    fn comments_before(&mut self, before: usize, indent: &str) {
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= before {
                break;
            }
            self.out.push_str(indent);
            self.out.push_str(c.text.trim_end());
            self.out.push('\n');
            if c.blank_after && indent.is_empty() {
                self.out.push('\n');
            }
            self.next += 1;
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Header(h) => {
                self.out.push_str(&format!("policy {} {{\n", h.name.name));
                for p in &h.properties {
                    self.comments_before(p.span.start, INDENT);
                    self.out.push_str(&format!(
                        "{INDENT}{} {}\n",
                        p.key.name,
                        string(&p.value.value)
                    ));
                }
                self.comments_before(h.span.end, INDENT);
                self.out.push_str("}\n");
            }
            Item::Param(p) => {
                let ty = match p.range {
                    Some((lo, hi)) => format!("{lo}..{hi}"),
                    None => p.ty.name.clone(),
                };
                self.out.push_str(&format!(
                    "param {}: {ty} = {}\n",
                    p.name.name,
                    expr(&p.default, 0)
                ));
            }
            Item::Enum(e) => {
                let values: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                self.out.push_str(&format!(
                    "enum {} {{ {} }}\n",
                    e.name.name,
                    values.join(", ")
                ));
            }
            Item::Collection(c) => {
                self.out
                    .push_str(&format!("collection {} {{\n", c.name.name));
                self.fields(&c.fields, 1);
                self.comments_before(c.span.end, INDENT);
                self.out.push_str("}\n");
            }
            Item::Def(d) => {
                let params: Vec<String> = d
                    .params
                    .iter()
                    .map(|(n, t)| format!("{}: {}", n.name, t.name))
                    .collect();
                self.out.push_str(&format!(
                    "def {}({}) =\n{INDENT}",
                    d.name.name,
                    params.join(", ")
                ));
                self.out.push_str(&broken(&d.body, INDENT));
                self.out.push('\n');
            }
            Item::Owners(o) => {
                self.out.push_str(&format!(
                    "owners {} by {}\n",
                    o.collection.name, o.department.name
                ));
            }
            Item::Clause(c) => {
                self.out
                    .push_str(&format!("clause {} {{\n", string(&c.id.value)));
                for p in &c.properties {
                    self.comments_before(p.span.start, INDENT);
                    self.out.push_str(&format!(
                        "{INDENT}{} {}\n",
                        p.key.name,
                        string(&p.value.value)
                    ));
                }
                if let Some(n) = &c.not_checkable {
                    self.comments_before(n.span.start, INDENT);
                    self.out
                        .push_str(&format!("{INDENT}not checkable {}\n", string(&n.value)));
                }
                self.comments_before(c.span.end, INDENT);
                self.out.push_str("}\n");
            }
            Item::Rule(r) => {
                let kw = match r.kind {
                    RuleKind::Rule => "rule",
                    RuleKind::Integrity => "integrity",
                };
                self.out
                    .push_str(&format!("{kw} {} {} {{\n", r.code.name, r.name.name));
                for s in &r.statements {
                    self.comments_before(s.span.start, INDENT);
                    self.statement(&s.kind);
                }
                self.comments_before(r.span.end, INDENT);
                self.out.push_str("}\n");
            }
        }
    }

    fn fields(&mut self, fields: &[FieldDecl], depth: usize) {
        let indent = INDENT.repeat(depth);
        for fd in fields {
            self.comments_before(fd.span.start, &indent);
            let ty = type_expr(&fd.ty, depth);
            self.out.push_str(&format!(
                "{indent}{}: {ty}{}{}\n",
                fd.name.name,
                if fd.optional { "?" } else { "" },
                if fd.personal { " personal" } else { "" }
            ));
            // One format a line, under its field: patterns are long.
            for f in &fd.formats {
                self.out
                    .push_str(&format!("{indent}{INDENT}{}\n", text_format(f)));
            }
        }
    }

    fn statement(&mut self, s: &StatementKind) {
        let line = match s {
            StatementKind::Severity(i) => format!("severity {}", i.name),
            StatementKind::Clause(id, q) => match q {
                Some(q) => format!("clause {} {}", string(&id.value), string(&q.value)),
                None => format!("clause {}", string(&id.value)),
            },
            StatementKind::Gloss(g) => format!("gloss {}", string(&g.value)),
            StatementKind::Checks(i) => format!("checks {}", i.name),
            StatementKind::For(bs) => {
                let b: Vec<String> = bs
                    .iter()
                    .map(|b| format!("{} in {}", b.var.name, source(&b.source)))
                    .collect();
                format!("for {}", b.join(", "))
            }
            StatementKind::When(e) => format!("when {}", broken(e, INDENT)),
            StatementKind::Require(e) => format!("require {}", broken(e, INDENT)),
            StatementKind::At(e) => format!("at {}", expr(e, 0)),
            StatementKind::Key(e) => format!("key {}", expr(e, 0)),
            StatementKind::Owner(who, fallback, why) => {
                let mut s = format!("owner {}", expr(who, 0));
                if let Some(f) = fallback {
                    s.push_str(&format!(" else {}", expr(f, 0)));
                }
                if let Some(w) = why {
                    s.push_str(&format!(" {}", string(&w.value)));
                }
                s
            }
            StatementKind::Message(t) => format!("message {}", t.raw),
        };
        for l in line.lines() {
            self.out.push_str(INDENT);
            self.out.push_str(l.trim_end());
            self.out.push('\n');
        }
    }
}

fn text_format(f: &TextFormatDecl) -> String {
    let mut out = format!("matching {}", string(&f.pattern.value));
    if let Some(l) = &f.label {
        out.push(' ');
        out.push_str(&string(&l.value));
    }
    if let Some((field, value)) = &f.when {
        out.push_str(&format!(" when {} == {}", field.name, value.name));
    }
    out
}

fn type_expr(t: &TypeExpr, depth: usize) -> String {
    match t {
        TypeExpr::Named(i) => i.name.clone(),
        TypeExpr::List(inner, _) => format!("[{}]", type_expr(inner, depth)),
        TypeExpr::Ref(c, _) => format!("ref {}", c.name),
        TypeExpr::IntRange(lo, hi, _) => format!("{lo}..{hi}"),
        TypeExpr::Enum(values, _) => {
            let v: Vec<&str> = values.iter().map(|v| v.name.as_str()).collect();
            format!("enum {{ {} }}", v.join(", "))
        }
        TypeExpr::Object(fields, _) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|f| {
                    let formats: String = f
                        .formats
                        .iter()
                        .map(|t| format!(" {}", text_format(t)))
                        .collect();
                    format!(
                        "{}: {}{}{}{formats}",
                        f.name.name,
                        type_expr(&f.ty, depth + 1),
                        if f.optional { "?" } else { "" },
                        if f.personal { " personal" } else { "" }
                    )
                })
                .collect();
            let one = format!("{{ {} }}", parts.join(", "));
            if one.len() <= WIDTH - 20 * depth.min(2) {
                one
            } else {
                let inner = INDENT.repeat(depth + 1);
                let mut s = String::from("{\n");
                for p in parts {
                    s.push_str(&format!("{inner}{p}\n"));
                }
                s.push_str(&INDENT.repeat(depth));
                s.push('}');
                s
            }
        }
    }
}

/// An expression, with a long top-level `and` / `or` chain one operand per
/// line. The first line is not indented; the others start with `indent`.
fn broken(e: &Expr, indent: &str) -> String {
    let one = expr(e, 0);
    if one.len() <= WIDTH {
        return one;
    }
    match &e.kind {
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) => {
            let prec = prec_of(*op);
            let mut s = String::new();
            for (i, it) in chain(e, *op).iter().enumerate() {
                if i > 0 {
                    s.push_str(&format!("\n{indent}{} ", op.symbol()));
                }
                s.push_str(&expr(it, prec + 1));
            }
            s
        }
        ExprKind::Not(inner)
            if matches!(inner.kind, ExprKind::Binary(BinOp::And | BinOp::Or, _, _)) =>
        {
            let deeper = format!("{indent}  ");
            format!("not (\n{deeper}{}\n{indent})", broken(inner, &deeper))
        }
        ExprKind::Quant {
            kind,
            var,
            source: src,
            filter: Some(f),
            body: None,
        } => {
            // `where` on a line of its own, its conditions one per line.
            let mut s = format!(
                "{} {} in {}\n{indent}where ",
                kind.keyword(),
                var.name,
                source(src)
            );
            match &f.kind {
                ExprKind::Binary(BinOp::And, _, _) => {
                    for (i, it) in chain(f, BinOp::And).iter().enumerate() {
                        if i > 0 {
                            s.push_str(&format!("\n{indent}  and "));
                        }
                        s.push_str(&expr(it, 3));
                    }
                }
                _ => s.push_str(&expr(f, 0)),
            }
            s
        }
        _ => one,
    }
}

/// The operands of a left-nested chain of one operator.
fn chain(e: &Expr, op: BinOp) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            let mut v = chain(l, op);
            v.push(r);
            v
        }
        _ => vec![e],
    }
}

fn prec_of(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div => 6,
        _ => 4,
    }
}

fn source(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Range(lo, hi) => format!("{lo}..{hi}"),
        _ => expr(e, 8),
    }
}

/// An expression in a context that binds at least as tightly as `ctx`.
pub fn expr(e: &Expr, ctx: u8) -> String {
    let (s, prec) = match &e.kind {
        ExprKind::Bool(b) => (b.to_string(), 9),
        ExprKind::Int(v) => (v.to_string(), if *v < 0 { 7 } else { 9 }),
        ExprKind::Num(v) => {
            let s = if v.fract() == 0.0 {
                format!("{v:.1}")
            } else {
                v.to_string()
            };
            (s, if v.is_sign_negative() { 7 } else { 9 })
        }
        ExprKind::Str(s) => (string(s), 9),
        ExprKind::Name(n) => (n.clone(), 9),
        ExprKind::Field(b, f) => (format!("{}.{}", expr(b, 8), f.name), 8),
        ExprKind::Nav(b, f) => (format!("{}->{}", expr(b, 8), f.name), 8),
        ExprKind::Call(f, args) => {
            let a: Vec<String> = args.iter().map(|a| expr(a, 0)).collect();
            (format!("{}({})", f.name, a.join(", ")), 9)
        }
        ExprKind::List(items) => {
            let a: Vec<String> = items.iter().map(|a| expr(a, 0)).collect();
            (format!("[{}]", a.join(", ")), 9)
        }
        ExprKind::Range(lo, hi) => (format!("{lo}..{hi}"), 9),
        ExprKind::Neg(x) => (format!("-{}", expr(x, 8)), 7),
        ExprKind::Duration(x, u) => (
            format!(
                "{} {}",
                expr(x, 8),
                match u {
                    Unit::Days => "days",
                    Unit::Hours => "hours",
                }
            ),
            7,
        ),
        // `not not x` needs no brackets: `not` takes `not` or a comparison.
        ExprKind::Not(x) => (format!("not {}", expr(x, 3)), 3),
        ExprKind::Binary(op, l, r) => {
            let p = prec_of(*op);
            if op.is_comparison() {
                (format!("{} {} {}", expr(l, 5), op.symbol(), expr(r, 5)), 4)
            } else {
                // Left-associative: the right operand binds one level tighter.
                (
                    format!("{} {} {}", expr(l, p), op.symbol(), expr(r, p + 1)),
                    p,
                )
            }
        }
        ExprKind::In { elem, set, negated } => (
            format!(
                "{} {}in {}",
                expr(elem, 5),
                if *negated { "not " } else { "" },
                expr(set, 5)
            ),
            4,
        ),
        ExprKind::Is { expr: x, present } => (
            format!(
                "{} is {}",
                expr(x, 5),
                if *present { "present" } else { "absent" }
            ),
            4,
        ),
        ExprKind::Within {
            expr: x,
            amount,
            direction,
            anchor,
        } => (
            format!(
                "{} within {} {} {}",
                expr(x, 5),
                expr(amount, 5),
                if *direction == Direction::After {
                    "after"
                } else {
                    "before"
                },
                expr(anchor, 5)
            ),
            4,
        ),
        ExprKind::Quant {
            kind,
            var,
            source: src,
            filter,
            body,
        } => {
            let mut s = format!("{} {} in {}", kind.keyword(), var.name, source(src));
            if let Some(f) = filter {
                // A filter that is itself a quantifier would swallow our `satisfy`.
                let fctx = if body.is_some() && matches!(f.kind, ExprKind::Quant { .. }) {
                    1
                } else {
                    0
                };
                s.push_str(&format!(" where {}", expr(f, fctx)));
            }
            if let Some(b) = body {
                s.push_str(&format!(" satisfy {}", expr(b, 0)));
            }
            // A quantifier's tail runs to the end of the expression: inside
            // anything else it needs parentheses.
            (s, if ctx == 0 { 10 } else { 0 })
        }
    };
    if prec < ctx {
        format!("({s})")
    } else {
        s
    }
}

pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
