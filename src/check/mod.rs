//! The checker: resolves every name against the declared schema, types every
//! expression, plans joins, and lowers the AST to the IR the evaluator runs.

mod expr;
pub mod ir;
mod owners;
mod schema_decl;
pub mod types;

use crate::ast::{self, Item, RuleKind, StatementKind};
use crate::data::model::IntegrityKind;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::schema::{CollId, Need, Projection, Schema};
use crate::source::{SourceFile, Span};
use crate::violation::{ClauseRef, PolicyLocation, RuleInfo, Severity};
use ir::*;
use std::collections::{BTreeSet, HashMap};
use types::Ty;

/// A name in scope while checking an expression.
#[derive(Debug, Clone)]
enum Binding {
    Var {
        slot: usize,
        ty: Ty,
    },
    /// A predicate's argument, substituted where the predicate is used.
    Arg {
        ex: Ex,
        ty: Ty,
    },
}

pub(crate) struct Checker<'a> {
    files: &'a [SourceFile],
    file: usize,
    pub diags: Vec<Diagnostic>,
    schema: Schema,
    params: Vec<(ParamInfo, Ty, Span, usize, bool)>,
    defs: HashMap<String, (usize, &'a ast::Def)>,
    projection: Projection,
    indexes: BTreeSet<(CollId, Option<usize>)>,
    scope: Vec<(String, Binding)>,
    slots: usize,
    def_stack: Vec<String>,
    /// Above zero while re-checking a predicate body at a call site: its
    /// errors were already reported where it is defined.
    quiet: usize,
    used_defs: BTreeSet<String>,
    rule_params: BTreeSet<usize>,
    /// `owners COLLECTION by FIELD`: the collection's name and id, and the
    /// department field (by name) and its enum.
    owners: Option<(String, CollId, String, crate::schema::EnumId)>,
    /// Whether the policy declares `owners`, resolved or not.
    owners_declared: bool,
}

/// Checks the parsed policy files as one policy.
pub fn check(files: &[SourceFile], policies: &[ast::Policy]) -> (Program, Vec<Diagnostic>) {
    let mut c = Checker {
        files,
        file: 0,
        diags: Vec::new(),
        schema: Schema::default(),
        params: Vec::new(),
        defs: HashMap::new(),
        projection: Projection::default(),
        indexes: BTreeSet::new(),
        scope: Vec::new(),
        slots: 0,
        def_stack: Vec::new(),
        quiet: 0,
        used_defs: BTreeSet::new(),
        rule_params: BTreeSet::new(),
        owners: None,
        owners_declared: false,
    };
    let items: Vec<(usize, &Item)> = policies
        .iter()
        .enumerate()
        .flat_map(|(f, p)| p.items.iter().map(move |i| (f, i)))
        .collect();
    let mut program = Program {
        sources: files.to_vec(),
        ..Program::default()
    };
    c.header(&items, &mut program);
    c.schema(&items);
    c.projection = Projection {
        collections: c
            .schema
            .collections
            .iter()
            .map(|k| Need::none(&k.record))
            .collect(),
    };
    c.params_decl(&items);
    c.owners_decl(&items);
    c.defs_decl(&items);
    program.clauses = c.clauses(&items);
    c.rules(&items, &mut program);
    c.unused();
    program.schema = c.schema.clone();
    program.params = c.params.iter().map(|p| p.0.clone()).collect();
    program.projection = c.projection.clone();
    program.indexes = c.indexes.iter().copied().collect();
    let mut diags = c.diags;
    diags.sort_by_key(|d| (d.file.name.clone(), d.span.start, d.message.clone()));
    (program, diags)
}

impl<'a> Checker<'a> {
    fn src(&self) -> &SourceFile {
        &self.files[self.file]
    }

    pub(crate) fn err(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        if self.quiet > 0 {
            return;
        }
        let d = Diagnostic::error(code, self.src(), span, message)
            .label(label)
            .with_help(help);
        self.diags.push(d);
    }

    fn warn(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let d = Diagnostic::warning(code, self.src(), span, message)
            .label(label)
            .with_help(help);
        self.diags.push(d);
    }

    /// `what name` is declared again at `span`, first at `first` (same file).
    pub(crate) fn declared_twice(
        &mut self,
        code: &'static str,
        what: &str,
        name: &str,
        span: Span,
        first: Span,
    ) {
        let d = Diagnostic::error(
            code,
            self.src(),
            span,
            format!("{what} `{name}` is declared twice"),
        )
        .label("declared again")
        .related(first, "first declared here");
        self.diags.push(d);
    }

