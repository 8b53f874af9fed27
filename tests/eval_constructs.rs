//! Evaluator unit tests: one small hand-written policy and export per
//! construct of the policy language (docs/language.md), asserting exactly
//! which records violate, at the boundary of each condition, and how
//! messages render.

use comply::audit::{audit, AuditOptions, SetupError};
use comply::diagnostic::Level;
use comply::source::SourceFile;
use serde_json::{json, Value};

/// The schema every test shares; rules are appended to it.
const SCHEMA: &str = r#"
policy eval-constructs {
  title "evaluator constructs"
  version "1"
}

param window_days: int = 3
param min_amount: number = 0.5
param wanted: string = "gold"
param strict: bool = false

enum dept { sales, support, legal }

collection staff {
  id: string
  dept: dept
  active: bool
}

collection items {
  id: string
  n: int?
  x: number?
  s: string?
  flag: bool?
  d: dept?
  level: enum { low, mid, high }?
  t: time?
  u: time?
  owner: ref staff?
  tags: [string]?
  extra: object?
  info: { code: string?, size: int?, inner: { deep: string? }? }?
  parts: [{ k: 1..4, who: ref staff? }]?
  peers: [ref staff]?
  parent: ref items?
}

collection notes {
  id: string
  item_id: ref items
  kind: dept
  noted_at: time?
}
"#;

/// A violation as the two engines are compared: id, key, code and
/// message, field pointer.
#[cfg(feature = "datafusion")]
type Located = (Option<String>, Option<String>, String, Option<String>);

/// One violation, as the tests compare them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    code: String,
    id: Option<String>,
    key: Option<String>,
    message: String,
}

/// A rule with the given code and body (`for`, `when`, `require`, `key`,
/// `message` lines).
fn rule(code: &str, body: &str) -> String {
    format!(
        "\nrule {code} rule-{} {{\n  severity error\n  clause \"§1\"\n{body}\n}}\n",
        code.to_lowercase()
    )
}

/// Compiles `SCHEMA` + `rules`, writes `export` to a temp file and audits it.
fn try_run(rules: &str, export: &Value, opts: &AuditOptions) -> Result<Vec<Found>, SetupError> {
    let text = format!("{SCHEMA}{rules}");
    let (program, diags) = comply::policy::compile(vec![SourceFile::new("test.policy", text)]);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| format!("{}: {} at {:?}", d.code, d.message, d.span))
        .collect();
    assert!(
        errors.is_empty(),
        "policy does not compile:\n{errors:#?}\n{rules}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    std::fs::write(&path, serde_json::to_vec_pretty(export).unwrap()).unwrap();
    let judge = |opts: &AuditOptions| -> Result<Vec<Found>, SetupError> {
        let a = audit(&program, std::slice::from_ref(&path), opts)?;
        let mut out: Vec<Found> = a
            .run
            .violations
            .iter()
            .map(|v| Found {
                code: a.run.rule(v).code.clone(),
                id: v.id.clone(),
                key: v.key.clone(),
                message: v.message.clone(),
            })
            .filter(|f| f.code.starts_with('T'))
            .collect();
        out.sort();
        Ok(out)
    };
    let out = judge(opts)?;
    // Loading only the fields the rules read changes nothing.
    let full = judge(&AuditOptions {
        no_projection: !opts.no_projection,
        ..opts.clone()
    })?;
    assert_eq!(out, full, "projection changed the violations");
    // One policy, two engines, one answer: the relational engine must find
    // exactly what the native one finds, message for message, pointing at
    // the same fields.
    #[cfg(feature = "datafusion")]
    {
        let located = |engine| -> Result<Vec<Located>, SetupError> {
            let a = audit(
                &program,
                std::slice::from_ref(&path),
                &AuditOptions {
                    engine,
                    ..opts.clone()
                },
            )?;
            let mut v: Vec<_> = a
                .run
                .violations
                .iter()
                .map(|v| {
                    (
                        v.id.clone(),
                        v.key.clone(),
                        format!("{} {}", a.run.rule(v).code, v.message),
                        v.field.as_ref().map(|f| f.pointer.clone()),
                    )
                })
                .collect();
            v.sort();
            Ok(v)
        };
        let native = located(comply::audit::Engine::Native)?;
        let relational = located(comply::audit::Engine::Datafusion)
            .unwrap_or_else(|e| panic!("datafusion engine failed: {e}\n{rules}"));
        assert_eq!(native, relational, "the engines disagree on\n{rules}");
    }
    Ok(out)
}

fn run(rules: &str, export: &Value, opts: &AuditOptions) -> Vec<Found> {
    try_run(rules, export, opts).unwrap_or_else(|e| panic!("audit failed: {e}"))
}

/// Adds the default metadata (as_of mid-2025, `+08:00`) and staff to a
/// document that lacks them.
fn doc(mut export: Value) -> Value {
    let o = export.as_object_mut().unwrap();
    o.entry("export")
        .or_insert_with(|| json!({ "as_of": "2025-06-30T12:00:00+08:00", "timezone": "+08:00" }));
    o.entry("staff").or_insert_with(|| {
        json!([
            { "id": "S1", "dept": "sales", "active": true },
            { "id": "S2", "dept": "support", "active": false },
            { "id": "S3", "dept": "legal", "active": true }
        ])
    });
    export
}

/// `(code, id)` of every violation, sorted.
fn ids(found: &[Found]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|f| (f.code.clone(), f.id.clone().unwrap_or_default()))
        .collect()
}

/// Ids of the `items` violating `require COND` (rule T001, no `when`).
fn failing(cond: &str, items: Value) -> Vec<String> {
    failing_with(cond, items, &AuditOptions::default())
}

fn failing_with(cond: &str, items: Value, opts: &AuditOptions) -> Vec<String> {
    let r = rule(
        "T001",
        &format!("  for i in items\n  require {cond}\n  message \"{{i.id}}\""),
    );
    let found = run(&r, &doc(json!({ "items": items })), opts);
    found.into_iter().map(|f| f.id.unwrap()).collect()
}

