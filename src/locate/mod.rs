//! Turns what an engine found into located violations: lines and
//! columns of records and fields, found in one streaming pass over the
//! files, never by reading a whole file again.

pub mod fields;
pub mod follow_on;
pub mod lines;

use crate::check::ir::Program;
use crate::data::model::{ByteSpan, Export, FileId, IntegrityFinding};
use crate::engine::{Found, Settings};
use crate::violation::{
    DataLocation, FieldLocation, Owner, RuleInfo, Run, Severity, Summary, Violation,
};
use lines::Locator;

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
        wanted.push(fields::Wanted {
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
    let spans = fields::field_spans(&export.files, &wanted);
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
                owner: None,
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
                owner: f.owner.map(|(id, department)| Owner { id, department }),
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
        as_of: crate::engine::text::rfc3339(settings.tz, settings.as_of),
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

fn month_label(t: i128, tz: jiff::tz::Offset) -> Option<String> {
    let ts = jiff::Timestamp::from_nanosecond(t).ok()?;
    Some(tz.to_datetime(ts).strftime("%Y-%m").to_string())
}

pub fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
