//! Lowering: pest pairs to the AST. After this module nothing sees a pest type.

use super::{PolicyParser, Rule};
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use pest::iterators::Pair;
use pest::Parser;

pub struct Lowerer<'f> {
    file: &'f SourceFile,
    offset: usize,
    pub diags: Vec<Diagnostic>,
}

type P<'i> = Pair<'i, Rule>;

impl<'f> Lowerer<'f> {
    pub fn new(file: &'f SourceFile, offset: usize) -> Self {
        Lowerer {
            file,
            offset,
            diags: Vec::new(),
        }
    }

    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            span: self.span(&p),
            name: p.as_str().to_string(),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.diags
            .push(Diagnostic::error("syntax", self.file, span, message).with_help(help));
    }

    fn string(&mut self, p: P) -> Option<StrLit> {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        match unescape(inner) {
            Ok(value) => Some(StrLit { value, span }),
            Err(msg) => {
                self.error(
                    span,
                    msg,
                    Some("escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\u{…}`".into()),
                );
                None
            }
        }
    }

    pub fn item(&mut self, p: P) -> Option<Item> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let item = match rule {
            Rule::policy_decl => {
                let name = self.ident(it.next()?);
                let properties = it.map(|p| self.property(p)).collect::<Option<Vec<_>>>()?;
                Item::Header(Header {
                    name,
                    properties,
                    span,
                })
            }
            Rule::param_decl => {
                let name = self.ident(it.next()?);
                let ty_pair = it.next()?.into_inner().next()?;
                let (ty, range) = match ty_pair.as_rule() {
                    Rule::int_range => {
                        let span = self.span(&ty_pair);
                        let mut bounds = ty_pair.into_inner();
                        let lo = self.int(bounds.next()?)?;
                        let hi = self.int(bounds.next()?)?;
                        let ty = Ident {
                            name: "int".into(),
                            span,
                        };
                        (ty, Some((lo, hi)))
                    }
                    _ => (self.ident(ty_pair.into_inner().next()?), None),
                };
                let default = self.literal(it.next()?)?;
                Item::Param(Param {
                    name,
                    ty,
                    range,
                    default,
                    span,
                })
            }
            Rule::enum_decl => {
                let name = self.ident(it.next()?);
                let values = it.next()?.into_inner().map(|p| self.ident(p)).collect();
                Item::Enum(EnumDecl { name, values, span })
            }
            Rule::collection_decl => {
                let name = self.ident(it.next()?);
                let fields = self.object_body(it.next()?)?;
                Item::Collection(CollectionDecl { name, fields, span })
            }
            Rule::def_decl => {
                let name = self.ident(it.next()?);
                let params = it
                    .next()?
                    .into_inner()
                    .map(|p| {
                        let mut i = p.into_inner();
                        let n = self.ident(i.next()?);
                        let t = self.ident(i.next()?.into_inner().next()?);
                        Some((n, t))
                    })
                    .collect::<Option<Vec<_>>>()?;
                let body = self.expr(it.next()?)?;
                Item::Def(Def {
                    name,
                    params,
                    body,
                    span,
                })
            }
            Rule::clause_decl => {
                let id = self.string(it.next()?)?;
                let mut properties = Vec::new();
                let mut not_checkable = None;
                for p in it {
                    let inner = p.into_inner().next()?;
                    match inner.as_rule() {
                        Rule::not_checkable_prop => {
                            not_checkable = Some(self.string(inner.into_inner().next()?)?)
                        }
                        _ => properties.push(self.property(inner)?),
                    }
                }
                Item::Clause(ClauseDecl {
                    id,
                    properties,
                    not_checkable,
                    span,
                })
            }
            Rule::owners_decl => {
                let collection = self.ident(it.next()?);
                let department = self.ident(it.next()?);
                Item::Owners(crate::ast::OwnersDecl {
                    collection,
                    department,
                    span,
                })
            }
            Rule::rule_decl | Rule::integrity_decl => {
                let kind = if rule == Rule::rule_decl {
                    RuleKind::Rule
                } else {
                    RuleKind::Integrity
                };
                let code = self.ident(it.next()?);
                let name = self.ident(it.next()?);
                let statements = it.map(|p| self.statement(p)).collect::<Option<Vec<_>>>()?;
                Item::Rule(crate::ast::Rule {
                    kind,
                    code,
                    name,
                    statements,
                    span,
                })
            }
            _ => return None,
        };
        Some(item)
    }

    fn property(&mut self, p: P) -> Option<Property> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let key = self.ident(it.next()?);
        let value = self.string(it.next()?)?;
        Some(Property { key, value, span })
    }

    fn object_body(&mut self, p: P) -> Option<Vec<FieldDecl>> {
        p.into_inner().map(|f| self.field_decl(f)).collect()
    }

    fn field_decl(&mut self, p: P) -> Option<FieldDecl> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(it.next()?);
        let ty = self.type_expr(it.next()?)?;
        let (mut optional, mut personal) = (false, false);
        let mut formats = Vec::new();
        for mark in it {
            match mark.as_rule() {
                Rule::optional => optional = true,
                Rule::personal => personal = true,
                Rule::text_format => formats.push(self.text_format(mark)?),
                _ => {}
            }
        }
        Some(FieldDecl {
            name,
            ty,
            optional,
            personal,
            formats,
            span,
        })
    }

    fn text_format(&mut self, p: P) -> Option<TextFormatDecl> {
        let mut span = self.span(&p);
        let (mut pattern, mut label, mut when) = (None, None, None);
        for part in p.into_inner() {
            // The pair's own span may run over the whitespace after it.
            span.end = self.span(&part).end;
            match part.as_rule() {
                Rule::string if pattern.is_none() => pattern = Some(self.string(part)?),
                Rule::string => label = Some(self.string(part)?),
                Rule::format_when => {
                    let mut w = part.into_inner().filter(|p| p.as_rule() == Rule::ident);
                    let field = self.ident(w.next()?);
                    let value = self.ident(w.next()?);
                    when = Some((field, value));
                }
                _ => {}
            }
        }
        Some(TextFormatDecl {
            pattern: pattern?,
            label,
            when,
            span,
        })
    }

    fn type_expr(&mut self, p: P) -> Option<TypeExpr> {
        let inner = p.into_inner().next()?;
        let span = self.span(&inner);
        Some(match inner.as_rule() {
            Rule::list_type => {
                TypeExpr::List(Box::new(self.type_expr(inner.into_inner().next()?)?), span)
            }
            Rule::object_body => TypeExpr::Object(self.object_body(inner)?, span),
            Rule::inline_enum => TypeExpr::Enum(
                inner
                    .into_inner()
                    .next()?
                    .into_inner()
                    .map(|p| self.ident(p))
                    .collect(),
                span,
            ),
            Rule::ref_type => TypeExpr::Ref(self.ident(inner.into_inner().next()?), span),
            Rule::int_range => {
                let mut it = inner.into_inner();
                let lo = self.int(it.next()?)?;
                let hi = self.int(it.next()?)?;
                TypeExpr::IntRange(lo, hi, span)
            }
            Rule::type_name => TypeExpr::Named(self.ident(inner.into_inner().next()?)),
            _ => return None,
        })
    }

    fn int(&mut self, p: P) -> Option<i64> {
        let span = self.span(&p);
        match p.as_str().parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.error(
                    span,
                    format!("integer `{}` is out of range", p.as_str()),
                    Some("integers are 64-bit".into()),
                );
                None
            }
        }
    }

    fn statement(&mut self, p: P) -> Option<Statement> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let kind = match rule {
            Rule::severity_stmt => StatementKind::Severity(self.ident(it.next()?)),
            Rule::clause_stmt => {
                let id = self.string(it.next()?)?;
                let quote = match it.next() {
                    Some(q) => Some(self.string(q)?),
                    None => None,
                };
                StatementKind::Clause(id, quote)
            }
            Rule::gloss_stmt => StatementKind::Gloss(self.string(it.next()?)?),
            Rule::for_stmt => StatementKind::For(
                it.map(|b| {
                    let bspan = self.span(&b);
                    let mut bi = b.into_inner();
                    let var = self.ident(bi.next()?);
                    let source = self.source(bi.next()?)?;
                    Some(Binder {
                        var,
                        source,
                        span: bspan,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
            ),
            Rule::when_stmt => StatementKind::When(self.expr(it.next()?)?),
            Rule::require_stmt => StatementKind::Require(self.expr(it.next()?)?),
            Rule::at_stmt => StatementKind::At(self.expr(it.next()?)?),
            Rule::key_stmt => StatementKind::Key(self.expr(it.next()?)?),
            Rule::owner_stmt => {
                let who = self.expr(it.next()?)?;
                let (mut fallback, mut why) = (None, None);
                for p in it {
                    match p.as_rule() {
                        // `else` is a token of its own; the fallback follows it.
                        Rule::else_word => {}
                        Rule::string => why = Some(self.string(p)?),
                        _ => fallback = Some(self.expr(p)?),
                    }
                }
                StatementKind::Owner(who, fallback, why)
            }
            Rule::message_stmt => StatementKind::Message(self.template(it.next()?)?),
            Rule::checks_stmt => StatementKind::Checks(self.ident(it.next()?)),
            _ => return None,
        };
        Some(Statement { kind, span })
    }

    fn template(&mut self, p: P) -> Option<Template> {
        let span = self.span(&p);
        let raw = p.as_str().to_string();
        let inner = p.into_inner().next()?;
        let body_offset = self.offset + inner.as_span().start();
        let body = inner.as_str();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        let bytes = body.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b'{' if bytes.get(i + 1) == Some(&b'{') => {
                    text.push('{');
                    i += 2;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    text.push('}');
                    i += 2;
                }
                b'{' => {
                    let Some(close) = body[i..].find('}') else {
                        self.error(
                            Span::new(body_offset + i, body_offset + i + 1),
                            "unclosed `{` in message",
                            Some("write `{{` for a literal brace".into()),
                        );
                        return None;
                    };
                    let hole = &body[i + 1..i + close];
                    let hole_offset = body_offset + i + 1;
                    if !text.is_empty() {
                        parts.push(TemplatePart::Text(
                            unescape(&std::mem::take(&mut text)).ok()?,
                        ));
                    }
                    match PolicyParser::parse(Rule::expr_only, hole) {
                        Ok(mut pairs) => {
                            let e = pairs.find(|p| p.as_rule() == Rule::expr)?;
                            let mut sub = Lowerer::new(self.file, hole_offset);
                            let expr = sub.expr(e);
                            self.diags.append(&mut sub.diags);
                            parts.push(TemplatePart::Hole(expr?));
                        }
                        Err(e) => {
                            self.diags.push(super::errors::from_pest(
                                self.file,
                                hole_offset,
                                hole,
                                e,
                            ));
                            return None;
                        }
                    }
                    i += close + 1;
                }
                b'\\' => {
                    // `\u{…}` is an escape, not a hole: copy it whole.
                    let n = if body[i..].starts_with("\\u{") {
                        body[i..].find('}').map_or(2, |j| j + 1)
                    } else {
                        body[i..].chars().nth(1).map_or(1, |c| 1 + c.len_utf8())
                    };
                    text.push_str(&body[i..i + n]);
                    i += n;
                }
                _ => {
                    let c = body[i..].chars().next()?;
                    text.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !text.is_empty() {
            match unescape(&text) {
                Ok(t) => parts.push(TemplatePart::Text(t)),
                Err(m) => {
                    self.error(span, m, None);
                    return None;
                }
            }
        }
        Some(Template { parts, raw, span })
    }

    fn source(&mut self, p: P) -> Option<Expr> {
        let inner = p.into_inner().next()?;
        match inner.as_rule() {
            Rule::range => self.range(inner),
            _ => self.expr(inner),
        }
    }

    fn range(&mut self, p: P) -> Option<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let lo = self.int(it.next()?)?;
        let hi = self.int(it.next()?)?;
        Some(Expr {
            kind: ExprKind::Range(lo, hi),
            span,
        })
    }

    fn literal(&mut self, p: P) -> Option<Expr> {
        let span = self.span(&p);
        let inner = if p.as_rule() == Rule::literal {
            p.into_inner().next()?
        } else {
            p
        };
        let kind = match inner.as_rule() {
            Rule::integer => ExprKind::Int(self.int(inner)?),
            Rule::number => match inner.as_str().parse::<f64>() {
                Ok(v) if v.is_finite() => ExprKind::Num(v),
                _ => {
                    self.error(
                        span,
                        format!("number `{}` is out of range", inner.as_str()),
                        None,
                    );
                    return None;
                }
            },
            Rule::string => ExprKind::Str(self.string(inner)?.value),
            Rule::boolean => ExprKind::Bool(inner.as_str() == "true"),
            _ => return None,
        };
        Some(Expr { kind, span })
    }

    /// Any expression-level pair.
    pub fn expr(&mut self, p: P) -> Option<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr => self.expr(p.into_inner().next()?),
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                let mut it = p.into_inner();
                let mut lhs = self.expr(it.next()?)?;
                while let Some(op) = it.next() {
                    let op = match op.as_str() {
                        "or" => BinOp::Or,
                        "and" => BinOp::And,
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        _ => BinOp::Div,
                    };
                    let rhs = self.expr(it.next()?)?;
                    let span = lhs.span.join(rhs.span);
                    lhs = Expr {
                        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                        span,
                    };
                }
                Some(lhs)
            }
            Rule::not_expr => {
                let mut it = p.into_inner().peekable();
                let mut nots = Vec::new();
                while it.peek().is_some_and(|p| p.as_rule() == Rule::not_op) {
                    nots.push(self.span(&it.next()?));
                }
                let mut e = self.expr(it.next()?)?;
                for s in nots.into_iter().rev() {
                    let span = s.join(e.span);
                    e = Expr {
                        kind: ExprKind::Not(Box::new(e)),
                        span,
                    };
                }
                Some(e)
            }
            Rule::cmp_expr => {
                let mut it = p.into_inner();
                let lhs = self.expr(it.next()?)?;
                let Some(tail) = it.next() else {
                    return Some(lhs);
                };
                let trule = tail.as_rule();
                let mut ti = tail.into_inner();
                let kind = match trule {
                    Rule::cmp_op_tail => {
                        let op = match ti.next()?.as_str() {
                            "==" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<=" => BinOp::Le,
                            ">=" => BinOp::Ge,
                            "<" => BinOp::Lt,
                            _ => BinOp::Gt,
                        };
                        ExprKind::Binary(op, Box::new(lhs), Box::new(self.expr(ti.next()?)?))
                    }
                    Rule::is_tail => ExprKind::Is {
                        expr: Box::new(lhs),
                        present: ti.next()?.as_str() == "present",
                    },
                    Rule::in_tail | Rule::not_in_tail => ExprKind::In {
                        elem: Box::new(lhs),
                        set: Box::new(self.expr(ti.next()?)?),
                        negated: trule == Rule::not_in_tail,
                    },
                    Rule::within_tail => {
                        let amount = self.expr(ti.next()?)?;
                        let direction = if ti.next()?.as_str() == "after" {
                            Direction::After
                        } else {
                            Direction::Before
                        };
                        let anchor = self.expr(ti.next()?)?;
                        ExprKind::Within {
                            expr: Box::new(lhs),
                            amount: Box::new(amount),
                            direction,
                            anchor: Box::new(anchor),
                        }
                    }
                    _ => return None,
                };
                Some(Expr { kind, span })
            }
            Rule::unary => {
                let mut it = p.into_inner().peekable();
                let neg = it.peek().is_some_and(|p| p.as_rule() == Rule::neg_op);
                if neg {
                    it.next();
                }
                let mut e = self.expr(it.next()?)?;
                if let Some(unit) = it.next() {
                    let u = if unit.as_str() == "days" {
                        Unit::Days
                    } else {
                        Unit::Hours
                    };
                    let uspan = e.span.join(self.span(&unit));
                    e = Expr {
                        kind: ExprKind::Duration(Box::new(e), u),
                        span: uspan,
                    };
                }
                if neg {
                    e = match e.kind {
                        ExprKind::Int(v) => Expr {
                            kind: ExprKind::Int(-v),
                            span,
                        },
                        ExprKind::Num(v) => Expr {
                            kind: ExprKind::Num(-v),
                            span,
                        },
                        _ => Expr {
                            kind: ExprKind::Neg(Box::new(e)),
                            span,
                        },
                    };
                }
                Some(e)
            }
            Rule::postfix => {
                let mut it = p.into_inner();
                let mut e = self.expr(it.next()?)?;
                for access in it {
                    let aspan = self.span(&access);
                    let nav = access.as_rule() == Rule::nav_access;
                    let field = self.ident(access.into_inner().next()?);
                    let span = e.span.join(aspan);
                    e = Expr {
                        kind: if nav {
                            ExprKind::Nav(Box::new(e), field)
                        } else {
                            ExprKind::Field(Box::new(e), field)
                        },
                        span,
                    };
                }
                Some(e)
            }
            Rule::quantifier => {
                let mut it = p.into_inner();
                let kind = match it.next()?.as_str() {
                    "exists" => QuantKind::Exists,
                    "all" => QuantKind::All,
                    "count" => QuantKind::Count,
                    _ => QuantKind::No,
                };
                let var = self.ident(it.next()?);
                let source = self.source(it.next()?)?;
                let (mut filter, mut body) = (None, None);
                for part in it {
                    let is_filter = part.as_rule() == Rule::quant_filter;
                    let e = Box::new(self.expr(part.into_inner().next()?)?);
                    if is_filter {
                        filter = Some(e);
                    } else {
                        body = Some(e);
                    }
                }
                Some(Expr {
                    kind: ExprKind::Quant {
                        kind,
                        var,
                        source: Box::new(source),
                        filter,
                        body,
                    },
                    span,
                })
            }
            Rule::call => {
                let mut it = p.into_inner();
                let name = self.ident(it.next()?);
                let args = it.map(|a| self.expr(a)).collect::<Option<Vec<_>>>()?;
                Some(Expr {
                    kind: ExprKind::Call(name, args),
                    span,
                })
            }
            Rule::list_lit => {
                let items = p
                    .into_inner()
                    .map(|a| self.expr(a))
                    .collect::<Option<Vec<_>>>()?;
                Some(Expr {
                    kind: ExprKind::List(items),
                    span,
                })
            }
            Rule::literal => self.literal(p),
            Rule::ident => Some(Expr {
                kind: ExprKind::Name(p.as_str().to_string()),
                span,
            }),
            Rule::source => self.source(p),
            Rule::range => self.range(p),
            _ => None,
        }
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('{') => out.push('{'),
            Some('}') => out.push('}'),
            Some('u') => {
                let rest: String = chars.clone().collect();
                let Some(body) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) else {
                    return Err("expected `\\u{…}` with hex digits".into());
                };
                let ch = u32::from_str_radix(body.0, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("`\\u{{{}}}` is not a unicode scalar value", body.0))?;
                out.push(ch);
                for _ in 0..body.0.len() + 2 {
                    chars.next();
                }
            }
            Some(other) => return Err(format!("unknown escape `\\{other}`")),
            None => return Err("string ends with `\\`".into()),
        }
    }
    Ok(out)
}
