//! Properties of `comply fmt`: on real policies and on generated ASTs,
//! formatting is idempotent and the output parses back to the same tree
//! (modulo spans), keeping every comment.

#[path = "common/ast_norm.rs"]
mod ast_norm;

use comply::ast::*;
use comply::source::{SourceFile, Span};
use comply::syntax::{format::format, parse};
use proptest::prelude::*;

fn parse_ok(name: &str, text: &str) -> Policy {
    let (p, d) = parse(&SourceFile::new(name, text));
    assert!(
        d.is_empty(),
        "{name} does not parse:\n{}\n--- text\n{text}",
        d.iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    );
    p
}

/// Formats, parses back and formats again; panics with the texts on a difference.
fn roundtrip(p1: &Policy, what: &str) {
    let f1 = format(p1);
    let p2 = parse_ok(&format!("fmt({what})"), &f1);
    assert_eq!(
        ast_norm::items(p1),
        ast_norm::items(&p2),
        "tree changed by fmt({what}):\n{f1}"
    );
    assert_eq!(
        ast_norm::comment_texts(p1),
        ast_norm::comment_texts(&p2),
        "comments changed by fmt({what})"
    );
    let f2 = format(&p2);
    assert_eq!(f1, f2, "fmt not idempotent on {what}");
}

fn policy_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["policies", "tests"] {
        for e in walkdir::WalkDir::new(root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "policy") {
                out.push(e.into_path());
            }
        }
    }
    out
}

#[test]
fn shipped_and_repository_policies_roundtrip() {
    let files = policy_files();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let what = f.display().to_string();
        let (p, d) = parse(&SourceFile::new(&what, text.as_str()));
        // The error corpus holds syntax errors on purpose; what parses of
        // it (most of it is ill-typed, not malformed) must round-trip too.
        if !d.is_empty() {
            assert!(what.contains("policy-errors"), "{what} does not parse");
            continue;
        }
        assert!(!p.items.is_empty());
        roundtrip(&p, &what);
    }
    roundtrip(&parse_ok("shipped", comply::policy::SHIPPED), "shipped");
}

/// The normaliser must not hide real differences: an operator, a dropped
/// parenthesis or a changed literal gives a different tree.
#[test]
fn span_normaliser_is_honest() {
    let items = |t: &str| ast_norm::items(&parse_ok("t", t));
    assert_eq!(
        items("def f() = a - (b - c)"),
        items("def   f( )=\n a-(b-c) # c")
    );
    assert_ne!(items("def f() = a - (b - c)"), items("def f() = a - b - c"));
    assert_ne!(items("def f() = a and b"), items("def f() = a or b"));
    assert_ne!(
        items("def f() = (a or b) and c"),
        items("def f() = a or b and c")
    );
    assert_ne!(items("def f() = x < 1"), items("def f() = x <= 1"));
    assert_ne!(items("def f() = x in y"), items("def f() = x not in y"));
    assert_ne!(items("def f() = \"a\""), items("def f() = \"b\""));
    assert_ne!(items("def f() = x.a"), items("def f() = x->a"));
    assert_ne!(
        items("rule R1 r { message \"a{x}\" }"),
        items("rule R1 r { message \"a{y}\" }")
    );
}

#[test]
fn comments_are_kept() {
    let text = "# head\n\npolicy p { # after brace\n  title \"t\" # trailing\n}\nparam a: int = 1\n# between params\nparam b: int = 2\ndef f() = # in def\n  a and # mid\n  b\nrule R1 r {\n  # first\n  when x # w\n  # last\n}\n# tail\n";
    let p = parse_ok("c", text);
    assert_eq!(p.comments.len(), 10);
    roundtrip(&p, "comments");
}

// ------------------------------------------------------------ generation

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "present", "absent", "exists", "all", "count", "no", "where",
    "satisfy", "within", "after", "before", "days", "hours", "true", "false",
];

fn sp() -> Span {
    Span::default()
}

