//! Who acts on a finding: `owners employees by department` names the
//! collection of people and the field of theirs that gives the department
//! answering for them; a rule's `owner EXPR [else DEPT]` names an employee
//! (a reference or a record of that collection) or a department.

use super::ir::{Builtin, Ex, Owner};
use super::types::Ty;
use super::Checker;
use crate::ast::{self, ExprKind, Ident, Item};
use crate::diagnostic::did_you_mean;
use crate::schema::Type;
use crate::source::Span;

impl<'a> Checker<'a> {
    pub(super) fn owners_decl(&mut self, items: &[(usize, &'a Item)]) {
        let mut first: Option<(usize, Span)> = None;
        for (f, item) in items {
            let Item::Owners(o) = item else { continue };
            self.file = *f;
            if let Some((file, span)) = first {
                if file == *f {
                    let d = crate::diagnostic::Diagnostic::error(
                        "duplicate-owners",
                        self.src(),
                        o.span,
                        "`owners` is declared twice",
                    )
                    .label("declared again")
                    .related(span, "first declared here")
                    .with_help(Some("keep one `owners` declaration in the policy".into()));
                    self.diags.push(d);
                } else {
                    self.err(
                        "duplicate-owners",
                        o.span,
                        "`owners` is declared twice".into(),
                        "declared again",
                        Some("keep one `owners` declaration in the policy".into()),
                    );
                }
                continue;
            }
            first = Some((*f, o.span));
            // Until it resolves, a rule's `owner` has nothing to add.
            self.owners_declared = true;
            let Some(c) = self.schema.collection(&o.collection.name) else {
                let names: Vec<String> = self
                    .schema
                    .collections
                    .iter()
                    .map(|c| c.name.clone())
                    .collect();
                let help = did_you_mean(&o.collection.name, names.iter().map(String::as_str));
                self.err(
                    "unknown-collection",
                    o.collection.span,
                    format!("unknown collection `{}`", o.collection.name),
                    "not declared",
                    help,
                );
                continue;
            };
            let record = &self.schema.collections[c].record;
            let field = record.field(&o.department.name).map(|(_, f)| f.ty.clone());
            match field {
                Some(Type::Enum(e)) => {
                    self.owners =
                        Some((o.collection.name.clone(), c, o.department.name.clone(), e));
                }
                Some(other) => {
                    let d = Ty::of_field(&other, c, Vec::new()).describe(&self.schema);
                    self.err(
                        "bad-owners",
                        o.department.span,
                        format!(
                            "the department of an owner must be an enum field, and `{}` is {d}",
                            o.department.name
                        ),
                        "not an enum",
                        None,
                    );
                }
                None => {
                    let names: Vec<String> = record.fields.iter().map(|f| f.name.clone()).collect();
                    let help = did_you_mean(&o.department.name, names.iter().map(String::as_str));
                    self.err(
                        "unknown-field",
                        o.department.span,
                        format!(
                            "collection `{}` has no field `{}`",
                            o.collection.name, o.department.name
                        ),
                        "no such field",
                        help,
                    );
                }
            }
        }
    }

    /// A rule's `owner WHO [else FALLBACK]`, in the rule's scope.
    pub(super) fn owner(
        &mut self,
        who: &ast::Expr,
        fallback: Option<&ast::Expr>,
        span: Span,
    ) -> Option<Owner> {
        let Some((coll_name, coll, field, departments)) = self.owners.clone() else {
            if self.owners_declared {
                return None;
            }
            self.err(
                "no-owners",
                span,
                "this rule names an owner, but the policy declares no `owners`".into(),
                "owner of what",
                Some(
                    "declare who owners are and what gives their department, e.g. \
                     `owners employees by department`"
                        .into(),
                ),
            );
            return None;
        };
        // A bare name is first a department (`owner marketing`).
        let want = Ty::Enum(departments);
        let (ex, ty) = self.expr(who, Some(&want));
        let dept_name = Ident {
            name: field,
            span: who.span,
        };
        let (id, department) = match ty {
            // The employee's department: `who->department` for a reference,
            // `who.department` for a record, checked as the policy would
            // write it so that the loader keeps the field.
            Ty::Ref(c) | Ty::Rec(c) if c == coll => {
                let kind = match ty {
                    Ty::Ref(_) => ExprKind::Nav(Box::new(who.clone()), dept_name),
                    _ => ExprKind::Field(Box::new(who.clone()), dept_name),
                };
                let (d, _) = self.expr(
                    &ast::Expr {
                        kind,
                        span: who.span,
                    },
                    None,
                );
                (Some(ex), d)
            }
            Ty::Enum(e) if e == departments => (None, ex),
            Ty::Error => return None,
            other => {
                let d = other.describe(&self.schema);
                let want = &self.schema.enums[departments].name;
                self.err(
                    "bad-owner",
                    who.span,
                    format!(
                        "an owner is a record of `{coll_name}` or a reference to one, or a `{want}`, not {d}"
                    ),
                    "this owner",
                    None,
                );
                return None;
            }
        };
        let department = match fallback {
            None => department,
            Some(f) => {
                let (fx, fty) = self.expr(f, Some(&want));
                match fty {
                    Ty::Enum(e) if e == departments => {
                        Ex::Call(Builtin::Coalesce, vec![department, fx])
                    }
                    Ty::Error => return None,
                    other => {
                        let d = other.describe(&self.schema);
                        let want = &self.schema.enums[departments].name;
                        self.err(
                            "bad-owner",
                            f.span,
                            format!("the department after `else` must be a `{want}`, not {d}"),
                            "not a department",
                            None,
                        );
                        return None;
                    }
                }
            }
        };
        Some(Owner {
            id,
            department,
            departments,
        })
    }
}
