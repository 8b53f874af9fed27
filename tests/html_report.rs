//! The HTML report's structure, redaction and escaping, checked with a real
//! HTML parser.

mod html_support;

use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

fn texts(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn header_charts_tables_and_sections() {
    let f = html_support::fixture();
    let html = html_support::render(&f);
    let doc = Html::parse_document(&html);

    let h1 = texts(&doc, "header.top h1").join("");
    assert!(h1.contains("金融公司客户开发实施规定"), "{h1}");
    assert!(h1.contains("2025.1"));
    assert_eq!(texts(&doc, "#verdict")[0].split(' ').next(), Some("FAIL"));
    let meta = texts(&doc, "header .meta").join(" ");
    for want in [
        "export/",
        "2025-12-31T23:59:59+08:00",
        "2026-01-02T08:00:00Z",
        "0.1.0-test",
    ] {
        assert!(meta.contains(want), "{want} in {meta}");
    }
    let totals = texts(&doc, "#totals li");
    assert_eq!(totals, ["7 errors", "3 warnings", "1 infos", "1 waived"]);

    // One row per unwaived violation; the waived one in its own section.
    let unwaived = f
        .run
        .violations
        .iter()
        .filter(|v| v.waived.is_none())
        .count();
    assert_eq!(doc.select(&sel("#violations tbody.viol")).count(), unwaived);
    assert_eq!(
        doc.select(&sel("#violations tbody.viol tr.detail")).count(),
        unwaived
    );
    let waived = texts(&doc, "#waived tbody.waived-row");
    assert_eq!(waived.len(), 1);
    for want in [
        "CD463",
        "X001",
        "COMP-118",
        "E9 (Chief Compliance Officer)",
        "2026-03-31",
    ] {
        assert!(waived[0].contains(want), "{want} in {}", waived[0]);
    }
    assert!(!texts(&doc, "#violations tbody.viol")
        .iter()
        .any(|t| t.contains("X001")));

    // Charts: inline SVG with bars.
    assert!(doc.select(&sel("#charts svg")).count() >= 3);
    assert!(doc.select(&sel("#charts svg rect.sev-error")).count() >= 3);
    let month_labels = texts(&doc, "#charts figure.wide svg text.lbl");
    assert!(
        month_labels.contains(&"2023-11".to_string()),
        "{month_labels:?}"
    );

    // Every clause of the regulation, not-checkable ones with the reason.
    let clause_rows = doc.select(&sel("table.clauses tbody tr")).count();
    assert_eq!(clause_rows, html_support::clauses::CLAUSES.len() + 1);
    let first = texts(&doc, "table.clauses tbody tr")[0].clone();
    assert!(
        first.starts_with("§1 ") && first.contains("not checkable"),
        "{first}"
    );
    let s53c = texts(&doc, "table.clauses tbody tr")
        .into_iter()
        .find(|t| t.starts_with("§5.3(c)"))
        .unwrap_or_default();
    assert!(s53c.contains("CD532") && s53c.ends_with(" 2"), "{s53c}");

    // Filters: selects for rule, severity, clause, collection; a search box.
    for id in ["f-rule", "f-severity", "f-clause", "f-collection"] {
        assert_eq!(doc.select(&sel(&format!("select#{id}"))).count(), 1, "{id}");
    }
    assert_eq!(doc.select(&sel("input#f-q")).count(), 1);
    assert!(texts(&doc, "#f-rule option").contains(&"CD532 complaint-answered-in-time".to_string()));

    // Rows carry file:line:col and the record with the field marked.
    let row = doc
        .select(&sel("tbody.viol[data-rule=CD431]"))
        .next()
        .expect("CD431 row");
    let loc = row
        .select(&sel("td.loc"))
        .next()
        .map(|e| e.text().collect::<String>());
    assert_eq!(loc.as_deref(), Some("export/customers.json:3:25"));
    let mark: Vec<String> = row
        .select(&sel("pre.json mark"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(mark, ["\"2025-02-01\""]);
    let clause = row
        .select(&sel("blockquote.clause"))
        .next()
        .map(|e| e.text().collect::<String>());
    assert!(clause.unwrap_or_default().contains("信息收集应遵循合法"));
}

#[test]
fn self_contained() {
    let f = html_support::fixture();
    let html = html_support::render(&f);
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script[src]")).count(), 0);
    assert_eq!(doc.select(&sel("link")).count(), 0);
    assert_eq!(doc.select(&sel("img, iframe, object, embed")).count(), 0);
    // No URL in any attribute (plain text may mention one).
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            let v = value.to_ascii_lowercase();
            assert!(
                !v.contains("http:") && !v.contains("https:") && !v.contains("//"),
                "{name}={value} on <{}>",
                el.value().name()
            );
        }
    }
    let styles = texts(&doc, "style").join("\n");
    assert!(!styles.contains("url(") && !styles.contains("@import"));
    let scripts = texts(&doc, "script").join("\n");
    assert!(
        !scripts.contains("http")
            && !scripts.contains("fetch(")
            && !scripts.contains("XMLHttpRequest")
    );
    assert!(html.lines().filter(|l| l.contains("<script")).count() == 1);
}

#[test]
fn redacted_by_default() {
    let f = html_support::fixture();
    assert!(f.input.redact);
    let html = html_support::render(&f);
    for secret in [
        "Zhang Wei",
        "李娜",
        "13800001111",
        "88 Nanjing Road",
        "Hengda Trading",
        "CEO prefers",
        "talked",
    ] {
        assert!(!html.contains(secret), "{secret} leaked");
    }
    // Ids, enumerations and timestamps stay readable.
    let doc = Html::parse_document(&html);
    let json = texts(&doc, "pre.json").join("\n");
    for kept in [
        "\"C001\"",
        "\"individual\"",
        "\"purchased_list\"",
        "\"2025-02-01\"",
        "\"C2\"",
    ] {
        assert!(json.contains(kept), "{kept} in {json}");
    }
    assert!(json.contains("\"name\": \"******\""), "{json}");
}

#[test]
fn shown_in_full_when_asked() {
    let mut f = html_support::fixture();
    f.input.redact = false;
    let html = html_support::render(&f);
    let doc = Html::parse_document(&html);
    let json = texts(&doc, "pre.json").join("\n");
    assert!(json.contains("Zhang Wei"));
    assert!(json.contains("李娜"));
    // The record's own markup is text, not elements.
    assert!(json.contains("<b>talked</b>"));
    assert_eq!(doc.select(&sel("pre.json b")).count(), 0);
    // A pretty-printed record is dedented to its own indentation.
    let c003 = doc
        .select(&sel("tbody.viol[data-rule=CD433] pre.json"))
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default();
    assert!(c003.starts_with("{\n  \"id\": \"C003\""), "{c003}");
    let mark: Vec<String> = doc
        .select(&sel("tbody.viol[data-rule=CD001] pre.json mark"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(mark, ["{\"status\": \"unknown\"}"]);
}

#[test]
fn user_text_is_escaped() {
    let f = html_support::fixture();
    let html = html_support::render(&f);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert("));
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 1);
    let msg = texts(&doc, "tbody.viol[data-rule=CD441] td.msg").join("");
    assert_eq!(msg, html_support::SCRIPT_MESSAGE);
}

#[test]
fn passes_when_only_warnings_and_fail_on_error() {
    let mut f = html_support::fixture();
    let keep: Vec<bool> = f
        .run
        .violations
        .iter()
        .map(|v| f.run.rules[v.rule].severity != comply::violation::Severity::Error)
        .collect();
    let mut i = 0;
    f.run.violations.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    f.input.dates.clear();
    let html = html_support::render(&f);
    let doc = Html::parse_document(&html);
    assert!(texts(&doc, "#verdict")[0].starts_with("PASS"));
    f.input.fail_on = comply::violation::Severity::Warning;
    let doc = Html::parse_document(&html_support::render(&f));
    assert!(texts(&doc, "#verdict")[0].starts_with("FAIL"));
    assert!(texts(&doc, "#charts figcaption")
        .iter()
        .any(|t| t.contains("without a date")));
}

#[test]
fn empty_run_renders() {
    let run = comply::violation::Run::default();
    let input = comply::report_html::HtmlInput::new("export/", "now");
    let mut out = Vec::new();
    comply::report_html::render(&run, &input, &mut out).expect("render");
    let doc = Html::parse_document(&String::from_utf8(out).expect("utf-8"));
    assert!(texts(&doc, "#verdict")[0].starts_with("PASS"));
    assert_eq!(doc.select(&sel("tbody.viol")).count(), 0);
}

/// A text outline of the report: what each section says, row by row.
#[test]
fn outline_snapshot() {
    let f = html_support::fixture();
    let doc = Html::parse_document(&html_support::render(&f));
    let mut out = Vec::new();
    out.push(texts(&doc, "#verdict").join(""));
    out.push(texts(&doc, "#totals li").join(" | "));
    out.push("-- violations".to_string());
    for row in doc.select(&sel("tbody.viol tr.row")) {
        let cells: Vec<String> = row
            .select(&sel("td"))
            .skip(1)
            .map(|c| c.text().collect::<String>().trim().to_string())
            .collect();
        out.push(cells.join(" | "));
    }
    out.push("-- waived".to_string());
    for row in doc.select(&sel("tbody.waived-row > tr:first-child")) {
        let cells: Vec<String> = row
            .select(&sel("td"))
            .map(|c| {
                c.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push(cells.join(" | "));
    }
    out.push("-- clauses".to_string());
    for row in doc.select(&sel("table.clauses tbody tr")) {
        let id = row
            .select(&sel("th"))
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default();
        let rules: Vec<String> = row
            .select(&sel("ul.rules li"))
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let nc = row.select(&sel(".nc-label")).count() > 0;
        let n = row
            .select(&sel("td.n"))
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default();
        out.push(format!(
            "{id} [{n}] {}",
            if nc {
                "not checkable".to_string()
            } else {
                rules.join("; ")
            }
        ));
    }
    insta::assert_snapshot!(out.join("\n"));
}