fn id(name: impl Into<String>) -> Ident {
    Ident {
        name: name.into(),
        span: sp(),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

fn b(kind: ExprKind) -> Box<Expr> {
    Box::new(e(kind))
}

/// Identifiers: random ASCII, unicode, and words that start like keywords.
fn ident_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z_][a-z0-9_]{0,6}".prop_filter("keyword", |s| !KEYWORDS.contains(&s.as_str()) && !quantifier_prefix(s)),
        1 => prop::sample::select(vec![
            "客户", "_", "x1", "andy", "order", "index", "days2", "is_", "inx", "ref", "at",
            "when", "key", "severity", "message", "for",
            // KNOWN BUG: the item keywords (`rule`, `param`, …) are left out,
            // see `def_body_starting_with_an_item_keyword`.
        ])
        .prop_map(String::from),
    ]
}

fn ident() -> impl Strategy<Value = Ident> {
    ident_name().prop_map(id)
}

/// KNOWN BUG (see `identifier_starting_with_a_quantifier_keyword`): names
/// starting with `no`, `all`, `count` or `exists` misparse before ` in `.
fn quantifier_prefix(s: &str) -> bool {
    ["no", "all", "count", "exists"]
        .iter()
        .any(|k| s.starts_with(k))
}

/// Strings with quotes, backslashes, braces, `#`, controls and unicode.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[\"\\\\{}# a-z\n\t\r\u{1}\u{7f}\u{85}é😀\u{3000}\u{2028}]{0,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
        1 => "[a-z ]{60,100}",
    ]
}

fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        prop::sample::select(vec![0.0, 0.5, 1.0, 2.5, 1e-9, 1e21, 123456.75]),
    ]
    // KNOWN BUG (see `negative_zero_keeps_its_parentheses`): `-0.0` is
    // printed without the parentheses other negative numbers get.
    .prop_map(|v| if v == 0.0 { 0.0 } else { v })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<bool>().prop_map(|v| e(ExprKind::Bool(v))),
        (-i64::MAX..=i64::MAX).prop_map(|v| e(ExprKind::Int(v))),
        (-1000i64..1000).prop_map(|v| e(ExprKind::Int(v))),
        num().prop_map(|v| e(ExprKind::Num(v))),
        string().prop_map(|s| e(ExprKind::Str(s))),
        ident_name().prop_map(|s| e(ExprKind::Name(s))),
        ident_name().prop_map(|s| e(ExprKind::Name(s))),
    ]
}

fn binop() -> impl Strategy<Value = BinOp> {
    use BinOp::*;
    prop::sample::select(vec![Or, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div])
}

fn quant_kind() -> impl Strategy<Value = QuantKind> {
    prop::sample::select(vec![
        QuantKind::Exists,
        QuantKind::All,
        QuantKind::Count,
        QuantKind::No,
    ])
}

fn range() -> impl Strategy<Value = Expr> {
    (-50i64..50, -50i64..50).prop_map(|(lo, hi)| e(ExprKind::Range(lo, hi)))
}

