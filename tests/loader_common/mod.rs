//! A hand-built schema (a part of the spec's) and scratch directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use comply::schema::{CollectionDef, EnumDef, FieldDef, ObjectType, Schema, Type};
use comply::source::Span;

fn field(name: &str, ty: Type, optional: bool) -> FieldDef {
    FieldDef {
        name: name.into(),
        ty,
        optional,
        personal: false,
        formats: Vec::new(),
        span: Span::default(),
    }
}

pub fn req(name: &str, ty: Type) -> FieldDef {
    field(name, ty, false)
}

pub fn opt(name: &str, ty: Type) -> FieldDef {
    field(name, ty, true)
}

fn enum_def(name: &str, values: &[&str]) -> EnumDef {
    EnumDef {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        span: Span::default(),
    }
}

fn coll(name: &str, fields: Vec<FieldDef>) -> CollectionDef {
    CollectionDef {
        name: name.into(),
        record: ObjectType { fields },
        span: Span::default(),
    }
}

pub const EMPLOYEES: usize = 0;
pub const CUSTOMERS: usize = 1;
pub const PRODUCTS: usize = 2;
pub const CONTRACTS: usize = 3;
pub const REVIEWS: usize = 4;
pub const PLANS: usize = 5;

pub fn schema() -> Schema {
    let obj = |fields| Type::Object(ObjectType { fields });
    Schema {
        enums: vec![
            enum_def(
                "employees.department",
                &["marketing", "compliance", "other"],
            ),
            enum_def("customers.type", &["individual", "corporate"]),
            enum_def("customers.kyc.status", &["pending", "verified", "failed"]),
            enum_def("products.risk_level", &["R1", "R2", "R3", "R4", "R5"]),
        ],
        collections: vec![
            coll(
                "employees",
                vec![
                    req("id", Type::String),
                    req("name", Type::String),
                    req("department", Type::Enum(0)),
                    req("active", Type::Bool),
                    opt("joined_at", Type::Time),
                ],
            ),
            coll(
                "customers",
                vec![
                    req("id", Type::String),
                    req("type", Type::Enum(1)),
                    req("created_at", Type::Time),
                    opt("owner", Type::Ref(EMPLOYEES)),
                    opt("profile", Type::AnyObject),
                    opt(
                        "kyc",
                        obj(vec![
                            req("status", Type::Enum(2)),
                            opt("verified_at", Type::Time),
                            opt("verified_by", Type::Ref(EMPLOYEES)),
                        ]),
                    ),
                ],
            ),
            coll(
                "products",
                vec![req("id", Type::String), req("risk_level", Type::Enum(3))],
            ),
            coll(
                "contracts",
                vec![
                    req("id", Type::String),
                    req("customer_id", Type::Ref(CUSTOMERS)),
                    req(
                        "products",
                        Type::List(Box::new(obj(vec![
                            req("product_id", Type::Ref(PRODUCTS)),
                            req("selected_by_customer", Type::Bool),
                        ]))),
                    ),
                    opt("amount", Type::Number),
                ],
            ),
            coll(
                "supervision_reviews",
                vec![
                    req("id", Type::String),
                    req("reviewers", Type::List(Box::new(Type::Ref(EMPLOYEES)))),
                ],
            ),
            coll(
                "plans",
                vec![
                    req("id", Type::String),
                    req(
                        "year",
                        Type::Int {
                            min: None,
                            max: None,
                        },
                    ),
                    opt(
                        "quarters",
                        Type::List(Box::new(obj(vec![req(
                            "quarter",
                            Type::Int {
                                min: Some(1),
                                max: Some(4),
                            },
                        )]))),
                    ),
                    opt("targets", Type::AnyObject),
                ],
            ),
        ],
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh empty directory under the system temp dir.
pub fn scratch(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("comply-loader-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(&path, content).expect("write");
    path
}

pub fn gzip(content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(content.as_bytes()).expect("gzip");
    enc.finish().expect("gzip")
}
