//! pest errors as diagnostics that name tokens as a person would.

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use pest::error::{ErrorVariant, InputLocation};

/// How a grammar rule is called in an error message.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of input",
        Rule::ident => "a name",
        Rule::name => "a name",
        Rule::code => "a rule code like `CD431`",
        Rule::integer | Rule::signed_int => "an integer",
        Rule::number => "a number",
        Rule::string | Rule::string_inner => "a string in double quotes",
        Rule::literal => "a value",
        Rule::boolean => "`true` or `false`",
        Rule::property => "a property like `title \"…\"`",
        Rule::type_name | Rule::type_expr => "a type",
        Rule::field_decl => "a field like `name: string`",
        Rule::ident_list => "a list of names",
        Rule::def_param | Rule::def_params => "a parameter like `k: consents`",
        Rule::clause_prop | Rule::not_checkable_prop => "`text \"…\"` or `not checkable \"…\"`",
        Rule::severity_stmt => "`severity`",
        Rule::clause_stmt => "`clause`",
        Rule::gloss_stmt => "`gloss`",
        Rule::for_stmt => "`for`",
        Rule::when_stmt => "`when`",
        Rule::require_stmt => "`require`",
        Rule::at_stmt => "`at`",
        Rule::key_stmt => "`key`",
        Rule::message_stmt => "`message`",
        Rule::checks_stmt => "`checks`",
        Rule::binder => "`NAME in SOURCE`",
        Rule::source => "a collection, list or period",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix
        | Rule::quantifier
        | Rule::call
        | Rule::list_lit => "an expression",
        Rule::cmp_op_tail | Rule::cmp_op => "a comparison (`==`, `<`, …)",
        Rule::is_tail => "`is present` or `is absent`",
        Rule::presence => "`present` or `absent`",
        Rule::in_tail | Rule::not_in_tail => "`in`",
        Rule::within_tail => "`within`",
        Rule::direction => "`after` or `before`",
        Rule::unit => "`days` or `hours`",
        Rule::field_access => "`.field`",
        Rule::nav_access => "`->field`",
        Rule::quant_kind => "`exists`, `all`, `count` or `no`",
        Rule::quant_filter => "`where`",
        Rule::quant_body => "`satisfy`",
        Rule::or_op => "`or`",
        Rule::and_op => "`and`",
        Rule::not_op => "`not`",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::optional => "`?`",
        Rule::personal => "`personal`",
        Rule::text_format | Rule::matching => "`matching \"…\"`",
        Rule::format_when | Rule::when_word => "`when field == value`",
        Rule::range | Rule::int_range => "a range like `1..4`",
        Rule::policy_decl
        | Rule::param_decl
        | Rule::enum_decl
        | Rule::collection_decl
        | Rule::def_decl
        | Rule::rule_decl
        | Rule::integrity_decl
        | Rule::clause_decl => {
            "an item (`policy`, `param`, `enum`, `collection`, `def`, `clause`, `rule`, `integrity`)"
        }
        _ => return None,
    })
}

fn join_or(mut items: Vec<String>) -> String {
    items.sort();
    items.dedup();
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} or {last}", items.join(", "))
        }
    }
}

pub fn from_pest(
    file: &SourceFile,
    offset: usize,
    src: &str,
    e: pest::error::Error<Rule>,
) -> Diagnostic {
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let found = found_token(src, start);
    let (message, help) = match &e.variant {
        ErrorVariant::ParsingError {
            positives,
            negatives,
        } => {
            let expected: Vec<String> = positives
                .iter()
                .filter_map(describe)
                .map(String::from)
                .collect();
            let message = if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {}, found {found}", join_or(expected))
            };
            let unexpected: Vec<String> = negatives
                .iter()
                .filter_map(describe)
                .map(String::from)
                .collect();
            let help = if !unexpected.is_empty() {
                Some(format!("{} is not allowed here", join_or(unexpected)))
            } else {
                hint(src, start)
            };
            (message, help)
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    let end = if end > start {
        end
    } else {
        token_end(src, start)
    };
    Diagnostic::error(
        "syntax",
        file,
        Span::new(offset + start, offset + end),
        message,
    )
    .label("here")
    .with_help(help)
}

fn found_token(src: &str, at: usize) -> String {
    let rest = &src[at.min(src.len())..];
    match rest.chars().next() {
        None => "end of input".into(),
        Some(c) if c.is_whitespace() => "whitespace".into(),
        Some(_) => {
            let tok: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(20)
                .collect();
            format!("`{tok}`")
        }
    }
}

fn token_end(src: &str, at: usize) -> usize {
    let rest = &src[at.min(src.len())..];
    let n = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i);
    at + n.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// Advice for mistakes people make: `=` for `==`, `&&` for `and`.
fn hint(src: &str, at: usize) -> Option<String> {
    let rest = &src[at.min(src.len())..];
    let prev = src[..at.min(src.len())].trim_end();
    if rest.starts_with("&&") {
        Some("write `and` instead of `&&`".into())
    } else if rest.starts_with("||") {
        Some("write `or` instead of `||`".into())
    } else if rest.starts_with('=') && !rest.starts_with("==")
        || prev.ends_with('=') && !prev.ends_with("==")
    {
        Some("to compare, write `==` instead of `=`".into())
    } else if rest.starts_with('!') && !rest.starts_with("!=") {
        Some("write `not` instead of `!`".into())
    } else if rest.starts_with('\'') {
        Some("strings use double quotes: `\"…\"`".into())
    } else {
        None
    }
}
