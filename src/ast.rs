//! The policy's abstract syntax tree. Every node keeps its span in the policy file.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// A parsed policy file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    pub items: Vec<Item>,
    /// Comments with their spans, kept for the formatter.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
    /// Followed by a blank line, which the formatter keeps.
    pub blank_after: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Header(Header),
    Param(Param),
    Enum(EnumDecl),
    Collection(CollectionDecl),
    Def(Def),
    Clause(ClauseDecl),
    Rule(Rule),
    Owners(OwnersDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Header(x) => x.span,
            Item::Param(x) => x.span,
            Item::Enum(x) => x.span,
            Item::Collection(x) => x.span,
            Item::Def(x) => x.span,
            Item::Clause(x) => x.span,
            Item::Rule(x) => x.span,
            Item::Owners(x) => x.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub name: Ident,
    pub properties: Vec<Property>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub key: Ident,
    pub value: StrLit,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    /// `int` for a range.
    pub ty: Ident,
    /// `lo..hi`, both included: the values the parameter can mean.
    pub range: Option<(i64, i64)>,
    pub default: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub values: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CollectionDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub optional: bool,
    /// Marked `personal`: its values are masked in redacted reports.
    pub personal: bool,
    /// `matching "…"` clauses: text formats the value must have.
    pub formats: Vec<TextFormatDecl>,
    pub span: Span,
}

/// `matching "[0-9]{4}-Q[1-4]" "YYYY-Qn" when period == quarterly`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextFormatDecl {
    /// A regular expression the whole value must match.
    pub pattern: StrLit,
    /// The format's name in messages (`YYYY-Qn`).
    pub label: Option<StrLit>,
    /// The sibling field and the enum value for which the format holds.
    pub when: Option<(Ident, Ident)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `string`, `int`, `time`, … or the name of a declared enum.
    Named(Ident),
    List(Box<TypeExpr>, Span),
    Object(Vec<FieldDecl>, Span),
    Enum(Vec<Ident>, Span),
    Ref(Ident, Span),
    IntRange(i64, i64, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) => i.span,
            TypeExpr::List(_, s)
            | TypeExpr::Object(_, s)
            | TypeExpr::Enum(_, s)
            | TypeExpr::Ref(_, s)
            | TypeExpr::IntRange(_, _, s) => *s,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Def {
    pub name: Ident,
    pub params: Vec<(Ident, Ident)>,
    pub body: Expr,
    pub span: Span,
}

/// `owners employees by department`: the collection a rule's `owner` names
/// and its field that gives the department answering for a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnersDecl {
    pub collection: Ident,
    pub department: Ident,
    pub span: Span,
}

/// A clause of the regulation: its text, and why it has no rule if it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseDecl {
    pub id: StrLit,
    pub properties: Vec<Property>,
    pub not_checkable: Option<StrLit>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `rule`: a condition over records, written in the policy.
    Rule,
    /// `integrity`: a schema-derived check (CD001-CD004) the engine performs.
    Integrity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub kind: RuleKind,
    pub code: Ident,
    pub name: Ident,
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    Severity(Ident),
    Clause(StrLit, Option<StrLit>),
    Gloss(StrLit),
    For(Vec<Binder>),
    When(Expr),
    Require(Expr),
    At(Expr),
    Key(Expr),
    /// Who must act: an employee (or a department), and the department
    /// that answers when it names none.
    Owner(Expr, Option<Expr>, Option<StrLit>),
    Message(Template),
    Checks(Ident),
}

impl StatementKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            StatementKind::Severity(_) => "severity",
            StatementKind::Clause(..) => "clause",
            StatementKind::Gloss(_) => "gloss",
            StatementKind::For(_) => "for",
            StatementKind::When(_) => "when",
            StatementKind::Require(_) => "require",
            StatementKind::At(_) => "at",
            StatementKind::Key(_) => "key",
            StatementKind::Owner(..) => "owner",
            StatementKind::Message(_) => "message",
            StatementKind::Checks(_) => "checks",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binder {
    pub var: Ident,
    pub source: Expr,
    pub span: Span,
}

/// A message template: text with `{expr}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    /// The raw literal, quotes included, as written.
    pub raw: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Hole(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantKind {
    Exists,
    All,
    Count,
    No,
}

impl QuantKind {
    pub fn keyword(self) -> &'static str {
        match self {
            QuantKind::Exists => "exists",
            QuantKind::All => "all",
            QuantKind::Count => "count",
            QuantKind::No => "no",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Days,
    Hours,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    After,
    Before,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    /// A variable, parameter, collection, enum value or `as_of`.
    Name(String),
    Field(Box<Expr>, Ident),
    /// `r->field`: follow a reference to its record, then read a field.
    Nav(Box<Expr>, Ident),
    Call(Ident, Vec<Expr>),
    List(Vec<Expr>),
    Range(i64, i64),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    In {
        elem: Box<Expr>,
        set: Box<Expr>,
        negated: bool,
    },
    Is {
        expr: Box<Expr>,
        present: bool,
    },
    Within {
        expr: Box<Expr>,
        amount: Box<Expr>,
        direction: Direction,
        anchor: Box<Expr>,
    },
    Duration(Box<Expr>, Unit),
    Quant {
        kind: QuantKind,
        var: Ident,
        source: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Option<Box<Expr>>,
    },
}