/// Well-formed expressions in the form the parser produces: `-` on a
/// number literal is folded into the literal, ranges only as sources.
fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 64, 4, |inner| {
        let source = prop_oneof![1 => range(), 3 => inner.clone()];
        prop_oneof![
            (inner.clone(), ident()).prop_map(|(x, f)| e(ExprKind::Field(Box::new(x), f))),
            (inner.clone(), ident()).prop_map(|(x, f)| e(ExprKind::Nav(Box::new(x), f))),
            (ident(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, a)| e(ExprKind::Call(f, a))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|a| e(ExprKind::List(a))),
            inner
                .clone()
                .prop_filter("folded", |x| !matches!(
                    x.kind,
                    ExprKind::Int(_) | ExprKind::Num(_)
                ))
                .prop_map(|x| e(ExprKind::Neg(Box::new(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Not(Box::new(x)))),
            (binop(), inner.clone(), inner.clone()).prop_map(|(o, l, r)| e(ExprKind::Binary(
                o,
                Box::new(l),
                Box::new(r)
            ))),
            (binop(), inner.clone(), inner.clone()).prop_map(|(o, l, r)| e(ExprKind::Binary(
                o,
                Box::new(l),
                Box::new(r)
            ))),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(x, s, n)| e(ExprKind::In {
                elem: Box::new(x),
                set: Box::new(s),
                negated: n
            })),
            (inner.clone(), any::<bool>()).prop_map(|(x, p)| e(ExprKind::Is {
                expr: Box::new(x),
                present: p
            })),
            (inner.clone(), inner.clone(), any::<bool>(), inner.clone()).prop_map(
                |(x, a, after, y)| e(ExprKind::Within {
                    expr: Box::new(x),
                    amount: Box::new(a),
                    direction: if after {
                        Direction::After
                    } else {
                        Direction::Before
                    },
                    anchor: Box::new(y),
                })
            ),
            (inner.clone(), any::<bool>()).prop_map(|(x, d)| e(ExprKind::Duration(
                Box::new(x),
                if d { Unit::Days } else { Unit::Hours }
            ))),
            (
                quant_kind(),
                ident(),
                source,
                prop::option::of(inner.clone()),
                prop::option::of(inner.clone())
            )
                .prop_map(|(kind, var, s, f, body)| e(ExprKind::Quant {
                    kind,
                    var,
                    source: Box::new(s),
                    filter: f.map(Box::new),
                    body: body.map(Box::new),
                })),
        ]
    })
}

fn strlit() -> impl Strategy<Value = StrLit> {
    string().prop_map(|value| StrLit { value, span: sp() })
}

/// A message template `"text{name.field}text"`, with its raw form.
fn template() -> impl Strategy<Value = Template> {
    (
        "[a-z .,'é]{0,6}",
        prop::option::of((ident_name(), ident())),
        "[a-z .]{0,6}",
    )
        .prop_map(|(mut pre, hole, mut post)| {
            if hole.is_none() {
                pre.push_str(&std::mem::take(&mut post));
            }
            let mut parts = Vec::new();
            let mut raw = format!("\"{pre}");
            if !pre.is_empty() {
                parts.push(TemplatePart::Text(pre.clone()));
            }
            if let Some((v, f)) = hole {
                raw.push_str(&format!("{{{v}.{}}}", f.name));
                parts.push(TemplatePart::Hole(e(ExprKind::Field(
                    b(ExprKind::Name(v)),
                    f,
                ))));
            }
            raw.push_str(&post);
            raw.push('"');
            if !post.is_empty() {
                parts.push(TemplatePart::Text(post));
            }
            Template {
                parts,
                raw,
                span: sp(),
            }
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    let binder = (ident(), prop_oneof![range(), expr()]).prop_map(|(var, source)| Binder {
        var,
        source,
        span: sp(),
    });
    prop_oneof![
        ident().prop_map(StatementKind::Severity),
        (strlit(), prop::option::of(strlit())).prop_map(|(a, q)| StatementKind::Clause(a, q)),
        strlit().prop_map(StatementKind::Gloss),
        prop::collection::vec(binder, 1..3).prop_map(StatementKind::For),
        expr().prop_map(StatementKind::When),
        expr().prop_map(StatementKind::Require),
        expr().prop_map(StatementKind::Require),
        expr().prop_map(StatementKind::At),
        expr().prop_map(StatementKind::Key),
        template().prop_map(StatementKind::Message),
        ident().prop_map(StatementKind::Checks),
    ]
    .prop_map(|kind| Statement { kind, span: sp() })
}

fn type_expr() -> impl Strategy<Value = TypeExpr> {
    let leaf = prop_oneof![
        // KNOWN BUG (see `type_named_ref_before_a_field`): no type named `ref`.
        ident()
            .prop_filter("ref", |i| i.name != "ref")
            .prop_map(TypeExpr::Named),
        ident().prop_map(|i| TypeExpr::Ref(i, sp())),
        (any::<i64>(), any::<i64>()).prop_map(|(a, b)| TypeExpr::IntRange(a, b, sp())),
        prop::collection::vec(ident(), 0..4).prop_map(|v| TypeExpr::Enum(v, sp())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| TypeExpr::List(Box::new(t), sp())),
            prop::collection::vec(field_decl(inner), 0..4).prop_map(|f| TypeExpr::Object(f, sp())),
        ]
    })
}

