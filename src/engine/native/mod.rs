//! The native engine: runs the checked rules over the loaded export, in
//! parallel, rule by rule, with the hash indexes the checker planned.

pub mod expr;
pub mod index;
pub mod render;
pub mod value;

use super::{Found, Settings};
use crate::check::ir::{CheckedRule, Ex, MsgPart, Program, Source};
use crate::data::model::{Export, Val};
use crate::schema::Layout;
use expr::{set, Ctx};
use index::Indexes;
use rayon::prelude::*;
use render::Renderer;
use value::V;

/// Records per parallel task: large enough to amortise, small enough to balance.
const CHUNK: usize = 4096;

/// What the rules find, before it is located.
/// What the rules find, before it is located: the native engine's half of
/// [`evaluate`].
pub fn find(program: &Program, export: &Export, settings: &Settings) -> Vec<Found> {
    let indexes = Indexes::build(export, &program.indexes);
    let ctx = Ctx::new(program, export, settings, &indexes);
    let offset = program.integrity.len();
    program
        .rules
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, rule)| run_rule(&ctx, offset + i, rule))
        .collect()
}

fn run_rule<'a>(ctx: &Ctx<'a>, rule_index: usize, rule: &'a CheckedRule) -> Vec<Found> {
    let Some(first) = rule.binders.first() else {
        return Vec::new();
    };
    let render = Renderer {
        export: ctx.export,
        schema: &ctx.program.schema,
        tz: ctx.tz,
    };
    // One environment per parallel task, reused for every record it judges:
    // no allocation per record.
    let judge = |state: &mut Scratch<'a>, v: V<'a>| {
        let Scratch { env, origins, out } = state;
        env.clear();
        env.resize(rule.slots, V::Absent);
        origins.clear();
        origins.resize(rule.slots, None);
        set(env, first.slot, v);
        bind(ctx, rule, 1, env, origins, &mut |env, origins| {
            if rule.when.as_ref().is_some_and(|w| !ctx.truth(w, env))
                || ctx.truth(&rule.require, env)
            {
                return;
            }
            out.push(found(ctx, &render, rule_index, rule, env, origins));
        });
    };
    match &first.source {
        Source::Scan(c) => {
            let n = ctx.export.collections[*c].len();
            (0..n)
                .into_par_iter()
                .with_min_len(CHUNK)
                .fold(Scratch::default, |mut state, r| {
                    judge(&mut state, V::Rec(*c, r as u32));
                    state
                })
                .map(|s| s.out)
                .reduce(Vec::new, |mut a, mut b| {
                    a.append(&mut b);
                    a
                })
        }
        source => {
            let mut values = Vec::new();
            let mut env = vec![V::Absent; rule.slots];
            ctx.each(source, &mut env, &mut |_, v, _| {
                values.push(v);
                true
            });
            let mut state = Scratch::default();
            for v in values {
                judge(&mut state, v);
            }
            state.out
        }
    }
}

/// Where a binder's value sits in its record: pointer suffix.
type Origin = Option<String>;

#[derive(Default)]
struct Scratch<'a> {
    env: Vec<V<'a>>,
    origins: Vec<Origin>,
    out: Vec<Found>,
}

/// For each rule, which of its branches some binding made fail: what
/// `comply test --coverage` reports as exercised.
pub fn branch_hits(program: &Program, export: &Export, settings: &Settings) -> Vec<Vec<bool>> {
    let indexes = Indexes::build(export, &program.indexes);
    let ctx = Ctx::new(program, export, settings, &indexes);
    program
        .rules
        .iter()
        .map(|rule| {
            let mut hits = vec![false; rule.branches.len()];
            let Some(first) = rule.binders.first() else {
                return hits;
            };
            let mut firsts = Vec::new();
            let mut env = vec![V::Absent; rule.slots];
            ctx.each(&first.source, &mut env, &mut |_, v, _| {
                firsts.push(v);
                true
            });
            for v in firsts {
                let mut env = vec![V::Absent; rule.slots];
                let mut origins = vec![None; rule.slots];
                set(&mut env, first.slot, v);
                bind(&ctx, rule, 1, &mut env, &mut origins, &mut |env, _| {
                    if rule.when.as_ref().is_some_and(|w| !ctx.truth(w, env)) {
                        return;
                    }
                    for (hit, b) in hits.iter_mut().zip(&rule.branches) {
                        *hit |= ctx.truth(&b.ex, env) == b.violating;
                    }
                });
            }
            hits
        })
        .collect()
}

