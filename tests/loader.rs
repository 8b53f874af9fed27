mod loader_common;
use loader_common as common;

use common::*;
use comply::data::model::{Export, IntegrityKind, Val};
use comply::data::{load, LoadOptions};
use comply::schema::{Need, Projection};

fn load_paths(paths: &[std::path::PathBuf]) -> Export {
    load(paths, &schema(), &LoadOptions::default())
}

fn findings(e: &Export, kind: IntegrityKind) -> Vec<(String, Option<String>, Option<String>)> {
    e.findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| (f.collection.clone(), f.id.clone(), f.key.clone()))
        .collect()
}

fn errors(e: &Export) -> Vec<String> {
    e.errors.iter().map(|r| r.to_string()).collect()
}

fn triple(
    c: &str,
    id: Option<&str>,
    key: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (c.into(), id.map(Into::into), key.map(Into::into))
}

const DOC: &str = r#"{
  "export": {"system": "crm", "as_of": "2025-12-31T23:59:59+08:00", "timezone": "+08:00"},
  "employees": [
    {"id": "E1", "name": "Ann", "department": "compliance", "active": true, "joined_at": "2020-01-01"},
    {"id": "E2", "name": "Bob", "department": "marketing", "active": false}
  ],
  "customers": [
    {"id": "C1", "type": "individual", "created_at": "2025-03-04T09:30:00+08:00", "owner": "E1",
     "kyc": {"status": "verified", "verified_by": "E2"}, "crm_extra": [1, 2, 3]}
  ],
  "products": [{"id": "P1", "risk_level": "R2"}],
  "contracts": [
    {"id": "K1", "customer_id": "C1", "products": [{"product_id": "P1", "selected_by_customer": true}], "amount": 1.5e3}
  ]
}"#;

#[test]
fn one_document() {
    let dir = scratch("doc");
    let path = write(&dir, "export.json", DOC);
    let e = load_paths(&[path]);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert_eq!(e.record_count(), 5);
    let c = &e.collection(CUSTOMERS)[0];
    assert_eq!(e.ids.resolve(c.id.unwrap()), "C1");
    assert_eq!(c.ordinal, 0);
    assert_eq!(e.files[c.file].pointer_prefix, "/customers");
    assert!(DOC[c.span.start as usize..].starts_with("{\"id\": \"C1\""));
    assert!(DOC[..c.span.end as usize].ends_with("[1, 2, 3]}"));
    let owner = c.fields[3].as_ref().unwrap();
    // Field spans are not kept; a violation finds them again in the text.
    let wanted = comply::locate::fields::Wanted {
        file: c.file,
        record: c.span,
        pointer: "/owner",
    };
    let span = comply::locate::fields::field_spans(&e.files, &[wanted])[0].unwrap();
    assert_eq!(&DOC[span.start as usize..span.end as usize], "\"E1\"");
    assert!(matches!(owner.val, Val::Ref(s) if e.ids.resolve(s) == "E1"));
    assert_eq!(c.fields[1].as_ref().unwrap().val, Val::Enum(0));
    let Val::Time(secs, nanos) = c.fields[2].as_ref().unwrap().val else {
        panic!()
    };
    let t = jiff::Timestamp::new(secs, nanos).unwrap();
    assert_eq!(t.to_string(), "2025-03-04T01:30:00Z");
    let Val::Obj(kyc) = &c.fields[5].as_ref().unwrap().val else {
        panic!()
    };
    assert_eq!(kyc[0].as_ref().unwrap().val, Val::Enum(1));
    assert!(kyc[1].is_none());
    let emp = &e.collection(EMPLOYEES)[1];
    assert_eq!(emp.ordinal, 1);
    assert_eq!(emp.fields[3].as_ref().unwrap().val, Val::Bool(false));
    assert!(matches!(
        e.collection(EMPLOYEES)[0].fields[4].as_ref().unwrap().val,
        Val::Date(_)
    ));
    let k = &e.collection(CONTRACTS)[0];
    assert_eq!(k.fields[3].as_ref().unwrap().val, Val::Num(1500.0));
    assert_eq!(
        e.meta.as_of.as_ref().unwrap().0,
        "2025-12-31T23:59:59+08:00"
    );
    assert_eq!(e.meta.timezone.as_ref().unwrap().1.seconds(), 8 * 3600);
    assert_eq!(e.meta.system.as_deref(), Some("crm"));
    let (f, _, ptr) = e.meta.location.clone().unwrap();
    assert_eq!(ptr, "/export");
    assert_eq!(e.files[f].pointer_prefix, "");
}

