//! Types of policy expressions.

use crate::schema::{CollId, EnumId, ObjectType, Schema, Type};

/// An object type, with where it sits in a collection's records (for projection).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjTy {
    pub coll: CollId,
    /// Field indexes from the record to this object (lists are transparent).
    pub path: Vec<usize>,
    pub def: ObjectType,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Num,
    Str,
    Time,
    Dur,
    Enum(EnumId),
    Ref(CollId),
    Rec(CollId),
    Obj(ObjTy),
    AnyObj,
    List(Box<Ty>),
    Period,
    /// The type of an expression that already has an error: it fits
    /// everywhere, so one mistake gives one diagnostic.
    Error,
}

impl Ty {
    /// The type of a declared field found at `path` in collection `coll`.
    pub fn of_field(ty: &Type, coll: CollId, path: Vec<usize>) -> Ty {
        match ty {
            Type::String => Ty::Str,
            Type::Int { .. } => Ty::Int,
            Type::Number => Ty::Num,
            Type::Bool => Ty::Bool,
            Type::Time => Ty::Time,
            Type::Enum(e) => Ty::Enum(*e),
            Type::Ref(c) => Ty::Ref(*c),
            Type::List(t) => Ty::List(Box::new(Ty::of_field(t, coll, path))),
            Type::Object(o) => Ty::Obj(ObjTy {
                coll,
                path,
                def: o.clone(),
            }),
            Type::AnyObject => Ty::AnyObj,
        }
    }

    /// The type with its article, as messages say it: `an int`, `a list of time`.
    pub fn describe(&self, schema: &Schema) -> String {
        let name = self.name(schema);
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    fn name(&self, schema: &Schema) -> String {
        match self {
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Num => "number".into(),
            Ty::Str => "string".into(),
            Ty::Time => "time".into(),
            Ty::Dur => "duration".into(),
            Ty::Enum(e) => format!("enum `{}`", schema.enums[*e].name),
            Ty::Ref(c) => format!("reference to `{}`", schema.collections[*c].name),
            Ty::Rec(c) => format!("record of `{}`", schema.collections[*c].name),
            Ty::Obj(_) => "object".into(),
            Ty::AnyObj => "object".into(),
            Ty::List(t) => format!("list of {}", t.name(schema)),
            Ty::Period => "period".into(),
            Ty::Error => "unknown".into(),
        }
    }

    /// The type of a parameter declared with this type name.
    pub fn param(name: &str) -> Option<Ty> {
        Some(match name {
            "int" => Ty::Int,
            "number" => Ty::Num,
            "string" => Ty::Str,
            "bool" => Ty::Bool,
            _ => return None,
        })
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Num | Ty::Error)
    }

    /// Whether values of the two types can be compared for equality.
    pub fn comparable(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (Ty::Obj(_), _) | (_, Ty::Obj(_)) | (Ty::AnyObj, _) | (_, Ty::AnyObj) => false,
            (Ty::List(_), _) | (_, Ty::List(_)) => false,
            (a, b) => a == b,
        }
    }

    /// Whether `<`, `<=`, … apply.
    pub fn ordered(&self) -> bool {
        matches!(
            self,
            Ty::Int | Ty::Num | Ty::Time | Ty::Dur | Ty::Str | Ty::Error
        )
    }
}
