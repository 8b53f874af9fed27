//! Policy text to AST: pest parsing, item splitting for error recovery, lowering.

mod errors;
pub mod format;
mod lower;
mod split;

use crate::ast::{Comment, Policy};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
pub(crate) struct PolicyParser;

/// Deepest bracket or quantifier nesting a policy may have: deeper input is
/// rejected before parsing so that no recursion can overflow the stack.
pub const MAX_NESTING: usize = 128;

/// More syntax errors than this in one file are summarised, not listed.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Parses a policy file; returns the AST of every item that parsed and a
/// diagnostic for every one that did not.
pub fn parse(file: &SourceFile) -> (Policy, Vec<Diagnostic>) {
    let text: &str = &file.text;
    let mut diags = Vec::new();
    let mut policy = Policy {
        comments: split::comments(text)
            .into_iter()
            .map(|span| Comment {
                text: text[span.start..span.end].trim_end().to_string(),
                span,
                blank_after: text[span.end..]
                    .split(|c: char| !c.is_whitespace())
                    .next()
                    .is_some_and(|gap| gap.matches('\n').count() >= 2),
            })
            .collect(),
        ..Policy::default()
    };
    if let Some(span) = split::too_deep(text, MAX_NESTING) {
        diags.push(
            Diagnostic::error(
                "nesting",
                file,
                span,
                format!("nesting deeper than {MAX_NESTING} levels"),
            )
            .label("too deep")
            .help("split the expression with named predicates (`def`)"),
        );
        return (policy, diags);
    }
    let mut errors = 0usize;
    for chunk in split::items(text) {
        if errors >= MAX_SYNTAX_ERRORS {
            // Past this many, more would not help; stop rather than spend
            // seconds on a file of junk.
            break;
        }
        let src = &text[chunk.start..chunk.end];
        if split::blank(src) {
            continue;
        }
        if split::quantifiers(src) > MAX_NESTING * 2 {
            diags.push(
                Diagnostic::error(
                    "nesting",
                    file,
                    Span::new(
                        chunk.start,
                        chunk.start + src.find(char::is_whitespace).unwrap_or(0),
                    ),
                    "item nests too many quantifiers",
                )
                .label("this item")
                .help("split it with named predicates (`def`)"),
            );
            continue;
        }
        match PolicyParser::parse(Rule::item_only, src) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.find(|p| p.as_rule() != Rule::EOI) else {
                    continue;
                };
                let mut lowerer = lower::Lowerer::new(file, chunk.start);
                let item_span = Span::new(chunk.start, chunk.start + pair.as_span().end());
                match lowerer.item(pair) {
                    Some(item) => policy.items.push(item),
                    // An item is never dropped in silence.
                    None if lowerer.diags.is_empty() => diags.push(
                        Diagnostic::error("syntax", file, item_span, "this item could not be read")
                            .label("here"),
                    ),
                    None => diags.extend(lowerer.diags),
                }
            }
            Err(e) => {
                errors += 1;
                if errors <= MAX_SYNTAX_ERRORS {
                    diags.push(errors::from_pest(file, chunk.start, src, e));
                }
            }
        }
    }
    if errors >= MAX_SYNTAX_ERRORS {
        diags.push(
            Diagnostic::error(
                "syntax",
                file,
                Span::new(0, 0),
                format!("stopped after {MAX_SYNTAX_ERRORS} syntax errors"),
            )
            .label("this file")
            .help("fix these first; more may follow"),
        );
    }
    (policy, diags)
}

/// Parses one expression (used by tests and tooling).
pub fn parse_expr(file: &SourceFile) -> Result<crate::ast::Expr, Box<Diagnostic>> {
    let text: &str = &file.text;
    let mut pairs = PolicyParser::parse(Rule::expr_only, text)
        .map_err(|e| Box::new(errors::from_pest(file, 0, text, e)))?;
    let pair = pairs.find(|p| p.as_rule() == Rule::expr).ok_or_else(|| {
        Box::new(Diagnostic::error(
            "syntax",
            file,
            Span::new(0, text.len()),
            "expected an expression",
        ))
    })?;
    let mut lowerer = lower::Lowerer::new(file, 0);
    lowerer.expr(pair).ok_or_else(|| {
        Box::new(lowerer.diags.into_iter().next().unwrap_or_else(|| {
            Diagnostic::error(
                "syntax",
                file,
                Span::new(0, text.len()),
                "invalid expression",
            )
        }))
    })
}