#[test]
fn directory_of_files() {
    let dir = scratch("dir");
    write(
        &dir,
        "export.json",
        r#"{"as_of": "2025-12-31", "timezone": "Z"}"#,
    );
    write(
        &dir,
        "employees/2025-01.ndjson",
        "{\"id\":\"E1\",\"name\":\"A\",\"department\":\"other\",\"active\":true}\r\n\r\n   \n{\"id\":\"E2\",\"name\":\"B\",\"department\":\"other\",\"active\":true}\r\n",
    );
    write(
        &dir,
        "employees/2025-02.jsonl.gz",
        gzip("{\"id\":\"E3\",\"name\":\"C\",\"department\":\"other\",\"active\":true}\n"),
    );
    write(
        &dir,
        "customers.json",
        r#"[{"id":"C1","type":"corporate","created_at":"2025-01-01","owner":"E3"}]"#,
    );
    write(
        &dir,
        "products.json.gz",
        gzip(r#"[{"id":"P1","risk_level":"R1"}]"#),
    );
    write(&dir, "README.txt", "hello");
    write(&dir, "misc/notes.md", "nothing");
    let e = load_paths(std::slice::from_ref(&dir));
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let ids: Vec<&str> = e
        .collection(EMPLOYEES)
        .iter()
        .map(|r| e.ids.resolve(r.id.unwrap()))
        .collect();
    assert_eq!(ids, ["E1", "E2", "E3"]);
    let ords: Vec<u32> = e.collection(EMPLOYEES).iter().map(|r| r.ordinal).collect();
    assert_eq!(ords, [0, 1, 0]);
    let e2 = &e.collection(EMPLOYEES)[1];
    assert_eq!(e.files[e2.file].pointer_prefix, "");
    assert!(e.files[e.collection(EMPLOYEES)[2].file].gzip);
    assert_eq!(e.collection(PRODUCTS).len(), 1);
    assert_eq!(e.collection(CUSTOMERS).len(), 1);
    // A date-only as_of is midnight in the export's zone.
    assert_eq!(
        e.meta.as_of.as_ref().unwrap().1.to_string(),
        "2025-12-31T00:00:00Z"
    );
    assert_eq!(e.meta.location.as_ref().unwrap().2, "");
    let noted: Vec<&str> = e.notes.iter().map(|n| n.file.as_str()).collect();
    assert_eq!(noted.len(), 2, "{noted:?}");
    assert!(
        noted[0].ends_with("README.txt") && noted[1].ends_with("notes.md"),
        "{noted:?}"
    );
}

#[test]
fn ndjson_record_spans_skip_blank_and_crlf() {
    let dir = scratch("nd");
    let text =
        "\n{\"id\":\"P1\",\"risk_level\":\"R1\"}\r\n\r\n{\"id\":\"P2\",\"risk_level\":\"R9\"}";
    let path = write(&dir, "products.ndjson", text);
    let e = load_paths(std::slice::from_ref(&dir));
    let r = &e.collection(PRODUCTS)[1];
    assert_eq!(
        &text[r.span.start as usize..r.span.end as usize],
        "{\"id\":\"P2\",\"risk_level\":\"R9\"}"
    );
    assert_eq!(r.ordinal, 1);
    assert_eq!(
        findings(&e, IntegrityKind::Shape),
        [triple("products", Some("P2"), Some("/risk_level"))]
    );
    let f = &e.findings[0];
    assert_eq!(f.pointer, "/1");
    assert_eq!(f.field.as_ref().unwrap().0, "/1/risk_level");
    assert!(f.message.contains("`R9`"), "{}", f.message);
    let _ = path;
}

#[test]
fn record_shape_cd001() {
    let dir = scratch("cd001");
    let doc = r#"{
 "employees": [
  {"id": "E1", "name": "  ", "department": "sales", "active": "yes", "joined_at": "2025-03-04 09:30:00+08:00"},
  7,
  {"id": "E3", "name": "　", "department": null, "active": true, "joined_at": "2025-02-30"}
 ],
 "customers": [
  {"id": "C1", "type": "individual", "created_at": "2025-01-01", "kyc": {"verified_at": "2025-01-01T00:00:00Z"}, "profile": {}},
  {"type": "individual", "created_at": "2025-01-01", "kyc": {}, "profile": 3}
 ],
 "products": [{"id": "P1", "risk_level": "R1"}],
 "contracts": [
  {"id": "K1", "customer_id": "", "products": [{"selected_by_customer": true}, null, {"product_id": "P1", "selected_by_customer": 1}], "amount": 1e400}
 ],
 "plans": [
  {"id": "L1", "year": 2025.0, "quarters": [{"quarter": 5}, {"quarter": 2}], "targets": {"a": 1}},
  {"id": "L2", "year": 99999999999999999999, "quarters": [null, {}]},
  {"id": "L3", "year": 1e3}
 ],
 "supervision_reviews": [{"id": "S1", "reviewers": [null, "  "]}]
}"#;
    let path = write(&dir, "doc.json", doc);
    let e = load_paths(&[path]);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let got = findings(&e, IntegrityKind::Shape);
    let want = [
        triple("employees", Some("E1"), Some("/name")),
        triple("employees", Some("E1"), Some("/department")),
        triple("employees", Some("E1"), Some("/active")),
        triple("employees", Some("E1"), Some("/joined_at")),
        triple("employees", None, None),
        triple("employees", Some("E3"), Some("/name")),
        triple("employees", Some("E3"), Some("/department")),
        triple("employees", Some("E3"), Some("/joined_at")),
        triple("customers", Some("C1"), Some("/kyc/status")),
        triple("customers", None, Some("/id")),
        triple("customers", None, Some("/profile")),
        triple("contracts", Some("K1"), Some("/customer_id")),
        triple("contracts", Some("K1"), Some("/products/0/product_id")),
        triple("contracts", Some("K1"), Some("/products/1")),
        triple(
            "contracts",
            Some("K1"),
            Some("/products/2/selected_by_customer"),
        ),
        triple("contracts", Some("K1"), Some("/amount")),
        triple("plans", Some("L1"), Some("/year")),
        triple("plans", Some("L1"), Some("/quarters/0/quarter")),
        triple("plans", Some("L2"), Some("/year")),
        triple("plans", Some("L2"), Some("/quarters/0")),
        triple("plans", Some("L2"), Some("/quarters/1")),
        triple("plans", Some("L3"), Some("/year")),
        triple("supervision_reviews", Some("S1"), Some("/reviewers/0")),
        triple("supervision_reviews", Some("S1"), Some("/reviewers/1")),
        triple("supervision_reviews", Some("S1"), Some("/reviewers")),
    ];
    for w in &want {
        assert!(got.contains(w), "missing {w:?} in {got:#?}");
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
    // The record that is not an object is not kept; the others are.
    assert_eq!(e.collection(EMPLOYEES).len(), 2);
    let not_obj = e.findings.iter().find(|f| f.key.is_none()).unwrap();
    assert_eq!(not_obj.pointer, "/employees/1");
    assert_eq!(e.files[not_obj.file].pointer_prefix, "/employees");
    // A failing value is absent, with its span kept.
    let e1 = &e.collection(EMPLOYEES)[0];
    let dept = e1.fields[2].as_ref().unwrap();
    assert_eq!(dept.val, Val::Absent);
    let wanted = comply::locate::fields::Wanted {
        file: e1.file,
        record: e1.span,
        pointer: "/department",
    };
    let span = comply::locate::fields::field_spans(&e.files, &[wanted])[0].unwrap();
    assert_eq!(&doc[span.start as usize..span.end as usize], "\"sales\"");
    // Elements keep their positions; the empty `{}` profile is absent (no CD001).
    let k1 = &e.collection(CONTRACTS)[0];
    let Val::List(items) = &k1.fields[2].as_ref().unwrap().val else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].val, Val::Absent);
    let l1 = &e.collection(PLANS)[0];
    assert_eq!(l1.fields[3].as_ref().unwrap().val, Val::AnyObj);
    let msg = |key: &str| {
        e.findings
            .iter()
            .find(|f| f.key.as_deref() == Some(key) && f.collection == "contracts")
            .map(|f| f.message.clone())
            .unwrap()
    };
    assert!(msg("/amount").contains("`1e400`"), "{}", msg("/amount"));
    let field = &e
        .findings
        .iter()
        .find(|f| f.key.as_deref() == Some("/quarters/0/quarter"))
        .unwrap()
        .field;
    assert_eq!(field.as_ref().unwrap().0, "/plans/0/quarters/0/quarter");
}

