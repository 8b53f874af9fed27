//! Evaluation: runs the checked rules over the loaded export, in parallel,
//! and turns what fails into located violations.

pub mod expr;
pub mod follow_on;
pub mod index;
pub mod locate;
pub mod period;
pub mod recover;
pub mod render;
pub mod value;

use crate::check::ir::{CheckedRule, Ex, MsgPart, ParamValue, Program, Source};
use crate::data::model::{ByteSpan, Export, FileId, IntegrityFinding, Val};
use crate::schema::Layout;
use crate::violation::{DataLocation, FieldLocation, RuleInfo, Run, Severity, Summary, Violation};
use expr::{set, Ctx};
use index::Indexes;
use locate::Locator;
use rayon::prelude::*;
use render::Renderer;
use value::V;

/// What a run judges by, beyond the policy and the export.
#[derive(Debug, Clone)]
pub struct Settings {
    pub as_of: jiff::Timestamp,
    pub tz: jiff::tz::Offset,
    pub params: Vec<ParamValue>,
}

/// A violation before its location is resolved to lines and columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Index among the integrity rules then the program's rules.
    pub rule: usize,
    /// The first binder's record: collection and position in it.
    pub record: Option<(usize, u32)>,
    pub key: Option<String>,
    pub message: String,
    /// Pointer of the field inside the record.
    pub field: Option<String>,
    /// The time the violation points at, for charts over time.
    pub date: Option<i128>,
}

/// Records per parallel task: large enough to amortise, small enough to balance.
const CHUNK: usize = 4096;

pub fn evaluate(program: &Program, export: &Export, settings: &Settings) -> Run {
    let found = find(program, export, settings);
    report(program, export, settings, found)
}

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

