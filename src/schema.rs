//! The export schema a policy declares: collections, fields, enums.
//!
//! The checker builds it from the policy; the loader validates and projects
//! records against it; the evaluator reads fields by their index in it.

use crate::source::Span;

pub type CollId = usize;
pub type EnumId = usize;

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    /// An integer, optionally bounded (`1..4`), both ends inclusive.
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number,
    Bool,
    /// An RFC 3339 date-time or full-date.
    Time,
    Enum(EnumId),
    /// The id of a record of another collection.
    Ref(CollId),
    List(Box<Type>),
    Object(ObjectType),
    /// Any JSON object; only its presence matters to the rules.
    AnyObject,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectType {
    pub fields: Vec<FieldDef>,
}

impl ObjectType {
    pub fn field(&self, name: &str) -> Option<(usize, &FieldDef)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    /// Marked `personal` in the policy: masked in redacted reports.
    pub personal: bool,
    /// Text formats a string value must have (CD001 when it does not).
    pub formats: Vec<TextFormat>,
    pub span: Span,
}

/// A text format of a string field: a regular expression the whole value
/// must match, always or when a sibling enum field holds a value.
#[derive(Debug, Clone)]
pub struct TextFormat {
    /// Anchored at both ends: the whole value must match.
    pub regex: regex::Regex,
    /// The pattern as the policy writes it.
    pub pattern: String,
    /// What messages call the format (`YYYY-Qn`).
    pub label: Option<String>,
    pub when: Option<FormatWhen>,
}

impl PartialEq for TextFormat {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.label == other.label && self.when == other.when
    }
}

impl TextFormat {
    /// The format as messages name it.
    pub fn describe(&self) -> String {
        match &self.label {
            Some(l) => l.clone(),
            None => format!("`{}`", self.pattern),
        }
    }
}

/// `when period == quarterly`: the format holds only when the sibling
/// field's text is that enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatWhen {
    /// Index of the sibling field in its object.
    pub field: usize,
    pub field_name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Inline enums get a name derived from their field (`plans.status`).
    pub name: String,
    pub values: Vec<String>,
    pub span: Span,
}

impl EnumDef {
    pub fn value(&self, name: &str) -> Option<u16> {
        self.values.iter().position(|v| v == name).map(|i| i as u16)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CollectionDef {
    pub name: String,
    pub record: ObjectType,
    pub span: Span,
}

impl CollectionDef {
    /// Index of the `id` field, which every collection declares.
    pub fn id_field(&self) -> Option<usize> {
        self.record.field("id").map(|(i, _)| i)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub enums: Vec<EnumDef>,
    pub collections: Vec<CollectionDef>,
}

impl Schema {
    pub fn collection(&self, name: &str) -> Option<CollId> {
        self.collections.iter().position(|c| c.name == name)
    }
}

/// Which declared fields the rules read: the loader keeps only these.
///
/// Indexed like the schema: `collections[c].fields[f]` is `Some` when field
/// `f` of collection `c` is read. For an object or a list of objects the
/// inner `Need` says which of its fields are read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    pub collections: Vec<Need>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Need {
    pub fields: Vec<Option<Need>>,
}

impl Need {
    /// Every field, recursively: what a run without projection keeps.
    pub fn all(obj: &ObjectType) -> Need {
        Need {
            fields: obj
                .fields
                .iter()
                .map(|f| Some(Need::all_of(&f.ty)))
                .collect(),
        }
    }
    fn all_of(ty: &Type) -> Need {
        match ty {
            Type::Object(o) => Need::all(o),
            Type::List(t) => Need::all_of(t),
            _ => Need::default(),
        }
    }
    pub fn none(obj: &ObjectType) -> Need {
        Need {
            fields: vec![None; obj.fields.len()],
        }
    }
}

/// Where the kept fields of a loaded object sit. The loader stores only the
/// fields the rules read, in declared order: declared field `i` is at
/// `slots[i]`, and `inner[i]` lays out its object (or its list's objects).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    slots: Vec<Option<u32>>,
    inner: Vec<Option<Layout>>,
}

static NO_FIELDS: Layout = Layout {
    slots: Vec::new(),
    inner: Vec::new(),
};

impl Layout {
    pub fn of(need: &Need) -> Layout {
        let mut kept = 0;
        let slots = need
            .fields
            .iter()
            .map(|f| {
                f.as_ref().map(|_| {
                    kept += 1;
                    kept - 1
                })
            })
            .collect();
        let inner = need
            .fields
            .iter()
            .map(|f| f.as_ref().map(Layout::of))
            .collect();
        Layout { slots, inner }
    }
    /// An object none of whose fields are kept.
    pub fn empty() -> &'static Layout {
        &NO_FIELDS
    }
    /// Where declared field `i` is stored, if it is kept.
    pub fn slot(&self, i: usize) -> Option<usize> {
        self.slots.get(i).copied().flatten().map(|s| s as usize)
    }
    /// The layout of declared field `i`'s object, or its list's objects.
    pub fn inner(&self, i: usize) -> &Layout {
        self.inner
            .get(i)
            .and_then(Option::as_ref)
            .unwrap_or(&NO_FIELDS)
    }
}

impl Projection {
    pub fn all(schema: &Schema) -> Projection {
        Projection {
            collections: schema
                .collections
                .iter()
                .map(|c| Need::all(&c.record))
                .collect(),
        }
    }
}