#[test]
fn unique_ids_across_split_files_cd002() {
    let dir = scratch("cd002");
    write(&dir, "products/a.json", "[\n  {\"id\": \"P1\", \"risk_level\": \"R1\"},\n  {\"id\": \"P2\", \"risk_level\": \"R1\"}\n]");
    write(
        &dir,
        "products/b.ndjson",
        "{\"id\": \"P1\", \"risk_level\": \"R1\"}\n{\"id\": \"P1\", \"risk_level\": \"R2\"}\n",
    );
    let e = load_paths(std::slice::from_ref(&dir));
    let got = findings(&e, IntegrityKind::UniqueId);
    assert_eq!(
        got,
        [
            triple("products", Some("P1"), Some("2")),
            triple("products", Some("P1"), Some("3"))
        ]
    );
    let f = e
        .findings
        .iter()
        .find(|f| f.kind == IntegrityKind::UniqueId)
        .unwrap();
    assert!(f.message.contains("a.json:2:3"), "{}", f.message);
    assert_eq!(f.pointer, "/0");
    assert!(e.files[f.file].display.ends_with("b.ndjson"));
}

#[test]
fn references_cd003() {
    let dir = scratch("cd003");
    let doc = r#"{
 "employees": [{"id": "E1", "name": "A", "department": "other", "active": true}],
 "customers": [{"id": "C1", "type": "individual", "created_at": "2025-01-01", "owner": "E9", "kyc": {"status": "pending", "verified_by": "E8"}}],
 "contracts": [{"id": "K1", "customer_id": "C2", "products": [{"product_id": "P9", "selected_by_customer": true}]}],
 "supervision_reviews": [{"id": "S1", "reviewers": ["E1", "E7"]}]
}"#;
    let path = write(&dir, "doc.json", doc);
    // Projection keeps no field at all: references are still resolved.
    let s = schema();
    let projection = Projection {
        collections: s
            .collections
            .iter()
            .map(|c| Need::none(&c.record))
            .collect(),
    };
    let opts = LoadOptions {
        projection: Some(projection),
        ..LoadOptions::default()
    };
    let e = load(&[path], &s, &opts);
    let got = findings(&e, IntegrityKind::Reference);
    assert_eq!(
        got,
        [
            triple("customers", Some("C1"), Some("/owner")),
            triple("customers", Some("C1"), Some("/kyc/verified_by")),
            triple("contracts", Some("K1"), Some("/customer_id")),
            triple("contracts", Some("K1"), Some("/products/0/product_id")),
            triple("supervision_reviews", Some("S1"), Some("/reviewers/1")),
        ]
    );
    let f = e
        .findings
        .iter()
        .find(|f| f.key.as_deref() == Some("/reviewers/1"))
        .unwrap();
    let (ptr, span) = f.field.clone().unwrap();
    assert_eq!(ptr, "/supervision_reviews/0/reviewers/1");
    // Its span is found again in the record's text when it is reported.
    assert_eq!(span, None);
    let wanted = comply::locate::fields::Wanted {
        file: f.file,
        record: f.span,
        pointer: f.key.as_deref().unwrap(),
    };
    let span = comply::locate::fields::field_spans(&e.files, &[wanted])[0].unwrap();
    assert_eq!(&doc[span.start as usize..span.end as usize], "\"E7\"");
    assert!(e.collection(CUSTOMERS)[0]
        .fields
        .iter()
        .all(Option::is_none));
    assert!(e.collection(CUSTOMERS)[0].id.is_some());
}

