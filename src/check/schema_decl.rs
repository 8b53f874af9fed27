//! Enum and collection declarations to the export schema.

use super::Checker;
use crate::ast::{self, Item, TypeExpr};
use crate::diagnostic::did_you_mean;
use crate::schema::{CollectionDef, EnumDef, FieldDef, FormatWhen, ObjectType, TextFormat, Type};
use crate::source::Span;

const PRIMITIVES: &[&str] = &["string", "int", "number", "bool", "time", "object"];

impl<'a> Checker<'a> {
    pub(super) fn schema(&mut self, items: &[(usize, &'a Item)]) {
        // Names first, so that declarations may refer to each other in any order.
        for (f, item) in items {
            self.file = *f;
            match item {
                Item::Enum(e) => {
                    if let Some(prev) = self.schema.enums.iter().find(|x| x.name == e.name.name) {
                        let first = prev.span;
                        self.duplicate("enum", &e.name, first);
                        continue;
                    }
                    let values = self.enum_values(&e.values, e.name.span);
                    self.schema.enums.push(EnumDef {
                        name: e.name.name.clone(),
                        values,
                        span: e.name.span,
                    });
                }
                Item::Collection(c) => {
                    if let Some(prev) = self
                        .schema
                        .collections
                        .iter()
                        .find(|x| x.name == c.name.name)
                    {
                        let first = prev.span;
                        self.duplicate("collection", &c.name, first);
                        continue;
                    }
                    if c.name.name == "export" {
                        self.err(
                            "reserved-name",
                            c.name.span,
                            "`export` names the export's metadata, not a collection".into(),
                            "reserved",
                            Some("choose another name".into()),
                        );
                        continue;
                    }
                    self.schema.collections.push(CollectionDef {
                        name: c.name.name.clone(),
                        record: ObjectType::default(),
                        span: c.name.span,
                    });
                }
                _ => {}
            }
        }
        for (f, item) in items {
            let Item::Collection(c) = item else { continue };
            self.file = *f;
            let Some(idx) = self.schema.collection(&c.name.name) else {
                continue;
            };
            if self.schema.collections[idx].span != c.name.span {
                continue;
            }
            let record = self.object(&c.name.name, &c.fields);
            match record.field("id") {
                Some((_, f)) if f.ty == Type::String && !f.optional => {}
                Some((_, f)) => {
                    let span = f.span;
                    self.err(
                        "id-field",
                        span,
                        "the `id` field must be a required `string`".into(),
                        "here",
                        Some("declare it as `id: string`".into()),
                    );
                }
                None => self.err(
                    "id-field",
                    c.name.span,
                    format!("collection `{}` has no `id` field", c.name.name),
                    "no `id`",
                    Some("every record has a string `id`: add `id: string`".into()),
                ),
            }
            self.schema.collections[idx].record = record;
        }
    }

    fn duplicate(&mut self, what: &str, name: &ast::Ident, first: Span) {
        self.declared_twice("duplicate-declaration", what, &name.name, name.span, first);
    }

    fn enum_values(&mut self, values: &[ast::Ident], at: Span) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in values {
            if out.contains(&v.name) {
                self.err(
                    "duplicate-declaration",
                    v.span,
                    format!("enum value `{}` is listed twice", v.name),
                    "listed again",
                    None,
                );
            } else {
                out.push(v.name.clone());
            }
        }
        if values.is_empty() {
            self.err(
                "empty-enum",
                at,
                "an enum needs at least one value".into(),
                "empty",
                Some("list its values: `enum { a, b }`".into()),
            );
        }
        out
    }

    fn object(&mut self, path: &str, fields: &[ast::FieldDecl]) -> ObjectType {
        let mut obj = ObjectType::default();
        for f in fields {
            if let Some((_, prev)) = obj.field(&f.name.name) {
                let first = prev.span;
                self.duplicate("field", &f.name, first);
                continue;
            }
            let name = format!("{path}.{}", f.name.name);
            let Some(ty) = self.type_expr(&name, &f.ty) else {
                continue;
            };
            obj.fields.push(FieldDef {
                name: f.name.name.clone(),
                ty,
                optional: f.optional,
                personal: f.personal,
                formats: Vec::new(),
                span: f.name.span,
            });
        }
        // Formats after every field, so that `when` may name a later sibling.
        for f in fields {
            if f.formats.is_empty() {
                continue;
            }
            let Some((i, def)) = obj.field(&f.name.name) else {
                continue;
            };
            if def.span != f.name.span {
                continue; // a duplicate, already reported
            }
            if def.ty != Type::String {
                let span = f.formats[0].span;
                self.err(
                    "format-type",
                    span,
                    format!(
                        "`matching` applies to string fields; `{}` is not a string",
                        f.name.name
                    ),
                    "format of a non-string field",
                    Some("declare the field as `string`, or remove the format".into()),
                );
                continue;
            }
            let formats = f
                .formats
                .iter()
                .filter_map(|t| self.text_format(&obj, t))
                .collect();
            obj.fields[i].formats = formats;
        }
        obj
    }

    fn text_format(&mut self, obj: &ObjectType, t: &ast::TextFormatDecl) -> Option<TextFormat> {
        let anchored = format!("^(?:{})$", t.pattern.value);
        let regex = match regex::RegexBuilder::new(&anchored)
            .size_limit(1 << 20)
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                // The regex crate's message is several lines with its own
                // caret; its last line says what is wrong.
                let why = e.to_string();
                let why = why
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("not a regular expression")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_string();
                self.err(
                    "format-pattern",
                    t.pattern.span,
                    format!("invalid pattern `{}`: {why}", t.pattern.value),
                    "not a regular expression",
                    Some(
                        "patterns are Rust regular expressions, matched against the whole value"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let when = match &t.when {
            None => None,
            Some((field, value)) => {
                let Some((at, sibling)) = obj.field(&field.name) else {
                    let help =
                        did_you_mean(&field.name, obj.fields.iter().map(|f| f.name.as_str()));
                    self.err(
                        "unknown-field",
                        field.span,
                        format!("no field `{}` beside this one", field.name),
                        "unknown field",
                        help,
                    );
                    return None;
                };
                let Type::Enum(e) = sibling.ty else {
                    self.err(
                        "format-condition",
                        field.span,
                        format!(
                            "a format's condition compares an enum field; `{}` is not an enum",
                            field.name
                        ),
                        "not an enum",
                        None,
                    );
                    return None;
                };
                let values = self.schema.enums.get(e).map(|d| d.values.clone());
                let values = values.unwrap_or_default();
                if !values.contains(&value.name) {
                    let help = did_you_mean(&value.name, values.iter().map(String::as_str));
                    self.err(
                        "unknown-enum-value",
                        value.span,
                        format!("`{}` is not a value of `{}`", value.name, field.name),
                        "not a value of the enum",
                        help,
                    );
                    return None;
                }
                Some(FormatWhen {
                    field: at,
                    field_name: field.name.clone(),
                    value: value.name.clone(),
                })
            }
        };
        Some(TextFormat {
            regex,
            pattern: t.pattern.value.clone(),
            label: t.label.as_ref().map(|l| l.value.clone()),
            when,
        })
    }

    fn type_expr(&mut self, path: &str, t: &TypeExpr) -> Option<Type> {
        Some(match t {
            TypeExpr::Named(id) => match id.name.as_str() {
                "string" => Type::String,
                "int" => Type::Int {
                    min: None,
                    max: None,
                },
                "number" => Type::Number,
                "bool" => Type::Bool,
                "time" => Type::Time,
                "object" => Type::AnyObject,
                name => match self.schema.enums.iter().position(|e| e.name == name) {
                    Some(e) => Type::Enum(e),
                    None => {
                        let candidates: Vec<String> = PRIMITIVES
                            .iter()
                            .map(|s| s.to_string())
                            .chain(
                                self.schema
                                    .enums
                                    .iter()
                                    .filter(|e| !e.name.contains('.'))
                                    .map(|e| e.name.clone()),
                            )
                            .collect();
                        let mut help = did_you_mean(name, candidates.iter().map(String::as_str));
                        if help.is_none() && self.schema.collection(name).is_some() {
                            help = Some(format!(
                                "to refer to a record of `{name}`, write `ref {name}`"
                            ));
                        }
                        self.err(
                            "unknown-type",
                            id.span,
                            format!("unknown type `{name}`"),
                            "not a type",
                            help,
                        );
                        return None;
                    }
                },
            },
            TypeExpr::List(inner, _) => Type::List(Box::new(self.type_expr(path, inner)?)),
            TypeExpr::Object(fields, _) => Type::Object(self.object(path, fields)),
            TypeExpr::Enum(values, span) => {
                let values = self.enum_values(values, *span);
                self.schema.enums.push(EnumDef {
                    name: path.to_string(),
                    values,
                    span: *span,
                });
                Type::Enum(self.schema.enums.len() - 1)
            }
            TypeExpr::Ref(c, _) => match self.schema.collection(&c.name) {
                Some(idx) => Type::Ref(idx),
                None => {
                    let help = did_you_mean(
                        &c.name,
                        self.schema.collections.iter().map(|c| c.name.as_str()),
                    );
                    self.err(
                        "unknown-collection",
                        c.span,
                        format!("unknown collection `{}`", c.name),
                        "not declared",
                        help,
                    );
                    return None;
                }
            },
            TypeExpr::IntRange(lo, hi, span) => {
                if lo > hi {
                    self.err(
                        "empty-range",
                        *span,
                        format!("range `{lo}..{hi}` is empty"),
                        "empty",
                        Some(format!("write `{hi}..{lo}`")),
                    );
                    return None;
                }
                Type::Int {
                    min: Some(*lo),
                    max: Some(*hi),
                }
            }
        })
    }
}