fn text_format() -> impl Strategy<Value = TextFormatDecl> {
    (
        strlit(),
        prop::option::of(strlit()),
        prop::option::of((ident(), ident())),
    )
        .prop_map(|(pattern, label, when)| TextFormatDecl {
            pattern,
            label,
            when,
            span: sp(),
        })
}

fn field_decl(ty: impl Strategy<Value = TypeExpr>) -> impl Strategy<Value = FieldDecl> {
    (
        ident(),
        ty,
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(text_format(), 0..3),
    )
        .prop_map(|(name, ty, optional, personal, formats)| FieldDecl {
            name,
            ty,
            optional,
            personal,
            formats,
            span: sp(),
        })
}

fn property() -> impl Strategy<Value = Property> {
    (ident(), strlit()).prop_map(|(key, value)| Property {
        key,
        value,
        span: sp(),
    })
}

fn literal() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<bool>().prop_map(|v| e(ExprKind::Bool(v))),
        (0..=i64::MAX).prop_map(|v| e(ExprKind::Int(v))),
        num().prop_map(|v| e(ExprKind::Num(v.abs()))),
        string().prop_map(|s| e(ExprKind::Str(s))),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let name = "[a-z_][a-z0-9_-]{0,8}".prop_map(id);
    let code = "[A-Z]{1,3}[0-9]{1,4}".prop_map(id);
    prop_oneof![
        4 => (any::<bool>(), code, name.clone(), prop::collection::vec(statement(), 0..6)).prop_map(|(integ, code, name, statements)| {
            Item::Rule(Rule {
                kind: if integ { RuleKind::Integrity } else { RuleKind::Rule },
                code,
                name,
                statements,
                span: sp(),
            })
        }),
        4 => (ident(), prop::collection::vec((ident(), ident()), 0..3), expr())
            .prop_map(|(name, params, body)| Item::Def(Def { name, params, body, span: sp() })),
        1 => (name, prop::collection::vec(property(), 0..3))
            .prop_map(|(name, properties)| Item::Header(Header { name, properties, span: sp() })),
        1 => (ident(), ident(), literal(), proptest::option::of((-5i64..5, 5i64..50))).prop_map(|(name, ty, default, range)| {
            let ty = if range.is_some() { Ident { name: "int".into(), ..ty } } else { ty };
            Item::Param(Param { name, ty, range, default, span: sp() })
        }),
        1 => (ident(), prop::collection::vec(ident(), 0..4)).prop_map(|(name, values)| Item::Enum(EnumDecl { name, values, span: sp() })),
        1 => (ident(), prop::collection::vec(field_decl(type_expr()), 0..4))
            .prop_map(|(name, fields)| Item::Collection(CollectionDecl { name, fields, span: sp() })),
        1 => (strlit(), prop::collection::vec(property(), 0..3), prop::option::of(strlit()))
            .prop_map(|(id, properties, not_checkable)| Item::Clause(ClauseDecl { id, properties, not_checkable, span: sp() })),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    prop::collection::vec(item(), 1..4).prop_map(|items| Policy {
        items,
        comments: Vec::new(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, max_shrink_iters: 4000, ..ProptestConfig::default() })]

    /// fmt(ast) parses back to ast, and fmt is a fixed point.
    #[test]
    fn generated_policies_roundtrip(p in policy()) {
        let f1 = format(&p);
        let (p2, d) = parse(&SourceFile::new("gen.policy", f1.as_str()));
        prop_assert!(d.is_empty(), "formatted output does not parse: {:?}\n{}", d.iter().map(|d| &d.message).collect::<Vec<_>>(), f1);
        prop_assert_eq!(ast_norm::items(&p), ast_norm::items(&p2), "tree changed; formatted:\n{}", f1);
        prop_assert_eq!(&f1, &format(&p2));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Comments added to formatted text, on lines of their own and at ends of
    /// lines: the tree is unchanged, fmt keeps every comment's text in order,
    /// and fmt is a fixed point.
    #[test]
    fn comments_survive_fmt(p in policy(), marks in prop::collection::vec(0u8..6, 0..64)) {
        let f0 = format(&p);
        let mut text = String::new();
        let mut n = 0;
        for (i, line) in f0.lines().enumerate() {
            let m = marks.get(i).copied().unwrap_or(0);
            if m == 1 {
                text.push_str(&format!("# c{n} own line\n"));
                n += 1;
            }
            text.push_str(line);
            if m == 2 {
                text.push_str(&format!(" # c{n} end of line"));
                n += 1;
            }
            text.push('\n');
            if m == 3 {
                text.push_str(&format!("\n  # c{n} after a blank\n\n"));
                n += 1;
            }
        }
        let (p1, d) = parse(&SourceFile::new("commented.policy", text.as_str()));
        prop_assert!(d.is_empty(), "commented text does not parse: {:?}\n{}", d.iter().map(|d| &d.message).collect::<Vec<_>>(), text);
        prop_assert_eq!(p1.comments.len(), n);
        prop_assert_eq!(ast_norm::items(&p), ast_norm::items(&p1));
        let f1 = format(&p1);
        let (p2, d) = parse(&SourceFile::new("fmt.policy", f1.as_str()));
        prop_assert!(d.is_empty(), "formatted text does not parse: {:?}\n{}", d.iter().map(|d| &d.message).collect::<Vec<_>>(), f1);
        prop_assert_eq!(ast_norm::items(&p1), ast_norm::items(&p2), "tree changed; formatted:\n{}", f1);
        prop_assert_eq!(ast_norm::comment_texts(&p1), ast_norm::comment_texts(&p2), "comments changed; input:\n{}\nformatted:\n{}", text, f1);
        prop_assert_eq!(&f1, &format(&p2), "not idempotent; input:\n{}", text);
    }
}

// ------------------------------------------------------------ regressions

/// Regression (fixed): `format::expr` decides whether a number needs
/// parentheses with `*v < 0.0`, which is false for `-0.0`; so `(-0.0) hours`
/// (Duration(Num(-0.0))) is printed `-0.0 hours`, which parses as
/// Neg(Duration(Num(0.0))), and `(-0.0).x` as `-0.0.x` = Neg(Field(0.0, x)).
/// Fix: use `v.is_sign_negative()` in the `ExprKind::Num` arm of `format::expr`.
#[test]
fn negative_zero_keeps_its_parentheses() {
    for text in ["def f() = (-0.0) hours", "def f() = (-0.0).x"] {
        let p = parse_ok("neg-zero", text);
        roundtrip(&p, text);
    }
}

/// Regression (fixed): a `def` body is printed on its own line
/// (`def f() =\n  body`); when the body starts with an identifier that is an
/// item keyword (`rule`, `param`, `enum`, `collection`, `def`, `integrity`,
/// `clause`, `policy` are valid identifiers), `split::items` starts a new item
/// on that line and the formatted file no longer parses. Input that parses:
/// `def f() = rule` / `def f() = param + 1`.
#[test]
fn def_body_starting_with_an_item_keyword() {
    for text in [
        "def f() = rule",
        "def f() = param + 1",
        "def f() = clause.x == 1",
    ] {
        let p = parse_ok("kw", text);
        assert_eq!(p.items.len(), 1);
        roundtrip(&p, text);
    }
}

/// Regression (fixed) (in `lower.rs`, message templates): a `\u{…}`
/// escape in a `message` is cut at its `{`, which is taken for a hole; the
/// text before it (`\u`) fails `unescape`, and `.ok()?` returns `None` with
/// no diagnostic. The whole rule is silently dropped from the policy, and
/// `comply fmt` deletes it from the file.
#[test]
fn unicode_escape_in_message_is_not_silently_dropped() {
    let text = "rule R1 r {\n  message \"a\\u{41}b\"\n}\n";
    let (p, d) = parse(&SourceFile::new("msg", text));
    assert!(
        p.items.len() == 1 || !d.is_empty(),
        "rule dropped without a diagnostic"
    );
}

/// Regression (fixed): `not not … x` needs no brackets, but the
/// formatter prints `not (not (… x))`; 129 or more `not`s (accepted: the
/// quantifier-keyword limit is 256 per item) format to text deeper than
/// `MAX_NESTING`, which the parser rejects.
#[test]
fn many_nots_stay_within_the_nesting_limit() {
    let text = format!("def f() = {}x", "not ".repeat(200));
    let p = parse_ok("nots", &text);
    roundtrip(&p, "200 nots");
}

/// KNOWN BUG, not fixed here, found by `cargo fuzz run fmt_roundtrip`
/// (input `tests/regressions/fmt_keyword_before_dash.fuzzed` — not `.policy`,
/// which the file property would pick up — minimised to
/// `def f() = before-x`): the grammar's `keyword` rule ends with
/// `!(XID_CONTINUE | "-")` (meant for kebab-case rule names), and `ident`
/// uses it, so a keyword directly followed by `-` is accepted as an
/// identifier: `before-x` parses as Binary(Sub, Name("before"), Name("x")).
/// The formatter prints `before - x`, where `before` is a keyword again: the
/// output no longer parses. Same for `exists-1`, `all-x`, `within-x`, …
#[test]
fn keyword_followed_by_a_dash() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/fmt_keyword_before_dash.fuzzed");
    let fuzzed = std::fs::read_to_string(file).unwrap();
    // Fixed by making a keyword a keyword whatever follows it: `before-x`
    // is now rejected, as `before - x` always was, so the two agree.
    for text in [
        "def f() = before-x",
        "def f() = a + exists-1",
        fuzzed.as_str(),
    ] {
        let (p, d) = parse(&SourceFile::new("kw-dash", text));
        if d.is_empty() {
            roundtrip(&p, text);
        } else {
            let spaced = text.replace('-', " - ");
            let (_, d2) = parse(&SourceFile::new("kw-dash-spaced", spaced.as_str()));
            assert!(!d2.is_empty(), "{text:?} is rejected but {spaced:?} is not");
        }
    }
}

