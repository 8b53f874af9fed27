//! The checked IR: what the evaluator runs. Names are resolved, expressions
//! typed, joins planned. Declarative data, so a second backend (SQL) can
//! consume the same tree.

use crate::schema::{CollId, Projection, Schema};
use crate::source::SourceFile;
use crate::violation::RuleInfo;

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Enum(u16),
    /// Nanoseconds.
    Dur(i128),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodAttr {
    Start,
    End,
    Label,
    Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// 1-based position of an enum value in its declaration.
    Rank,
    Coalesce,
    /// `quarter(year, n)`, `month(year, n)`, `year(y)`: a calendar period.
    Period(PeriodKind),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ex {
    Const(Const),
    Param(usize),
    AsOf,
    Var(usize),
    /// A field of a record or object, by its index in the declared type.
    Field(Box<Ex>, usize),
    /// The id of a record.
    Id(Box<Ex>),
    /// Follow a reference to the first record of `CollId` with that id.
    Nav(Box<Ex>, CollId),
    PeriodAttr(Box<Ex>, PeriodAttr),
    Not(Box<Ex>),
    And(Vec<Ex>),
    Or(Vec<Ex>),
    Cmp(CmpOp, Box<Ex>, Box<Ex>),
    Arith(ArithOp, Box<Ex>, Box<Ex>),
    Neg(Box<Ex>),
    /// Element in a list.
    In(Box<Ex>, Box<Ex>),
    /// Instant in a period.
    InPeriod(Box<Ex>, Box<Ex>),
    Present(Box<Ex>),
    /// `t within amount after|before anchor`, exact instants, ends included.
    Within {
        t: Box<Ex>,
        amount: Box<Ex>,
        after: bool,
        anchor: Box<Ex>,
    },
    /// A number of days or hours as a duration.
    Duration(Box<Ex>, i128),
    Quant {
        kind: crate::ast::QuantKind,
        slot: usize,
        source: Source,
        filter: Option<Box<Ex>>,
        body: Option<Box<Ex>>,
    },
    List(Vec<Ex>),
    Call(Builtin, Vec<Ex>),
}

/// Where a quantifier or binder draws its values from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Every record of a collection.
    Scan(CollId),
    /// Records of `coll` whose field `field` (or id, when `None`) equals `key`:
    /// a hash-index lookup planned from an equality in the filter.
    Lookup {
        coll: CollId,
        field: Option<usize>,
        key: Box<Ex>,
    },
    /// Elements of a list value.
    Elements(Box<Ex>),
    Range(i64, i64),
    /// The ended periods of the given kinds, judged at the given instant.
    Periods(Vec<PeriodKind>, Box<Ex>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binder {
    pub slot: usize,
    pub source: Source,
    /// For a binder over a list field: the binder and the field path it
    /// came from, so that a violation can point into it.
    pub origin: Option<(usize, Vec<String>)>,
}

/// A field path from a binder, for the field a violation points at.
#[derive(Debug, Clone, PartialEq)]
pub struct AtPath {
    pub slot: usize,
    /// (field index, field name) at each step.
    pub steps: Vec<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MsgPart {
    Text(String),
    /// A value to show, with its enum when it is one (to print its name).
    Hole(Ex, Option<crate::schema::EnumId>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRule {
    pub info: RuleInfo,
    pub binders: Vec<Binder>,
    pub when: Option<Ex>,
    pub require: Ex,
    pub at: Option<AtPath>,
    pub key: Option<(Ex, Option<crate::schema::EnumId>)>,
    pub owner: Option<Owner>,
    pub message: Vec<MsgPart>,
    pub slots: usize,
    pub params: Vec<usize>,
    /// The requirement's branches, for `comply test --coverage`.
    pub branches: Vec<Branch>,
}

/// Who must act on a violation: the employee (absent when the rule names a
/// department), and the department that answers (the employee's, else the
/// rule's fallback), as values of the owners' department enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub id: Option<Ex>,
    pub department: Ex,
    pub departments: crate::schema::EnumId,
}

/// One way a rule can be violated: a conjunct of `require` that fails, or a
/// disjunct of `require not (…)` that holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The branch as written in the policy.
    pub text: String,
    pub ex: Ex,
    /// The value of `ex` that makes the rule fail.
    pub violating: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntegrityRule {
    pub info: RuleInfo,
    pub kind: crate::data::model::IntegrityKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Num(f64),
    Str(String),
    Bool(bool),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Num(v) => write!(f, "{v}"),
            ParamValue::Str(v) => write!(f, "{v:?}"),
            ParamValue::Bool(v) => write!(f, "{v}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    pub ty: String,
    pub default: ParamValue,
    /// `lo..hi`, both included, for an integer parameter declared so.
    pub range: Option<(i64, i64)>,
}

impl ParamInfo {
    /// Whether `v` is a value this parameter can take.
    pub fn admits(&self, v: &ParamValue) -> bool {
        match (self.range, v) {
            (Some((lo, hi)), ParamValue::Int(n)) => (lo..=hi).contains(n),
            _ => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClauseInfo {
    pub id: String,
    pub text: String,
    pub gloss: Option<String>,
    pub not_checkable: Option<String>,
}

/// A checked policy: everything the loader and the evaluator need.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub name: String,
    pub title: String,
    pub version: String,
    pub sources: Vec<SourceFile>,
    pub schema: Schema,
    pub params: Vec<ParamInfo>,
    pub rules: Vec<CheckedRule>,
    pub integrity: Vec<IntegrityRule>,
    pub clauses: Vec<ClauseInfo>,
    pub projection: Projection,
    /// (collection, field or None for id) pairs the rules look records up by.
    pub indexes: Vec<(CollId, Option<usize>)>,
}