/// Binds the rule's binders from `i` on, calling `f` for each full binding.
fn bind<'a>(
    ctx: &Ctx<'a>,
    rule: &'a CheckedRule,
    i: usize,
    env: &mut Vec<V<'a>>,
    origins: &mut Vec<Origin>,
    f: &mut dyn FnMut(&mut Vec<V<'a>>, &[Origin]),
) {
    let Some(b) = rule.binders.get(i) else {
        f(env, origins);
        return;
    };
    let mut values = Vec::new();
    // Elements keep their array position, for the pointer of the violation.
    if let (Source::Elements(x), Some((slot, path))) = (&b.source, &b.origin) {
        if let V::Elems(fields, layout) = ctx.eval(x, env) {
            let base = origins.get(*slot).cloned().flatten().unwrap_or_default();
            for (pos, fl) in fields.iter().enumerate() {
                let v = V::of_val(&fl.val, layout, ctx.tz, &ctx.export.ids);
                if v.present() {
                    values.push((v, Some(format!("{base}/{}/{pos}", path.join("/")))));
                }
            }
        }
    } else {
        ctx.each(&b.source, env, &mut |_, v, _| {
            values.push((v, None));
            true
        });
    }
    for (v, origin) in values {
        set(env, b.slot, v);
        if origins.len() <= b.slot {
            origins.resize(b.slot + 1, None);
        }
        origins[b.slot] = origin;
        bind(ctx, rule, i + 1, env, origins, f);
    }
}

/// The parts of a value that holds strings (a string, or a list with
/// one), to be rendered with each string quoted; `None` otherwise.
fn free_text<'a>(ctx: &Ctx<'a>, v: &V<'a>) -> Option<Vec<V<'a>>> {
    let parts: Vec<V<'a>> = match v {
        V::Str(_) => vec![v.clone()],
        V::Elems(fields, layout) => fields
            .iter()
            .map(|f| V::of_val(&f.val, layout, ctx.tz, &ctx.export.ids))
            .filter(V::present)
            .collect(),
        V::List(items) => items.iter().filter(|v| v.present()).cloned().collect(),
        _ => return None,
    };
    parts
        .iter()
        .any(|p| matches!(p, V::Str(_)))
        .then_some(parts)
}

/// Free text in a message: in double quotes, its own double quotes made
/// single so that the quoted span is the whole text.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

fn found<'a>(
    ctx: &Ctx<'a>,
    render: &Renderer,
    rule_index: usize,
    rule: &'a CheckedRule,
    env: &mut Vec<V<'a>>,
    origins: &[Origin],
) -> Found {
    let record = match env.first() {
        Some(V::Rec(c, r)) => Some((*c, *r)),
        _ => None,
    };
    let key = rule.key.as_ref().and_then(|(k, e)| {
        let v = ctx.eval(k, env);
        v.present().then(|| render.render(&v, *e))
    });
    let owner = rule.owner.as_ref().map(|o| {
        let ids = &ctx.export.ids;
        let id = match o.id.as_ref().map(|x| ctx.eval(x, env)) {
            Some(V::Ref(s)) => Some(ids.resolve(s).to_string()),
            Some(V::Rec(c, r)) => ctx.export.collections[c][r as usize]
                .id
                .map(|s| ids.resolve(s).to_string()),
            _ => None,
        };
        let d = ctx.eval(&o.department, env);
        let department = d.present().then(|| render.render(&d, Some(o.departments)));
        (id, department)
    });
    let mut message = String::new();
    for part in &rule.message {
        match part {
            MsgPart::Text(t) => message.push_str(t),
            MsgPart::Hole(x, e) => {
                let v = ctx.eval(x, env);
                // Strings that come neither from the policy nor from a
                // period's name come from the export: free text, quoted so
                // that redaction can mask it.
                let from_policy = matches!(x, Ex::Const(_) | Ex::Param(_) | Ex::PeriodAttr(..));
                match free_text(ctx, &v).filter(|_| !from_policy) {
                    Some(parts) => {
                        let parts: Vec<String> = parts
                            .iter()
                            .map(|p| match p {
                                V::Str(s) => quote(s),
                                p => render.render(p, *e),
                            })
                            .collect();
                        message.push_str(&parts.join(", "));
                    }
                    None => message.push_str(&render.render(&v, *e)),
                }
            }
        }
    }
    let mut at_time = None;
    let field = rule.at.as_ref().map(|at| {
        let mut pointer = origins.get(at.slot).cloned().flatten().unwrap_or_default();
        let mut cur: Option<(&[Option<crate::data::model::Field>], &Layout)> =
            match env.get(at.slot) {
                Some(V::Rec(c, r)) => Some((
                    &ctx.export.collections[*c][*r as usize].fields,
                    ctx.export.layouts.get(*c).unwrap_or(Layout::empty()),
                )),
                Some(V::Obj(fields, layout)) => Some((fields, layout)),
                _ => None,
            };
        for (idx, name) in &at.steps {
            pointer.push('/');
            pointer.push_str(&crate::locate::escape_pointer(name));
            let fl = cur
                .and_then(|(fs, layout)| layout.slot(*idx).and_then(|s| fs.get(s)))
                .and_then(Option::as_ref);
            let inner = cur.map_or(Layout::empty(), |(_, layout)| layout.inner(*idx));
            at_time = match fl.map(|f| V::of_val(&f.val, inner, ctx.tz, &ctx.export.ids)) {
                Some(V::Time(t)) => Some(t),
                _ => None,
            };
            cur = match fl.map(|f| &f.val) {
                Some(Val::Obj(fs)) => Some((fs, inner)),
                _ => None,
            };
        }
        pointer
    });
    // Only the time the violation is about dates it: a record's first
    // time field (an employee's join date) would place a missing training
    // years before it was due.
    let date = at_time;
    Found {
        rule: rule_index,
        record,
        key,
        message,
        field,
        date,
        owner,
    }
}