/// KNOWN BUG, not fixed here, found by `generated_policies_roundtrip`: the
/// grammar's `quant_kind = { "exists" | "all" | "count" | "no" }` has no word
/// boundary, and `quantifier` is tried before `ident` in `primary`. So an
/// identifier that starts with a quantifier keyword and is followed by `in`
/// is read as a quantifier: `allowed in roles` parses as `all owed in roles`,
/// `nobody in staff` as `no body in staff`, `notin in false` as
/// `no tin in false` — silently, with a different meaning. Fix: `quant_kind`
/// followed by `!XID_CONTINUE`.
#[test]
fn identifier_starting_with_a_quantifier_keyword() {
    for (text, name) in [
        ("def f() = allowed in xs", "allowed"),
        ("def f() = nobody in staff", "nobody"),
        ("def f() = counter in [1]", "counter"),
    ] {
        let p = parse_ok("quant-prefix", text);
        let Item::Def(d) = &p.items[0] else { panic!() };
        match &d.body.kind {
            ExprKind::In { elem, .. } => assert_eq!(elem.kind, ExprKind::Name(name.into())),
            other => panic!("{text:?} parsed as {other:?}"),
        }
    }
}

/// KNOWN BUG (minor), not fixed here, found by `generated_policies_roundtrip`:
/// fields are written one per line with no comma, so a field whose type is
/// the bare name `ref` (accepted by the parser when a comma follows; the
/// checker rejects the type later) swallows the next field's name as its
/// target: `collection c { a: ref, b: int }` formats to `a: ref` / `b: int`
/// on two lines, which parses as `a: ref b` followed by a stray `: int`.
#[test]
#[ignore = "known fmt round-trip bug: type named `ref` followed by a field"]
fn type_named_ref_before_a_field() {
    let text = "collection c { a: ref, b: int }";
    let p = parse_ok("ref", text);
    roundtrip(&p, text);
}