fn v(ids: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

fn opts_as_of(t: &str) -> AuditOptions {
    AuditOptions {
        as_of: Some(t.into()),
        ..AuditOptions::default()
    }
}

// ------------------------------------------------------------ field access

#[test]
fn field_access_top_level() {
    let items = json!([
        { "id": "a", "s": "gold" },
        { "id": "b", "s": "silver" },
        { "id": "c" }
    ]);
    assert_eq!(failing("i.s == \"gold\"", items), v(&["b", "c"]));
}

#[test]
fn field_access_nested_objects() {
    let items = json!([
        { "id": "a", "info": { "code": "X", "inner": { "deep": "yes" } } },
        { "id": "b", "info": { "code": "Y", "inner": { "deep": "no" } } },
        { "id": "c", "info": { "code": "X" } },
        { "id": "d" }
    ]);
    assert_eq!(
        failing("i.info.code == \"X\"", items.clone()),
        v(&["b", "d"])
    );
    assert_eq!(
        failing("i.info.inner.deep == \"yes\"", items.clone()),
        v(&["b", "c", "d"])
    );
    // Absent along the way: the whole path is absent.
    assert_eq!(
        failing("i.info.inner.deep is absent", items),
        v(&["a", "b"])
    );
}

// ------------------------------------------------------------ absent values

#[test]
fn absent_null_blank_and_empty_strings() {
    let items = json!([
        { "id": "a" },
        { "id": "b", "s": null },
        { "id": "c", "s": "" },
        { "id": "d", "s": "   " },
        { "id": "e", "s": "\u{3000}" },
        { "id": "f", "s": "x" },
        { "id": "g", "s": " x " }
    ]);
    assert_eq!(
        failing("i.s is present", items.clone()),
        v(&["a", "b", "c", "d", "e"])
    );
    assert_eq!(failing("i.s is absent", items), v(&["f", "g"]));
}

#[test]
fn absent_empty_lists_and_objects() {
    let items = json!([
        { "id": "a" },
        { "id": "b", "tags": [], "extra": {}, "info": {} },
        { "id": "c", "tags": [""], "extra": { "k": 1 }, "info": { "code": "X" } },
        { "id": "d", "tags": ["x"], "extra": null, "info": null }
    ]);
    // A list holding only absent values is absent.
    assert_eq!(
        failing("i.tags is present", items.clone()),
        v(&["a", "b", "c"])
    );
    assert_eq!(
        failing("i.extra is present", items.clone()),
        v(&["a", "b", "d"])
    );
    assert_eq!(failing("i.info is present", items), v(&["a", "b", "d"]));
}

#[test]
fn is_not_is_true_when_absent() {
    let items = json!([
        { "id": "a", "d": "sales" },
        { "id": "b", "d": "support" },
        { "id": "c" },
        { "id": "d", "d": "bogus" }
    ]);
    // `not x == y`: "is not", true when absent (and for an invalid value).
    assert_eq!(failing("not i.d == sales", items.clone()), v(&["a"]));
    // `x != y`: "differs and is known", false when absent.
    assert_eq!(failing("i.d != sales", items.clone()), v(&["a", "c", "d"]));
    assert_eq!(failing("i.d == sales", items.clone()), v(&["b", "c", "d"]));
    assert_eq!(
        failing("i.d in [sales, legal]", items.clone()),
        v(&["b", "c", "d"])
    );
    // `x not in L` is `not (x in L)`.
    assert_eq!(failing("i.d not in [sales, legal]", items), v(&["a"]));
}

#[test]
fn comparison_with_absent_operand_is_false() {
    let items = json!([
        { "id": "a", "n": 1 },
        { "id": "b", "n": 5 },
        { "id": "c" }
    ]);
    assert_eq!(failing("i.n < 5", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("i.n >= 5", items.clone()), v(&["a", "c"]));
    assert_eq!(failing("not i.n < 5", items.clone()), v(&["a"]));
    assert_eq!(failing("i.n == i.n", items.clone()), v(&["c"]));
    assert_eq!(failing("i.n != 0", items.clone()), v(&["c"]));
    assert_eq!(failing("i.n <= 5 or i.n > 5", items.clone()), v(&["c"]));
    // Arithmetic with an absent operand is absent.
    assert_eq!(failing("i.n + 1 > 0", items.clone()), v(&["c"]));
    assert_eq!(failing("(i.n + 1) is present", items), v(&["c"]));
}

#[test]
fn division_by_zero_and_overflow_are_absent() {
    let items = json!([
        { "id": "a", "n": 1 },
        { "id": "b", "n": 5 },
        { "id": "c" }
    ]);
    assert_eq!(failing("(i.n / 0) is absent", items.clone()), v(&[]));
    assert_eq!(failing("(i.n / 1) is present", items.clone()), v(&["c"]));
    assert_eq!(
        failing("(i.n * 9223372036854775807) is present", items),
        v(&["b", "c"])
    );
}

#[test]
fn coalesce_picks_the_present_value() {
    let items = json!([
        { "id": "a", "n": 5 },
        { "id": "b" },
        { "id": "c", "n": 2 },
        { "id": "d", "u": "2025-01-02T00:00:00+08:00" },
        { "id": "e", "t": "2025-01-01T00:00:00+08:00", "u": "2025-01-09T00:00:00+08:00" }
    ]);
    assert_eq!(failing("coalesce(i.n, 0) < 3", items.clone()), v(&["a"]));
    assert_eq!(
        failing(
            "coalesce(i.t, i.u) < i.u + 1 days and coalesce(i.t, i.u) > i.u - 1 days",
            items
        ),
        v(&["a", "b", "c", "e"])
    );
}

// ------------------------------------------------------------ equality and order

#[test]
fn ints_order_at_the_boundary() {
    let items = json!([
        { "id": "two", "n": 2 },
        { "id": "three", "n": 3 },
        { "id": "four", "n": 4 }
    ]);
    assert_eq!(failing("i.n <= 3", items.clone()), v(&["four"]));
    assert_eq!(failing("i.n < 3", items.clone()), v(&["three", "four"]));
    assert_eq!(failing("i.n > 3", items.clone()), v(&["two", "three"]));
    assert_eq!(failing("i.n >= 3", items.clone()), v(&["two"]));
    assert_eq!(failing("i.n == 3", items.clone()), v(&["two", "four"]));
    assert_eq!(failing("i.n != 3", items.clone()), v(&["three"]));
    assert_eq!(
        failing("i.n * 2 + 1 == 7", items.clone()),
        v(&["two", "four"])
    );
    assert_eq!(
        failing("i.n - 5 < -2", items.clone()),
        v(&["three", "four"])
    );
    assert_eq!(failing("-i.n < -2", items), v(&["two"]));
}

#[test]
fn numbers_and_ints_mix() {
    let items = json!([
        { "id": "a", "n": 3, "x": 2 },
        { "id": "b", "n": 2, "x": 2.5 },
        { "id": "c", "n": 4, "x": 1.99 },
        { "id": "d", "n": 3, "x": 0.5 },
        { "id": "e", "n": 3, "x": 0.49 }
    ]);
    assert_eq!(failing("i.n == 3.0", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("i.x > 2", items.clone()), v(&["a", "c", "d", "e"]));
    assert_eq!(failing("i.x >= 2", items.clone()), v(&["c", "d", "e"]));
    assert_eq!(
        failing("i.x == i.n - 1", items.clone()),
        v(&["b", "c", "d", "e"])
    );
    // A number parameter, default 0.5.
    assert_eq!(failing("i.x >= min_amount", items), v(&["e"]));
}

#[test]
fn strings_compare_exactly_and_order() {
    let items = json!([
        { "id": "a", "s": "apple" },
        { "id": "b", "s": "banana" },
        { "id": "c", "s": "cherry" },
        { "id": "d", "s": "Banana" }
    ]);
    assert_eq!(
        failing("i.s == \"banana\"", items.clone()),
        v(&["a", "c", "d"])
    );
    assert_eq!(failing("i.s != \"banana\"", items.clone()), v(&["b"]));
    assert_eq!(failing("i.s < \"banana\"", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("i.s >= \"banana\"", items.clone()), v(&["a", "d"]));
    assert_eq!(
        failing("i.s in [\"apple\", \"cherry\"]", items),
        v(&["b", "d"])
    );
}

#[test]
fn enums_compare_by_value_and_rank() {
    let items = json!([
        { "id": "a", "level": "low", "d": "sales" },
        { "id": "b", "level": "mid", "d": "support" },
        { "id": "c", "level": "high", "d": "legal" },
        { "id": "d" }
    ]);
    assert_eq!(
        failing("i.level == mid", items.clone()),
        v(&["a", "c", "d"])
    );
    assert_eq!(
        failing("rank(i.level) >= rank(mid)", items.clone()),
        v(&["a", "d"])
    );
    assert_eq!(
        failing("rank(i.level) == 2", items.clone()),
        v(&["a", "c", "d"])
    );
    assert_eq!(
        failing("rank(i.d) == 3", items.clone()),
        v(&["a", "b", "d"])
    );
    assert_eq!(
        failing("rank(i.level) is present", items.clone()),
        v(&["d"])
    );
    assert_eq!(failing("i.level in [low, high]", items), v(&["b", "d"]));
}

#[test]
fn booleans_and_logic() {
    let items = json!([
        { "id": "a", "flag": true },
        { "id": "b", "flag": false },
        { "id": "c" }
    ]);
    assert_eq!(failing("i.flag == true", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("i.flag == false", items.clone()), v(&["a", "c"]));
    assert_eq!(failing("not i.flag == true", items.clone()), v(&["a"]));
    assert_eq!(failing("i.flag != true", items.clone()), v(&["a", "c"]));
    assert_eq!(failing("true", items.clone()), v(&[]));
    assert_eq!(failing("false", items), v(&["a", "b", "c"]));
}

#[test]
fn and_or_not_and_their_precedence() {
    let items = json!([
        { "id": "a", "n": 2, "s": "x" },
        { "id": "b", "n": 2, "s": "y" },
        { "id": "c", "n": 1, "s": "x" },
        { "id": "d", "n": 1, "s": "y" }
    ]);
    assert_eq!(
        failing("i.n > 1 and i.s == \"x\"", items.clone()),
        v(&["b", "c", "d"])
    );
    assert_eq!(failing("i.n > 1 or i.s == \"x\"", items.clone()), v(&["d"]));
    // `not` binds tighter than `and`.
    assert_eq!(
        failing("not i.n > 1 and i.s == \"x\"", items.clone()),
        v(&["a", "b", "d"])
    );
    assert_eq!(
        failing("not (i.n > 1 and i.s == \"x\")", items.clone()),
        v(&["a"])
    );
    // `and` binds tighter than `or`.
    assert_eq!(
        failing("i.n > 1 or i.s == \"x\" and false", items.clone()),
        v(&["c", "d"])
    );
    assert_eq!(failing("not not i.n > 1", items), v(&["c", "d"]));
}

// ------------------------------------------------------------ time

#[test]
fn instants_with_different_offsets_compare_as_instants() {
    let items = json!([
        // equal instants
        { "id": "a", "t": "2025-03-01T08:00:00+08:00", "u": "2025-03-01T00:00:00Z" },
        // t one second before u
        { "id": "b", "t": "2025-03-01T00:00:00Z", "u": "2025-03-01T08:00:01+08:00" },
        // t one second after u
        { "id": "c", "t": "2025-02-28T23:00:00-05:00", "u": "2025-03-01T03:59:59Z" },
        // lower-case `t` and `z`, equal
        { "id": "d", "t": "2025-03-01t00:00:00z", "u": "2025-03-01T08:00:00+08:00" },
        // one nanosecond after
        { "id": "e", "t": "2025-03-01T00:00:00.000000001Z", "u": "2025-03-01T08:00:00+08:00" }
    ]);
    assert_eq!(failing("i.t == i.u", items.clone()), v(&["b", "c", "e"]));
    assert_eq!(
        failing("i.t < i.u", items.clone()),
        v(&["a", "c", "d", "e"])
    );
    assert_eq!(failing("i.t <= i.u", items.clone()), v(&["c", "e"]));
    assert_eq!(failing("i.t > i.u", items), v(&["a", "b", "d"]));
}

#[test]
fn dates_are_midnight_in_the_export_time_zone() {
    let items = json!([
        { "id": "a", "t": "2025-03-01", "u": "2025-02-28T19:00:00Z" },
        { "id": "b", "t": "2025-03-01", "u": "2025-02-28T18:59:59Z" },
        { "id": "c", "t": "2025-03-01", "u": "2025-03-01T00:00:00+05:00" },
        { "id": "d", "t": "2025-03-01", "u": "2025-03-01T00:00:00Z" },
        { "id": "e", "t": "2025-03-01", "u": "2025-03-01" }
    ]);
    let r = rule(
        "T001",
        "  for i in items\n  require i.t == i.u\n  message \"{i.id}\"",
    );
    let export = json!({
        "export": { "as_of": "2025-06-30T00:00:00Z", "timezone": "+05:00" },
        "items": items
    });
    let found = run(&r, &doc(export), &AuditOptions::default());
    assert_eq!(
        ids(&found),
        vec![("T001".into(), "b".into()), ("T001".into(), "d".into())]
    );
}

#[test]
fn dates_default_to_plus_eight_hours() {
    let items = json!([
        { "id": "a", "t": "2025-03-01", "u": "2025-02-28T16:00:00Z" },
        { "id": "b", "t": "2025-03-01", "u": "2025-02-28T19:00:00Z" },
        { "id": "c", "t": "2025-03-01", "u": "2025-03-01T00:00:00Z" }
    ]);
    let r = rule(
        "T001",
        "  for i in items\n  require i.t == i.u\n  message \"{i.id}\"",
    );
    let export = json!({ "export": { "as_of": "2025-06-30T00:00:00Z" }, "items": items });
    let found = run(&r, &doc(export), &AuditOptions::default());
    assert_eq!(
        ids(&found),
        vec![("T001".into(), "b".into()), ("T001".into(), "c".into())]
    );
    // And in UTC when the export says so.
    let items = json!([
        { "id": "a", "t": "2025-03-01", "u": "2025-02-28T16:00:00Z" },
        { "id": "c", "t": "2025-03-01", "u": "2025-03-01T00:00:00Z" }
    ]);
    let export = json!({
        "export": { "as_of": "2025-06-30T00:00:00Z", "timezone": "Z" },
        "items": items
    });
    let found = run(&r, &doc(export), &AuditOptions::default());
    assert_eq!(ids(&found), vec![("T001".into(), "a".into())]);
}

fn within_items() -> Value {
    json!([
        { "id": "same", "t": "2025-03-01T10:00:00+08:00", "u": "2025-03-01T10:00:00+08:00" },
        { "id": "exact", "t": "2025-03-01T10:00:00+08:00", "u": "2025-03-04T10:00:00+08:00" },
        { "id": "plus1s", "t": "2025-03-01T10:00:00+08:00", "u": "2025-03-04T10:00:01+08:00" },
        { "id": "early", "t": "2025-03-01T10:00:00+08:00", "u": "2025-03-01T09:59:59+08:00" },
        { "id": "exactz", "t": "2025-03-01T10:00:00+08:00", "u": "2025-03-04T02:00:00Z" },
        { "id": "back", "t": "2025-03-01T10:00:00+08:00", "u": "2025-02-26T10:00:00+08:00" },
        { "id": "back1s", "t": "2025-03-01T10:00:00+08:00", "u": "2025-02-26T09:59:59+08:00" },
        { "id": "nou", "t": "2025-03-01T10:00:00+08:00" }
    ])
}

#[test]
fn within_days_after_is_exact_and_inclusive() {
    assert_eq!(
        failing("i.u within 3 days after i.t", within_items()),
        v(&["plus1s", "early", "back", "back1s", "nou"])
    );
    assert_eq!(
        failing("i.u within window_days days after i.t", within_items()),
        v(&["plus1s", "early", "back", "back1s", "nou"])
    );
    // `not within` is true for an absent operand.
    assert_eq!(
        failing("not i.u within 3 days after i.t", within_items()),
        v(&["same", "exact", "exactz"])
    );
}

#[test]
fn within_days_before_is_exact_and_inclusive() {
    assert_eq!(
        failing("i.u within 3 days before i.t", within_items()),
        v(&["exact", "plus1s", "exactz", "back1s", "nou"])
    );
}

#[test]
fn within_hours_and_dates() {
    let items = json!([
        { "id": "a", "t": "2025-03-01", "u": "2025-03-04" },
        { "id": "b", "t": "2025-03-01", "u": "2025-03-04T00:00:01+08:00" },
        { "id": "c", "t": "2025-03-01", "u": "2025-03-03T16:00:00Z" },
        { "id": "d", "t": "2025-03-01", "u": "2025-03-01T12:00:00+08:00" },
        { "id": "e", "t": "2025-03-01", "u": "2025-03-01T12:00:01+08:00" }
    ]);
    assert_eq!(
        failing("i.u within 3 days after i.t", items.clone()),
        v(&["b"])
    );
    assert_eq!(
        failing("i.u within 12 hours after i.t", items),
        v(&["a", "b", "c", "e"])
    );
}

#[test]
fn duration_arithmetic_is_exact() {
    let items = json!([
        { "id": "exact", "t": "2025-01-01T00:00:00Z", "u": "2025-03-02T12:00:00Z" },
        { "id": "plus1s", "t": "2025-01-01T00:00:00Z", "u": "2025-03-02T12:00:01Z" },
        { "id": "minus1s", "t": "2025-01-01T00:00:00Z", "u": "2025-03-02T11:59:59Z" }
    ]);
    // 2 * 30 days + 12 hours = 60.5 days: 2025-01-01 + 60.5 days = 2025-03-02T12:00Z.
    assert_eq!(
        failing("i.u - i.t > 2 * 30 days + 12 hours", items.clone()),
        v(&["exact", "minus1s"])
    );
    assert_eq!(
        failing("i.u - i.t <= 2 * 30 days + 12 hours", items.clone()),
        v(&["plus1s"])
    );
    assert_eq!(
        failing("i.t + 60 days + 12 hours < i.u", items.clone()),
        v(&["exact", "minus1s"])
    );
    assert_eq!(
        failing("i.u - 12 hours == i.t + 60 days", items.clone()),
        v(&["plus1s", "minus1s"])
    );
    assert_eq!(
        failing("(i.u - i.t) / 2 >= 30 days + 6 hours", items.clone()),
        v(&["minus1s"])
    );
    assert_eq!(
        failing("i.u - i.t == 1452 hours", items),
        v(&["plus1s", "minus1s"])
    );
}

#[test]
fn fractional_days() {
    let items = json!([
        { "id": "a", "t": "2025-01-01T00:00:00Z", "u": "2025-01-02T12:00:00Z" },
        { "id": "b", "t": "2025-01-01T00:00:00Z", "u": "2025-01-02T12:00:01Z" }
    ]);
    assert_eq!(failing("i.u - i.t <= 1.5 days", items), v(&["b"]));
}

// ------------------------------------------------------------ as_of

fn as_of_items() -> Value {
    json!([
        { "id": "a", "t": "2025-05-31T12:00:00+08:00" },
        { "id": "b", "t": "2025-05-31T12:00:01+08:00" },
        { "id": "c", "t": "2025-06-30T04:00:01Z" },
        { "id": "d", "t": "2025-07-31T12:00:01+08:00" },
        { "id": "e", "t": "2025-06-30T12:00:00+08:00" }
    ])
}

fn as_of_rule() -> String {
    rule(
        "T001",
        "  for i in items\n  require not i.t > as_of\n  message \"{i.id} {as_of}\"",
    )
}

fn as_of_run(meta: Value, opts: &AuditOptions) -> Result<Vec<String>, SetupError> {
    let export = doc(json!({ "export": meta, "items": as_of_items() }));
    Ok(try_run(&as_of_rule(), &export, opts)?
        .into_iter()
        .map(|f| f.id.unwrap())
        .collect())
}

#[test]
fn as_of_option_wins_over_the_export() {
    let meta = json!({
        "as_of": "2025-06-30T12:00:00+08:00",
        "generated_at": "2025-07-31T12:00:00+08:00"
    });
    let got = as_of_run(meta, &opts_as_of("2025-05-31T04:00:00Z")).unwrap();
    assert_eq!(got, v(&["b", "c", "d", "e"]));
}

#[test]
fn as_of_from_the_export_wins_over_generated_at() {
    let meta = json!({
        "as_of": "2025-06-30T12:00:00+08:00",
        "generated_at": "2025-07-31T12:00:00+08:00"
    });
    let got = as_of_run(meta, &AuditOptions::default()).unwrap();
    assert_eq!(got, v(&["c", "d"]));
}

#[test]
fn as_of_falls_back_to_generated_at() {
    let meta = json!({ "generated_at": "2025-07-31T12:00:00+08:00" });
    let got = as_of_run(meta, &AuditOptions::default()).unwrap();
    assert_eq!(got, v(&["d"]));
    // One second later, d passes too.
    let meta = json!({ "generated_at": "2025-07-31T04:00:01Z" });
    let got = as_of_run(meta, &AuditOptions::default()).unwrap();
    assert_eq!(got, v(&[]));
}

#[test]
fn no_as_of_is_an_error() {
    let got = as_of_run(json!({ "system": "crm" }), &AuditOptions::default());
    assert!(matches!(got, Err(SetupError::NoAsOf)), "{got:?}");
    let got = as_of_run(
        json!({ "as_of": "2025-06-30T12:00:00+08:00" }),
        &opts_as_of("2025-06-31"),
    );
    assert!(matches!(got, Err(SetupError::BadAsOf(_))), "{got:?}");
    let got = as_of_run(
        json!({ "as_of": "2025-06-30T12:00:00+08:00" }),
        &opts_as_of("2025-06-30 12:00:00"),
    );
    assert!(matches!(got, Err(SetupError::BadAsOf(_))), "{got:?}");
}

#[test]
fn as_of_option_as_a_date_is_midnight_in_the_export_time_zone() {
    let items = json!([
        { "id": "p", "t": "2025-05-31T19:00:00Z" },
        { "id": "q", "t": "2025-05-31T19:00:01Z" },
        { "id": "r", "t": "2025-05-31T16:00:01Z" }
    ]);
    let export = doc(json!({
        "export": { "as_of": "2030-01-01T00:00:00Z", "timezone": "+05:00" },
        "items": items
    }));
    let found = run(&as_of_rule(), &export, &opts_as_of("2025-06-01"));
    assert_eq!(ids(&found), vec![("T001".into(), "q".into())]);
    assert_eq!(found[0].message, "q 2025-06-01");
}

// ------------------------------------------------------------ parameters

#[test]
fn parameters_default_and_overridden() {
    let items = json!([
        { "id": "gold", "s": "gold", "flag": false },
        { "id": "silver", "s": "silver", "flag": true },
        { "id": "none" }
    ]);
    let with = |params: &[(&str, &str)]| AuditOptions {
        params: params
            .iter()
            .map(|(k, val)| (k.to_string(), val.to_string()))
            .collect(),
        ..AuditOptions::default()
    };
    assert_eq!(
        failing("i.s == wanted", items.clone()),
        v(&["silver", "none"])
    );
    assert_eq!(
        failing_with(
            "i.s == wanted",
            items.clone(),
            &with(&[("wanted", "silver")])
        ),
        v(&["gold", "none"])
    );
    assert_eq!(
        failing("i.flag == strict", items.clone()),
        v(&["silver", "none"])
    );
    assert_eq!(
        failing_with(
            "i.flag == strict",
            items.clone(),
            &with(&[("strict", "true")])
        ),
        v(&["gold", "none"])
    );
    // Later values win.
    assert_eq!(
        failing_with(
            "i.u within window_days days after i.t",
            within_items(),
            &with(&[("window_days", "1"), ("window_days", "4")])
        ),
        v(&["early", "back", "back1s", "nou"])
    );
    let nums = json!([{ "id": "a", "x": 0.75 }, { "id": "b", "x": 0.8 }]);
    assert_eq!(failing("i.x >= min_amount", nums.clone()), v(&[]));
    assert_eq!(
        failing_with("i.x >= min_amount", nums, &with(&[("min_amount", "0.8")])),
        v(&["a"])
    );
}

#[test]
fn bad_parameters_stop_the_audit() {
    let r = rule(
        "T001",
        "  for i in items\n  require i.n < window_days\n  message \"{i.id}\"",
    );
    let export = doc(json!({ "items": [{ "id": "a", "n": 1 }] }));
    let opts = |k: &str, val: &str| AuditOptions {
        params: vec![(k.into(), val.into())],
        ..AuditOptions::default()
    };
    let got = try_run(&r, &export, &opts("window_dayz", "3"));
    assert!(
        matches!(got, Err(SetupError::UnknownParam { .. })),
        "{got:?}"
    );
    let got = try_run(&r, &export, &opts("window_days", "3.5"));
    assert!(matches!(got, Err(SetupError::BadParam { .. })), "{got:?}");
    assert_eq!(
        ids(&run(&r, &export, &opts("window_days", "1"))),
        vec![("T001".into(), "a".into())]
    );
}

// ------------------------------------------------------------ predicates, when

#[test]
fn def_predicates_expand_with_arguments() {
    let r = format!(
        "\ndef big(x: items, lim: int) = x.n > lim\n{}",
        rule(
            "T001",
            "  for i in items\n  require not big(i, window_days)\n  message \"{i.id}\""
        )
    );
    let items = json!([{ "id": "a", "n": 3 }, { "id": "b", "n": 4 }, { "id": "c" }]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    assert_eq!(ids(&found), vec![("T001".into(), "b".into())]);
}

#[test]
fn when_restricts_the_records_judged() {
    let r = rule(
        "T001",
        "  for i in items\n  when i.d == sales\n  require i.n > 0\n  message \"{i.id}\"",
    );
    let items = json!([
        { "id": "a", "d": "sales", "n": 1 },
        { "id": "b", "d": "sales", "n": 0 },
        { "id": "c", "d": "support", "n": 0 },
        { "id": "d", "n": 0 },
        { "id": "e", "d": "sales" }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    assert_eq!(
        ids(&found),
        vec![("T001".into(), "b".into()), ("T001".into(), "e".into())]
    );
}

// ------------------------------------------------------------ references and joins

#[test]
fn references_follow_to_the_record() {
    let items = json!([
        { "id": "a", "owner": "S1" },
        { "id": "b", "owner": "S2" },
        { "id": "c", "owner": "S9" },
        { "id": "d" }
    ]);
    assert_eq!(
        failing("i.owner->dept == sales", items.clone()),
        v(&["b", "c", "d"])
    );
    assert_eq!(
        failing("not i.owner->dept == support", items.clone()),
        v(&["b"])
    );
    assert_eq!(
        failing("i.owner->active == true", items.clone()),
        v(&["b", "c", "d"])
    );
    // A dangling reference: everything read through it is absent.
    assert_eq!(
        failing("i.owner->id is present", items.clone()),
        v(&["c", "d"])
    );
    assert_eq!(
        failing("i.owner->dept is absent", items.clone()),
        v(&["a", "b"])
    );
    // The reference itself is still a present value (CD003 speaks of "a
    // present reference" naming a missing id); only what is read through it
    // is absent.
    assert_eq!(failing("i.owner is present", items), v(&["d"]));
}

#[test]
fn a_reference_resolves_to_the_first_record_with_its_id() {
    let r = rule(
        "T001",
        "  for i in items\n  require i.owner->dept == sales\n  message \"{i.id}\"",
    );
    let export = doc(json!({
        "staff": [
            { "id": "S1", "dept": "sales", "active": true },
            { "id": "S1", "dept": "legal", "active": true },
            { "id": "S2", "dept": "legal", "active": true }
        ],
        "items": [{ "id": "a", "owner": "S1" }, { "id": "b", "owner": "S2" }]
    }));
    let found = run(&r, &export, &AuditOptions::default());
    assert_eq!(ids(&found), vec![("T001".into(), "b".into())]);
}

fn join_export() -> Value {
    doc(json!({
        "items": [{ "id": "a" }, { "id": "b" }, { "id": "c" }, { "id": "d" }],
        "notes": [
            { "id": "n1", "item_id": "a", "kind": "legal" },
            { "id": "n2", "item_id": "a", "kind": "sales" },
            { "id": "n3", "item_id": "b", "kind": "sales" },
            { "id": "n4", "item_id": "zz", "kind": "legal" },
            { "id": "n5", "item_id": "c", "kind": "legal" }
        ]
    }))
}

fn join_failing(cond: &str) -> Vec<String> {
    let r = rule(
        "T001",
        &format!("  for i in items\n  require {cond}\n  message \"{{i.id}}\""),
    );
    run(&r, &join_export(), &AuditOptions::default())
        .into_iter()
        .map(|f| f.id.unwrap())
        .collect()
}

#[test]
fn joins_by_index_and_by_scan_agree() {
    let indexed = "exists n in notes where n.item_id == i.id and n.kind == legal";
    let scanned = "exists n in notes where (n.item_id == i.id or false) and n.kind == legal";
    assert_eq!(join_failing(indexed), v(&["b", "d"]));
    assert_eq!(join_failing(scanned), v(&["b", "d"]));
    assert_eq!(
        join_failing("exists n in notes where i.id == n.item_id and n.kind == legal"),
        v(&["b", "d"])
    );
}

#[test]
fn quantifiers_over_a_collection() {
    assert_eq!(
        join_failing("no n in notes where n.item_id == i.id and n.kind == sales"),
        v(&["a", "b"])
    );
    assert_eq!(
        join_failing("all n in notes where n.item_id == i.id satisfy n.kind == legal"),
        v(&["a", "b"])
    );
    assert_eq!(
        join_failing("(count n in notes where n.item_id == i.id) >= 2"),
        v(&["b", "c", "d"])
    );
    // As the language page writes it: the `where` stops before `>`.
    assert_eq!(
        join_failing("count n in notes where n.item_id == i.id > 0"),
        v(&["d"])
    );
    assert_eq!(join_failing("count n in notes == 5"), v(&[]));
    assert_eq!(
        join_failing("count n in notes == 4"),
        v(&["a", "b", "c", "d"])
    );
    assert_eq!(
        join_failing("exists n in notes where n.item_id->id is absent"),
        v(&[])
    );
}

#[test]
fn a_dangling_reference_finds_no_record() {
    let r = rule(
        "T002",
        "  for n in notes\n  require exists i in items where i.id == n.item_id\n  message \"{n.id} {n.item_id} {n.item_id->id}\"",
    );
    let found = run(&r, &join_export(), &AuditOptions::default());
    assert_eq!(ids(&found), vec![("T002".into(), "n4".into())]);
    assert_eq!(found[0].message, "n4 zz (absent)");
    let r = rule(
        "T003",
        "  for n in notes\n  require n.item_id->id is present\n  message \"{n.id}\"",
    );
    let found = run(&r, &join_export(), &AuditOptions::default());
    assert_eq!(ids(&found), vec![("T003".into(), "n4".into())]);
}

// ------------------------------------------------------------ quantifiers over lists

fn list_items() -> Value {
    json!([
        { "id": "a", "tags": ["x", "y"] },
        { "id": "b", "tags": ["y"] },
        { "id": "c", "tags": [] },
        { "id": "d" },
        { "id": "e", "tags": ["x", ""] }
    ])
}

#[test]
fn quantifiers_over_a_list_field() {
    assert_eq!(
        failing("exists m in i.tags where m == \"x\"", list_items()),
        v(&["b", "c", "d"])
    );
    assert_eq!(failing("exists m in i.tags", list_items()), v(&["c", "d"]));
    // Vacuously true over an absent list; absent elements are ignored.
    assert_eq!(
        failing("all m in i.tags satisfy m == \"x\"", list_items()),
        v(&["a", "b"])
    );
    assert_eq!(
        failing("no m in i.tags where m == \"y\"", list_items()),
        v(&["a", "b"])
    );
    assert_eq!(
        failing("count m in i.tags == 2", list_items()),
        v(&["b", "c", "d", "e"])
    );
    assert_eq!(
        failing("count m in i.tags == 0", list_items()),
        v(&["a", "b", "e"])
    );
    assert_eq!(
        failing("\"x\" in i.tags", list_items()),
        v(&["b", "c", "d"])
    );
    assert_eq!(failing("\"x\" not in i.tags", list_items()), v(&["a", "e"]));
}

#[test]
fn quantifiers_over_ranges_and_lists_of_objects() {
    let items = json!([
        { "id": "a", "parts": [{ "k": 1, "who": "S1" }, { "k": 2 }, { "k": 3 }, { "k": 4 }] },
        { "id": "b", "parts": [{ "k": 1 }, { "k": 2 }, { "k": 3 }] },
        { "id": "c" },
        { "id": "d", "parts": [{ "k": 4, "who": "S9" }, { "k": 3, "who": "S2" }, { "k": 2 }, { "k": 1 }] }
    ]);
    assert_eq!(
        failing(
            "all n in 1..4 satisfy exists p in i.parts where p.k == n",
            items.clone()
        ),
        v(&["b", "c"])
    );
    assert_eq!(
        failing(
            "(count n in 2..4 where exists p in i.parts where p.k == n) == 3",
            items.clone()
        ),
        v(&["b", "c"])
    );
    assert_eq!(
        failing(
            "all p in i.parts where p.who is present satisfy p.who->id is present",
            items.clone()
        ),
        v(&["d"])
    );
    assert_eq!(
        failing("exists p in i.parts where p.who->dept == support", items),
        v(&["a", "b", "c"])
    );
}

#[test]
fn quantifiers_over_lists_of_references() {
    let items = json!([
        { "id": "a", "peers": ["S1", "S2"] },
        { "id": "b", "peers": ["S3", "S9"] },
        { "id": "c" }
    ]);
    assert_eq!(
        failing("exists p in i.peers where p->dept == legal", items.clone()),
        v(&["a", "c"])
    );
    assert_eq!(
        failing("all p in i.peers satisfy p->id is present", items.clone()),
        v(&["b"])
    );
    assert_eq!(
        failing(
            "(count s in staff where s.active == true) == count p in i.peers",
            items
        ),
        v(&["c"])
    );
}

#[test]
fn for_over_a_list_field_reports_each_element() {
    let r = rule(
        "T001",
        "  for i in items, p in i.peers\n  require p->dept == sales\n  key p\n  message \"{i.id} has {p} in {p->dept}\"",
    );
    let items = json!([
        { "id": "a", "peers": ["S1", "S2"] },
        { "id": "b", "peers": ["S3", "S9"] },
        { "id": "c" }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    let got: Vec<(Option<String>, Option<String>, String)> = found
        .into_iter()
        .map(|f| (f.id, f.key, f.message))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("a".into()),
                Some("S2".into()),
                "a has S2 in support".into()
            ),
            (
                Some("b".into()),
                Some("S3".into()),
                "b has S3 in legal".into()
            ),
            (
                Some("b".into()),
                Some("S9".into()),
                "b has S9 in (absent)".into()
            ),
        ]
    );
}

#[test]
fn for_over_two_collections_and_a_range() {
    let r = rule(
        "T001",
        "  for i in items, s in staff\n  when s.active == true\n  require not i.d == s.dept\n  key s.id\n  message \"{i.id}/{s.id}\"",
    );
    let items = json!([
        { "id": "a", "d": "sales" },
        { "id": "b", "d": "legal" },
        { "id": "c", "d": "support" }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items.clone() })),
        &AuditOptions::default(),
    );
    let got: Vec<(Option<String>, Option<String>)> =
        found.into_iter().map(|f| (f.id, f.key)).collect();
    assert_eq!(
        got,
        vec![
            (Some("a".into()), Some("S1".into())),
            (Some("b".into()), Some("S3".into()))
        ]
    );
    let r = rule(
        "T002",
        "  for i in items, n in 1..3\n  require not rank(i.d) == n\n  key n\n  message \"{i.id} {n}\"",
    );
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    let got: Vec<(Option<String>, Option<String>)> =
        found.into_iter().map(|f| (f.id, f.key)).collect();
    assert_eq!(
        got,
        vec![
            (Some("a".into()), Some("1".into())),
            (Some("b".into()), Some("3".into())),
            (Some("c".into()), Some("2".into()))
        ]
    );
}

// ------------------------------------------------------------ periods

/// Labels of the periods a `for q in SOURCE` rule with `require false` reports.
fn period_keys(source: &str, meta: Value) -> Vec<String> {
    let r = rule(
        "T001",
        &format!("  for q in {source}\n  require false\n  key q\n  message \"{{q}}\""),
    );
    let found = run(
        &r,
        &doc(json!({ "export": meta, "items": [] })),
        &AuditOptions::default(),
    );
    for f in &found {
        assert_eq!(f.id, None);
        assert_eq!(Some(&f.message), f.key.as_ref());
    }
    let mut keys: Vec<String> = found.into_iter().map(|f| f.key.unwrap()).collect();
    keys.sort();
    keys
}

#[test]
fn quarters_ended_is_the_rolling_year_inclusive_at_both_ends() {
    let at = |as_of: &str| period_keys("quarters_ended(as_of)", json!({ "as_of": as_of }));
    // 2025-Q2 ends at as_of; 2024-Q2 ends exactly 365 days before.
    assert_eq!(
        at("2025-07-01T00:00:00+08:00"),
        v(&["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"])
    );
    assert_eq!(
        at("2025-07-01T00:00:01+08:00"),
        v(&["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"])
    );
    assert_eq!(
        at("2025-06-30T23:59:59+08:00"),
        v(&["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"])
    );
}

#[test]
fn periods_follow_the_export_time_zone() {
    // 2025-07-01T00:00+08:00 is 2025-06-30T16:00Z: in UTC, 2025-Q2 has not ended.
    let keys = period_keys(
        "quarters_ended(as_of)",
        json!({ "as_of": "2025-07-01T00:00:00+08:00", "timezone": "Z" }),
    );
    assert_eq!(keys, v(&["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]));
}

#[test]
fn months_years_and_all_periods_ended() {
    let meta = json!({ "as_of": "2025-07-01T00:00:00+08:00" });
    let months = period_keys("months_ended(as_of)", meta.clone());
    let mut want: Vec<String> = vec!["2024-06".into()];
    want.extend((7..=12).map(|m| format!("2024-{m:02}")));
    want.extend((1..=6).map(|m| format!("2025-{m:02}")));
    want.sort();
    assert_eq!(months, want);
    assert_eq!(
        period_keys("years_ended(as_of)", meta.clone()),
        v(&["2024"])
    );
    assert_eq!(
        period_keys("periods_ended(as_of)", meta.clone()).len(),
        13 + 5 + 1
    );
    // 2024 ends at 2025-01-01T00:00+08:00: still judged 365 days later, not one second after.
    let meta = json!({ "as_of": "2026-01-01T00:00:00+08:00" });
    assert_eq!(
        period_keys("years_ended(as_of)", meta),
        v(&["2024", "2025"])
    );
    let meta = json!({ "as_of": "2026-01-01T00:00:01+08:00" });
    assert_eq!(period_keys("years_ended(as_of)", meta), v(&["2025"]));
}

#[test]
fn periodic_rule_finds_records_in_each_period() {
    let r = rule(
        "T001",
        "  for q in quarters_ended(as_of)\n  require exists i in items where i.t in q\n  key q\n  message \"nothing in {q}\"",
    );
    let export = doc(json!({
        "export": { "as_of": "2025-06-30T12:00:00+08:00" },
        "items": [
            // 2024-Q3, at its last second
            { "id": "x1", "t": "2024-09-30T23:59:59+08:00" },
            // 2025-Q1 in +08:00 (2024-Q4 in UTC)
            { "id": "x2", "t": "2024-12-31T16:00:00Z" },
            { "id": "x3" }
        ]
    }));
    let found = run(&r, &export, &AuditOptions::default());
    let got: Vec<(Option<String>, Option<String>, String)> = found
        .into_iter()
        .map(|f| (f.id, f.key, f.message))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, Some("2024-Q2".into()), "nothing in 2024-Q2".into()),
            (None, Some("2024-Q4".into()), "nothing in 2024-Q4".into()),
        ]
    );
}

#[test]
fn periods_as_values_start_inclusive_end_exclusive() {
    let items = json!([
        { "id": "a", "t": "2025-01-01T00:00:00+08:00", "n": 2025 },
        { "id": "b", "t": "2024-12-31T23:59:59+08:00", "n": 2025 },
        { "id": "c", "t": "2025-04-01T00:00:00+08:00", "n": 2025 },
        { "id": "d", "t": "2025-03-31T23:59:59+08:00", "n": 2025 },
        { "id": "e", "t": "2024-12-31T16:00:00Z", "n": 2025 },
        { "id": "f", "n": 2025 }
    ]);
    assert_eq!(
        failing("i.t in quarter(2025, 1)", items.clone()),
        v(&["b", "c", "f"])
    );
    assert_eq!(
        failing("i.t in quarter(i.n - 1, 4)", items.clone()),
        v(&["a", "c", "d", "e", "f"])
    );
    assert_eq!(
        failing("i.t in month(2025, 3)", items.clone()),
        v(&["a", "b", "c", "e", "f"])
    );
    assert_eq!(
        failing("i.t in year(2024)", items.clone()),
        v(&["a", "c", "d", "e", "f"])
    );
    assert_eq!(
        failing(
            "quarter(2025, 1).start == i.t or quarter(2025, 1).end == i.t",
            items.clone()
        ),
        v(&["b", "d", "f"])
    );
    assert_eq!(
        failing(
            "quarter(i.n, 1).label == \"2025-Q1\" and month(i.n, 3).label == \"2025-03\" and year(i.n).label == \"2025\" and quarter(i.n, 1).kind == \"quarter\" and month(2025, 1).kind == \"month\" and year(2025).kind == \"year\"",
            items
        ),
        v(&[])
    );
}

#[test]
fn quantifier_over_periods() {
    let items = json!([
        { "id": "a", "t": "2025-03-15T00:00:00+08:00" },
        { "id": "b", "t": "2025-06-15T00:00:00+08:00" },
        { "id": "c", "t": "2024-03-15T00:00:00+08:00" }
    ]);
    // as_of 2025-06-30T12:00+08:00: ended quarters 2024-Q2 .. 2025-Q1.
    assert_eq!(
        failing(
            "exists q in quarters_ended(as_of) where i.t in q",
            items.clone()
        ),
        v(&["b", "c"])
    );
    assert_eq!(
        failing(
            "count q in months_ended(as_of) where q.end > i.t == 3",
            items
        ),
        v(&["b", "c"])
    );
}

// ------------------------------------------------------------ messages

#[test]
fn messages_render_values() {
    let r = rule(
        "T001",
        "  for i in items\n  require false\n  message \"{i.id}: t {i.t}, u {i.u}, gap {i.u - i.t}, n {i.n}, x {i.x}, d {i.d}, level {i.level}, owner {i.owner} ({i.owner->dept}), s {i.s}, tags {i.tags}, flag {i.flag}, limit {window_days} days, as of {as_of} {{braces}} \\\"q\\\"\"",
    );
    let export = doc(json!({
        "export": { "as_of": "2025-06-30T04:00:00Z", "timezone": "+08:00" },
        "items": [
            {
                "id": "a", "t": "2025-03-01T00:00:00Z", "u": "2025-03-20T00:00:00Z",
                "n": 3, "x": 2.5, "d": "sales", "level": "high", "owner": "S9",
                "tags": ["p", "q"], "flag": true
            },
            {
                "id": "b", "t": "2025-02-28T16:00:00Z", "u": "2025-03-15T16:00:01Z",
                "x": 2.0, "owner": "S2", "s": "hi"
            }
        ]
    }));
    let found = run(&r, &export, &AuditOptions::default());
    let msgs: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "a: t 2025-03-01T08:00:00+08:00, u 2025-03-20T08:00:00+08:00, gap 19 days, n 3, x 2.5, d sales, level high, owner S9 ((absent)), s (absent), tags \"p\", \"q\", flag true, limit 3 days, as of 2025-06-30T12:00:00+08:00 {braces} \"q\"",
            "b: t 2025-03-01, u 2025-03-16T00:00:01+08:00, gap 15 days 1s, n (absent), x 2, d (absent), level (absent), owner S2 (support), s \"hi\", tags (absent), flag (absent), limit 3 days, as of 2025-06-30T12:00:00+08:00 {braces} \"q\"",
        ]
    );
}

#[test]
fn messages_render_times_in_the_export_time_zone() {
    let r = rule(
        "T001",
        "  for i in items\n  require false\n  message \"{i.t} {i.u - i.t} {i.t - i.u}\"",
    );
    let items = json!([
        { "id": "a", "t": "2025-03-01T00:00:00Z", "u": "2025-03-01T02:30:00Z" },
        { "id": "b", "t": "2025-03-01T12:34:56.5Z", "u": "2025-03-02T12:34:56.5Z" }
    ]);
    let with_tz = |tz: &str| {
        let export = doc(json!({
            "export": { "as_of": "2025-06-30T00:00:00Z", "timezone": tz },
            "items": items.clone()
        }));
        run(&r, &export, &AuditOptions::default())
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with_tz("Z"),
        vec![
            "2025-03-01 2h 30m -2h 30m",
            "2025-03-01T12:34:56.5Z 1 day -1 day"
        ]
    );
    assert_eq!(
        with_tz("-05:30"),
        vec![
            "2025-02-28T18:30:00-05:30 2h 30m -2h 30m",
            "2025-03-01T07:04:56.5-05:30 1 day -1 day"
        ]
    );
}

#[test]
fn messages_render_periods() {
    let r = rule(
        "T001",
        "  for q in quarters_ended(as_of)\n  require false\n  key q\n  message \"{q} {q.label} {q.kind} {q.start} {q.end} {q.end - q.start}\"",
    );
    let export = doc(json!({ "export": { "as_of": "2025-04-01T00:00:00+08:00" }, "items": [] }));
    let found = run(&r, &export, &AuditOptions::default());
    let last = found
        .iter()
        .find(|f| f.key.as_deref() == Some("2025-Q1"))
        .expect("2025-Q1 ended");
    assert_eq!(
        last.message,
        "2025-Q1 2025-Q1 quarter 2025-01-01 2025-04-01 90 days"
    );
    // 2024-Q1 ends exactly 365 days before as_of (2024 is a leap year).
    assert_eq!(found.len(), 5);
}

// ------------------------------------------------------------ more boundaries

#[test]
fn values_that_do_not_fit_their_type_count_as_absent() {
    let items = json!([
        { "id": "ok", "n": 3, "t": "2025-03-01T00:00:00Z", "level": "mid", "parts": [{ "k": 4 }] },
        { "id": "str", "n": "3", "t": "2025-03-01 00:00:00Z", "level": "MID", "parts": [{ "k": 5 }] },
        { "id": "frac", "n": 3.0, "t": "2025-02-30", "level": 2, "parts": [{ "k": "4" }] },
        { "id": "nooff", "n": 3.5, "t": "2025-03-01T00:00:00", "parts": [{ "k": 0 }] }
    ]);
    assert_eq!(
        failing("i.n is present", items.clone()),
        v(&["str", "frac", "nooff"])
    );
    assert_eq!(
        failing("i.n == 3", items.clone()),
        v(&["str", "frac", "nooff"])
    );
    assert_eq!(
        failing("i.t is present", items.clone()),
        v(&["str", "frac", "nooff"])
    );
    assert_eq!(failing("not i.t < as_of", items.clone()), v(&["ok"]));
    assert_eq!(
        failing("i.level is present", items.clone()),
        v(&["str", "frac", "nooff"])
    );
    // A list whose only element does not fit is absent.
    let lists = json!([
        { "id": "ok", "tags": ["x"] },
        { "id": "int", "tags": [5] },
        { "id": "null", "tags": [null] },
        { "id": "obj", "tags": [{}] },
        { "id": "mixed", "tags": [5, "y"] }
    ]);
    assert_eq!(
        failing("i.tags is present", lists.clone()),
        v(&["int", "null", "obj"])
    );
    assert_eq!(
        failing("count m in i.tags == 1", lists),
        v(&["int", "null", "obj"])
    );
    assert_eq!(
        failing("exists p in i.parts where p.k >= 4", items),
        v(&["str", "frac", "nooff"])
    );
}

#[test]
fn within_days_before_as_of() {
    // as_of is 2025-06-30T12:00:00+08:00 (the default of `doc`).
    let items = json!([
        { "id": "asof", "t": "2025-06-30T04:00:00Z" },
        { "id": "after", "t": "2025-06-30T12:00:01+08:00" },
        { "id": "edge", "t": "2025-06-27T12:00:00+08:00" },
        { "id": "edge1s", "t": "2025-06-27T11:59:59+08:00" },
        { "id": "none" }
    ]);
    assert_eq!(
        failing("i.t within window_days days before as_of", items.clone()),
        v(&["after", "edge1s", "none"])
    );
    assert_eq!(
        failing("not as_of - i.t > 3 days", items.clone()),
        v(&["edge1s"])
    );
    assert_eq!(
        failing(
            "as_of - i.t <= 3 days and as_of - i.t >= 0 days",
            items.clone()
        ),
        v(&["after", "edge1s", "none"])
    );
    let opts = AuditOptions {
        params: vec![("window_days".into(), "0".into())],
        ..AuditOptions::default()
    };
    assert_eq!(
        failing_with("i.t within window_days days before as_of", items, &opts),
        v(&["after", "edge", "edge1s", "none"])
    );
}

#[test]
fn duration_scaling_and_sums() {
    let items = json!([
        { "id": "a", "t": "2025-01-01T00:00:00Z", "u": "2025-01-03T00:00:00Z" },
        { "id": "b", "t": "2025-01-01T00:00:00Z", "u": "2025-01-03T00:00:01Z" },
        { "id": "c", "t": "2025-01-01T00:00:00Z", "u": "2024-12-30T00:00:00Z" }
    ]);
    assert_eq!(
        failing("i.u - i.t == 1 days * 2", items.clone()),
        v(&["b", "c"])
    );
    assert_eq!(
        failing("i.u - i.t == 36 hours + 12 hours", items.clone()),
        v(&["b", "c"])
    );
    assert_eq!(
        failing("i.u - i.t == 4 days / 2", items.clone()),
        v(&["b", "c"])
    );
    // A negative duration orders below zero.
    assert_eq!(failing("i.u - i.t >= 0 days", items.clone()), v(&["c"]));
    assert_eq!(
        failing("i.t - i.u == 2 days", items.clone()),
        v(&["a", "b"])
    );
    assert_eq!(
        failing("i.u - i.t <= window_days days - 1 days", items),
        v(&["b"])
    );
}

#[test]
fn membership_in_lists_of_numbers() {
    let items = json!([
        { "id": "a", "n": 1, "x": 2.5 },
        { "id": "b", "n": 2, "x": 1 },
        { "id": "c", "n": 3, "x": 3 },
        { "id": "d" }
    ]);
    assert_eq!(failing("i.n in [1, 2]", items.clone()), v(&["c", "d"]));
    assert_eq!(failing("i.n not in [1, 2]", items.clone()), v(&["a", "b"]));
    assert_eq!(failing("i.x in [1, 2.5]", items), v(&["c", "d"]));
}

#[test]
fn string_escapes_in_literals() {
    let items = json!([
        { "id": "a", "s": "中" },
        { "id": "b", "s": "say \"hi\"" },
        { "id": "c", "s": "back\\slash" },
        { "id": "d", "s": "{x}" }
    ]);
    assert_eq!(
        failing("i.s == \"\\u{4E2D}\"", items.clone()),
        v(&["b", "c", "d"])
    );
    assert_eq!(
        failing("i.s == \"say \\\"hi\\\"\"", items.clone()),
        v(&["a", "c", "d"])
    );
    assert_eq!(
        failing("i.s == \"back\\\\slash\"", items.clone()),
        v(&["a", "b", "d"])
    );
    assert_eq!(failing("i.s == \"\\{x\\}\"", items), v(&["a", "b", "c"]));
}

#[test]
fn as_of_in_the_export_as_a_date() {
    let items = json!([
        { "id": "p", "t": "2025-05-31T19:00:00Z" },
        { "id": "q", "t": "2025-05-31T19:00:01Z" },
        { "id": "r", "t": "2025-05-31T16:00:01Z" }
    ]);
    let export = doc(json!({
        "export": { "as_of": "2025-06-01", "timezone": "+05:00" },
        "items": items
    }));
    let found = run(&as_of_rule(), &export, &AuditOptions::default());
    assert_eq!(ids(&found), vec![("T001".into(), "q".into())]);
}

#[test]
fn one_violation_per_record_and_key() {
    // Three values of `n` per item, but the key tells only the item's `d` apart.
    let r = rule(
        "T001",
        "  for i in items, n in 1..3\n  require i.n > n\n  key i.d\n  message \"{i.id}\"",
    );
    let items = json!([
        { "id": "a", "n": 0, "d": "sales" },
        { "id": "b", "n": 2, "d": "legal" },
        { "id": "c", "n": 4, "d": "legal" }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    let got: Vec<(Option<String>, Option<String>)> =
        found.into_iter().map(|f| (f.id, f.key)).collect();
    assert_eq!(
        got,
        vec![
            (Some("a".into()), Some("sales".into())),
            (Some("b".into()), Some("legal".into()))
        ]
    );
}

#[test]
fn messages_render_computed_values() {
    let r = rule(
        "T001",
        "  for i in items\n  require false\n  message \"{i.id}: {i.n + 1} {i.n * 2.5} {count m in i.tags} {rank(i.level)} {coalesce(i.n, 0)} {i.owner->dept} {i.owner->active} {exists m in i.tags} \\{lit\\}\"",
    );
    let items = json!([
        { "id": "a", "n": 4, "tags": ["a", "b"], "level": "high", "owner": "S3" },
        { "id": "b" }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    let msgs: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "a: 5 10 2 3 4 legal true true {lit}",
            "b: (absent) (absent) 0 (absent) 0 (absent) (absent) false {lit}",
        ]
    );
}

#[test]
fn at_points_at_the_field() {
    let text = format!(
        "{SCHEMA}{}",
        rule(
            "T001",
            "  for i in items\n  require i.n < 3\n  at i.info.size\n  message \"{i.id}\""
        )
    );
    let (program, diags) = comply::policy::compile(vec![SourceFile::new("test.policy", text)]);
    assert!(diags.iter().all(|d| d.level != Level::Error));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    let export = doc(json!({
        "items": [
            { "id": "a", "n": 1, "info": { "size": 1 } },
            { "id": "b", "n": 3, "info": { "code": "X", "size": 2 } }
        ]
    }));
    std::fs::write(&path, serde_json::to_vec(&export).unwrap()).unwrap();
    let a = audit(&program, &[path], &AuditOptions::default()).unwrap();
    let got: Vec<(Option<String>, String, Option<String>)> = a
        .run
        .violations
        .iter()
        .filter(|x| a.run.rule(x).code == "T001")
        .map(|x| {
            (
                x.id.clone(),
                x.location
                    .as_ref()
                    .map(|l| l.pointer.clone())
                    .unwrap_or_default(),
                x.field.as_ref().map(|f| f.pointer.clone()),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(
            Some("b".into()),
            "/items/1".into(),
            Some("/items/1/info/size".into())
        )]
    );
}

// ------------------------------------------------------------ probes

#[test]
fn unicode_whitespace_is_blank_but_other_invisible_text_is_not() {
    let items = json!([
        { "id": "nbsp", "s": "\u{00A0}" },
        { "id": "tabs", "s": "\t\n\r " },
        { "id": "lsep", "s": "\u{2028}" },
        { "id": "zwsp", "s": "\u{200B}" },
        { "id": "x", "s": "x" }
    ]);
    assert_eq!(failing("i.s is absent", items), v(&["x", "zwsp"]));
}

#[test]
fn malformed_timestamps_are_absent() {
    let items = json!([
        { "id": "ok", "t": "2024-02-29" },
        { "id": "leapsec", "t": "2025-06-30T23:59:60Z" },
        { "id": "feb29", "t": "2025-02-29" },
        { "id": "compact", "t": "2025-03-01T00:00:00+0800" },
        { "id": "space", "t": "2025-03-01 00:00:00+08:00" },
        { "id": "okfrac", "t": "2025-03-01T00:00:00.123456789+08:00" }
    ]);
    assert_eq!(
        failing("i.t is present", items),
        v(&["compact", "feb29", "leapsec", "space"])
    );
}

#[test]
fn joins_never_match_an_absent_key() {
    let export = doc(json!({
        "items": [
            { "id": "a" },
            { "id": "b", "parent": "a" },
            { "id": "c", "parent": "zz" },
            { "id": "d", "parent": "qq" }
        ],
        "notes": [
            { "id": "n1", "item_id": "a", "kind": "legal" },
            // no item_id (CD001): its key is absent and must match nothing
            { "id": "n2", "kind": "legal" },
            { "id": "n3", "item_id": null, "kind": "legal" },
            // a dangling reference matches by id value
            { "id": "n4", "item_id": "zz", "kind": "legal" }
        ]
    }));
    let failing_in = |cond: &str| -> Vec<String> {
        let r = rule(
            "T001",
            &format!("  for i in items\n  require {cond}\n  message \"{{i.id}}\""),
        );
        run(&r, &export, &AuditOptions::default())
            .into_iter()
            .map(|f| f.id.unwrap())
            .collect()
    };
    let indexed = "exists n in notes where n.item_id == i.parent";
    let scanned = "exists n in notes where n.item_id == i.parent or false";
    assert_eq!(failing_in(indexed), v(&["a", "d"]));
    assert_eq!(failing_in(scanned), v(&["a", "d"]));
    assert_eq!(
        failing_in("(count n in notes where n.item_id == i.parent) == 1"),
        v(&["a", "d"])
    );
    assert_eq!(
        failing_in("no n in notes where n.item_id == i.parent"),
        v(&["b", "c"])
    );
}

#[test]
fn nested_joins_keyed_by_an_outer_quantifier_variable() {
    // Items with two notes of different kinds: only `a`.
    assert_eq!(
        join_failing(
            "exists n in notes where n.item_id == i.id and (exists m in notes where m.item_id == n.item_id and m.kind != n.kind)"
        ),
        v(&["b", "c", "d"])
    );
}

#[test]
fn joins_keyed_by_a_list_element_binder() {
    let r = rule(
        "T001",
        "  for i in items, p in i.peers\n  require exists s in staff where s.id == p and s.active == true\n  key p\n  message \"{i.id} {p}\"",
    );
    let items = json!([
        { "id": "a", "peers": ["S1", "S2"] },
        { "id": "b", "peers": ["S3", "S9"] }
    ]);
    let found = run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    );
    let got: Vec<String> = found.into_iter().map(|f| f.message).collect();
    assert_eq!(got, vec!["a S2", "b S9"]);
}

#[test]
fn rolling_year_is_365_days_not_a_calendar_year() {
    // 2024 is a leap year: 365 days before 2025-01-01T00:00+08:00 is
    // 2024-01-02T00:00+08:00, after the end of 2023 and of 2023-12.
    let meta = json!({ "as_of": "2025-01-01T00:00:00+08:00" });
    assert_eq!(
        period_keys("years_ended(as_of)", meta.clone()),
        v(&["2024"])
    );
    let months = period_keys("months_ended(as_of)", meta.clone());
    let want: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).collect();
    assert_eq!(months, want);
    assert_eq!(
        period_keys("quarters_ended(as_of)", meta),
        v(&["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"])
    );
}

#[test]
fn periods_in_a_negative_offset() {
    let meta = json!({ "as_of": "2025-04-01T05:00:00Z", "timezone": "-05:00" });
    // 2025-04-01T00:00-05:00: 2025-Q1 has just ended there, and 2024-Q1
    // ended exactly 365 days before.
    assert_eq!(
        period_keys("quarters_ended(as_of)", meta),
        v(&["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"])
    );
    let meta = json!({ "as_of": "2025-04-01T04:59:59Z", "timezone": "-05:00" });
    assert_eq!(
        period_keys("quarters_ended(as_of)", meta),
        v(&["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"])
    );
}

#[test]
fn an_invalid_export_as_of_is_an_input_error() {
    let export = doc(json!({
        "export": { "as_of": "yesterday", "generated_at": "2025-07-31T12:00:00+08:00" },
        "items": as_of_items()
    }));
    let text = format!("{SCHEMA}{}", as_of_rule());
    let (program, _) = comply::policy::compile(vec![SourceFile::new("test.policy", text)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    std::fs::write(&path, serde_json::to_vec(&export).unwrap()).unwrap();
    let loaded = comply::audit::load(&program, &[path], &AuditOptions::default());
    let errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains("export.as_of")),
        "{errors:?}"
    );
}

#[test]
fn an_invalid_export_as_of_is_not_a_fallback() {
    let got = as_of_run(
        json!({ "as_of": "yesterday", "generated_at": "2025-07-31T12:00:00+08:00" }),
        &AuditOptions::default(),
    );
    assert!(got.is_err(), "judged at generated_at instead: {got:?}");
}

#[test]
fn integer_and_number_division() {
    let items = json!([
        { "id": "a", "n": 3, "x": 3 },
        { "id": "b", "n": 4, "x": 4.5 },
        { "id": "c" }
    ]);
    // Integer division truncates (the language page does not say; this pins it).
    assert_eq!(failing("i.n / 2 == 1", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("i.x / 2 == 1.5", items.clone()), v(&["b", "c"]));
    assert_eq!(failing("(i.x / 0.0) is absent", items), v(&[]));
}

#[test]
fn duration_scaling_is_exact_for_long_durations() {
    // 200 days and 1 ns: more than 2^53 ns.
    let items = json!([
        { "id": "a", "t": "2025-01-01T00:00:00Z", "u": "2025-07-20T00:00:00.000000001Z" }
    ]);
    assert_eq!(
        failing("(i.u - i.t) * 1 == i.u - i.t", items.clone()),
        v(&[])
    );
    assert_eq!(
        failing("(i.u - i.t) * 2 == (i.u - i.t) + (i.u - i.t)", items),
        v(&[])
    );
}

// ------------------------------------------------------------ free text in messages
//
// Free text read from the export is quoted in messages so that `--redact`
// (README: "redacted reports carry no customer name or free text") can mask it.

fn redacted_messages(message: &str, items: Value) -> Vec<(String, String)> {
    let r = rule(
        "T001",
        &format!("  for i in items\n  require false\n  message \"{message}\""),
    );
    run(
        &r,
        &doc(json!({ "items": items })),
        &AuditOptions::default(),
    )
    .into_iter()
    .filter(|f| f.id.as_deref() == Some("a"))
    .map(|f| {
        let red = comply::report::redact::redact_message(&f.message);
        (f.message, red)
    })
    .collect()
}

#[test]
fn messages_quote_free_text_fields() {
    let items = json!([
        { "id": "p", "s": "SECRET2", "info": { "code": "SECRET4" } },
        { "id": "a", "s": "SECRET1", "parent": "p", "info": { "code": "SECRET3" } }
    ]);
    let got = redacted_messages(
        "{i.id}: {i.s} {i.parent->s} {i.info.code} {i.parent->info.code} {i.parent}",
        items,
    );
    assert_eq!(
        got,
        vec![(
            "a: \"SECRET1\" \"SECRET2\" \"SECRET3\" \"SECRET4\" p".to_string(),
            "a: \"******\" \"******\" \"******\" \"******\" p".to_string()
        )]
    );
}

#[test]
fn messages_quote_free_text_with_inner_quotes() {
    let items = json!([{ "id": "a", "s": "say \"SECRET\" now" }]);
    let got = redacted_messages("{i.id}: {i.s}", items);
    assert_eq!(got.len(), 1);
    assert!(!got[0].1.contains("SECRET"), "{got:?}");
}

#[test]
fn messages_quote_free_text_in_lists() {
    let items = json!([{ "id": "a", "tags": ["SECRET"] }]);
    let got = redacted_messages("{i.id}: {i.tags}", items);
    assert_eq!(got.len(), 1);
    assert!(!got[0].1.contains("SECRET"), "{got:?}");
}

#[test]
fn messages_quote_free_text_from_list_binders() {
    let r = rule(
        "T001",
        "  for i in items, m in i.tags\n  require false\n  key m\n  message \"{i.id}: {m}\"",
    );
    let export = doc(json!({ "items": [{ "id": "a", "tags": ["SECRET"] }] }));
    let found = run(&r, &export, &AuditOptions::default());
    assert_eq!(found.len(), 1);
    let red = comply::report::redact::redact_message(&found[0].message);
    assert!(!red.contains("SECRET"), "{} => {red}", found[0].message);
}

#[test]
fn messages_quote_free_text_through_coalesce() {
    let items = json!([{ "id": "a", "s": "SECRET" }]);
    let got = redacted_messages("{i.id}: {coalesce(i.s, i.s)}", items);
    assert_eq!(got.len(), 1);
    assert!(!got[0].1.contains("SECRET"), "{got:?}");
}

#[test]
fn a_collection_missing_from_the_export_is_empty() {
    let r = rule(
        "T001",
        "  for i in items\n  require (no n in notes where n.item_id == i.id) and (all n in notes satisfy false) and count n in notes == 0 and not exists n in notes\n  message \"{i.id}\"",
    );
    let found = run(
        &r,
        &doc(json!({ "items": [{ "id": "a" }] })),
        &AuditOptions::default(),
    );
    assert_eq!(found, vec![]);
    let r = rule(
        "T002",
        "  for n in notes\n  require false\n  message \"{n.id}\"",
    );
    let found = run(
        &r,
        &doc(json!({ "items": [{ "id": "a" }] })),
        &AuditOptions::default(),
    );
    assert_eq!(found, vec![]);
    // The same rule does report when the collection has a record.
    let found = run(
        &r,
        &doc(json!({ "notes": [{ "id": "n1", "item_id": "a", "kind": "legal" }] })),
        &AuditOptions::default(),
    );
    assert_eq!(ids(&found), vec![("T002".into(), "n1".into())]);
}

#[test]
fn quantifiers_without_where_over_absent_lists() {
    assert_eq!(failing("no m in i.tags", list_items()), v(&["a", "b", "e"]));
    assert_eq!(
        failing("all m in i.tags satisfy false", list_items()),
        v(&["a", "b", "e"])
    );
}
