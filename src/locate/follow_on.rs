//! Violations that an input error alone may explain: a rule that looks up
//! records of a collection the error kept from being read reports their
//! absence, whether or not they exist in the part that was lost.

use crate::check::ir::{CheckedRule, Ex, MsgPart, Source};
use crate::schema::CollId;

/// The collections a rule reads besides the records it judges.
pub fn looked_up(rule: &CheckedRule) -> Vec<CollId> {
    let mut out = Vec::new();
    for (i, b) in rule.binders.iter().enumerate() {
        match &b.source {
            // The judged records themselves: each violation is about one
            // that was read.
            Source::Scan(_) if i == 0 => {}
            s => source(s, &mut out),
        }
    }
    for e in rule.when.iter().chain([&rule.require]) {
        expr(e, &mut out);
    }
    if let Some((k, _)) = &rule.key {
        expr(k, &mut out);
    }
    for part in &rule.message {
        if let MsgPart::Hole(e, _) = part {
            expr(e, &mut out);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn source(s: &Source, out: &mut Vec<CollId>) {
    match s {
        Source::Scan(c) => out.push(*c),
        Source::Lookup { coll, key, .. } => {
            out.push(*coll);
            expr(key, out);
        }
        Source::Elements(e) | Source::Periods(_, e) => expr(e, out),
        Source::Range(..) => {}
    }
}

fn expr(e: &Ex, out: &mut Vec<CollId>) {
    match e {
        Ex::Const(_) | Ex::Param(_) | Ex::AsOf | Ex::Var(_) => {}
        Ex::Nav(inner, c) => {
            out.push(*c);
            expr(inner, out);
        }
        Ex::Field(inner, _)
        | Ex::Id(inner)
        | Ex::PeriodAttr(inner, _)
        | Ex::Not(inner)
        | Ex::Neg(inner)
        | Ex::Present(inner)
        | Ex::Duration(inner, _) => expr(inner, out),
        Ex::And(v) | Ex::Or(v) | Ex::List(v) | Ex::Call(_, v) => {
            v.iter().for_each(|e| expr(e, out));
        }
        Ex::Cmp(_, a, b) | Ex::Arith(_, a, b) | Ex::In(a, b) | Ex::InPeriod(a, b) => {
            expr(a, out);
            expr(b, out);
        }
        Ex::Within {
            t, amount, anchor, ..
        } => {
            expr(t, out);
            expr(amount, out);
            expr(anchor, out);
        }
        Ex::Quant {
            source: s,
            filter,
            body,
            ..
        } => {
            source(s, out);
            for e in filter.iter().chain(body.iter()) {
                expr(e, out);
            }
        }
    }
}

/// The input error's file, if any collection in `reads` was not read whole.
pub fn cause(incomplete: &[Option<String>], reads: &[CollId]) -> Option<String> {
    reads
        .iter()
        .find_map(|&c| incomplete.get(c).cloned().flatten())
}