    fn header(&mut self, items: &[(usize, &'a Item)], program: &mut Program) {
        let mut seen: Option<Span> = None;
        for (f, item) in items {
            let Item::Header(h) = item else { continue };
            self.file = *f;
            if let Some(first) = seen {
                let d = Diagnostic::error(
                    "duplicate-header",
                    self.src(),
                    h.name.span,
                    "the policy header is given twice",
                )
                .label("second header")
                .help("keep one `policy` block per policy");
                let d = if *f == 0 {
                    d.related(first, "first header")
                } else {
                    d
                };
                self.diags.push(d);
                continue;
            }
            seen = Some(h.span);
            program.name = h.name.name.clone();
            for p in &h.properties {
                match p.key.name.as_str() {
                    "title" => program.title = p.value.value.clone(),
                    "version" => program.version = p.value.value.clone(),
                    "description" => {}
                    other => {
                        let help = did_you_mean(other, ["title", "version", "description"]);
                        self.err(
                            "unknown-property",
                            p.key.span,
                            format!("unknown policy property `{other}`"),
                            "not a property",
                            help,
                        );
                    }
                }
            }
        }
        if program.name.is_empty() {
            program.name = self
                .files
                .first()
                .map(|f| f.name.clone())
                .unwrap_or_default();
        }
    }

    fn params_decl(&mut self, items: &[(usize, &'a Item)]) {
        for (f, item) in items {
            let Item::Param(p) = item else { continue };
            self.file = *f;
            if let Some(prev) = self.params.iter().find(|x| x.0.name == p.name.name) {
                let first = prev.2;
                self.declared_twice(
                    "duplicate-param",
                    "parameter",
                    &p.name.name,
                    p.name.span,
                    first,
                );
                continue;
            }
            let (ty, default) = match (p.ty.name.as_str(), &p.default.kind) {
                ("int", ast::ExprKind::Int(v)) => (Ty::Int, ParamValue::Int(*v)),
                ("number", ast::ExprKind::Int(v)) => (Ty::Num, ParamValue::Num(*v as f64)),
                ("number", ast::ExprKind::Num(v)) => (Ty::Num, ParamValue::Num(*v)),
                ("string", ast::ExprKind::Str(v)) => (Ty::Str, ParamValue::Str(v.clone())),
                ("bool", ast::ExprKind::Bool(v)) => (Ty::Bool, ParamValue::Bool(*v)),
                (t @ ("int" | "number" | "string" | "bool"), _) => {
                    self.err(
                        "type-mismatch",
                        p.default.span,
                        format!(
                            "default of parameter `{}` is not of type `{t}`",
                            p.name.name
                        ),
                        "wrong type",
                        Some(format!(
                            "give {} literal",
                            Ty::param(t).map_or_else(String::new, |x| x.describe(&self.schema))
                        )),
                    );
                    // Still declared, with its type, so that its uses do
                    // not report it unknown as well.
                    let Some(ty) = Ty::param(t) else { continue };
                    (ty, ParamValue::Bool(false))
                }
                (other, _) => {
                    let help =
                        did_you_mean(other, ["int", "number", "string", "bool"]).or_else(|| {
                            Some("parameters are `int`, `number`, `string` or `bool`".into())
                        });
                    self.err(
                        "unknown-type",
                        p.ty.span,
                        format!("unknown parameter type `{other}`"),
                        "not a parameter type",
                        help,
                    );
                    (Ty::Error, ParamValue::Bool(false))
                }
            };
            let info = ParamInfo {
                name: p.name.name.clone(),
                ty: p
                    .range
                    .map_or_else(|| p.ty.name.clone(), |(lo, hi)| format!("{lo}..{hi}")),
                default,
                range: p.range,
            };
            if let Some((lo, hi)) = p.range {
                if lo > hi {
                    self.err(
                        "empty-range",
                        p.ty.span,
                        format!(
                            "the range `{lo}..{hi}` of parameter `{}` is empty",
                            p.name.name
                        ),
                        "low end above high end",
                        Some(format!("write `{hi}..{lo}`")),
                    );
                } else if !info.admits(&info.default) {
                    self.err(
                        "type-mismatch",
                        p.default.span,
                        format!(
                            "default of parameter `{}` is outside its range `{lo}..{hi}`",
                            p.name.name
                        ),
                        "out of range",
                        None,
                    );
                }
            }
            self.params.push((info, ty, p.name.span, *f, false));
        }
    }

    fn defs_decl(&mut self, items: &[(usize, &'a Item)]) {
        for (f, item) in items {
            let Item::Def(d) = item else { continue };
            self.file = *f;
            if let Some((pf, prev)) = self.defs.get(&d.name.name) {
                let mut diag = Diagnostic::error(
                    "duplicate-def",
                    self.src(),
                    d.name.span,
                    format!("predicate `{}` is defined twice", d.name.name),
                )
                .label("defined again");
                if *pf == *f {
                    diag = diag.related(prev.name.span, "first defined here");
                }
                self.diags.push(diag);
                continue;
            }
            self.defs.insert(d.name.name.clone(), (*f, d));
        }
        // Check each body once on its own, with its parameters as variables,
        // so that its errors are reported once, where it is written.
        let mut defs: Vec<_> = self.defs.values().map(|(f, d)| (*f, *d)).collect();
        defs.sort_by_key(|(f, d)| (*f, d.span.start));
        for (f, d) in defs {
            self.file = f;
            self.scope.clear();
            self.slots = 0;
            let mut ok = true;
            for (name, ty) in &d.params {
                match self.param_type(ty) {
                    Some(t) => {
                        let slot = self.slots;
                        self.slots += 1;
                        self.scope
                            .push((name.name.clone(), Binding::Var { slot, ty: t }));
                    }
                    None => ok = false,
                }
            }
            if ok {
                self.def_stack.push(d.name.name.clone());
                let (_, ty) = self.expr(&d.body, None);
                self.def_stack.pop();
                self.expect_bool(&ty, d.body.span, "a predicate's body");
            }
            self.scope.clear();
        }
    }

    /// The type a predicate parameter is declared with.
    fn param_type(&mut self, ty: &ast::Ident) -> Option<Ty> {
        let t = match ty.name.as_str() {
            "int" => Ty::Int,
            "number" => Ty::Num,
            "string" => Ty::Str,
            "bool" => Ty::Bool,
            "time" => Ty::Time,
            "duration" => Ty::Dur,
            "period" => Ty::Period,
            name => {
                if let Some(c) = self.schema.collection(name) {
                    Ty::Rec(c)
                } else if let Some(e) = self.schema.enums.iter().position(|e| e.name == name) {
                    Ty::Enum(e)
                } else {
                    let names: Vec<String> = [
                        "int", "number", "string", "bool", "time", "duration", "period",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(self.schema.collections.iter().map(|c| c.name.clone()))
                    .chain(self.schema.enums.iter().map(|e| e.name.clone()))
                    .collect();
                    let help = did_you_mean(name, names.iter().map(String::as_str));
                    self.err(
                        "unknown-type",
                        ty.span,
                        format!("unknown type `{name}`"),
                        "not a type",
                        help,
                    );
                    return None;
                }
            }
        };
        Some(t)
    }

    fn clauses(&mut self, items: &[(usize, &'a Item)]) -> Vec<ClauseInfo> {
        let mut out: Vec<(ClauseInfo, Span)> = Vec::new();
        for (f, item) in items {
            let Item::Clause(c) = item else { continue };
            self.file = *f;
            if let Some((_, first)) = out.iter().find(|(x, _)| x.id == c.id.value) {
                let first = *first;
                self.declared_twice("duplicate-clause", "clause", &c.id.value, c.id.span, first);
                continue;
            }
            let mut info = ClauseInfo {
                id: c.id.value.clone(),
                text: String::new(),
                gloss: None,
                not_checkable: c.not_checkable.as_ref().map(|s| s.value.clone()),
            };
            for p in &c.properties {
                match p.key.name.as_str() {
                    "text" => info.text = p.value.value.clone(),
                    "gloss" => info.gloss = Some(p.value.value.clone()),
                    other => {
                        let help = did_you_mean(other, ["text", "gloss"]);
                        self.err(
                            "unknown-property",
                            p.key.span,
                            format!("unknown clause property `{other}`"),
                            "not a property",
                            help,
                        );
                    }
                }
            }
            if info.text.is_empty() {
                self.err(
                    "missing-clause-text",
                    c.id.span,
                    format!("clause `{}` has no text", c.id.value),
                    "no `text`",
                    Some("quote the regulation: `text \"…\"`".into()),
                );
            }
            out.push((info, c.id.span));
        }
        out.into_iter().map(|(c, _)| c).collect()
    }

    fn rules(&mut self, items: &[(usize, &'a Item)], program: &mut Program) {
        let mut codes: HashMap<String, (usize, Span)> = HashMap::new();
        let mut names: HashMap<String, (usize, Span)> = HashMap::new();
        for (f, item) in items {
            let Item::Rule(r) = item else { continue };
            self.file = *f;
            for (map, id, what) in [(&mut codes, &r.code, "code"), (&mut names, &r.name, "name")] {
                if let Some(&(pf, first)) = map.get(&id.name) {
                    let mut d = Diagnostic::error(
                        "duplicate-rule",
                        &self.files[*f],
                        id.span,
                        format!("rule {what} `{}` is used twice", id.name),
                    )
                    .label("used again")
                    .help(format!("every rule needs its own {what}"));
                    if pf == *f {
                        d = d.related(first, "first used here");
                    }
                    self.diags.push(d);
                } else {
                    map.insert(id.name.clone(), (*f, id.span));
                }
            }
            match r.kind {
                RuleKind::Rule => {
                    if let Some(rule) = self.rule(r, &program.clauses) {
                        program.rules.push(rule);
                    }
                }
                RuleKind::Integrity => {
                    if let Some(rule) = self.integrity(r, &program.clauses) {
                        program.integrity.push(rule);
                    }
                }
            }
        }
    }

    /// The statements common to rules and integrity checks.
    fn rule_info(
        &mut self,
        r: &ast::Rule,
        clauses: &[ClauseInfo],
        collection: String,
    ) -> Option<RuleInfo> {
        let mut severity = None;
        let mut refs = Vec::new();
        let mut gloss = None;
        let mut ok = true;
        for s in &r.statements {
            match &s.kind {
                StatementKind::Severity(id) => {
                    severity = match id.name.as_str() {
                        "error" => Some(Severity::Error),
                        "warning" => Some(Severity::Warning),
                        "info" => Some(Severity::Info),
                        other => {
                            let help = did_you_mean(other, ["error", "warning", "info"]);
                            self.err(
                                "unknown-severity",
                                id.span,
                                format!("unknown severity `{other}`"),
                                "not a severity",
                                help.or_else(|| {
                                    Some("severities are `error`, `warning` and `info`".into())
                                }),
                            );
                            ok = false;
                            None
                        }
                    }
                }
                StatementKind::Clause(id, quote) => {
                    let declared = clauses.iter().find(|c| c.id == id.value);
                    if declared.is_none() && !clauses.is_empty() {
                        let help = did_you_mean(&id.value, clauses.iter().map(|c| c.id.as_str()));
                        self.err(
                            "unknown-clause",
                            id.span,
                            format!("unknown clause `{}`", id.value),
                            "not declared",
                            help.or_else(|| {
                                Some("declare it with `clause \"…\" { text \"…\" }`".into())
                            }),
                        );
                        ok = false;
                    }
                    let text = quote
                        .as_ref()
                        .map(|q| q.value.clone())
                        .or_else(|| declared.map(|c| c.text.clone()))
                        .unwrap_or_default();
                    refs.push(ClauseRef {
                        id: id.value.clone(),
                        text,
                    });
                }
                StatementKind::Gloss(g) => gloss = Some(g.value.clone()),
                _ => {}
            }
        }
        let head = Span::new(r.span.start, r.name.span.end);
        if severity.is_none() && ok {
            self.err(
                "missing-severity",
                head,
                format!("rule `{}` has no severity", r.code.name),
                "no `severity`",
                Some("add `severity error`, `severity warning` or `severity info`".into()),
            );
            ok = false;
        }
        if refs.is_empty() && r.kind == RuleKind::Rule {
            self.err(
                "missing-clause",
                head,
                format!("rule `{}` has no clause", r.code.name),
                "no `clause`",
                Some("name the clause it enforces: `clause \"§4.3(a)\"`".into()),
            );
            ok = false;
        }
        let lc = self.src().line_col(r.span.start);
        ok.then(|| RuleInfo {
            code: r.code.name.clone(),
            name: r.name.name.clone(),
            severity: severity.unwrap_or(Severity::Error),
            clauses: refs,
            gloss,
            collection,
            policy: PolicyLocation {
                file: self.src().name.clone(),
                line: lc.line,
                column: lc.column,
            },
            owner: r.statements.iter().find_map(|s| match &s.kind {
                StatementKind::Owner(who, fallback, why) => {
                    let text = &self.src().text;
                    let end = fallback.as_ref().map_or(who.span.end, |f| f.span.end);
                    let written = text.get(who.span.start..end).unwrap_or_default();
                    Some((written.to_string(), why.as_ref().map(|w| w.value.clone())))
                }
                _ => None,
            }),
        })
    }

    fn duplicate_statements(&mut self, r: &ast::Rule) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        for s in &r.statements {
            let k = s.kind.keyword();
            if k == "clause" {
                continue;
            }
            if let Some(first) = seen.get(k) {
                let first = *first;
                let d = Diagnostic::error(
                    "duplicate-statement",
                    self.src(),
                    s.span,
                    format!("`{k}` is given twice in rule `{}`", r.code.name),
                )
                .label("given again")
                .related(first, "first given here");
                if self.quiet == 0 {
                    self.diags.push(d);
                }
            } else {
                seen.insert(k, s.span);
            }
        }
    }

    fn integrity(&mut self, r: &ast::Rule, clauses: &[ClauseInfo]) -> Option<IntegrityRule> {
        self.duplicate_statements(r);
        let mut kind = None;
        for s in &r.statements {
            match &s.kind {
                StatementKind::Checks(id) => {
                    kind = match id.name.as_str() {
                        "shape" => Some(IntegrityKind::Shape),
                        "unique_id" => Some(IntegrityKind::UniqueId),
                        "reference" => Some(IntegrityKind::Reference),
                        "unknown_collection" => Some(IntegrityKind::UnknownCollection),
                        other => {
                            let help = did_you_mean(
                                other,
                                ["shape", "unique_id", "reference", "unknown_collection"],
                            );
                            self.err("unknown-check", id.span, format!("unknown integrity check `{other}`"), "not a check", help.or_else(|| Some("checks are `shape`, `unique_id`, `reference` and `unknown_collection`".into())));
                            return None;
                        }
                    }
                }
                StatementKind::Severity(_)
                | StatementKind::Clause(..)
                | StatementKind::Gloss(_) => {}
                other => {
                    self.err(
                        "misplaced-statement",
                        s.span,
                        format!("`{}` has no meaning in an integrity check", other.keyword()),
                        "not allowed here",
                        Some("integrity checks take `checks`, `severity`, `clause` and `gloss`; write a `rule` for a condition".into()),
                    );
                }
            }
        }
        let Some(kind) = kind else {
            let head = Span::new(r.span.start, r.name.span.end);
            self.err(
                "missing-checks",
                head,
                format!(
                    "integrity check `{}` does not say what it checks",
                    r.code.name
                ),
                "no `checks`",
                Some("add `checks shape`, `unique_id`, `reference` or `unknown_collection`".into()),
            );
            return None;
        };
        let collection = if kind == IntegrityKind::UnknownCollection {
            "export"
        } else {
            "*"
        };
        let info = self.rule_info(r, clauses, collection.into())?;
        Some(IntegrityRule { info, kind })
    }

    fn unused(&mut self) {
        let unused: Vec<(String, Span, usize)> = self
            .params
            .iter()
            .filter(|p| !p.4)
            .map(|p| (p.0.name.clone(), p.2, p.3))
            .collect();
        for (name, span, f) in unused {
            self.file = f;
            self.warn(
                "unused-param",
                span,
                format!("parameter `{name}` is never used"),
                "declared here",
                Some("remove it, or use it in a rule".into()),
            );
        }
        let mut defs: Vec<(usize, &ast::Def)> = self
            .defs
            .values()
            .filter(|(_, d)| !self.used_defs.contains(&d.name.name))
            .map(|(f, d)| (*f, *d))
            .collect();
        defs.sort_by_key(|(f, d)| (*f, d.span.start));
        for (f, d) in defs {
            self.file = f;
            self.warn(
                "unused-def",
                d.name.span,
                format!("predicate `{}` is never used", d.name.name),
                "defined here",
                None,
            );
        }
    }

    /// Marks a field path of a collection as read by the rules.
    pub(crate) fn need(&mut self, coll: CollId, path: &[usize]) {
        let mut need = &mut self.projection.collections[coll];
        let mut obj = &self.schema.collections[coll].record;
        for &i in path {
            let Some(field) = obj.fields.get(i) else {
                return;
            };
            let mut ty = &field.ty;
            while let crate::schema::Type::List(t) = ty {
                ty = t;
            }
            let slot = &mut need.fields[i];
            match ty {
                crate::schema::Type::Object(o) => {
                    if slot.is_none() {
                        *slot = Some(Need::none(o));
                    }
                    obj = o;
                }
                _ => {
                    if slot.is_none() {
                        *slot = Some(Need::default());
                    }
                    return;
                }
            }
            let Some(next) = slot.as_mut() else { return };
            need = next;
        }
    }
}