/// Locates what an engine found, adds the integrity findings, and makes the
/// run's report. `found[i].rule` counts the integrity rules first.
pub fn report(program: &Program, export: &Export, settings: &Settings, found: Vec<Found>) -> Run {
    let mut rules: Vec<RuleInfo> = program.integrity.iter().map(|r| r.info.clone()).collect();
    let offset = rules.len();
    rules.extend(program.rules.iter().map(|r| r.info.clone()));
    // One violation per (rule, record, key): a list naming the same
    // customer twice must not report it twice.
    let mut seen = std::collections::HashSet::new();
    let found: Vec<Found> = found
        .into_iter()
        .filter(|f| seen.insert((f.rule, f.record, f.key.clone())))
        .collect();

    let integrity: Vec<(usize, &IntegrityFinding)> = export
        .findings
        .iter()
        .filter_map(|f| {
            program
                .integrity
                .iter()
                .position(|r| r.kind == f.kind)
                .map(|i| (i, f))
        })
        .collect();

    // The fields violations point at, found again in their records' text.
    let mut wanted = Vec::new();
    let mut want = |file: FileId, record: ByteSpan, pointer| {
        wanted.push(recover::Wanted {
            file,
            record,
            pointer,
        });
        Some(wanted.len() - 1)
    };
    let integrity_at: Vec<Option<usize>> = integrity
        .iter()
        .map(|(_, f)| match &f.field {
            Some((p, None)) => p
                .strip_prefix(f.pointer.as_str())
                .and_then(|suffix| want(f.file, f.span, suffix)),
            _ => None,
        })
        .collect();
    let found_at: Vec<Option<usize>> = found
        .iter()
        .map(|f| match (f.record, &f.field) {
            (Some((c, r)), Some(p)) => {
                let rec = &export.collections[c][r as usize];
                want(rec.file, rec.span, p)
            }
            _ => None,
        })
        .collect();
    let spans = recover::field_spans(&export.files, &wanted);
    let span_at = |i: Option<usize>| i.and_then(|i| spans[i]);
    let integrity: Vec<(usize, IntegrityFinding)> = integrity
        .into_iter()
        .zip(integrity_at)
        .map(|((i, f), at)| {
            let mut f = f.clone();
            if let Some((_, span @ None)) = &mut f.field {
                *span = span_at(at);
            }
            (i, f)
        })
        .collect();
    let found: Vec<(Found, Option<ByteSpan>)> = found
        .into_iter()
        .zip(found_at)
        .map(|(f, at)| (f, span_at(at)))
        .collect();

    let mut locator = Locator::default();
    for (file, offset, at) in &export.positions {
        locator.know(*file, *offset, *at);
    }
    for (_, f) in &integrity {
        locator.want(f.file, f.span.start);
        locator.want(f.file, f.span.end);
        if let Some((_, Some(s))) = &f.field {
            locator.want(f.file, s.start);
        }
    }
    for (f, span) in &found {
        if let Some((c, r)) = f.record {
            let rec = &export.collections[c][r as usize];
            locator.want(rec.file, rec.span.start);
            locator.want(rec.file, rec.span.end);
            if let Some(s) = span {
                locator.want(rec.file, s.start);
            }
        } else if let Some((file, span, _)) = &export.meta.location {
            locator.want(*file, span.start);
            locator.want(*file, span.end);
        }
    }
    let changed = locator.resolve(&export.files, &export.stamps);

    let display = |file: FileId| {
        export
            .files
            .get(file)
            .map_or_else(String::new, |f| f.display.clone())
    };
    let locate = |file: FileId, span: ByteSpan, pointer: String| {
        let (s, e) = (locator.get(file, span.start), locator.get(file, span.end));
        DataLocation {
            file: display(file),
            pointer,
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
            bytes: (span.start, span.end),
        }
    };
    let mut violations: Vec<(Option<(FileId, u64)>, Violation)> = Vec::new();
    for (i, f) in integrity {
        let location = locate(f.file, f.span, f.pointer.clone());
        let field = f
            .field
            .as_ref()
            .map(|(p, s)| field_location(&locator, f.file, p, *s, f.span));
        violations.push((
            Some((f.file, f.span.start)),
            Violation {
                rule: i,
                message: f.message.clone(),
                collection: f.collection.clone(),
                id: f.id.clone(),
                key: f.key.clone(),
                location: Some(location),
                field,
                waived: None,
                follows_input_error: f
                    .target
                    .and_then(|t| follow_on::cause(&export.incomplete, &[t])),
                date: None,
            },
        ));
    }
    let looked_up: Vec<Vec<usize>> = program.rules.iter().map(follow_on::looked_up).collect();
    for (f, span) in found {
        let (order, collection, id, location, field) = match f.record {
            Some((c, r)) => {
                let rec = &export.collections[c][r as usize];
                let file = &export.files[rec.file];
                let pointer = format!("{}/{}", file.pointer_prefix, rec.ordinal);
                let field = f.field.as_ref().map(|p| {
                    field_location(&locator, rec.file, &format!("{pointer}{p}"), span, rec.span)
                });
                (
                    Some((rec.file, rec.span.start)),
                    program.schema.collections[c].name.clone(),
                    rec.id.map(|s| export.ids.resolve(s).to_string()),
                    Some(locate(rec.file, rec.span, pointer)),
                    field,
                )
            }
            None => {
                let location = export
                    .meta
                    .location
                    .as_ref()
                    .map(|(file, span, ptr)| locate(*file, *span, ptr.clone()));
                (None, "export".to_string(), None, location, None)
            }
        };
        violations.push((
            order,
            Violation {
                rule: f.rule,
                message: f.message,
                collection,
                id,
                key: f.key,
                location,
                field,
                waived: None,
                follows_input_error: follow_on::cause(
                    &export.incomplete,
                    &looked_up[f.rule - offset],
                ),
                date: f.date.and_then(|t| month_label(t, settings.tz)),
            },
        ));
    }
    // Deterministic whatever the thread count: by place in the input, then rule and key.
    violations.sort_by(|(a, va), (b, vb)| {
        let ra = &rules[va.rule].code;
        let rb = &rules[vb.rule].code;
        (a.is_some(), a, ra, &va.key, &va.message).cmp(&(b.is_some(), b, rb, &vb.key, &vb.message))
    });
    let mut violations: Vec<Violation> = violations.into_iter().map(|(_, v)| v).collect();
    // What an input error alone may explain comes after what it cannot.
    violations.sort_by_key(|v| v.follows_input_error.is_some());
    let mut summary = Summary {
        input_errors: export.errors.len(),
        // A document holds one `DataFile` per collection member (each with
        // its pointer prefix): files read are distinct paths.
        files: export.counted.map_or_else(
            || {
                export
                    .files
                    .iter()
                    .map(|f| &f.path)
                    .collect::<std::collections::HashSet<_>>()
                    .len()
            },
            |(_, files)| files,
        ),
        records: export
            .counted
            .map_or_else(|| export.record_count(), |(records, _)| records),
        rules: program.rules.len(),
        ..Summary::default()
    };
    for v in &violations {
        match rules[v.rule].severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
    }
    Run {
        policy_title: program.title.clone(),
        policy_version: program.version.clone(),
        as_of: Renderer {
            export,
            schema: &program.schema,
            tz: settings.tz,
        }
        .time_rfc3339(settings.as_of),
        rules,
        violations,
        notes: export
            .notes
            .iter()
            .cloned()
            .chain(changed.into_iter().map(|file| crate::data::model::Note {
                file,
                message: "changed after it was read: the lines and columns shown for it may be wrong; run the check again".into(),
            }))
            .collect(),
        input_errors: export
            .errors
            .iter()
            .map(crate::data::diagnostic::problem)
            .collect(),
        expired_waivers: Vec::new(),
        summary,
    }
}

fn field_location(
    locator: &Locator,
    file: FileId,
    pointer: &str,
    span: Option<ByteSpan>,
    record: ByteSpan,
) -> FieldLocation {
    let at = locator.get(file, span.map_or(record.start, |s| s.start));
    FieldLocation {
        pointer: pointer.to_string(),
        line: at.line,
        column: at.column,
        bytes: span.map(|s| (s.start, s.end)),
    }
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
            pointer.push_str(&escape_pointer(name));
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
    }
}

fn month_label(t: i128, tz: jiff::tz::Offset) -> Option<String> {
    let ts = jiff::Timestamp::from_nanosecond(t).ok()?;
    Some(tz.to_datetime(ts).strftime("%Y-%m").to_string())
}

pub fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