#[test]
fn unknown_collections_cd004() {
    let dir = scratch("cd004");
    write(&dir, "custmers.json", "[]");
    write(&dir, "custmers2/x.json", "[]");
    write(&dir, "zzz/a.ndjson", "{}");
    write(&dir, "zzz/b.ndjson", "{}");
    write(&dir, "export.ndjson", "{}");
    write(&dir, "empty/readme.txt", "");
    let doc = scratch("cd004doc");
    let path = write(&doc, "d.json", r#"{"employes": [], "customers": []}"#);
    let e = load_paths(&[dir.clone(), path]);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let got = findings(&e, IntegrityKind::UnknownCollection);
    assert_eq!(
        got,
        [
            triple("export", None, Some("custmers")),
            triple("export", None, Some("custmers2")),
            triple("export", None, Some("export")),
            triple("export", None, Some("zzz")),
            triple("export", None, Some("employes")),
        ]
    );
    let m: Vec<&str> = e.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(m[0].contains("did you mean `customers`?"), "{m:?}");
    assert!(!m[3].contains("did you mean"), "{m:?}");
    assert!(m[4].contains("did you mean `employees`?"), "{m:?}");
    assert_eq!(e.findings[4].pointer, "/employes");
}

#[test]
fn malformed_file_does_not_stop_the_others() {
    let dir = scratch("bad");
    write(
        &dir,
        "customers.json",
        "[\n  {\"id\": \"C1\",\n    \"type\": tru}\n]",
    );
    write(
        &dir,
        "products.json",
        r#"[{"id": "P1", "risk_level": "R1"}]"#,
    );
    write(&dir, "employees.ndjson", "{\"id\":\"E1\",\"name\":\"A\",\"department\":\"other\",\"active\":true}\n{\"id\":\n{\"id\":\"E3\",\"name\":\"A\",\"department\":\"other\",\"active\":true}\n");
    let e = load_paths(std::slice::from_ref(&dir));
    let errs = errors(&e);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].contains("customers.json:3:16"), "{errs:?}");
    assert!(errs[1].contains("employees.ndjson:2:6"), "{errs:?}");
    assert_eq!(e.collection(PRODUCTS).len(), 1);
    let ords: Vec<u32> = e.collection(EMPLOYEES).iter().map(|r| r.ordinal).collect();
    assert_eq!(ords, [0, 2]);
    // The report carries the text and a label for miette to render.
    let diag: &dyn miette::Diagnostic = e.errors[0].as_ref();
    assert!(diag.source_code().is_some());
    assert_eq!(diag.labels().map(|l| l.count()), Some(1));
}

#[test]
fn input_errors() {
    let dir = scratch("input");
    write(&dir, "a/customers.json", "\u{feff}[]");
    write(&dir, "b/products.json", b"[{\"id\": \"P\xff\"}]");
    write(
        &dir,
        "c/products.json",
        format!("[{}1{}]", "[".repeat(70), "]".repeat(70)),
    );
    write(&dir, "d/products.json", r#"{"id": "P1"}"#);
    write(&dir, "e/export.json", "[1]");
    write(&dir, "f/export.json", r#"{"as_of": "yesterday"}"#);
    write(&dir, "g/doc.json", r#"{"products": {"id": 1}}"#);
    write(&dir, "h/doc.json", r#"[]"#);
    write(
        &dir,
        "i/products.ndjson",
        format!("{{}}\n{}1{}\n", "[".repeat(70), "]".repeat(70)),
    );
    let s = schema();
    for (sub, want) in [
        ("a", "byte order mark"),
        ("b", "invalid UTF-8"),
        ("c", "nesting deeper than 64 levels"),
        ("d", "expected an array of records, found an object"),
        ("e", "must be an object, found an array"),
        (
            "f",
            "`export.as_of` is `yesterday`, not an RFC 3339 timestamp",
        ),
        (
            "g",
            "`/products` must be an array of records, found an object",
        ),
        ("h", "found an array"),
        ("i", "products.ndjson:2:65: nesting deeper than 64 levels"),
    ] {
        let path = if matches!(sub, "g" | "h") {
            dir.join(sub).join("doc.json")
        } else {
            dir.join(sub)
        };
        let e = load(&[path], &s, &LoadOptions::default());
        let errs = errors(&e);
        assert_eq!(errs.len(), 1, "{sub}: {errs:?}");
        assert!(errs[0].contains(want), "{sub}: {errs:?}");
    }
    let missing = load(&[dir.join("nope")], &s, &LoadOptions::default());
    assert!(
        errors(&missing)[0].contains("cannot read"),
        "{:?}",
        errors(&missing)
    );
}

#[test]
fn several_paths_and_metadata() {
    let dir = scratch("meta");
    let a = write(
        &dir,
        "a.json",
        r#"{"export": {"as_of": "2025-12-31T00:00:00Z", "system": "one"}, "products": [{"id": "P1", "risk_level": "R1"}]}"#,
    );
    let b = write(
        &dir,
        "b.json",
        r#"{"export": {"as_of": "2025-12-31T00:00:00Z", "timezone": "+01:00", "system": "two"}, "products": [{"id": "P2", "risk_level": "R1"}]}"#,
    );
    let c = write(
        &dir,
        "c.json",
        r#"{"export": {"as_of": "2025-12-31T08:00:00+08:00"}}"#,
    );
    let e = load_paths(&[a.clone(), b.clone()]);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(e.meta.system.as_deref(), Some("one"));
    assert_eq!(e.collection(PRODUCTS).len(), 2);
    let e = load_paths(&[a, b, c]);
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("conflicting export metadata") && errs[0].contains("c.json:1:12"),
        "{errs:?}"
    );
}

#[test]
fn root_export_json_as_document_and_duplicate_keys() {
    let dir = scratch("rootdoc");
    write(
        &dir,
        "export.json",
        r#"{"products": [{"id": "P1", "risk_level": "R1", "risk_level": "R3"}]}"#,
    );
    write(
        &dir,
        "products.json",
        r#"[{"id": "P2", "risk_level": "R2"}]"#,
    );
    let e = load_paths(std::slice::from_ref(&dir));
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let p = e.collection(PRODUCTS);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].fields[1].as_ref().unwrap().val, Val::Enum(2));
    assert_eq!(e.files[p[0].file].pointer_prefix, "/products");
    assert!(
        e.notes
            .iter()
            .any(|n| n.message.contains("duplicate key `risk_level`")),
        "{:?}",
        e.notes
    );
}

#[test]
fn empty_directory_and_symlinks() {
    let dir = scratch("empty");
    let e = load_paths(std::slice::from_ref(&dir));
    assert!(e.errors.is_empty() && e.findings.is_empty() && e.record_count() == 0);
    #[cfg(unix)]
    {
        let outside = scratch("outside");
        write(
            &outside,
            "products.json",
            r#"[{"id": "P9", "risk_level": "R1"}]"#,
        );
        let root = scratch("links");
        write(
            &root,
            "products/a.json",
            r#"[{"id": "P1", "risk_level": "R1"}]"#,
        );
        std::os::unix::fs::symlink(&root, root.join("products/loop")).unwrap();
        std::os::unix::fs::symlink(
            outside.join("products.json"),
            root.join("products/out.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(root.join("products/a.json"), root.join("products/b.json"))
            .unwrap();
        std::os::unix::fs::symlink(
            root.join("products/self.json"),
            root.join("products/self.json"),
        )
        .unwrap();
        let e = load_paths(std::slice::from_ref(&root));
        assert!(e.errors.is_empty(), "{:?}", errors(&e));
        let ids: Vec<&str> = e
            .collection(PRODUCTS)
            .iter()
            .map(|r| e.ids.resolve(r.id.unwrap()))
            .collect();
        assert_eq!(ids, ["P1", "P1"]);
        assert_eq!(e.notes.len(), 3, "{:?}", e.notes);
    }
}

#[test]
fn projection_keeps_only_what_is_read() {
    let dir = scratch("proj");
    let path = write(
        &dir,
        "d.json",
        r#"{"employees": [{"id": "E1", "name": 5, "department": "other", "active": true}]}"#,
    );
    let s = schema();
    let mut projection = Projection::all(&s);
    projection.collections[EMPLOYEES].fields[1] = None;
    let opts = LoadOptions {
        projection: Some(projection),
        ..LoadOptions::default()
    };
    let e = load(&[path], &s, &opts);
    let r = &e.collection(EMPLOYEES)[0];
    // Only kept fields are stored; the layout says where each one is.
    let layout = &e.layouts[EMPLOYEES];
    assert_eq!(layout.slot(1), None);
    assert_eq!(
        r.fields.len(),
        s.collections[EMPLOYEES].record.fields.len() - 1
    );
    assert_eq!(layout.slot(3), Some(2));
    assert_eq!(r.fields[2].as_ref().map(|f| &f.val), Some(&Val::Bool(true)));
    assert_eq!(
        findings(&e, IntegrityKind::Shape),
        [triple("employees", Some("E1"), Some("/name"))]
    );
}

#[test]
fn parallel_chunks_are_deterministic() {
    let dir = scratch("big");
    let mut text = String::from("[");
    for i in 0..10_000 {
        if i > 0 {
            text.push(',');
        }
        let id = if i % 1000 == 999 { 0 } else { i };
        text.push_str(&format!(
            "{{\"id\": \"P{id}\", \"risk_level\": \"R{}\"}}\n",
            i % 7
        ));
    }
    text.push(']');
    let path = write(&dir, "products.json", &text);
    let a = load_paths(std::slice::from_ref(&dir));
    let b = load_paths(&[path.parent().unwrap().to_path_buf()]);
    assert_eq!(a.collection(PRODUCTS).len(), 10_000);
    assert_eq!(a.collection(PRODUCTS), b.collection(PRODUCTS));
    assert_eq!(a.findings, b.findings);
    let ords: Vec<u32> = a.collection(PRODUCTS).iter().map(|r| r.ordinal).collect();
    assert!(ords.iter().enumerate().all(|(i, o)| *o as usize == i));
    assert_eq!(findings(&a, IntegrityKind::UniqueId).len(), 10);
}

#[test]
fn deep_input_never_overflows_the_stack() {
    let dir = scratch("deep");
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let doc = format!(
        r#"{{"products": [{{"id": "P1", "risk_level": "R1", "extra": {deep}}}], "employees": {deep}}}"#
    );
    let path = write(&dir, "d.json", &doc);
    write(
        &dir,
        "n/products.ndjson",
        format!("{{\"id\": \"P2\", \"risk_level\": \"R2\", \"x\": {deep}}}\n"),
    );
    let opts = LoadOptions {
        max_depth: 1_000_000,
        ..LoadOptions::default()
    };
    let e = load(&[path.clone(), dir.join("n")], &schema(), &opts);
    assert_eq!(e.collection(PRODUCTS).len(), 2);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    // The deep array held in `employees` is one record that is not an object.
    assert_eq!(
        findings(&e, IntegrityKind::Shape),
        [triple("employees", None, None)]
    );
    assert!(comply::data::json::check_json_syntax_depth(doc.as_bytes(), 1_000_000).is_ok());
    // With the default limit the same file is an input error, not a crash.
    let e = load_paths(&[path]);
    assert!(
        errors(&e)[0].contains("nesting deeper than 64 levels"),
        "{:?}",
        errors(&e)
    );
}

#[test]
fn metadata_timezone_rules() {
    let dir = scratch("tz");
    let a = write(
        &dir,
        "a.json",
        r#"{"export": {"timezone": "Asia/Shanghai", "generated_at": "2025-06-01"}}"#,
    );
    let e = load_paths(&[a]);
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("not a fixed offset"), "{errs:?}");
    // Date-only timestamps fall back to the default +08:00.
    assert_eq!(
        e.meta.generated_at.unwrap().1.to_string(),
        "2025-05-31T16:00:00Z"
    );
    let b = write(
        &dir,
        "b.json.gz",
        gzip(r#"{"export": {"timezone": "+08:00"}}"#),
    );
    let c = write(
        &dir,
        "c.json",
        r#"{"export": {"timezone": "Z", "as_of": "2025-01-01T00:00:00Z"}}"#,
    );
    let e = load_paths(&[b, c]);
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`timezone` is `Z` here but `+08:00` before"),
        "{errs:?}"
    );
    assert!(e.meta.as_of.is_none());
    assert!(e.files[0].gzip);
}

/// References that resolve are dropped as soon as their target is known;
/// the others wait for the end. A reference before its target, in the same
/// file or in a later one, must still resolve, and a dangling one must not.
#[test]
fn references_resolve_whatever_the_order_of_collections_and_files() {
    let dir = scratch("cd003-order");
    let doc = r#"{
 "customers": [{"id": "C1", "type": "individual", "created_at": "2025-01-01", "owner": "E1"},
               {"id": "C2", "type": "individual", "created_at": "2025-01-01", "owner": "E9"}],
 "employees": [{"id": "E1", "name": "A", "department": "other", "active": true}],
 "contracts": [{"id": "K1", "customer_id": "C1"}, {"id": "K2", "customer_id": "C3"}]
}"#;
    let first = write(&dir, "a.json", doc);
    let later = write(
        &dir,
        "b.json",
        r#"{"customers": [{"id": "C3", "type": "individual", "created_at": "2025-01-01", "owner": "E1"}]}"#,
    );
    for block_size in [0, 1, 64, 1 << 20] {
        let opts = LoadOptions {
            block_size,
            ..LoadOptions::default()
        };
        let alone = load(std::slice::from_ref(&first), &schema(), &opts);
        assert_eq!(
            findings(&alone, IntegrityKind::Reference),
            [
                triple("customers", Some("C2"), Some("/owner")),
                triple("contracts", Some("K2"), Some("/customer_id")),
            ],
            "block {block_size}"
        );
        let both = load(&[first.clone(), later.clone()], &schema(), &opts);
        assert_eq!(
            findings(&both, IntegrityKind::Reference),
            [triple("customers", Some("C2"), Some("/owner"))],
            "block {block_size}"
        );
    }
}
